// FaceMesh in the int8 kernel against float tfjs on ORL (400 photos, the
// float detector's upright crops): the landmark outputs and the five ArcFace
// points the board aligns on, on the float crop and with the kernel warping
// the crop out of the photo itself (the board's path). Bounds are the
// measured figures (docs/face-kernel.md). Skipped where the faces are absent.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compareMesh, type MeshComparison } from "../../tools/face-model/mesh-compare";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const ORL = path.join(process.env.OPTGATE_FACES ?? path.join(repoRoot, "..", "shared", "faces"), "orl");
const quantile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];

describe("FaceMesh in the kernel against float on ORL", function () {
  this.timeout(600_000);
  let r: MeshComparison;

  before(async function () {
    if (!existsSync(ORL)) {
      console.log(`    skipped: no ORL faces at ${path.relative(repoRoot, ORL)} (needs ../shared/faces/orl or OPTGATE_FACES)`);
      this.skip();
    }
    r = await compareMesh(ORL);
  });

  it("runs on all 400 photos", function () {
    assert.equal(r.images, 400);
  });

  for (const [name, pick] of [["on the float crop", (c: MeshComparison) => c.onCrop], ["warping the crop itself", (c: MeshComparison) => c.warped]] as const) {
    it(`${name}: five points within 0.012 eye distances of float (median of the worst point; 95th percentile 0.019), landmark cosine ≥ 0.9999`, function () {
      const s = pick(r);
      assert.ok(quantile(s.pointErrors, 0.5) <= 0.012, `median ${quantile(s.pointErrors, 0.5)}`);
      assert.ok(quantile(s.pointErrors, 0.95) <= 0.019, `95th percentile ${quantile(s.pointErrors, 0.95)}`);
      assert.ok(Math.min(...s.cosines) >= 0.9999, `min cosine ${Math.min(...s.cosines)}`);
    });
  }
});
