// The board's path on ORL as a regression test: the int8 kernel from
// build/face-model (BlazeFace, FaceMesh's five points, mobileface, all in the kernel),
// each photo rendered into the board's QVGA RGB565 frame as the simulator's
// camera does (`npm run eval:face -- <orl> --board`). Holds the thresholds
// shipped for `--embedder board` to what this evaluation chooses, and FNMR to
// the measured figures (docs/face-kernel.md). Skipped where the faces are absent.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readFaceFolder } from "../../tools/face/eval/dataset";
import { embedFolder } from "../../tools/face/eval/evaluate";
import { evaluateEmbeddings, type FaceEvaluation } from "../../tools/face/eval/report";
import { operatingPoint } from "../../tools/face/eval/scores";
import { BOARD_FACE_THRESHOLDS } from "../../tools/face/thresholds";
import { BoardFacePipeline } from "../../tools/face-model/board-pipeline";
import { BoardPhotoEmbedder } from "../../tools/face-model/board-photos";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const ORL = path.join(process.env.OPTGATE_FACES ?? path.join(repoRoot, "..", "shared", "faces"), "orl");

describe("the board's face path on ORL (int8 kernel, FaceMesh five points, QVGA RGB565 frames)", function () {
  let e: FaceEvaluation;

  before(function () {
    if (!existsSync(ORL)) {
      console.log(`    skipped: no ORL faces at ${path.relative(repoRoot, ORL)} (needs ../shared/faces/orl or OPTGATE_FACES)`);
      this.skip();
    }
    e = evaluateEmbeddings(embedFolder(new BoardPhotoEmbedder(BoardFacePipeline.load()), readFaceFolder(ORL)), "mobileface board", true);
  });

  it("finds and embeds a face in every one of the 400 images", function () {
    assert.equal(e.images, 400);
    assert.deepEqual(e.failures, []);
  });

  it("keeps 1:1 FNMR on int8 templates within the measured bounds (10.67 % at FMR 1e-3, 17.83 % at 1e-4)", function () {
    const [q3, q4] = e.int8.atTargets;
    assert.ok(q3.fnmr <= 0.107, `FNMR at FMR 1e-3: ${q3.fnmr}`);
    assert.ok(q4.fnmr <= 0.179, `FNMR at FMR 1e-4: ${q4.fnmr}`);
  });

  it("the thresholds shipped for --embedder board are the ones this evaluation chooses, and hold their FMR target", function () {
    const shipped = BOARD_FACE_THRESHOLDS.mobileface;
    assert.deepEqual({ verify: shipped.verify, identify: shipped.identify, margin: shipped.margin }, e.thresholds);
    const at = operatingPoint(e.int8.scores, shipped.verify);
    assert.ok(at.fmr <= 1e-4, `FMR ${at.fmr} at the shipped 1:1 threshold`);
  });
});
