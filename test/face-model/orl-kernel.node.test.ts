// The int8 face kernel against the float pipeline on ORL (40 people × 10 grey
// images): same detection, landmarks and aligned crops; calibration was on
// s1–s20 (tools/face-model/calibration), so cosine is also checked on the
// held-out s21–s40; and with the kernel cropping and warping the photo itself,
// as the board will; and with the BlazeFace detector in the kernel as well.
// Bounds are the measured figures (docs/face-kernel.md).
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

interface Bounds { meanCosine: number; minCosine: number; fnmr: [number, number]; fromFloat: [number, number] }

/** Measured on ORL (docs/face-kernel.md), with a little room. */
const BOUNDS: Record<string, { kernel: Bounds; kernelWarp: Bounds; detector: { fnmr: [number, number]; landmarkMedian: number } }> = {
  mobileface: {
    // Measured: mean 0.9945 (held-out 0.9944), min 0.9880; FNMR 10.50 % / 16.11 % (float 10.94 % / 15.67 %).
    kernel: { meanCosine: 0.993, minCosine: 0.985, fnmr: [0.11, 0.17], fromFloat: [0.01, 0.01] },
    // Measured: mean 0.9945, min 0.9873; FNMR 10.89 % / 17.11 %: at FMR 1e-4 (eight impostor pairs
    // set the threshold) 1.44 points above float, outside the 1-point target; see docs/face-kernel.md.
    kernelWarp: { meanCosine: 0.993, minCosine: 0.985, fnmr: [0.115, 0.175], fromFloat: [0.01, 0.015] },
    // BlazeFace in the kernel (equalised), FaceMesh (float) on its detections. Measured: landmarks vs
    // the float detector's, median 0.049 of the eye distance; FNMR 10.50 % / 16.28 % (float 10.94 % / 15.67 %).
    detector: { fnmr: [0.11, 0.17], landmarkMedian: 0.06 },
  },
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

  for (const [side, label] of [["kernel", "on the float pipeline's crops"], ["kernelWarp", "cropping and warping in the kernel"]] as const) {
    it(`${label}: mean cosine to the float embedding ≥ 0.98 (and within the measured bounds), also on the subjects calibration never saw`, function () {
      const { cosines } = r[side];
      const b = bounds[side];
      const mean = (xs: number[]) => xs.reduce((a, c) => a + c, 0) / xs.length;
      const all = mean(cosines);
      const heldOut = mean(cosines.filter((_, i) => r.people[i] >= 20));
      assert.ok(all >= 0.98 && all >= b.meanCosine, `mean cosine ${all}`);
      assert.ok(heldOut >= 0.98 && heldOut >= b.meanCosine, `held-out (s21–s40) mean cosine ${heldOut}`);
      assert.ok(Math.min(...cosines) >= b.minCosine, `worst image ${Math.min(...cosines)}`);
    });

    it(`${label}: FNMR at FMR 1e-3 and 1e-4 within the measured bounds of the float pipeline's`, function () {
      const b = bounds[side];
      r[side].atTargets.forEach((k, i) => {
        const f = r.float[i];
        assert.ok(Math.abs(k.fnmr - f.fnmr) <= b.fromFloat[i], `target ${i}: float FNMR ${f.fnmr}, kernel ${k.fnmr}`);
        assert.ok(k.fnmr <= b.fnmr[i], `target ${i}: kernel FNMR ${k.fnmr}`);
      });
    });

    // Issue 19's measure: at the host's chosen thresholds (verify 0.604, identify 0.646 as a pair
    // score). Measured 2026-12-05: crops FNMR +0.77 / +0.27 points, own warp +0.66 / +0.11; FMR within 0.005.
    it(`${label}: FMR and FNMR at the host's chosen verify and identify thresholds within 1 point of float`, function () {
      assert.equal(r[side].atChosen.length, 2);
      r[side].atChosen.forEach((k, i) => {
        const f = r.floatAtChosen[i];
        assert.equal(k.threshold, f.threshold);
        assert.ok(Math.abs(k.fnmr - f.fnmr) <= 0.01, `threshold ${k.threshold}: float FNMR ${f.fnmr}, kernel ${k.fnmr}`);
        assert.ok(Math.abs(k.fmr - f.fmr) <= 0.01, `threshold ${k.threshold}: float FMR ${f.fmr}, kernel ${k.fmr}`);
      });
    });
  }

  it("with BlazeFace in the kernel too (FaceMesh still float): every face found, landmarks within the measured bound, FNMR within 1 point of float", function () {
    const d = r.kernelDetector;
    assert.equal(d.misses, 0);
    const sorted = [...d.landmarkErrors].sort((a, b) => a - b);
    assert.ok(sorted[sorted.length >> 1] <= bounds.detector.landmarkMedian, `landmark error median ${sorted[sorted.length >> 1]}`);
    d.atTargets.forEach((k, i) => {
      assert.ok(k.fnmr <= bounds.detector.fnmr[i], `target ${i}: FNMR ${k.fnmr}`);
      assert.ok(Math.abs(k.fnmr - r.float[i].fnmr) <= 0.01, `target ${i}: float FNMR ${r.float[i].fnmr}, all-kernel ${k.fnmr}`);
    });
  });
});
