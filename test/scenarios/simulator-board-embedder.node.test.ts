// `--embedder board` (issue 19): the simulator runs what the board runs, the
// int8 face kernel under Node's WebAssembly with the model images from
// build/face-model (npm run build first). Model images that are missing,
// truncated or corrupt are refused with a sentence and face answers "use
// card or PIN" while card and PIN work; the ORL part enrols and matches
// people from ../shared/faces/orl through the board's path (skipped with one
// line where those faces are absent), and shows templates carry the kernel
// image's tag: the float host pipeline does not accept them.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NorFlash } from "../../boards/host/nor-flash";
import { sha256, toHex } from "../../src/core/crypto";
import { isOptgateError } from "../../src/core/errors";
import { BOARD_FACE_THRESHOLDS } from "../../tools/face/thresholds";
import { BOARD_DETECTOR, BOARD_LANDMARKS, BoardFacePipeline, KERNEL_FORMAT } from "../../tools/face-model/board-pipeline";
import { faceModelDir } from "../../tools/face-model/models";
import { BoardFaceModel } from "../../tools/sim/board-face-model";
import { parseArgs } from "../../tools/sim/cli";
import { REAL_FRAME } from "../../tools/sim/face-model";
import { ramFlash, SIM_FLASH_SIZE } from "../../tools/sim/flash";
import { runScript } from "../../tools/sim/script";
import type { Simulator } from "../../tools/sim/simulator";
import { repoRoot } from "../../tools/xs/bundle";
import { admitsSameRefusesOther, bootGate, CARD, cameraOnSince, lastDecision, lastPrompt, MONDAY_8AM, technicianLogin } from "./support";

const ORL = path.join(process.env.OPTGATE_FACES ?? path.join(repoRoot, "..", "shared", "faces"), "orl");
const EMBEDDER = "mobileface";

const errorEvents = (sim: Simulator) => sim.events.flatMap((e) => (e.e === "error" ? [e.message] : []));
const logLines = (sim: Simulator) => sim.events.flatMap((e) => (e.e === "log" ? [e.line] : []));

/** A copy of the built images in a fresh folder, for damaging. */
function copyImages(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "optgate-face-model-"));
  for (const id of [BOARD_DETECTOR, EMBEDDER, BOARD_LANDMARKS]) for (const ext of ["ogfk", "json"]) copyFileSync(path.join(faceModelDir, `${id}.${ext}`), path.join(dir, `${id}.${ext}`));
  return dir;
}

const imagePath = (dir: string, id = EMBEDDER) => path.join(dir, `${id}.ogfk`);

function refusal(dir: string): string {
  try {
    BoardFacePipeline.load({ dir });
  } catch (error) {
    assert.ok(isOptgateError(error) && error.code === "E_FACE_MODEL_REFUSED", `${error}`);
    return error.message;
  }
  assert.fail("the damaged images were loaded");
}

describe("--embedder board: loading and checking the model images", () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
  const damaged = () => { const d = copyImages(); dirs.push(d); return d; };

  it("--embedder takes board", () => {
    const options = parseArgs(["--embedder", "board"]);
    assert.ok(typeof options !== "string");
    assert.equal(options.embedder, "board");
  });

  it("loads the built images; the tag names the embedder and its image's CRC-32, the spec the board's thresholds, no liveness check", () => {
    const model = BoardFaceModel.load();
    const manifest = JSON.parse(readFileSync(path.join(faceModelDir, `${EMBEDDER}.json`), "utf8")) as { crc32: string; modelVersion: number };
    assert.equal(model.spec.unavailable, undefined);
    assert.deepEqual([model.spec.id, model.spec.version, model.spec.dimension], [`${EMBEDDER}-int8-${manifest.crc32}`, manifest.modelVersion, 256]);
    assert.deepEqual(model.spec.thresholds, BOARD_FACE_THRESHOLDS[EMBEDDER]);
    assert.deepEqual(model.spec.liveness, []);
    assert.deepEqual(model.spec.frame, REAL_FRAME);
  });

  it("refuses a truncated image, a flipped byte, a missing image or manifest, and an image swapped for another model, each with its sentence", () => {
    let dir = damaged();
    const full = readFileSync(imagePath(dir));
    writeFileSync(imagePath(dir), full.subarray(0, full.length - 1000));
    assert.match(refusal(dir), new RegExp(`mobileface\\.ogfk is ${full.length - 1000} bytes, its manifest says ${full.length} \\(truncated or replaced\\); face entry is off`));

    dir = damaged();
    const flipped = Uint8Array.from(full);
    flipped[300_000] ^= 0x10;
    writeFileSync(imagePath(dir), flipped);
    assert.match(refusal(dir), /mobileface\.ogfk fails its SHA-256 check against its manifest \(corrupt\)/);

    dir = damaged();
    const detector = readFileSync(imagePath(dir, BOARD_DETECTOR));
    detector[5000] ^= 1;
    writeFileSync(imagePath(dir, BOARD_DETECTOR), detector);
    assert.match(refusal(dir), /blazeface-front\.ogfk fails its SHA-256 check/);

    dir = damaged();
    const mesh = readFileSync(imagePath(dir, BOARD_LANDMARKS));
    mesh[300_000] ^= 4;
    writeFileSync(imagePath(dir, BOARD_LANDMARKS), mesh);
    assert.match(refusal(dir), /facemesh\.ogfk fails its SHA-256 check/);

    dir = damaged();
    rmSync(imagePath(dir));
    assert.match(refusal(dir), /mobileface\.ogfk cannot be read \(ENOENT\)/);

    dir = damaged();
    rmSync(path.join(dir, `${EMBEDDER}.json`));
    assert.match(refusal(dir), /mobileface\.ogfk has no readable manifest .*mobileface\.json \(ENOENT\)/);

    dir = damaged();
    copyFileSync(imagePath(dir, BOARD_DETECTOR), imagePath(dir));
    assert.match(refusal(dir), /mobileface\.ogfk is 137652 bytes, its manifest says 566736/);
  });

  it("an image damaged with a manifest to match (SHA-256 and length agree) is refused by the kernel's CRC-32", () => {
    const dir = damaged();
    const bytes = readFileSync(imagePath(dir));
    bytes[400_000] ^= 0x01;
    writeFileSync(imagePath(dir), bytes);
    const manifestFile = path.join(dir, `${EMBEDDER}.json`);
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { sha256: string };
    manifest.sha256 = toHex(sha256(bytes));
    writeFileSync(manifestFile, JSON.stringify(manifest));
    assert.match(refusal(dir), /mobileface\.ogfk was refused by the face kernel: E_FACE_MODEL_CHECKSUM: The face model image fails its checksum/);
  });

  it("a refused image gives an unavailable spec, never an exception, and its answers are reasons, never embeddings", () => {
    const dir = damaged();
    writeFileSync(imagePath(dir), readFileSync(imagePath(dir)).subarray(0, 50));
    const model = BoardFaceModel.load({ dir });
    assert.equal(model.pipeline, undefined);
    assert.equal(model.spec.id, "none");
    assert.match(model.spec.unavailable ?? "", /mobileface\.ogfk is 50 bytes/);
    const { width, height } = REAL_FRAME;
    const message = new Uint8Array(11 + width * height * 2).fill(0x55);
    message[0] = 0x46;
    new DataView(message.buffer).setUint32(1, width, true);
    new DataView(message.buffer).setUint32(5, height, true);
    message[9] = 2;
    message[10] = 0;
    assert.match(model.answer(message) as string, /^!face model: E_FACE_MODEL_REFUSED: The face model image .*is 50 bytes/);
    assert.ok(message.subarray(11).every((b) => b === 0), "the frame's pixels are zeroed");
  });

  it("the kernel path answers an embed request: noise is no face, the message and every kernel's frame area are zeroed; a liveness check is refused", () => {
    const model = BoardFaceModel.load();
    const { width, height } = REAL_FRAME;
    const message = new Uint8Array(11 + width * height * 2);
    const view = new DataView(message.buffer);
    const fill = () => {
      message[0] = 0x46;
      view.setUint32(1, width, true);
      view.setUint32(5, height, true);
      message[9] = 2;
      for (let i = 11; i < message.length; i++) message[i] = (i * 31) & 0xff;
    };
    fill();
    assert.deepEqual(model.answer(message), Uint8Array.of(1), "noise: no face");
    assert.ok(message.subarray(11).every((b) => b === 0), "the message's pixels are zeroed");
    const pipeline = model.pipeline!;
    for (const kernel of [pipeline.detector, pipeline.embedder, pipeline.landmarks]) {
      const k = kernel.kernel;
      const memory = new Uint8Array(k.memory.buffer);
      assert.ok(memory.subarray(k.framePtr(), k.framePtr() + width * height * 2).every((b) => b === 0), "kernel frame zeroed");
    }
    fill();
    message[10] = 1;
    assert.match(model.answer(message) as string, /^!face model: the board's model has no liveness check/);
    fill();
    assert.match(model.answer(message.subarray(0, 400)) as string, /^!face model: frame size does not match/);
  });

  it("a frame in a format the kernel does not read is an error, not a face, and leaves no pixel in the kernel", () => {
    const pipeline = BoardFacePipeline.load();
    assert.throws(() => pipeline.embedFrame(new Uint8Array(320 * 240 * 2).fill(0x5a), 320, 240, 9), (e) => isOptgateError(e) && e.code === "E_FACE_PIXEL_FORMAT");
    const k = pipeline.detector.kernel;
    assert.ok(new Uint8Array(k.memory.buffer, k.framePtr(), 320 * 240 * 2).every((b) => b === 0), "the refused frame's copy is zeroed");
    assert.throws(() => pipeline.embedFrame(new Uint8Array(640 * 480 * 2), 640, 480, KERNEL_FORMAT.rgb565le), (e) => isOptgateError(e) && e.code === "E_FACE_CROP_SIZE");
  });
});

describe("--embedder board with a corrupt model image: face refused, card and PIN work", function () {
  let sim: Simulator;
  let dir: string;
  before(async () => {
    dir = copyImages();
    const bytes = readFileSync(imagePath(dir));
    bytes[123_456] ^= 0x80;
    writeFileSync(imagePath(dir), bytes);
    sim = await bootGate({ embedder: "board", boardModel: { dir } });
  });
  after(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("boots (no crash) and says on the screen and in status that the model was refused", async () => {
    assert.equal(sim.dead, undefined);
    assert.match(sim.faceModel, /^board face model REFUSED: face entry off, use card or PIN \(.*mobileface\.ogfk fails its SHA-256 check/);
    await technicianLogin(sim);
    assert.match(await sim.consoleLine("status"), /face model: {2}none v0, 256-d\r?\n/);
  });

  it("the face key answers 'use card or PIN' with the camera off; enrolment fails with the reason and the camera goes off again", async () => {
    const from = sim.events.length;
    await sim.type("3A");
    await sim.advance(500);
    assert.equal(lastPrompt(sim), "Face entry is not available. Please use your card or PIN.");
    assert.equal(cameraOnSince(sim, from), 0);
    assert.ok(!sim.decisions.some((d) => d.grant && d.via === "face"));
    const answer = await sim.consoleLine("face enrol R00003");
    const after = answer.includes("go") ? await sim.consoleLine("go") : answer;
    assert.match(`${answer}\n${after}`, /fails its SHA-256 check.*Face entry is unavailable; residents use card or PIN/s);
    assert.equal(sim.state.cameraPowered, false);
    assert.equal(sim.state.leds.camera, false);
  });

  it("card and PIN still open", async () => {
    await sim.advance(6000);
    await sim.presentCard(CARD.faceUser);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["card", true, "R00003"]);
    await sim.advance(6000);
    await sim.type("3#135724#");
    await sim.advance(300);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["pin", true, "R00003"]);
    assert.deepEqual(errorEvents(sim), []);
  });
});

describe("--embedder board on ORL faces: enrol and match through the int8 kernel", function () {
  const nor = new NorFlash(SIM_FLASH_SIZE);
  let sim: Simulator;
  const printed: string[] = [];
  before(async function () {
    if (!existsSync(ORL)) {
      console.log(`    skipped: no ORL faces at ${path.relative(repoRoot, ORL)} (needs ../shared/faces/orl or OPTGATE_FACES)`);
      this.skip();
    }
    sim = await bootGate({ embedder: "board", startTime: MONDAY_8AM, flash: ramFlash(nor) });
  });
  after(async () => { await sim?.close(); });
  const script = (text: string) => runScript(sim, text, (line) => printed.push(line), { baseDir: ORL });

  it("status names the kernel image's model", async () => {
    assert.match(sim.faceModel, /^mobileface-int8-[0-9a-f]{8} v1, 256-d, int8 kernel as on the board/);
    await technicianLogin(sim);
    assert.match(await sim.consoleLine("status"), /face model: {2}mobileface-int8-[0-9a-f]{8} v1, 256-d\r?\n/);
  });

  it("the board's model has no presentation-attack check: the console refuses to turn one on", async () => {
    assert.match(await sim.consoleLine("config set face.liveness antispoof"), /E_LIVENESS_UNAVAILABLE: This gate's face model \(mobileface-int8-[0-9a-f]{8} v1.*\) cannot run the antispoof check/);
  });

  it("a consenting resident enrols from a photo; the camera is on for the captures only", async () => {
    const from = sim.events.length;
    await script(`
      console consent grant R00002
      console yes
      keys #8#2#246813#
      wait 3s
      photo s2/1.pgm
      console face enrol R00002
      console go
      photo-off
    `);
    assert.ok(printed.some((l) => /R00002 enrolled under notice v1/.test(l)), printed.join("\n"));
    assert.equal(cameraOnSince(sim, from), 1);
    assert.equal(sim.state.cameraPowered, false);
  });

  it("the same person in another photo is admitted; another person is refused; nobody in view is no face", async () => {
    await admitsSameRefusesOther(sim, script);
    const log = sim.cameraLog;
    for (let i = 0; i < log.length; i += 2) assert.deepEqual([log[i].on, log[i + 1]?.on], [true, false]);
    assert.deepEqual(errorEvents(sim), []);
    await sim.close();
  });

  it("the template carries the kernel's tag: the float host pipeline erases it with a re-enrol message", async () => {
    sim = await bootGate({ embedder: "real", flash: ramFlash(nor), startTime: MONDAY_8AM + 3_600_000 });
    assert.ok(logLines(sim).some((l) => /face template\(s\) from another face model erased \(R00002\): re-enrol/.test(l)), logLines(sim).join("\n"));
  });
});
