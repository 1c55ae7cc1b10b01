// The presentation-attack setting (face.liveness) on the simulated gate: the
// real firmware in XS, the real host model on the Node side. Off by default;
// refused on the synthetic embedder; with --embedder real the packaged
// antispoof check runs at 0.5 on every face-session frame. To see a refusal
// without attack images, the Node side's scorer is wrapped so a test can make
// it score low (the firmware is not mocked: it receives the real "not live"
// answer over the link). The ORL parts are skipped with one line where
// ../shared/faces is absent.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import type { Detection } from "../../tools/face/detector";
import type { RgbImage } from "../../tools/face/image-file";
import { LivenessModel } from "../../tools/face/liveness";
import { HostFaceModel, LIVENESS_THRESHOLD, REAL_FRAME, type LivenessScorer } from "../../tools/sim/face-model";
import { readPhoto, renderFrame } from "../../tools/sim/photo";
import { runScript } from "../../tools/sim/script";
import type { Simulator } from "../../tools/sim/simulator";
import { repoRoot } from "../../tools/xs/bundle";
import { bootGate, CARD, cameraOnSince, consentAtKeypadScript, lastDecision, lastPrompt, MONDAY_8AM, technicianLogin } from "./support";

const ORL = path.join(process.env.OPTGATE_FACES ?? path.join(repoRoot, "..", "shared", "faces"), "orl");
const NOT_LIVE = "Face not accepted. Please use your card or PIN.";

function skipWithoutOrl(context: Mocha.Context): void {
  if (existsSync(ORL)) return;
  console.log(`    skipped: no ORL faces at ${path.relative(repoRoot, ORL)} (needs ../shared/faces/orl or OPTGATE_FACES)`);
  context.skip();
}

/** The packaged antispoof scorer, with a switch that makes it score every face 0.1 (a stand-in for a detected photo). */
class SwitchableScorer implements LivenessScorer {
  readonly id = "antispoof" as const;
  low = false;
  scores: number[] = [];
  constructor(private readonly real: LivenessModel) {}
  scoreFace(image: RgbImage, detection: Detection): number {
    const score = this.low ? 0.1 : this.real.scoreFace(image, detection);
    this.scores.push(score);
    return score;
  }
}

describe("simulator face.liveness: the synthetic embedder cannot check", () => {
  let sim: Simulator;
  before(async () => { sim = await bootGate(); });
  after(async () => { await sim?.close(); });

  it("the setting is off; turning it on is refused with the reason, a bad value too; face works as before", async () => {
    await technicianLogin(sim);
    assert.match(await sim.consoleLine("config get face.liveness"), /face\.liveness +off /);
    assert.match(await sim.consoleLine("config set face.liveness antispoof"), /E_LIVENESS_UNAVAILABLE: This gate's face model \(synthetic v1.*\) cannot run the antispoof check: it has no presentation-attack check\. face\.liveness stays off\./);
    assert.match(await sim.consoleLine("config set face.liveness sometimes"), /E_BAD_SETTING: Use off or antispoof, not "sometimes"/);
    assert.match(await sim.consoleLine("config get face.liveness"), /face\.liveness +off /);
    assert.doesNotMatch(await sim.consoleLine("status"), /liveness/);
    await sim.showFace("genuine", 303);
    await sim.type("3A");
    await sim.advance(500);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["face", true, "R00003"]);
  });
});

describe("simulator face.liveness: the Node side of the check", function () {
  it("scores the face before embedding only when the board asks; a low score answers 3 (not live) and the pixels are zeroed", async function () {
    skipWithoutOrl(this);
    const scorer = new SwitchableScorer(await LivenessModel.load("antispoof"));
    const model = await HostFaceModel.load({ liveness: scorer });
    assert.deepEqual(model.spec.liveness, ["antispoof"]);
    const { width, height } = REAL_FRAME;
    const message = new Uint8Array(11 + width * height * 2);
    const fill = () => {
      message.set([0x46], 0);
      new DataView(message.buffer).setUint32(1, width, true);
      new DataView(message.buffer).setUint32(5, height, true);
      message[9] = 2;
      renderFrame(readPhoto(path.join(ORL, "s2", "2.pgm")), message.subarray(11), REAL_FRAME);
    };
    fill();
    message[10] = 0;
    const plain = model.answer(message) as Uint8Array;
    assert.equal(plain[0], 0, "no check asked: embedded");
    assert.deepEqual(scorer.scores, [], "and not scored");
    fill();
    message[10] = 1;
    const live = model.answer(message) as Uint8Array;
    assert.equal(live[0], 0, "checked and live: embedded");
    assert.equal(scorer.scores.length, 1);
    assert.ok(scorer.scores[0] >= LIVENESS_THRESHOLD, `genuine ORL face scored ${scorer.scores[0]}`);
    scorer.low = true;
    fill();
    message[10] = 1;
    assert.deepEqual(model.answer(message), Uint8Array.of(3), "a low score: not live, no embedding");
    assert.ok(message.subarray(11).every((b) => b === 0), "the frame's pixels are zeroed");
    assert.equal(LIVENESS_THRESHOLD, 0.5);
  });
});

describe("simulator face.liveness antispoof with --embedder real on ORL faces", function () {
  let sim: Simulator;
  let scorer: SwitchableScorer;
  const printed: string[] = [];
  before(async function () {
    skipWithoutOrl(this);
    scorer = new SwitchableScorer(await LivenessModel.load("antispoof"));
    sim = await bootGate({ embedder: "real", hostFaceModel: await HostFaceModel.load({ liveness: scorer }), startTime: MONDAY_8AM });
  });
  after(async () => { await sim?.close(); });
  const script = (text: string) => runScript(sim, text, (line) => printed.push(line), { baseDir: ORL });

  it("is off by default; an installer turns it on, and the change is in the security log", async () => {
    await technicianLogin(sim);
    assert.match(await sim.consoleLine("config get face.liveness"), /face\.liveness +off /);
    assert.match(await sim.consoleLine("config set face.liveness antispoof"), /face\.liveness = antispoof/);
    assert.match(await sim.consoleLine("log show --last 3"), /tech\s+setting-changed\s+info\s+info\s+.*face\.liveness off -> antispoof/);
    assert.doesNotMatch(await sim.consoleLine("status"), /DAMAGE/);
    await sim.consoleLine("logout");
  });

  it("a resident enrolled from one ORL photo is admitted from another with the check on (real antispoof score >= 0.5)", async () => {
    await script(consentAtKeypadScript("s2/1.pgm") + `
      console face enrol R00002
      console go
      photo-off
      wait 6s
    `);
    assert.ok(printed.some((l) => /R00002 enrolled under notice v1/.test(l)), printed.join("\n"));
    assert.deepEqual(scorer.scores, [], "enrolment (a technician present) runs no check");
    await script(`
      photo s2/2.pgm
      keys 2A
      wait 1s
    `);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["face", true, "R00002"]);
    assert.ok(scorer.scores.length >= 1 && scorer.scores.every((s) => s >= 0.5), `scores ${scorer.scores}`);
  });

  it("a face the check refuses: no grant, camera off, use card or PIN, and an access record with the reason", async () => {
    await script("wait 6s");
    scorer.low = true;
    const from = sim.events.length;
    const decisions = sim.decisions.length;
    const scored = scorer.scores.length;
    await script(`
      photo s2/2.pgm
      keys 2A
      wait 2s
    `);
    assert.equal(lastPrompt(sim), NOT_LIVE);
    const made = sim.decisions.slice(decisions);
    assert.deepEqual(made.map((d) => [d.via, d.grant, d.reason]), [["face", false, "face-not-live"]]);
    assert.equal(scorer.scores.length - scored, 1, "the first refused frame ends the attempt");
    assert.equal(cameraOnSince(sim, from), 1);
    assert.equal(sim.state.cameraPowered, false, "camera off again");
    assert.equal(sim.state.leds.camera, false, "privacy LED off with it");
    assert.equal(sim.state.relay, false, "the strike stayed shut");
    assert.ok(!sim.events.slice(from).some((e) => e.e === "relay" && e.on));
    await technicianLogin(sim);
    assert.match(await sim.consoleLine("log show --last 3"), /keypad-1\s+face\s+deny\s+face-not-live/);
    await sim.consoleLine("logout");
    await script("photo-off");
  });

  it("card and PIN still open while it is on", async () => {
    await sim.advance(6000);
    await sim.presentCard(CARD.owner);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["card", true, "R00001"]);
    await sim.advance(6000);
    await sim.type("3#135724#");
    await sim.advance(300);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["pin", true, "R00003"]);
    assert.deepEqual(sim.events.flatMap((e) => (e.e === "error" ? [e.message] : [])), []);
  });
});
