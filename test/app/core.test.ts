// The assembled core of one gate (src/app/core.ts): real registry, access
// decisions, audit chain, consent ledger, gallery, face sessions, withdrawal,
// driven through the gate controller as the drivers would drive it.
import assert from "node:assert/strict";
import { SyntheticEmbedder, createSyntheticFrame, writeSyntheticFrame } from "../../boards/host/synthetic-embedder";
import { defaultPolicy, GateCore, type GateCoreOptions } from "../../src/app/core";
import type { Signal } from "../../src/core/gate/ports";
import { receiptCode } from "../../src/core/face/withdrawal";
import { TsMatcher } from "../../src/core/matcher/ts-matcher";
import type { Camera, CaptureOutcome, Frame } from "../../src/core/ports";

/** A camera in front of which the test puts a synthetic scene; logs every power change. */
class SceneCamera implements Camera {
  powered = false;
  broken = false;
  scene: { kind: "face" | "no-face" | "low-quality"; identity: number } | undefined;
  log: { on: boolean }[] = [];
  #capture = 0;
  powerOn() { this.powered = true; this.log.push({ on: true }); }
  powerOff() { if (this.powered) this.log.push({ on: false }); this.powered = false; }
  capture(into: Frame): CaptureOutcome {
    if (!this.powered || this.broken) return "error";
    const scene = this.scene ?? { kind: "no-face", identity: 0 };
    writeSyntheticFrame(into, scene.kind, scene.identity, ++this.#capture);
    return "ok";
  }
}

const T0 = Date.UTC(2026, 2, 2, 0, 30); // 08:30 in Shanghai
const uid = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));

let clock = T0;

function setup(extra: Partial<GateCoreOptions> = {}) {
  clock = T0;
  let counter = 1;
  const random = { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };
  const camera = new SceneCamera();
  const embedder = new SyntheticEmbedder({ dimension: 128 });
  const out = { pulses: 0, signals: [] as Signal[], prompts: [] as string[] };
  const core = new GateCore({
    gateId: 1, clock: { now: () => clock }, random, deviceKey: new Uint8Array(32).fill(7), matcher: new TsMatcher(128, 16), camera, embedder,
    frame: createSyntheticFrame(), outputs: { unlock: () => out.pulses++, signal: (s) => out.signals.push(s), prompt: (p) => out.prompts.push(p) },
    ...extra,
  });
  const owner = core.registry.addResident({ unit: "1-101", role: "owner", groups: 1, cards: [uid("04a1b2c3")] });
  const faceUser = core.registry.addResident({ unit: "3-303", role: "owner", groups: 1, cards: [uid("04112233")], pin: "135724" });
  const keys = (text: string, now: number) => { for (const k of text) core.gate.key(k, now); };
  return { core, camera, out, owner, faceUser, keys };
}

function enrol(core: GateCore, resident: number, camera: SceneCamera, identity: number, at: number) {
  const notice = core.notices.current() ?? core.notices.publish({ purpose: "Open the gate", method: "1:N face match", gates: ["gate-1"], retentionDays: 365 }, at);
  const id = `R${String(resident).padStart(5, "0")}`;
  core.ledger.grant({ residentId: id, noticeVersion: notice.version, witnessId: "T1", pin: "135724", at });
  camera.scene = { kind: "face", identity };
  core.enrolment.enrolFromCamera(core.ledger.activeConsent(id), at);
  camera.scene = undefined;
}

describe("gate core (assembled)", () => {
  it("the minute sweep purges used-up codes past their expiry without anyone typing one", () => {
    const { core, keys } = setup();
    const expiry = T0 + 3_600_000;
    core.registry.addResident({ unit: "9-901", role: "courier", groups: 1, validUntil: T0 + 86_400_000, codes: [{ code: "73910264", validUntil: expiry, uses: 1 }] });
    keys("#73910264#", T0 + 1000);
    assert.equal(core.registry.codeCount, 1, "used up, kept until its expiry");
    core.tick(expiry - 60_000);
    assert.equal(core.registry.codeCount, 1);
    core.tick(expiry + 60_000);
    assert.equal(core.registry.codeCount, 0, "purged by the sweep");
  });

  it("a card opens; the camera is never powered on the card path", () => {
    const { core, camera, out } = setup();
    core.gate.card(uid("04a1b2c3"), T0);
    assert.equal(out.pulses, 1);
    assert.equal(core.gate.recent.at(-1)?.resident, "R00001");
    assert.equal(camera.log.length, 0);
    assert.deepEqual([core.audit.verify().ok, core.audit.verify().count], [true, core.audit.size]);
  });

  it("resident number # PIN # opens; a wrong PIN is refused and audited", () => {
    const { core, out, keys } = setup();
    keys("2#0000#", T0);
    assert.equal(core.gate.recent.at(-1)?.reason, "wrong-pin");
    keys("2#135724#", T0 + 1000);
    assert.equal(out.pulses, 1);
    const kinds = core.audit.entries().map((e) => `${e.kind}:${e.reason}`);
    assert.deepEqual(kinds.slice(-2), ["pin:wrong-pin", "pin:granted"]);
  });

  it("face key without any consenting resident: camera stays off, card or PIN offered", () => {
    const { core, camera, out } = setup();
    core.gate.key("A", T0);
    assert.equal(camera.log.length, 0);
    assert.match(out.prompts.at(-1)!, /card or PIN/);
  });

  it("writes one camera-session record each time the camera goes off, a session a card cut short too, naming nobody", () => {
    const { core, camera, out, faceUser, keys } = setup();
    enrol(core, faceUser, camera, 303, T0);
    camera.scene = { kind: "face", identity: 303 };
    keys("2A", T0 + 1000);
    let off = 0;
    for (let t = 1010; t < 3000 && camera.powered; t += 10) { core.tick(T0 + t); off = t; }
    assert.equal(camera.powered, false);
    camera.scene = undefined;
    keys("2A", T0 + 5000);
    assert.equal(camera.powered, true);
    core.gate.card(uid("04112233"), T0 + 5750);
    assert.equal(camera.powered, false, "the card ends the session");
    assert.equal(out.pulses, 2);
    const sessions = core.audit.entries().filter((e) => e.kind === "camera-session");
    assert.equal(sessions.length, 2);
    // From the face key to the tick that powered the camera off; the second from the key to the card.
    assert.deepEqual(sessions.map((e) => e.detail), [`on ${off - 1000} ms`, "on 750 ms"]);
    assert.ok(sessions.every((e) => e.subject === 0 && e.actorKind === "system" && e.decision === "info"));
    assert.equal(core.audit.verify().ok, true);
  });

  it("after consent and enrolment the face opens (resident number, then A: 1:1); a stranger does not; withdrawal at the keypad stops it at once", () => {
    const { core, camera, out, faceUser, keys } = setup();
    enrol(core, faceUser, camera, 303, T0);
    assert.equal(core.registry.get(faceUser)?.faceEnrolled, true);
    camera.scene = { kind: "face", identity: 303 };
    keys("2", T0 + 900);
    assert.equal(camera.powered, false, "the number alone powers nothing");
    core.gate.key("A", T0 + 1000);
    assert.equal(camera.powered, true);
    for (let t = 1010; t < 3000 && core.session.active; t += 10) core.tick(T0 + t);
    assert.equal(camera.powered, false);
    assert.equal(out.pulses, 1);
    assert.equal(core.gate.recent.at(-1)?.via, "face");
    assert.equal(core.gate.recent.at(-1)?.resident, "R00002");

    camera.scene = { kind: "face", identity: 4242 };
    keys("2A", T0 + 10_000);
    for (let t = 10_010; t < 20_000 && core.session.active; t += 10) core.tick(T0 + t);
    assert.equal(out.pulses, 1);
    assert.match(out.prompts.at(-1)!, /card or PIN/);

    keys("#9#2#135724#", T0 + 30_000);
    assert.match(out.prompts.at(-1)!, /withdrawn.*\d{4}-\d{4}/);
    assert.equal(core.registry.get(faceUser)?.faceEnrolled, false);
    assert.equal(core.vault.get("R00002"), undefined);
    camera.scene = { kind: "face", identity: 303 };
    const powered = camera.log.length;
    keys("2A", T0 + 40_000);
    assert.equal(camera.log.length, powered, "no consent any more: the camera stays off");
    core.gate.card(uid("04112233"), T0 + 50_000);
    assert.equal(out.pulses, 2, "the card still works");
    const kinds = core.audit.entries().map((e) => e.kind);
    for (const kind of ["consent-given", "face-enrolled", "consent-withdrawn", "face-erased"]) assert.ok(kinds.includes(kind as never), kind);
    assert.equal(core.audit.verify().ok, true);
  });

  it("a face hold (a reconnected gate catching up on erasures) keeps the camera off and offers card or PIN; released, face works", () => {
    const { core, camera, out, faceUser, keys } = setup();
    enrol(core, faceUser, camera, 303, T0);
    camera.scene = { kind: "face", identity: 303 };
    core.faceHold = "catching up";
    const powered = camera.log.length;
    keys("2A", T0 + 1000);
    assert.equal(camera.log.length, powered, "held: the camera never powers");
    assert.match(out.prompts.at(-1)!, /card or PIN/);
    core.gate.card(uid("04112233"), T0 + 2000);
    assert.equal(out.pulses, 1, "the card opens while face is held");
    core.faceHold = undefined;
    keys("2A", T0 + 10_000);
    assert.equal(camera.powered, true);
    for (let t = 10_010; t < 13_000 && core.session.active; t += 10) core.tick(T0 + t);
    assert.equal(out.pulses, 2);
    assert.equal(core.gate.recent.at(-1)?.via, "face");
  });

  it("face + PIN gate: the match alone does not open; the matched resident's PIN does", () => {
    const { core, camera, out, faceUser, keys } = setup();
    const policy = defaultPolicy(1);
    core.access.setPolicy({ ...policy, modes: { ...policy.modes, face: false, facePin: true } });
    enrol(core, faceUser, camera, 303, T0);
    camera.scene = { kind: "face", identity: 303 };
    keys("2A", T0 + 1000);
    for (let t = 1010; t < 3000 && core.session.active; t += 10) core.tick(T0 + t);
    assert.equal(out.pulses, 0);
    assert.match(out.prompts.at(-1)!, /PIN/);
    keys("135724#", T0 + 4000);
    assert.equal(out.pulses, 1);
    assert.deepEqual([core.gate.recent.at(-1)?.via, core.gate.recent.at(-1)?.resident], ["face+pin", "R00002"]);
  });

  it("keypad withdrawal and consent confirmation check the PIN first: a wrong PIN reads the same with or without consent", () => {
    const { core, camera, faceUser, keys, out } = setup();
    const other = core.registry.addResident({ unit: "4-404", role: "owner", groups: 1, pin: "583017" });
    enrol(core, faceUser, camera, 303, T0);
    const answers: string[] = [];
    for (const who of [faceUser, other, 4242]) {
      keys(`#9#${who}#999999#`, T0 + 1000);
      answers.push(out.prompts.at(-1)!);
      keys(`#8#${who}#999999#`, T0 + 1000);
      answers.push(out.prompts.at(-1)!);
    }
    assert.deepEqual(answers, Array(6).fill("Wrong PIN."), "no face opt-in status leaks from the keypad");
    // Each counted and audited like a door PIN.
    assert.equal(core.audit.entries().filter((e) => e.kind === "pin" && e.decision === "deny").length, 6);
    // The subject's own PIN then learns their own state.
    keys(`#9#${other}#583017#`, T0 + 120_000);
    assert.equal(out.prompts.at(-1), "No face consent on record for you.");
  });

  it("a withdrawal with a wrong PIN changes nothing", () => {
    const { core, camera, faceUser, keys } = setup();
    enrol(core, faceUser, camera, 303, T0);
    keys("#9#2#9999#", T0 + 1000);
    assert.equal(core.registry.get(faceUser)?.faceEnrolled, true);
    assert.ok(core.vault.get("R00002"));
  });

  it("consent: armed for a technician, recorded only by the resident's PIN at the keypad, with a receipt; the camera stays off", () => {
    const { core, camera, out, keys } = setup();
    const notice = core.notices.publish({ purpose: "Open the gate", method: "1:N face match", gates: ["gate-1"], retentionDays: 365 }, T0);
    assert.throws(() => core.consentRequests.arm({ residentId: "R00001", noticeVersion: 1, witnessId: "T1", at: T0 }), /E_CONSENT_NEEDS_PIN/);
    core.consentRequests.arm({ residentId: "R00002", noticeVersion: notice.version, witnessId: "T1", at: T0 });
    keys("#8#1#135724#", T0 + 1000);
    // R00001 has no PIN: the PIN is checked first, so the answer is the same as for any wrong PIN.
    assert.equal(out.prompts.at(-1), "Wrong PIN.", "R00002's request is not R00001's");
    keys("#8#2#0000#", T0 + 2000);
    assert.equal(out.prompts.at(-1), "Wrong PIN.");
    assert.equal(core.ledger.isActive("R00002"), false);
    clock = T0 + 3000;
    keys("C2#135724#", clock);
    const receipt = /^Consent recorded\. Receipt: (\d{4}-\d{4})$/.exec(out.prompts.at(-1)!);
    assert.ok(receipt, out.prompts.at(-1));
    const grant = core.ledger.activeGrant("R00002")!;
    assert.deepEqual([grant.actorId, grant.channel, grant.pinConfirmed, grant.at], ["T1", "keypad", true, T0 + 3000]);
    assert.equal(receipt[1], receiptCode(grant));
    assert.equal(out.pulses, 0);
    assert.deepEqual(camera.log, []);
    // The PIN checks went through the access core (audited, counted for lockout), then the consent record.
    const kinds = core.audit.entries().map((e) => `${e.kind}:${e.decision}:${e.reason}`);
    assert.deepEqual(kinds.slice(-3), ["pin:deny:wrong-pin", "pin:info:granted", "consent-given:info:info"]);
    assert.deepEqual([core.audit.verify().ok, core.audit.verify().count], [true, core.audit.size]);
    // Now enrolment may use it.
    camera.scene = { kind: "face", identity: 303 };
    core.enrolment.enrolFromCamera(core.ledger.activeConsent("R00002"), clock);
    assert.equal(core.registry.get(2)?.faceEnrolled, true);
  });

  it("a request armed for one notice is void once another is published; expiry ends it too", () => {
    const { core, out, keys } = setup();
    core.notices.publish({ purpose: "Open the gate", method: "1:N face match", gates: ["gate-1"], retentionDays: 365 }, T0);
    core.consentRequests.arm({ residentId: "R00002", noticeVersion: 1, witnessId: "T1", at: T0 });
    core.notices.publish({ purpose: "Open the gate", method: "1:N face match", gates: ["gate-1"], retentionDays: 90 }, T0 + 1000);
    keys("#8#2#135724#", T0 + 2000);
    assert.equal(out.prompts.at(-1), "The notice has changed; ask the technician to show you the new one.");
    assert.equal(core.ledger.isActive("R00002"), false);
    core.consentRequests.arm({ residentId: "R00002", noticeVersion: 2, witnessId: "T1", at: T0 + 3000 });
    keys("#8#2#135724#", T0 + 3000 + 120_000);
    assert.equal(out.prompts.at(-1), "The consent request has expired; ask the technician.");
    assert.equal(core.ledger.isActive("R00002"), false);
  });

  it("wrong consent PINs count towards the resident's lockout, and the keypad says so", () => {
    const { core, out, keys } = setup();
    core.notices.publish({ purpose: "Open the gate", method: "1:N face match", gates: ["gate-1"], retentionDays: 365 }, T0);
    core.consentRequests.arm({ residentId: "R00002", noticeVersion: 1, witnessId: "T1", at: T0 });
    clock = T0 + 1000;
    for (let i = 0; i < 5; i++) keys("#8#2#0000#", clock);
    assert.equal(out.prompts.at(-1), "Wrong PIN.");
    keys("#8#2#135724#", clock);
    assert.equal(out.prompts.at(-1), "Too many attempts. Please wait, or use your card.");
    assert.equal(core.ledger.isActive("R00002"), false);
    // The lockout is the access core's: the door PIN is locked too.
    keys("2#135724#", clock);
    assert.equal(core.gate.recent.at(-1)?.reason, "locked-out");
    clock += 3_600_000; // one wrong PIN leaks away per hour (the request meanwhile expired: armed again)
    core.consentRequests.arm({ residentId: "R00002", noticeVersion: 1, witnessId: "T1", at: clock });
    keys("#8#2#135724#", clock);
    assert.match(out.prompts.at(-1)!, /^Consent recorded\./);
  });
});

describe("gate core: the face model's thresholds and name", () => {
  const faceOnce = (faceThresholds?: GateCoreOptions["faceThresholds"]) => {
    const { core, camera, out, faceUser, keys } = setup(faceThresholds ? { faceThresholds } : {});
    enrol(core, faceUser, camera, 303, T0);
    camera.scene = { kind: "face", identity: 303 };
    keys("2A", T0 + 1000);
    for (let t = 1010; t < 12_000 && core.session.active; t += 10) core.tick(T0 + t);
    return { core, pulses: out.pulses };
  };

  it("face sessions use the thresholds the board measured for its model (the synthetic defaults otherwise)", () => {
    assert.equal(faceOnce().pulses, 1, "the synthetic defaults admit her");
    assert.equal(faceOnce({ verify: 0.999, identify: 0.999, margin: 0.06 }).pulses, 0, "a stricter model threshold refuses the same capture");
  });

  it("names the model, and labels a synthetic one as such", () => {
    assert.equal(setup().core.faceModel, "synthetic v1, 128-d (SYNTHETIC: simulation only, recognises nobody)");
  });
});

describe("gate core: face enrolment needs a card or a PIN", () => {
  it("a resident left with only a one-time code is refused before the camera powers on, and nothing is stored", () => {
    const { core, camera } = setup();
    const id = core.registry.addResident({ unit: "5-505", role: "owner", groups: 1, pin: "135724", codes: [{ code: "73910264", validUntil: T0 + 86_400_000, uses: 3 }] });
    const label = `R${String(id).padStart(5, "0")}`;
    const notice = core.notices.publish({ purpose: "Open the gate", method: "1:1 face match", gates: ["gate-1"], retentionDays: 365 }, T0);
    core.ledger.grant({ residentId: label, noticeVersion: notice.version, witnessId: "T1", pin: "135724", at: T0 });
    core.registry.clearPin(id);
    camera.scene = { kind: "face", identity: 505 };
    assert.throws(() => core.enrolment.enrolFromCamera(core.ledger.activeConsent(label), T0 + 1000), (e: unknown) => (e as { code?: string }).code === "E_FACE_NEEDS_CARD_OR_PIN");
    assert.equal(camera.log.length, 0, "the camera never powered on");
    assert.equal(core.gallery.entry(label), undefined);
    assert.equal(core.registry.get(id)?.faceEnrolled, false);
  });
});

describe("gate core: face failure limit", () => {
  it("five strangers in a row suspend face at the gate (camera off, audited); card and PIN still open", () => {
    const { core, camera, out, faceUser, keys } = setup();
    enrol(core, faceUser, camera, 303, T0);
    let t = T0 + 1000;
    for (let i = 0; i < 5; i++) {
      camera.scene = { kind: "face", identity: 4000 + i };
      keys("2A", t);
      for (let step = 0; step < 300 && core.session.active; step++) core.tick((t += 10));
      t += 1000;
    }
    assert.equal(out.pulses, 0);
    const powered = camera.log.length;
    camera.scene = { kind: "face", identity: 303 };
    keys("2A", t);
    assert.equal(camera.log.length, powered, "suspended: the camera stays off");
    assert.match(out.prompts.at(-1)!, /card or PIN/);
    const lock = core.audit.entries().find((e) => e.kind === "face" && e.reason === "locked-out");
    assert.ok(lock, "the suspension is in the audit log");
    assert.equal(lock.decision, "deny");
    core.gate.card(uid("04112233"), t + 1000);
    assert.equal(out.pulses, 1, "the card still opens");
    keys("2#135724#", t + 5000);
    assert.equal(out.pulses, 2, "the PIN still opens");
    assert.equal(core.audit.verify().ok, true);
  });
});

describe("gate core: 1:N is a gate setting, off by default", () => {
  it("default policy: the bare face key powers nothing and asks for the resident number", () => {
    const { core, camera, out, faceUser } = setup();
    enrol(core, faceUser, camera, 303, T0);
    const powered = camera.log.length;
    camera.scene = { kind: "face", identity: 303 };
    core.gate.key("A", T0 + 1000);
    assert.equal(camera.log.length, powered, "the camera stays off");
    assert.equal(core.session.active, false);
    assert.match(out.prompts.at(-1)!, /resident number, then A/);
    assert.equal(out.pulses, 0);
  });

  it("a claim is verified 1:1: another enrolled resident's face does not open for it", () => {
    const { core, camera, out, faceUser, keys } = setup();
    enrol(core, faceUser, camera, 303, T0);
    const other = core.registry.addResident({ unit: "4-404", role: "owner", groups: 1, pin: "135724" });
    enrol(core, other, camera, 404, T0);
    camera.scene = { kind: "face", identity: 404 };
    keys(`${faceUser}A`, T0 + 1000);
    assert.equal(camera.powered, true);
    for (let t = 1010; t < 3000 && core.session.active; t += 10) core.tick(T0 + t);
    assert.equal(out.pulses, 0, "R00003's face does not open as R00002");
    keys(`${other}A`, T0 + 5000);
    for (let t = 5010; t < 7000 && core.session.active; t += 10) core.tick(T0 + t);
    assert.equal(out.pulses, 1);
    assert.equal(core.gate.recent.at(-1)?.resident, "R00003");
  });

  it("with modes.faceOneToN on, the bare face key identifies 1:N", () => {
    const { core, camera, out, faceUser } = setup();
    const policy = defaultPolicy(1);
    core.access.setPolicy({ ...policy, modes: { ...policy.modes, faceOneToN: true } });
    enrol(core, faceUser, camera, 303, T0);
    camera.scene = { kind: "face", identity: 303 };
    core.gate.key("A", T0 + 1000);
    assert.equal(camera.powered, true);
    for (let t = 1010; t < 3000 && core.session.active; t += 10) core.tick(T0 + t);
    assert.equal(out.pulses, 1);
    assert.equal(core.gate.recent.at(-1)?.resident, "R00002");
  });
});

describe("gate core: face flags after a restore", () => {
  it("a template whose resident came back with only a code keeps the face flag off (no throw at boot), so face does not open", () => {
    const { core, camera, out, faceUser, keys } = setup();
    enrol(core, faceUser, camera, 303, T0);
    // A registry re-imported from elsewhere: R00002 now holds only a one-time code.
    const other = new GateCore({
      gateId: 1, clock: { now: () => clock }, random: { fill: (b: Uint8Array) => b.fill(3) }, deviceKey: new Uint8Array(32).fill(7), matcher: new TsMatcher(128, 16),
      camera: new SceneCamera(), embedder: new SyntheticEmbedder({ dimension: 128 }), frame: createSyntheticFrame(), outputs: { unlock() {}, signal() {}, prompt() {} },
    });
    other.registry.addResident({ unit: "1-101", role: "owner", groups: 1, cards: [uid("04a1b2c3")] });
    other.registry.addResident({ unit: "3-303", role: "owner", groups: 1, codes: [{ code: "73910264", validUntil: T0 + 86_400_000, uses: 3 }] });
    core.registry.importSnapshot(other.registry.exportSnapshot());
    assert.doesNotThrow(() => core.syncFaceFlags());
    assert.equal(core.registry.get(faceUser)?.faceEnrolled, false);
    camera.scene = { kind: "face", identity: 303 };
    keys("2A", T0 + 1000);
    for (let t = 1010; t < 3000 && core.session.active; t += 10) core.tick(T0 + t);
    assert.equal(out.pulses, 0, "face never opens for a resident whose only other credential is a code");
  });
});
