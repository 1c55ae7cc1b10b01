// The presentation-attack setting (config face.liveness) over the real core:
// console → CoreConsoleBackend → GateCore → FaceSession → gate controller →
// access audit. Only the face model is a stand-in (it can run "antispoof" and
// fails every face while a photo is held up); the Node side's real check is
// exercised in test/scenarios/simulator-liveness.node.test.ts.
import assert from "node:assert/strict";
import { SyntheticEmbedder } from "../../boards/host/synthetic-embedder";
import { UnavailableEmbedder } from "../../src/app/unavailable-embedder";
import { fromHex } from "../../src/core/crypto";
import type { EmbedOutcome, Embedder, Frame, LivenessCheck } from "../../src/core/ports";
import { consoleRig, T0 } from "./console-rig";

/** A face model that can run antispoof: every face fails it while `photo` is set (the synthetic person held up as a picture). */
class CheckingEmbedder implements Embedder {
  readonly #inner = new SyntheticEmbedder({ dimension: 128 });
  readonly dimension = 128;
  readonly simulated = true;
  readonly model = this.#inner.model;
  readonly livenessChecks: readonly LivenessCheck[] = ["antispoof"];
  photo = false;
  /** The check each embed call asked for. */
  asked: (LivenessCheck | undefined)[] = [];
  embed(frame: Frame, out: Float32Array, liveness?: LivenessCheck): EmbedOutcome {
    this.asked.push(liveness);
    if (liveness === "antispoof" && this.photo) return "not-live";
    return this.#inner.embed(frame, out);
  }
}

function rig(options: { embedder?: Embedder; stored?: Map<string, Uint8Array> } = {}) {
  const base = consoleRig({ embedder: options.embedder ?? new CheckingEmbedder(), stored: options.stored });
  const { type, login, keypad } = base;
  /** R00001 with card 04112233 and PIN 135724, consented and enrolled from the camera. */
  const enrolled = () => {
    login();
    type("resident add --unit 3-303 --role owner --card 04112233");
    type("pin set R00001"); type("135724"); type("135724");
    type(`notice set --purpose "Open the gate by face" --method "On-device matching" --scope gate-1 --retention 365`);
    type("consent grant R00001"); type("yes"); keypad("#8#1#135724#");
    type("face enrol R00001");
    assert.match(type("go"), /R00001 enrolled under notice v1/);
  };
  return { ...base, enrolled };
}

describe("face.liveness: the presentation-attack setting", () => {
  it("is off by default: config get says so, and a face opens as before without any check asked for", () => {
    const { core, embedder, type, keypad, run, enrolled, pulses } = rig();
    enrolled();
    assert.match(type("config get face.liveness"), /face\.liveness +off +check each face frame for a presentation attack/);
    assert.equal(core.access.policy.faceLiveness, "off");
    const asked = (embedder as CheckingEmbedder).asked.length;
    keypad("1A");
    run(500);
    assert.equal(core.gate.recent.at(-1)!.grant, true);
    assert.equal(core.gate.recent.at(-1)!.via, "face");
    assert.equal(pulses(), 1);
    assert.deepEqual((embedder as CheckingEmbedder).asked.slice(asked), [undefined], "embedded without a check");
  });

  it("refuses a value that is not off or antispoof, and a model without the check (synthetic, no model at all): nothing changes", () => {
    const checking = rig();
    checking.login();
    for (const bad of ["on", "liveness", "ANTISPOOF", "antispoof "]) {
      assert.match(checking.type(`config set face.liveness "${bad}"`), /E_BAD_SETTING: Use off or antispoof/);
    }
    assert.equal(checking.core.access.policy.faceLiveness, "off");
    for (const embedder of [new SyntheticEmbedder({ dimension: 128 }), new UnavailableEmbedder(128)]) {
      const { core, type, login, stored } = rig({ embedder });
      login();
      const before = core.audit.security.head().seq;
      const answer = type("config set face.liveness antispoof");
      assert.match(answer, /E_LIVENESS_UNAVAILABLE: This gate's face model \(.*\) cannot run the antispoof check: it has no presentation-attack check\. face\.liveness stays off\./);
      assert.equal(core.access.policy.faceLiveness, "off");
      assert.equal(stored.get("console/settings"), undefined, "nothing stored");
      // The refusal itself is in the chain (as every refused console command), as a denial, not as a change.
      const records = core.audit.entries().filter((e) => e.log === "security" && e.seq > before);
      assert.deepEqual(records.map((e) => `${e.kind} ${e.decision} ${e.detail.slice(0, 30)}`), ["setting-changed deny E_LIVENESS_UNAVAILABLE face.li"]);
      assert.match(type("config set face.liveness off"), /face\.liveness = off/, "off is always accepted");
    }
  });

  it("set by an installer on a model that can check: recorded old -> new in the security chain, and kept across a restart", () => {
    const { core, type, login, stored } = rig();
    login();
    const before = core.audit.security.head().seq;
    assert.match(type("config set face.liveness antispoof"), /face\.liveness = antispoof/);
    assert.equal(core.access.policy.faceLiveness, "antispoof");
    const records = core.audit.entries().filter((e) => e.log === "security" && e.seq > before && e.kind === "setting-changed");
    assert.deepEqual(records.map((e) => [e.actorKind, e.detail]), [["technician", "face.liveness off -> antispoof"]]);
    const again = rig({ stored });
    assert.equal(again.core.access.policy.faceLiveness, "antispoof");
  });

  it("on: a live face still matches, and the model was asked to check every frame", () => {
    const { core, embedder, type, keypad, run, enrolled } = rig();
    enrolled();
    type("config set face.liveness antispoof");
    const asked = (embedder as CheckingEmbedder).asked.length;
    keypad("1A");
    run(500);
    assert.deepEqual([core.gate.recent.at(-1)!.via, core.gate.recent.at(-1)!.grant, core.gate.recent.at(-1)!.resident], ["face", true, "R00001"]);
    const calls = (embedder as CheckingEmbedder).asked.slice(asked);
    assert.ok(calls.length >= 1 && calls.every((c) => c === "antispoof"), String(calls));
  });

  it("on: a face that fails the check is not compared, ends the attempt with the camera off and the frame zeroed, says use card or PIN, and is audited", () => {
    const { core, camera, embedder, frame, type, keypad, run, enrolled, pulses, prompts } = rig();
    enrolled();
    type("config set face.liveness antispoof");
    (embedder as CheckingEmbedder).photo = true;
    const powerOns = camera.powerOns, captures = camera.captures, seq = core.audit.access.head().seq;
    keypad("1A");
    assert.equal(camera.powered, true);
    run(1000);
    assert.equal(camera.powered, false, "camera off");
    assert.equal(camera.powerOns - powerOns, 1);
    assert.equal(camera.captures - captures, 1, "the first refused frame ends the attempt: no second try with the same picture");
    assert.ok(frame.data.every((b) => b === 0), "frame zeroed");
    assert.equal(core.session.active, false);
    assert.equal(pulses(), 0, "no grant");
    const decision = core.gate.recent.at(-1)!;
    assert.deepEqual([decision.via, decision.grant, decision.reason, decision.resident], ["face", false, "face-not-live", undefined]);
    assert.equal(prompts.at(-1), "Face not accepted. Please use your card or PIN.");
    const records = core.audit.entries().filter((e) => e.log === "access" && e.seq > seq);
    // The camera's time for the office (camera-session, written as it went off), then the refusal.
    assert.deepEqual(records.map((e) => `${e.kind} ${e.decision} ${e.reason} ${e.actorKind}`), ["camera-session info info system", "face deny face-not-live keypad"]);
  });

  it("on: refused faces count towards the face suspension like failed matches", () => {
    const { core, camera, embedder, type, keypad, run, enrolled, t } = rig();
    enrolled();
    type("config set face.liveness antispoof");
    (embedder as CheckingEmbedder).photo = true;
    for (let i = 0; i < 5; i++) { keypad("1A"); run(1000); }
    assert.ok(core.session.lockedUntil > t.now, "five photos in ten minutes suspend face entry");
    const powerOns = camera.powerOns;
    assert.equal(keypad("1A"), "Face entry is not available. Please use your card or PIN.");
    assert.equal(camera.powerOns, powerOns, "camera stays off while suspended");
  });

  it("on: card and PIN open as before", () => {
    const { core, type, keypad, run, enrolled, pulses, embedder, t } = rig();
    enrolled();
    type("config set face.liveness antispoof");
    (embedder as CheckingEmbedder).photo = true;
    core.gate.card(fromHex("04112233"), t.now);
    run(6000);
    keypad("1#135724#");
    run(100);
    const last = core.gate.recent.slice(-2).map((d) => `${d.via} ${d.grant} ${d.resident}`);
    assert.deepEqual(last, ["card true R00001", "pin true R00001"]);
    assert.equal(pulses(), 2);
  });

  it("stored on, but the face model cannot check (model changed): status DAMAGE, the face key refused with the camera off, card still opens", () => {
    const first = rig();
    first.enrolled();
    first.type("config set face.liveness antispoof");
    const { core, camera, type, login, keypad, run, t, pulses } = rig({ embedder: new SyntheticEmbedder({ dimension: 128 }), stored: first.stored });
    assert.equal(core.access.policy.faceLiveness, "antispoof", "the stored setting is kept, not silently dropped");
    login();
    type("resident add --unit 3-303 --role owner --card 04112233");
    assert.match(type("status"), /DAMAGE: +face\.liveness is antispoof but the face model cannot run it: face entry refused \(card and PIN work\)/);
    assert.equal(core.session.available("R00001", T0), "liveness-unavailable");
    assert.equal(keypad("1A"), "Face entry is not available. Please use your card or PIN.");
    run(500);
    assert.equal(camera.powerOns, 0, "camera never powered");
    core.gate.card(fromHex("04112233"), t.now);
    assert.equal(pulses(), 1, "the card opens");
    assert.match(type("config set face.liveness off"), /face\.liveness = off/);
    assert.doesNotMatch(type("status"), /face\.liveness/);
  });
});
