// Face at a gate where 1:N identification is off (the safe default): the
// resident first types their resident number, then the face key, and the face
// session verifies 1:1 against that resident. A bare face key powers nothing.
import assert from "node:assert/strict";
import { Gate } from "../../../src/core/gate/gate";
import { KeypadEntryBuffer } from "../../../src/core/gate/keypad-entry";
import type { AccessDecision, FaceOutcome, GateAccess, GateFace, GateOutputs, Signal } from "../../../src/core/gate/ports";

/** Face sessions that, like FaceSession, verify 1:1 on a claim and identify 1:N only where allowed. */
class ClaimFace implements GateFace {
  oneToN = false;
  /** Resident whose face stands in front of the camera. */
  standing = "R42";
  enrolled = new Set(["R42", "R7"]);
  starts: { time: number; claim: string | undefined }[] = [];
  power: { time: number; on: boolean }[] = [];
  #startedAt = -1;
  #claim: string | undefined;
  get active() { return this.#startedAt >= 0; }
  start(now: number, claim?: string): boolean | "claim-needed" {
    if (claim === undefined && !this.oneToN) return "claim-needed";
    if (claim !== undefined && !this.enrolled.has(`R${claim}`)) return false;
    this.starts.push({ time: now, claim });
    this.#startedAt = now;
    this.#claim = claim;
    this.power.push({ time: now, on: true });
    return true;
  }
  tick(now: number): FaceOutcome | undefined {
    if (this.#startedAt < 0 || now - this.#startedAt < 300) return undefined;
    this.#startedAt = -1;
    this.power.push({ time: now, on: false });
    // 1:1: only the claimed resident's own face matches.
    if (this.#claim !== undefined) return this.standing === `R${this.#claim}` ? { matched: true, resident: this.standing } : { matched: false, why: "no-match" };
    return this.enrolled.has(this.standing) ? { matched: true, resident: this.standing } : { matched: false, why: "no-match" };
  }
  cancel(now: number): void {
    if (this.#startedAt < 0) return;
    this.#startedAt = -1;
    this.power.push({ time: now, on: false });
  }
}

const refuse = (reason: string): AccessDecision => ({ grant: false, reason });
const access: GateAccess = {
  card: () => refuse("unknown-card"),
  cardWithPin: () => refuse("unknown-card"),
  pin: () => refuse("unknown-resident"),
  code: () => refuse("unknown-code"),
  face: (resident, matched) => (matched && resident ? { grant: true, reason: "granted", resident } : refuse("no-match")),
  faceWithPin: () => refuse("wrong-pin"),
  exit: () => ({ grant: true, reason: "granted" }),
};

function setup() {
  const face = new ClaimFace();
  const out = { pulses: [] as number[], prompts: [] as string[], signals: [] as Signal[] };
  const outputs: GateOutputs = { unlock: (ms) => out.pulses.push(ms), signal: (s) => out.signals.push(s), prompt: (p) => out.prompts.push(p) };
  const gate = new Gate({ access, face, outputs });
  const keys = (text: string, now: number) => { for (const k of text) gate.key(k, now); };
  return { face, out, gate, keys };
}

describe("keypad grammar: face with a resident number", () => {
  it("42 A and # 1 # 42 # claim resident 42; A and # 1 # # are the bare face key", () => {
    const buffer = new KeypadEntryBuffer();
    const last = (keys: string) => [...keys].map((k) => buffer.press(k)).at(-1);
    assert.deepEqual(last("42A"), { kind: "entry", entry: { kind: "face", who: "42" } });
    assert.deepEqual(last("#1#"), { kind: "progress", stage: "face-who", digits: 0 });
    assert.deepEqual(last("42#"), { kind: "entry", entry: { kind: "face", who: "42" } });
    assert.deepEqual(last("#1##"), { kind: "entry", entry: { kind: "face" } });
    assert.deepEqual(last("A"), { kind: "entry", entry: { kind: "face" } });
    // A after a PIN field or in the middle of a code is still refused.
    assert.deepEqual(last("42#12A"), { kind: "rejected", why: "unknown-key" });
  });
});

describe("gate: face with 1:N off", () => {
  it("a bare face key powers nothing and asks for the resident number", () => {
    const { face, out, gate, keys } = setup();
    gate.key("A", 0);
    keys("#1##", 100);
    assert.deepEqual(face.power, []);
    assert.deepEqual(out.pulses, []);
    assert.match(out.prompts.at(-1)!, /resident number, then A/);
  });

  it("resident number then the face key: camera on only after the face key, verified 1:1", () => {
    const { face, out, gate, keys } = setup();
    keys("42", 0);
    assert.deepEqual(face.power, [], "typing the number powers nothing");
    gate.key("A", 500);
    assert.deepEqual(face.power, [{ time: 500, on: true }]);
    assert.deepEqual(face.starts, [{ time: 500, claim: "42" }]);
    gate.tick(900);
    assert.deepEqual(out.pulses, [5000]);
    assert.equal(gate.recent.at(-1)?.resident, "R42");
  });

  it("a claim for someone else does not open, although 1:N would have found the face", () => {
    const { face, out, gate, keys } = setup();
    keys("#1#7#", 0);
    assert.deepEqual(face.starts, [{ time: 0, claim: "7" }]);
    gate.tick(400);
    assert.deepEqual(out.pulses, []);
    assert.match(out.prompts.at(-1)!, /card or PIN/);
  });
});
