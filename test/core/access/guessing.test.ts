// The attacks of issue 14, as an attacker would run them against the access
// core (portable: Node and XS). Each failed on the old lockout.
import assert from "node:assert/strict";
import { AccessCore, type AccessEvent } from "../../../src/core/access/access-core";
import { weakPinReason } from "../../../src/core/access/pin-rules";
import { Registry } from "../../../src/core/access/registry";
import { AuditLog } from "../../../src/core/audit/audit-log";
import { isOptgateError } from "../../../src/core/errors";
import { at, basePolicy, deviceKey, testRandom, uid } from "./fixtures";

const T = at("2026-06-03", "10:00");
const ENTRY = 2_000; // one keypad entry every 2 s, the attacker's pace

function gate(residents = 50, capacity = 1024) {
  const registry = new Registry({ deviceKey, random: testRandom() });
  const pins: string[] = [];
  for (let i = 0, k = 0; i < residents; i++) {
    let pin = "";
    do pin = String(300_000 + (k++) * 1_237 + 91); while (weakPinReason(pin, i + 1));
    registry.addResident({ unit: `U-${i}`, role: "owner", groups: 1, pin, cards: [uid(4, (i >> 8) & 0xff, i & 0xff, 0x5a)] });
    pins.push(pin);
  }
  const courier = registry.addResident({ unit: "C-1", role: "courier", groups: 1, validUntil: T + 86_400_000, codes: [{ code: "58392017", validUntil: T + 86_400_000, uses: 1 }] });
  const audit = new AuditLog({ capacity });
  const alarms: number[] = [];
  const core = new AccessCore({ registry, policy: basePolicy(), audit, onGuessingAlarm: (a) => alarms.push(a.at) });
  return { registry, audit, core, pins, courier, alarms };
}

/** An attacker typing for `ms` at the keypad's pace, waiting out waits; returns how many guesses were evaluated. */
function attack(core: AccessCore, from: number, ms: number, next: (i: number) => AccessEvent): { evaluated: number; end: number } {
  let now = from, evaluated = 0;
  for (let i = 0; now < from + ms; i++) {
    now += ENTRY;
    const d = core.decide(next(i), now);
    if (d.reason === "locked-out" && d.resident === undefined) now += d.retryAfterMs ?? 0;
    else evaluated++;
  }
  return { evaluated, end: now };
}

describe("guessing: nothing but the subject's own success resets a count", () => {
  it("a used-up courier code typed after every 4 wrong PINs buys no extra guesses", () => {
    const plain = gate();
    const trick = gate();
    trick.core.decide({ kind: "code", keypad: 1, code: "58392017" }, T); // its one use
    const wrong = (i: number): AccessEvent => ({ kind: "pin", keypad: 1, resident: 1 + (i % 50), pin: String(100_000 + i) });
    const a = attack(plain.core, T, 600_000, wrong);
    const b = attack(trick.core, T, 600_000, (i) => (i % 5 === 4 ? { kind: "code", keypad: 1, code: "58392017" } : wrong(i)));
    // Ten minutes at 1 entry / 2 s would be 300 guesses unthrottled; the throttle holds both to about 5 + 600/32.
    assert.ok(a.evaluated <= 30, `plain attacker: ${a.evaluated}`);
    assert.ok(b.evaluated <= a.evaluated + 1, `code trick: ${b.evaluated} vs ${a.evaluated}`);
    assert.ok(trick.audit.entries().some((e) => e.kind === "code" && e.reason === "code-used-up"));
  });

  it("a resident's own right PIN opens for them but does not reset the keypad's count", () => {
    const { core, pins } = gate();
    for (let i = 0; i < 6; i++) core.decide({ kind: "pin", keypad: 1, resident: 2, pin: String(100_000 + i) }, T);
    const waited = core.decide({ kind: "pin", keypad: 1, resident: 1, pin: pins[0] }, T + 1);
    assert.equal(waited.reason, "locked-out");
    assert.equal(core.decide({ kind: "pin", keypad: 1, resident: 1, pin: pins[0] }, T + 2_000).grant, true);
    // The next wrong guess still waits longer than the first did: the score was not reset.
    const d = core.decide({ kind: "pin", keypad: 1, resident: 3, pin: "100000" }, T + 2_000);
    assert.equal(d.reason, "wrong-pin");
    assert.ok(core.decide({ kind: "pin", keypad: 1, resident: 3, pin: "100001" }, T + 2_001).retryAfterMs! > 2_000);
  });

  it("expired and not-yet-valid codes count as failures too", () => {
    const { core, registry } = gate(1);
    const v = registry.addResident({ unit: "V-1", role: "visitor", groups: 1, validUntil: T + 2 * 86_400_000, codes: [{ code: "77120945", validFrom: T + 86_400_000, validUntil: T + 2 * 86_400_000, uses: 3 }] });
    void v;
    for (let i = 0; i < 5; i++) assert.equal(core.decide({ kind: "code", keypad: 1, code: "77120945" }, T).reason, "code-not-yet-valid");
    assert.equal(core.decide({ kind: "code", keypad: 1, code: "77120945" }, T).reason, "code-not-yet-valid");
    assert.equal(core.decide({ kind: "code", keypad: 1, code: "77120945" }, T + 1).reason, "locked-out");
  });
});

describe("guessing: a counter for every resident, kept across a reboot", () => {
  it("600 residents each lock after 5 wrong PINs (no bounded table to evict them from)", () => {
    const { core, pins } = gate(600, 256);
    let now = T;
    for (let round = 0; round < 5; round++) {
      for (let r = 1; r <= 600; r++) {
        now += 100; // card+PIN: the resident's own counter is the only limit
        assert.equal(core.decide({ kind: "card", uid: uid(4, ((r - 1) >> 8) & 0xff, (r - 1) & 0xff, 0x5a), pin: "000000", keypad: 1 }, now).reason, "wrong-pin");
      }
    }
    for (const r of [1, 300, 513, 600]) {
      assert.equal(core.decide({ kind: "card", uid: uid(4, ((r - 1) >> 8) & 0xff, (r - 1) & 0xff, 0x5a), pin: pins[r - 1], keypad: 1 }, now + 1).reason, "locked-out", `R${r}`);
    }
    // Their cards alone still open.
    assert.equal(core.decide({ kind: "card", uid: uid(4, 2, 0x57, 0x5a) }, now + 1).grant, true);
  });

  it("a power cut hands out no fresh attempts: limits come back from the audit log", () => {
    const { registry, audit, core, pins } = gate(10);
    for (let i = 0; i < 5; i++) core.decide({ kind: "pin", keypad: 1, resident: 4, pin: String(100_000 + i) }, T + i);
    for (let i = 0; i < 3; i++) core.decide({ kind: "pin", keypad: 1, resident: 77, pin: "123456" }, T + 10 + i);
    const before = core.guessing(T + 100);
    // The board restarts: a new core over what the store gave back (registry and audit log).
    for (let row = 0; row < registry.residents.size; row++) registry.residents.pinFailures[row] = 0;
    const fresh = new AccessCore({ registry, policy: basePolicy(), audit });
    fresh.restoreLimits(1);
    assert.equal(fresh.guessing(T + 100).keypad.engaged, before.keypad.engaged);
    assert.equal(fresh.guessing(T + 100).keypad.score, before.keypad.score);
    assert.equal(fresh.decide({ kind: "pin", keypad: 1, resident: 4, pin: pins[3] }, T + 60_000).reason, "locked-out");
  });
});

describe("guessing: the reader and the log", () => {
  it("10,000 made-up cards neither open, nor flush the log: bursts are one record, the door-forced record stays", () => {
    const { core, audit, alarms } = gate(5, 1024);
    audit.append({ time: T, actorKind: "system", actor: 0, kind: "door-forced", decision: "info", reason: "info" });
    let now = T, evaluated = 0;
    for (let i = 0; i < 10_000; i++) {
      now += 300;
      const d = core.decide({ kind: "card", uid: uid(8, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff) }, now);
      assert.equal(d.grant, false);
      if (d.reason === "unknown-card") evaluated++;
    }
    core.flushBursts(now + 120_000);
    assert.ok(evaluated < 200, `${evaluated} UIDs evaluated in 50 minutes`);
    assert.ok(audit.entries().some((e) => e.kind === "door-forced"), "the door-forced record is still there");
    const bursts = audit.entries().filter((e) => e.kind === "unknown-cards");
    assert.ok(bursts.length >= 1 && bursts.length <= 10, `${bursts.length} burst records`);
    assert.ok(bursts.reduce((n, e) => n + e.actor, 0) > 9_000, "the bursts count the taps");
    assert.ok(audit.size < 100, `${audit.size} records`);
    assert.ok(alarms.length >= 1 && alarms[0] - T < 3_600_000, "alarm within the first hour");
    // A resident's card waits at most the reader's cap, then opens.
    const d = core.decide({ kind: "card", uid: uid(4, 0, 1, 0x5a) }, now + 1);
    assert.ok(d.grant || (d.reason === "locked-out" && d.retryAfterMs! <= 30_000));
    assert.equal(core.decide({ kind: "card", uid: uid(4, 0, 1, 0x5a) }, now + 30_001).grant, true);
  });
});

describe("guessing: PIN rules", () => {
  it("new PINs: 6 digits at least, none a guesser tries first", () => {
    const { registry } = gate(1);
    registry.setPinLength({ min: 6, max: 8 });
    const refused = (pin: string, code: string) => assert.throws(() => registry.setPin(1, pin), (e) => isOptgateError(e, code), pin);
    refused("0000", "E_BAD_PIN");
    refused("12345", "E_BAD_PIN");
    for (const weak of ["000000", "121212", "123123", "123456", "987654", "890123", "000001", "240815", "150899", "19870312"]) refused(weak, "E_WEAK_PIN");
    registry.setPin(1, "583017");
    assert.equal(registry.get(1)!.pinQuality, "ok");
  });

  it("an old 4-digit PIN keeps working and is flagged once typed", () => {
    const old = new Registry({ deviceKey, random: testRandom(), pinLength: { min: 4, max: 8 } });
    old.addResident({ unit: "A1", role: "owner", groups: 1, pin: "2580" });
    const registry = Registry.fromSnapshot(old.exportSnapshot(), { deviceKey, random: testRandom() });
    const core = new AccessCore({ registry, policy: basePolicy({ pinLength: { min: 6, max: 8 } }), audit: new AuditLog({ capacity: 16 }) });
    assert.equal(core.decide({ kind: "pin", keypad: 1, resident: 1, pin: "2580" }, T).grant, true);
    assert.equal(registry.get(1)!.pinQuality, "short");
  });
});
