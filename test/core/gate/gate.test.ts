import assert from "node:assert/strict";
import { SessionFace } from "../../../src/app/gate-adapters";
import { Gate } from "../../../src/core/gate/gate";
import type { AccessDecision, FaceOutcome, GateAccess, GateFace, GateOutputs, Signal } from "../../../src/core/gate/ports";
import { consentAndEnrol, faceWorld } from "../face/face-fakes";

// A small but real in-memory access policy (not an echo): cards, PINs, one-time codes.
class TinyAccess implements GateAccess {
  cards = new Map<string, { resident: string; needsPin: boolean; until: number }>();
  pins = new Map<string, { resident: string; pin: string }>();
  codes = new Map<string, { uses: number; until: number }>();
  calls: string[] = [];
  #hex(uid: Uint8Array) { return [...uid].map((b) => b.toString(16).padStart(2, "0")).join(""); }
  card(uid: Uint8Array, now: number): AccessDecision {
    this.calls.push("card");
    const card = this.cards.get(this.#hex(uid));
    if (!card) return { grant: false, reason: "unknown-card" };
    if (now > card.until) return { grant: false, reason: "expired", resident: card.resident };
    if (card.needsPin) return { grant: false, reason: "second-factor-required", resident: card.resident };
    return { grant: true, reason: "granted", resident: card.resident };
  }
  cardWithPin(uid: Uint8Array, pin: string, now: number): AccessDecision {
    this.calls.push("card+pin");
    const card = this.cards.get(this.#hex(uid));
    if (!card) return { grant: false, reason: "unknown-card" };
    const entry = [...this.pins.values()].find((p) => p.resident === card.resident);
    if (!entry || entry.pin !== pin) return { grant: false, reason: "wrong-pin", resident: card.resident };
    return now > card.until ? { grant: false, reason: "expired" } : { grant: true, reason: "granted", resident: card.resident };
  }
  pin(who: string, pin: string): AccessDecision {
    this.calls.push("pin");
    const entry = this.pins.get(who);
    if (!entry) return { grant: false, reason: "unknown-resident" };
    return entry.pin === pin ? { grant: true, reason: "granted", resident: entry.resident } : { grant: false, reason: "wrong-pin", resident: entry.resident };
  }
  code(code: string, now: number): AccessDecision {
    this.calls.push("code");
    const entry = this.codes.get(code);
    if (!entry) return { grant: false, reason: "unknown-code" };
    if (now > entry.until) return { grant: false, reason: "code-expired" };
    if (entry.uses <= 0) return { grant: false, reason: "code-used-up" };
    entry.uses--;
    return { grant: true, reason: "granted" };
  }
  facePin = false;
  face(resident: string | undefined, matched: boolean): AccessDecision {
    this.calls.push("face");
    if (!matched || !resident) return { grant: false, reason: "no-match" };
    return this.facePin ? { grant: false, reason: "second-factor-required", resident } : { grant: true, reason: "granted", resident };
  }
  faceWithPin(resident: string, pin: string): AccessDecision {
    this.calls.push("face+pin");
    const entry = [...this.pins.values()].find((p) => p.resident === resident);
    return entry?.pin === pin ? { grant: true, reason: "granted", resident } : { grant: false, reason: "wrong-pin", resident };
  }
  exit(): AccessDecision {
    this.calls.push("exit");
    return { grant: true, reason: "granted" };
  }
}

// Face sessions over a camera that logs power; the outcome is decided by what "stands" in front of it.
class TinyFace implements GateFace {
  consenting = true;
  cameraBroken = false;
  facing: FaceOutcome = { matched: false, why: "no-face" };
  power: { time: number; on: boolean }[] = [];
  #startedAt = -1;
  get active() { return this.#startedAt >= 0; }
  start(now: number): boolean {
    if (!this.consenting || this.cameraBroken) return false;
    this.#startedAt = now;
    this.power.push({ time: now, on: true });
    return true;
  }
  tick(now: number): FaceOutcome | undefined {
    if (this.#startedAt < 0 || now - this.#startedAt < 300) return undefined;
    this.#startedAt = -1;
    this.power.push({ time: now, on: false });
    return this.facing;
  }
  cancel(now: number): void {
    if (this.#startedAt < 0) return;
    this.#startedAt = -1;
    this.power.push({ time: now, on: false });
  }
}

class Outputs implements GateOutputs {
  pulses: number[] = [];
  signals: Signal[] = [];
  prompts: string[] = [];
  unlock(ms: number) { this.pulses.push(ms); }
  signal(kind: Signal) { this.signals.push(kind); }
  prompt(text: string) { this.prompts.push(text); }
  get lastPrompt() { return this.prompts[this.prompts.length - 1]; }
}

const DAY = 86_400_000;

function setup() {
  const access = new TinyAccess();
  access.cards.set("04a1b2c3", { resident: "R1", needsPin: false, until: 10 * DAY });
  access.cards.set("04d4e5f6", { resident: "R2", needsPin: true, until: 10 * DAY });
  access.pins.set("101", { resident: "R1", pin: "1234" });
  access.pins.set("202", { resident: "R2", pin: "5678" });
  access.codes.set("583920", { uses: 1, until: 2 * DAY });
  const face = new TinyFace();
  const out = new Outputs();
  const withdrawals: string[] = [];
  const gate = new Gate({
    access, face, outputs: out,
    withdrawal: { withdraw: (who, pin) => {
      const entry = access.pins.get(who);
      if (!entry || entry.pin !== pin) return { ok: false, reason: "wrong-pin" };
      withdrawals.push(entry.resident);
      return { ok: true, receipt: "W-1A2B" };
    } },
  });
  const keys = (text: string, now: number) => { for (const k of text) gate.key(k, now); };
  return { access, face, out, gate, keys, withdrawals };
}

const uid = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));

describe("gate controller", () => {
  it("a known card opens the strike; the camera is never touched", () => {
    const { gate, out, face } = setup();
    gate.card(uid("04a1b2c3"), 1000);
    assert.deepEqual(out.pulses, [5000]);
    assert.equal(out.signals.at(-1), "granted");
    assert.equal(gate.recent.at(-1)?.reason, "granted");
    assert.equal(gate.recent.at(-1)?.resident, "R1");
    assert.equal(face.power.length, 0);
    gate.tick(7000);
    assert.equal(gate.unlocked, false);
  });

  it("an unknown card is refused without a pulse", () => {
    const { gate, out } = setup();
    gate.card(uid("deadbeef"), 1000);
    assert.deepEqual(out.pulses, []);
    assert.equal(gate.recent.at(-1)?.reason, "unknown-card");
    assert.equal(out.lastPrompt, "Card not recognised.");
  });

  it("card + PIN: the card asks for the PIN, the PIN decides", () => {
    const { gate, out, keys, access } = setup();
    gate.card(uid("04d4e5f6"), 1000);
    assert.deepEqual(out.pulses, []);
    assert.match(out.lastPrompt, /PIN/);
    keys("0000#", 2000);
    assert.equal(gate.recent.at(-1)?.reason, "wrong-pin");
    assert.deepEqual(out.pulses, []);
    gate.card(uid("04d4e5f6"), 3000);
    keys("5678#", 4000);
    assert.deepEqual(out.pulses, [5000]);
    assert.deepEqual(access.calls, ["card", "card+pin", "card", "card+pin"]);
  });

  it("a card waiting for its PIN is forgotten after the entry timeout", () => {
    const { gate, out, keys, access } = setup();
    gate.card(uid("04d4e5f6"), 1000);
    gate.tick(1000 + gate.config.entryTimeoutMs);
    assert.match(out.lastPrompt, /timed out/);
    keys("5678#", 20000);
    assert.deepEqual(out.pulses, []);
    assert.deepEqual(access.calls, ["card"]);
  });

  it("resident code + PIN opens; a wrong PIN does not", () => {
    const { gate, out, keys } = setup();
    keys("101#9999#", 1000);
    assert.equal(gate.recent.at(-1)?.reason, "wrong-pin");
    keys("101#1234#", 2000);
    assert.deepEqual(out.pulses, [5000]);
  });

  it("a one-time visitor code opens once", () => {
    const { gate, out, keys } = setup();
    keys("#583920#", 1000);
    keys("#583920#", 9000);
    assert.deepEqual(out.pulses, [5000]);
    assert.equal(gate.recent.at(-1)?.reason, "code-used-up");
  });

  it("a face session powers the camera only after the face key, and a match opens", () => {
    const { gate, out, face, keys } = setup();
    face.facing = { matched: true, resident: "R1" };
    keys("#1##", 1000);
    assert.deepEqual(face.power, [{ time: 1000, on: true }]);
    gate.tick(1100);
    assert.deepEqual(out.pulses, []);
    gate.tick(1400);
    assert.deepEqual(face.power.at(-1), { time: 1400, on: false });
    assert.deepEqual(out.pulses, [5000]);
    assert.equal(gate.recent.at(-1)?.via, "face");
  });

  it("the face key during a session does not start another one", () => {
    const { gate, face, out } = setup();
    face.facing = { matched: true, resident: "R1" };
    gate.key("A", 0);
    gate.key("A", 100);
    assert.deepEqual(face.power, [{ time: 0, on: true }]);
    assert.equal(out.lastPrompt, "Look at the camera.");
    gate.tick(400);
    assert.deepEqual(out.pulses, [5000]);
  });

  it("face + PIN gate: after the match the gate asks for that resident's PIN", () => {
    const { gate, face, out, access, keys } = setup();
    access.facePin = true;
    face.facing = { matched: true, resident: "R2" };
    gate.key("A", 0);
    gate.tick(400);
    assert.deepEqual(out.pulses, []);
    assert.match(out.lastPrompt, /PIN/);
    keys("1234#", 1000);
    assert.equal(gate.recent.at(-1)?.reason, "wrong-pin", "R1's PIN is not R2's");
    gate.key("A", 2000);
    gate.tick(2400);
    keys("5678#", 3000);
    assert.deepEqual(out.pulses, [5000]);
    assert.equal(gate.recent.at(-1)?.via, "face+pin");
    assert.deepEqual(access.calls, ["face", "face+pin", "face", "face+pin"]);
  });

  it("face failures fall back to card or PIN with a clear prompt", () => {
    for (const why of ["no-face", "low-quality", "camera-error", "timeout", "no-match"] as const) {
      const { gate, out, face } = setup();
      face.facing = { matched: false, why };
      gate.key("A", 0);
      gate.tick(500);
      assert.deepEqual(out.pulses, []);
      assert.match(out.lastPrompt, /use your card or PIN/, why);
      assert.equal(face.active, false);
    }
  });

  it("face unavailable (nobody consented, camera broken): camera stays off, card or PIN offered", () => {
    const { gate, out, face } = setup();
    face.consenting = false;
    gate.key("A", 0);
    face.consenting = true;
    face.cameraBroken = true;
    gate.key("A", 10);
    assert.deepEqual(face.power, []);
    assert.match(out.lastPrompt, /card or PIN/);
  });

  it("a card during a face session ends the session (camera off) and is decided as a card", () => {
    const { gate, out, face } = setup();
    gate.key("A", 0);
    gate.card(uid("04a1b2c3"), 100);
    assert.deepEqual(face.power, [{ time: 0, on: true }, { time: 100, on: false }]);
    assert.deepEqual(out.pulses, [5000]);
  });

  it("over the real face session and a camera that logs its power: cards and PINs never power it, a card ends a running session", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    consentAndEnrol(w, "r-1", 11);
    const { access } = setup();
    const out = new Outputs();
    const gate = new Gate({ access, face: new SessionFace(w.session), outputs: out });
    const keys = (text: string, now: number) => { for (const k of text) gate.key(k, now); };
    gate.card(uid("04a1b2c3"), 1000);
    keys("101#1234#", 2000);
    keys("101#9999#", 3000);
    assert.equal(w.camera.log.length, 0, "card and PIN paths never touch the camera");
    w.camera.scene = "no-frame";
    gate.key("A", 10_000);
    assert.ok(w.camera.powered, "the face key starts a real session");
    gate.card(uid("04a1b2c3"), 10_100);
    assert.ok(!w.camera.powered);
    assert.deepEqual(w.camera.log.map((e) => e.on), [true, false]);
    assert.equal(w.session.active, false);
    assert.deepEqual(out.pulses, [5000, 5000, 5000]);
  });

  it("withdrawal at the keypad: code + PIN, receipt in the prompt; a wrong PIN withdraws nothing", () => {
    const { gate, out, keys, withdrawals } = setup();
    keys("#9#202#0000#", 0);
    assert.deepEqual(withdrawals, []);
    assert.deepEqual([gate.recent.at(-1)?.via, gate.recent.at(-1)?.reason], ["withdraw", "wrong-pin"]);
    keys("B202#5678#", 10);
    assert.deepEqual(withdrawals, ["R2"]);
    assert.match(out.lastPrompt, /withdrawn.*W-1A2B/);
    assert.deepEqual(out.pulses, []);
  });

  it("consent at the keypad: confirms only a request the technician armed, with the resident's PIN; never the camera, never the door", () => {
    const { access, face, out, keys } = setup();
    // A small consent port: requests armed by resident code, confirmed with that resident's PIN.
    const armed = new Map<string, number>();
    const recorded: string[] = [];
    const consent = {
      confirm(who: string, pin: string, now: number) {
        const until = armed.get(who);
        if (until === undefined) return { ok: false as const, reason: "no-consent-request" };
        if (now >= until) { armed.delete(who); return { ok: false as const, reason: "consent-request-expired" }; }
        if (access.pins.get(who)?.pin !== pin) return { ok: false as const, reason: "wrong-pin" };
        armed.delete(who);
        recorded.push(access.pins.get(who)!.resident);
        return { ok: true as const, receipt: `C-${recorded.length}` };
      },
    };
    const gate = new Gate({ access, face, outputs: out, consent });
    const type = (text: string, now: number) => { for (const k of text) gate.key(k, now); };
    type("#8#202#5678#", 0);
    assert.equal(out.lastPrompt, "No consent request is waiting; ask the technician.");
    armed.set("202", 120_000);
    type("#8#202#", 1000);
    assert.equal(out.lastPrompt, "Face consent: enter your PIN, then #.");
    type("0000#", 1000);
    assert.equal(out.lastPrompt, "Wrong PIN.");
    assert.deepEqual(recorded, []);
    type("C202#5678#", 2000);
    assert.equal(out.lastPrompt, "Consent recorded. Receipt: C-1");
    assert.deepEqual(recorded, ["R2"]);
    assert.deepEqual([gate.recent.at(-1)?.via, gate.recent.at(-1)?.grant, gate.recent.at(-1)?.reason], ["consent", false, "consent-given"]);
    armed.set("101", 120_000);
    type("#8#101#1234#", 120_000);
    assert.equal(out.lastPrompt, "The consent request has expired; ask the technician.");
    assert.deepEqual(recorded, ["R2"]);
    assert.deepEqual(face.power, [], "the camera is never powered on the consent path");
    assert.deepEqual(out.pulses, [], "consent never opens the door");
    assert.deepEqual(access.calls, [], "nor asks for an access decision");
    // Without the port the gate says so instead of pretending.
    keys("#8#202#5678#", 0);
    assert.equal(out.lastPrompt, "Face consent cannot be given at this gate. Ask the management office.");
  });

  it("door alarms from the contact driver are signalled and reported", () => {
    const alarms: string[] = [];
    const out = new Outputs();
    const gate = new Gate({ access: new TinyAccess(), outputs: out, onAlarm: (kind, now) => alarms.push(`${kind}@${now}`) });
    gate.doorAlarm("forced-open", 10);
    gate.doorAlarm("held-open", 20);
    assert.deepEqual(alarms, ["forced-open@10", "held-open@20"]);
    assert.deepEqual(out.signals, ["alarm", "alarm"]);
  });

  it("keeps only the most recent decisions", () => {
    const { gate } = setup();
    for (let i = 0; i < 20; i++) gate.card(uid("deadbeef"), i);
    assert.equal(gate.recent.length, 8);
    assert.equal(gate.recent.at(-1)?.time, 19);
  });
});
