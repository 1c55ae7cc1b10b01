// The board's face path inside the real Moddable SDK (XS, platform lin):
// KernelEmbedder → NativeFaceKernel → face-kernel-native.js → xs_face.c →
// face_host.c → wasm2c C, with the model partition as a host buffer (as the
// flash map is on the board). On the same camera frames it must give what
// WebAssembly under Node gives, to the bit: a synthetic frame (no face) and,
// where ../shared/faces/orl exists, ORL photos in the board's QVGA RGB565
// frame. A damaged partition is refused with the same codes. Runs where a
// built SDK is given in $MODDABLE; skipped, visibly, elsewhere.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { benchFrame } from "../../tools/bench/suites/42-face-kernel";
import { readImageFile } from "../../tools/face/image-file";
import { BoardFacePipeline, KERNEL_FORMAT } from "../../tools/face-model/board-pipeline";
import { BOARD_CAMERA } from "../../tools/face-model/board-photos";
import { moddableFaceCheck, type FaceCheck } from "../../tools/face-model/moddable-check";
import { moddableSdk } from "../../tools/moddable/sdk";
import { renderFrame } from "../../tools/sim/photo";
import { repoRoot } from "../../tools/xs/bundle";

const ORL = path.join(process.env.OPTGATE_FACES ?? path.join(repoRoot, "..", "shared", "faces"), "orl");
const PHOTOS = ["s1/1", "s1/2", "s7/3", "s23/5"];

function frames(): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = { synthetic: benchFrame() };
  if (!existsSync(ORL)) return out;
  for (const p of PHOTOS) {
    const frame = new Uint8Array(BOARD_CAMERA.width * BOARD_CAMERA.height * 2);
    renderFrame(readImageFile(path.join(ORL, `${p}.pgm`)), frame, BOARD_CAMERA);
    out[`orl-${p.replace("/", "-")}`] = frame;
  }
  return out;
}

describe("the board's face path in the Moddable SDK on lin (native module)", function () {
  this.timeout(1_200_000);
  let check: FaceCheck;
  let input: Record<string, Uint8Array>;
  before(async function () {
    const sdk = moddableSdk();
    if (!sdk) this.skip();
    if (!existsSync(ORL)) console.log(`    ORL photos skipped: no faces at ${path.relative(repoRoot, ORL)}; the synthetic frame only`);
    input = frames();
    check = await moddableFaceCheck(sdk, input);
  });

  it("gives the outcome and the very embedding bits WebAssembly under Node gives, frame by frame", () => {
    const node = BoardFacePipeline.load();
    const expected: FaceCheck["frames"] = {};
    for (const [name, frame] of Object.entries(input)) {
      const r = node.embedFrame(frame.slice(), BOARD_CAMERA.width, BOARD_CAMERA.height, KERNEL_FORMAT.rgb565le);
      expected[name] = r.outcome === "ok" ? { outcome: "ok", embedding: Buffer.from(r.embedding.buffer).toString("hex") } : { outcome: r.outcome };
    }
    assert.deepEqual(check.frames, expected, check.log);
    if (Object.keys(input).length > 1) assert.ok(Object.values(expected).some((f) => f.outcome === "ok"), "at least one ORL photo embeds");
  });

  it("a damaged partition is refused with a code, never loaded", () => {
    assert.deepEqual(check.bad, { "flipped-weight": "E_FACE_MODEL_CHECKSUM", erased: "E_FACE_MODEL_PARTITION", cut: "E_FACE_MODEL_PARTITION" }, check.log);
  });
});
