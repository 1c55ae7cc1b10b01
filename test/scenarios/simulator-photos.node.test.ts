// The simulator takes real photos (issue 18): `--embedder real`, the `photo`
// and `photo-off` script actions, bad image files, and a model change on a
// gate that holds templates of the synthetic one. The ORL part enrols and
// matches people from ../shared/faces/orl (never copied into the repo) and is
// skipped with one line where those faces are absent; the rest makes its own
// test pictures (no faces in them).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { NorFlash } from "../../boards/host/nor-flash";
import { parseArgs, USAGE } from "../../tools/sim/cli";
import { HostFaceModel, REAL_FRAME } from "../../tools/sim/face-model";
import { ramFlash, SIM_FLASH_SIZE } from "../../tools/sim/flash";
import { renderFrame, frameToRgb, readPhoto } from "../../tools/sim/photo";
import { runScript } from "../../tools/sim/script";
import { Tui } from "../../tools/sim/tui";
import type { Simulator } from "../../tools/sim/simulator";
import { repoRoot } from "../../tools/xs/bundle";
import { admitsSameRefusesOther, bootGate, CARD, cameraOnSince, consentAtKeypadScript, consoleJson, lastDecision, lastPrompt, MONDAY_8AM, technicianLogin } from "./support";

// OPTGATE_FACES points elsewhere (e.g. from a git worktree that has no ../shared beside it).
const ORL = path.join(process.env.OPTGATE_FACES ?? path.join(repoRoot, "..", "shared", "faces"), "orl");

const errorEvents = (sim: Simulator) => sim.events.flatMap((e) => (e.e === "error" ? [e.message] : []));
const logLines = (sim: Simulator) => sim.events.flatMap((e) => (e.e === "log" ? [e.line] : []));

/** Test pictures without a face: a gradient with a bright disc. */
function writePictures(dir: string): Record<string, string> {
  const width = 64, height = 48;
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      const disc = (x - 32) ** 2 + (y - 24) ** 2 < 100;
      rgba[i] = disc ? 250 : x * 4;
      rgba[i + 1] = disc ? 240 : y * 5;
      rgba[i + 2] = 90;
      rgba[i + 3] = 255;
    }
  }
  const png = new PNG({ width, height });
  rgba.copy(png.data);
  const files = {
    png: path.join(dir, "card.png"),
    jpeg: path.join(dir, "card.jpg"),
    pgm: path.join(dir, "card.pgm"),
    spaced: path.join(dir, "a folder", "my photo.png"),
    missing: path.join(dir, "nobody.png"),
    corruptPng: path.join(dir, "corrupt.png"),
    truncatedPgm: path.join(dir, "truncated.pgm"),
    corruptJpeg: path.join(dir, "corrupt.jpg"),
    gif: path.join(dir, "animation.gif"),
    text: path.join(dir, "notes.txt"),
    empty: path.join(dir, "empty.png"),
    folder: path.join(dir, "a folder"),
  };
  mkdirSync(files.folder);
  writeFileSync(files.png, PNG.sync.write(png));
  writeFileSync(files.spaced, PNG.sync.write(png));
  writeFileSync(files.jpeg, jpeg.encode({ width, height, data: rgba }, 80).data);
  const grey = Buffer.alloc(width * height, 0).map((_, i) => (i * 7) & 0xff);
  writeFileSync(files.pgm, Buffer.concat([Buffer.from(`P5\n# made by the test\n${width} ${height}\n255\n`), grey]));
  writeFileSync(files.corruptPng, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 0x5a)]));
  writeFileSync(files.truncatedPgm, Buffer.concat([Buffer.from(`P5 ${width} ${height} 255\n`), grey.subarray(0, 100)]));
  writeFileSync(files.corruptJpeg, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300, 0x11)]));
  writeFileSync(files.gif, Buffer.concat([Buffer.from("GIF89a"), Buffer.alloc(64, 0)]));
  writeFileSync(files.text, "this is not a picture\n");
  writeFileSync(files.empty, "");
  return files;
}

describe("simulator photos: --embedder and the photo script actions", () => {
  let dir: string;
  let files: Record<string, string>;
  let sim: Simulator;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "optgate-photos-"));
    files = writePictures(dir);
    sim = await bootGate();
  });
  after(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("--embedder takes synthetic (the default) or real; the help labels the synthetic one and lists the photo actions", () => {
    const plain = parseArgs([]);
    assert.ok(typeof plain !== "string");
    assert.equal(plain.embedder, "synthetic");
    const real = parseArgs(["--embedder", "real", "--fresh"]);
    assert.ok(typeof real !== "string");
    assert.equal(real.embedder, "real");
    assert.match(parseArgs(["--embedder", "esp-dl"]) as string, /--embedder takes synthetic, real or board, not esp-dl/);
    assert.match(parseArgs(["--embedder"]) as string, /--embedder needs a value/);
    assert.match(USAGE, /--embedder synthetic .*SIMULATION ONLY/s);
    assert.match(USAGE, /photo <file: PNG, JPEG or PGM, relative to the script> \| photo-off/);
  });

  it("status names the synthetic embedder as synthetic", async () => {
    await technicianLogin(sim);
    assert.match(await sim.consoleLine("status"), /face model: {2}synthetic v1, 128-d \(SYNTHETIC: simulation only, recognises nobody\)/);
    assert.match(sim.faceModel, /^synthetic embedder \(SIMULATION ONLY/);
  });

  it("photo <file> puts a PNG, JPEG or PGM in front of the camera (relative to the script), photo-off takes it away", async () => {
    await runScript(sim, "photo card.png", undefined, { baseDir: dir });
    assert.equal(sim.state.faceInView, `photo ${path.basename(dir)}/card.png`);
    await runScript(sim, "photo card.jpg\n", undefined, { baseDir: dir });
    assert.match(sim.state.faceInView ?? "", /card\.jpg$/);
    await runScript(sim, `photo ${files.pgm}`);
    assert.match(sim.state.faceInView ?? "", /card\.pgm$/);
    await runScript(sim, "photo a folder/my photo.png", undefined, { baseDir: dir });
    assert.match(sim.state.faceInView ?? "", /a folder\/my photo\.png$/);
    await runScript(sim, "photo-off");
    assert.equal(sim.state.faceInView, undefined);
    assert.equal(sim.photo.showing, false);
    await assert.rejects(runScript(sim, "wait 1s\nphoto"), /line 2: photo takes an image file/);
    await assert.rejects(runScript(sim, "photo-off now"), /line 1: photo-off takes nothing/);
  });

  it("the camera reads a photo only inside a face session after the face key; with the synthetic model it sees no face", async () => {
    const from = sim.events.length;
    await sim.showPhoto(files.png);
    await sim.advance(5000);
    assert.equal(sim.photo.framesServed, 0, "a photo in view is not read while the camera is off");
    assert.equal(cameraOnSince(sim, from), 0);
    await sim.type("3A");
    await sim.advance(2000);
    assert.equal(cameraOnSince(sim, from), 1);
    assert.equal(sim.state.cameraPowered, false, "camera off again when the session ended");
    assert.equal(sim.state.leds.camera, false, "privacy LED off with it");
    assert.ok(sim.photo.framesServed > 0, "the session's frames came from the photo");
    assert.equal(lastPrompt(sim), "No face seen. Please use your card or PIN.");
    const served = sim.photo.framesServed;
    await sim.advance(5000);
    assert.equal(sim.photo.framesServed, served, "no frame after the session");
    await sim.hidePhoto();
  });

  it("a missing, corrupt or unsupported image file is refused with a sentence; nothing changes and the gate keeps working", async () => {
    await sim.showPhoto(files.pgm);
    const cases: [string, RegExp][] = [
      [files.missing, /nobody\.png: no such file/],
      [files.corruptPng, /corrupt\.png: unreadable PNG/],
      [files.truncatedPgm, /truncated\.pgm: PGM pixel data is truncated/],
      [files.corruptJpeg, /corrupt\.jpg: unreadable JPEG/],
      [files.gif, /animation\.gif: not a PNG, JPEG or PGM image/],
      [files.text, /notes\.txt: not a PNG, JPEG or PGM image/],
      [files.empty, /empty\.png: the file is empty/],
      [files.folder, /a folder: not a file/],
    ];
    for (const [file, why] of cases) {
      await assert.rejects(sim.showPhoto(file), why);
      await assert.rejects(runScript(sim, `wait 10ms\nphoto ${file}\nwait 1s`), new RegExp(`line 2: photo: .*${why.source}`));
      assert.match(sim.state.faceInView ?? "", /card\.pgm$/, `${path.basename(file)}: the photo in view stays`);
    }
    assert.equal(sim.dead, undefined);
    assert.deepEqual(errorEvents(sim), []);
    await sim.advance(6000);
    await sim.presentCard(CARD.owner);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["card", true, "R00001"]);
    await sim.hidePhoto();
  });

  it("on the gate screen: p, a path and Enter hold up a photo; a bad file is refused on screen; o takes it away", async () => {
    let screen = "";
    const output = { write: (text: string) => { screen = text; return true; } } as unknown as NodeJS.WriteStream;
    const tui = new Tui(sim, { consoleInfo: "-", imageInfo: "-", modelInfo: sim.faceModel, onQuit: () => undefined, output });
    const typeLine = async (text: string) => { for (const key of text) await tui.key(key); };
    tui.render();
    assert.match(screen, /p {2}hold up a photo \(file\) {2}o {2}take it away/);
    assert.match(screen, /Face {6}synthetic embedder \(SIMULATION ONLY/);
    await tui.key("p");
    assert.match(screen, /Photo to hold up to the camera \(PNG, JPEG or PGM\)/);
    await typeLine(`${files.jpeg}x`);
    await tui.key("\x7f");
    await tui.key("\r");
    assert.match(sim.state.faceInView ?? "", /card\.jpg$/);
    await tui.key("p");
    await typeLine(`${files.gif}\r`);
    assert.match(screen, /photo refused: .*animation\.gif: not a PNG, JPEG or PGM image/);
    assert.match(sim.state.faceInView ?? "", /card\.jpg$/, "the photo in view stays");
    await tui.key("o");
    assert.equal(sim.state.faceInView, undefined);
    await tui.key("p");
    await typeLine(`${files.png}\r`);
    await tui.key("p");
    await tui.key("\r");
    assert.equal(sim.state.faceInView, undefined, "an empty path takes the photo away");
    tui.stop();
  });

  it("renders a photo into the camera's frame format, fitted and centred on grey", () => {
    const image = readPhoto(files.png);
    const frame = { width: 32, height: 32, format: "rgb565" as const };
    const bytes = new Uint8Array(32 * 32 * 2);
    renderFrame(image, bytes, frame);
    const back = frameToRgb(bytes, frame);
    const at = (x: number, y: number) => [...back.data.subarray(3 * (y * 32 + x), 3 * (y * 32 + x) + 3)];
    assert.deepEqual(at(16, 1), [132, 130, 132], "above the 64x48 picture scaled to 32x24: the grey border");
    assert.ok(at(16, 16)[0] > 230, "the bright disc in the middle");
    const grey = new Uint8Array(32 * 32);
    renderFrame(undefined, grey, { width: 32, height: 32, format: "gray8" });
    assert.ok(grey.every((v) => v === 128), "nothing in view: a blank wall");
  });
});

describe("simulator photos: a model change on a gate with synthetic templates", function () {
  const nor = new NorFlash(SIM_FLASH_SIZE);
  let sim: Simulator;
  after(async () => { await sim?.close(); });

  it("enrolled with the synthetic embedder (the demo compound), R00003's face opens the gate", async () => {
    sim = await bootGate({ flash: ramFlash(nor) });
    await sim.showFace("genuine", 303);
    await sim.type("3A");
    await sim.advance(500);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["face", true, "R00003"]);
    await sim.close();
  });

  it("restarted with --embedder real: the template is erased with a re-enrol message, consent kept", async () => {
    sim = await bootGate({ flash: ramFlash(nor), embedder: "real" });
    assert.equal(sim.embedder, "real");
    assert.ok(logLines(sim).some((l) => /face template\(s\) from another face model erased \(R00003\): re-enrol them with face enrol; their consent is kept/.test(l)), logLines(sim).join("\n"));
    await technicianLogin(sim);
    const status = await sim.consoleLine("status");
    assert.match(status, /face model: {2}mobileface v1, 256-d\r?\n/);
    assert.match(status, /DAMAGE: .*another face model erased \(R00003\): re-enrol/);
    assert.equal((await consoleJson<{ state: string }>(sim, "consent show R00003")).state, "active");
    assert.match(await sim.consoleLine("resident list"), /R00003\s+3-303.*consented/);
  });

  it("her face is refused with the camera off (use card or PIN); her card and PIN still open", async () => {
    const from = sim.events.length;
    await sim.showFace("genuine", 303);
    await sim.type("3A");
    await sim.advance(500);
    assert.match(lastPrompt(sim), /card or PIN/i);
    assert.equal(cameraOnSince(sim, from), 0);
    assert.ok(!sim.decisions.slice(-1).some((d) => d.grant));
    await sim.presentCard(CARD.faceUser);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["card", true, "R00003"]);
    await sim.advance(6000);
    await sim.type("3#135724#");
    await sim.advance(300);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["pin", true, "R00003"]);
    assert.deepEqual(errorEvents(sim), []);
  });
});

describe("simulator photos: the Node side of the real model", () => {
  it("answers an embed request from the board and zeroes the frame it was sent; a malformed one gets a reason", async () => {
    const model = await HostFaceModel.load();
    assert.deepEqual([model.spec.id, model.spec.dimension, model.spec.frame], ["mobileface", 256, REAL_FRAME]);
    const { width, height } = REAL_FRAME;
    const message = new Uint8Array(11 + width * height * 2);
    const view = new DataView(message.buffer);
    message[0] = 0x46;
    view.setUint32(1, width, true);
    view.setUint32(5, height, true);
    message[9] = 2;
    for (let i = 11; i < message.length; i++) message[i] = (i * 31) & 0xff;
    assert.deepEqual(model.answer(message), Uint8Array.of(1), "noise: no face");
    assert.ok(message.subarray(11).every((b) => b === 0), "the frame's pixels are zeroed");
    assert.match(model.answer(message.subarray(0, 500)) as string, /^!face model: frame size does not match/);
    message[10] = 9;
    assert.match(model.answer(message) as string, /^!face model: no liveness check 9 here/);
    message[10] = 0;
    message[9] = 7;
    assert.match(model.answer(message) as string, /^!face model: unknown frame format 7/);
  });
});

describe("simulator photos: --embedder real on ORL faces", function () {
  let sim: Simulator;
  const printed: string[] = [];
  before(async function () {
    if (!existsSync(ORL)) {
      console.log(`    skipped: no ORL faces at ${path.relative(repoRoot, ORL)} (needs ../shared/faces/orl or OPTGATE_FACES)`);
      this.skip();
    }
    sim = await bootGate({ embedder: "real", startTime: MONDAY_8AM });
  });
  after(async () => { await sim?.close(); });
  const script = (text: string) => runScript(sim, text, (line) => printed.push(line), { baseDir: ORL });

  it("the demo's face resident is consented but not enrolled (no photos of real people in the demo)", () => {
    assert.ok(logLines(sim).some((l) => /R00003 consented to face; with a real face model she is not enrolled/.test(l)));
  });

  it("a resident consents at the keypad, then enrols from a photo (the camera is on for the captures only)", async () => {
    const from = sim.events.length;
    await script(consentAtKeypadScript("s2/1.pgm") + `
      wait 3s
    `);
    assert.match(lastPrompt(sim), /^Consent recorded\./);
    assert.equal(cameraOnSince(sim, from), 0, "consent never powers the camera");
    assert.equal(sim.photo.framesServed, 0, "the photo is not read before enrolment");
    await script(`
      console face enrol R00002
      console go
      photo-off
    `);
    assert.ok(printed.some((l) => /R00002 enrolled under notice v1/.test(l)), printed.join("\n"));
    assert.equal(cameraOnSince(sim, from), 1);
    assert.equal(sim.state.cameraPowered, false);
    assert.ok(sim.photo.framesServed >= 5, "enrolment captured from the photo");
  });

  it("the same person in another photo is admitted; another person is refused (use card or PIN)", async () => {
    await admitsSameRefusesOther(sim, script);
  });

  it("the camera was powered only inside face sessions and the enrolment, never longer than a session", () => {
    const log = sim.cameraLog;
    assert.equal(log.length % 2, 0);
    for (let i = 0; i < log.length; i += 2) {
      assert.deepEqual([log[i].on, log[i + 1].on], [true, false]);
      assert.ok(log[i + 1].time - log[i].time <= 10_000, "a face session lasts at most its timeout");
    }
    assert.equal(log.filter((c) => c.on).length, 4, "enrolment + three face keys");
    assert.equal(sim.state.cameraPowered, false);
    assert.deepEqual(errorEvents(sim), []);
  });
});
