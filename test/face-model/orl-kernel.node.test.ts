// The int8 face kernel against the float pipeline on ORL (40 people × 10 grey
// images): same detection, landmarks and aligned crops; calibration was on
// s1–s20 (tools/face-model/calibration), so cosine is also checked on the
// held-out s21–s40. Bounds are the measured figures (docs/face-kernel.md).
// Runs the default embedder; skipped with one line where the faces are absent.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_EMBEDDING_MODEL, embeddingModel } from "../../tools/face/embedding-models";
import { readFaceFolder } from "../../tools/face/eval/dataset";
import { compareKernel, type KernelComparison } from "../../tools/face-model/compare";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const ORL = path.join(process.env.OPTGATE_FACES ?? path.join(repoRoot, "..", "shared", "faces"), "orl");

/** Measured on ORL (docs/face-kernel.md), with a little room. */
const BOUNDS: Record<string, { meanCosine: number; minCosine: number; fnmr: [number, number] }> = {
  // Measured: mean 0.9945 (held-out 0.9944), min 0.9880; kernel FNMR 10.50 % / 16.11 % (float 10.94 % / 15.67 %).
  mobileface: { meanCosine: 0.993, minCosine: 0.985, fnmr: [0.11, 0.17] },
  // mobilefacenet: none yet. Its float graph still collapses on ORL (FNMR 66 % at FMR 1e-3, impostor
  // cosines ≈ 0.9999), so the kernel cannot be held to it; see docs/face-kernel.md.
};

describe(`face kernel (int8) against the float pipeline on ORL (${DEFAULT_EMBEDDING_MODEL})`, function () {
  let r: KernelComparison;
  const bounds = BOUNDS[DEFAULT_EMBEDDING_MODEL];

  before(async function () {
    if (!existsSync(ORL)) {
      console.log(`    skipped: no ORL faces at ${path.relative(repoRoot, ORL)} (the kernel comparison needs ../shared/faces/orl or OPTGATE_FACES)`);
      this.skip();
    }
    assert.ok(bounds, `no measured kernel bounds for ${DEFAULT_EMBEDDING_MODEL}: run npm run face-model:compare -- --model ${DEFAULT_EMBEDDING_MODEL} and add them here`);
    r = await compareKernel(embeddingModel(DEFAULT_EMBEDDING_MODEL), readFaceFolder(ORL));
  });

  it("embeds every one of the 400 images", function () {
    assert.equal(r.images, 400);
    assert.deepEqual(r.failures, []);
  });

  it("mean cosine to the float embedding ≥ 0.98 (and within the measured bounds), also on the subjects calibration never saw", function () {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const all = mean(r.cosines);
    const heldOut = mean(r.cosines.filter((_, i) => r.people[i] >= 20));
    assert.ok(all >= 0.98 && all >= bounds.meanCosine, `mean cosine ${all}`);
    assert.ok(heldOut >= 0.98 && heldOut >= bounds.meanCosine, `held-out (s21–s40) mean cosine ${heldOut}`);
    assert.ok(Math.min(...r.cosines) >= bounds.minCosine, `worst image ${Math.min(...r.cosines)}`);
  });

  it("FNMR at FMR 1e-3 and 1e-4 within 1 percentage point of the float pipeline, and within the measured bounds", function () {
    r.kernel.forEach((k, i) => {
      const f = r.float[i];
      assert.ok(Math.abs(k.fnmr - f.fnmr) <= 0.01, `target ${i}: float FNMR ${f.fnmr}, kernel ${k.fnmr}`);
      assert.ok(k.fnmr <= bounds.fnmr[i], `target ${i}: kernel FNMR ${k.fnmr}`);
    });
  });
});
