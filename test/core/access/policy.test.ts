import assert from "node:assert/strict";
import { compilePolicy, DEFAULT_LOCKOUT } from "../../../src/core/access/policy";
import { residentLevel, residentWait, Throttle } from "../../../src/core/access/lockout";
import { isOptgateError } from "../../../src/core/errors";
import { basePolicy } from "./fixtures";

describe("gate policy", () => {
  it("compiles group schedules into a group mask", () => {
    const compiled = compilePolicy(basePolicy());
    assert.equal(compiled.groupMask, 0b11);
    assert.equal(compiled.schedules[0]?.alwaysOpen, true);
    assert.equal(compiled.schedules[1]?.alwaysOpen, false);
    assert.equal(compiled.schedules[2], undefined);
  });

  it("has no presentation-attack check unless one is named (face.liveness off by default)", () => {
    assert.equal(compilePolicy(basePolicy()).faceLiveness, "off");
    assert.equal(compilePolicy(basePolicy({ faceLiveness: "antispoof" })).faceLiveness, "antispoof");
    assert.equal(compilePolicy(basePolicy({ faceLiveness: "off" })).faceLiveness, "off");
  });

  it("refuses policies that are malformed or would make face required", () => {
    const modes = basePolicy().modes;
    const bad = [
      basePolicy({ gateId: -1 }),
      basePolicy({ modes: { ...modes, card: false, pin: false, cardPin: false, code: false } }),
      basePolicy({ modes: { ...modes, card: "yes" as unknown as boolean } }),
      basePolicy({ pinLength: { min: 3, max: 6 } }),
      basePolicy({ pinLength: { min: 8, max: 6 } }),
      basePolicy({ lockout: { ...DEFAULT_LOCKOUT, keypadThreshold: 0 } }),
      basePolicy({ lockout: { ...DEFAULT_LOCKOUT, baseDelayMs: 10, maxDelayMs: 2 } }),
      basePolicy({ lockout: { ...DEFAULT_LOCKOUT, leakMs: 0 } }),
      basePolicy({ timeZone: "Asia/Shanghai" }),
      basePolicy({ groups: [{ group: 32, schedule: { week: {} } }] }),
      basePolicy({ groups: [{ group: 1, schedule: { week: {} } }, { group: 1, schedule: { week: {} } }] }),
      basePolicy({ faceLiveness: "liveness" as unknown as "off" }),
      basePolicy({ faceLiveness: "on" as unknown as "off" }),
    ];
    for (const policy of bad) assert.throws(() => compilePolicy(policy), (e) => isOptgateError(e, "E_BAD_POLICY"));
    assert.throws(() => compilePolicy(basePolicy({ groups: [{ group: 1, schedule: { week: { mon: ["9-5"] } } }] })), (e) => isOptgateError(e, "E_BAD_SCHEDULE"));
  });
});

describe("Throttle (keypad, reader)", () => {
  const settings = { ...DEFAULT_LOCKOUT, keypadThreshold: 2, baseDelayMs: 1000, maxDelayMs: 8000, leakMs: 60_000 };
  const throttle = () => new Throttle(() => 2, () => settings);

  it("waits once past the free failures, doubling up to the cap; the alarm fires once per engagement", () => {
    const c = throttle();
    assert.equal(c.fail(1, 0), false);
    assert.equal(c.fail(1, 0), false);
    assert.equal(c.remaining(1, 0), 0, "two free failures");
    const waits: number[] = [];
    const alarms: boolean[] = [];
    let now = 0;
    for (let i = 0; i < 6; i++) {
      alarms.push(c.fail(1, now));
      waits.push(c.remaining(1, now));
      now += waits[waits.length - 1];
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000, 8000]);
    assert.deepEqual(alarms, [true, false, false, false, false, false]);
    assert.equal(c.remaining(2, now), 0, "other keys unaffected");
  });

  it("only time lowers the score: one failure leaks away per leakMs, and the alarm re-arms once it is clear", () => {
    const c = throttle();
    for (let i = 0; i < 4; i++) c.fail(1, 0);
    assert.equal(c.score(1, 0), 4);
    assert.equal(c.score(1, 90_000), 2.5);
    assert.equal(c.engaged(1, 90_000), true);
    assert.equal(c.engaged(1, 120_000), false);
    assert.equal(c.score(1, 240_000), 0);
    for (let i = 0; i < 2; i++) assert.equal(c.fail(1, 240_000), false);
    assert.equal(c.fail(1, 240_000), true, "a new engagement raises a new alarm");
  });

  it("a clock that goes back leaks nothing and never stretches a wait past the cap", () => {
    const c = throttle();
    for (let i = 0; i < 8; i++) c.fail(1, 1_000_000);
    assert.equal(c.remaining(1, 1_000_000), 8000);
    assert.equal(c.score(1, 0), 8, "nothing leaks while the clock reads before the last failure");
    assert.equal(c.remaining(1, 0), 8000, "wait capped from the new now");
  });

  it("the score is bounded, so an attack that stops is forgotten within minutes", () => {
    const c = throttle();
    for (let i = 0; i < 10_000; i++) c.fail(1, i);
    assert.ok(c.score(1, 10_000) <= 2 + 16);
    assert.equal(c.engaged(1, 10_000 + 19 * 60_000), false);
  });
});

describe("resident PIN counter (leaking)", () => {
  const s = { ...DEFAULT_LOCKOUT, residentThreshold: 3, residentLeakMs: 3_600_000 };
  it("counts down one failure per leak period; locked from the threshold until one leaks", () => {
    assert.equal(residentLevel(3, 100, 100_000, s.residentLeakMs), 3);
    assert.equal(residentLevel(3, 100, 100_000 + 3_600_000, s.residentLeakMs), 2);
    assert.equal(residentLevel(3, 100, 100_000 + 3 * 3_600_000, s.residentLeakMs), 0);
    assert.equal(residentWait(2, 100, 100_000, s), 0);
    assert.equal(residentWait(3, 100, 100_000, s), 3_600_000);
    assert.equal(residentWait(4, 100, 100_000 + 1_800_000, s), 5_400_000);
    assert.equal(residentWait(3, 100, 0, s), 3_600_000, "a clock gone back: the count alone decides, no longer");
  });
});

describe("gate policy: face 1:N", () => {
  it("is off when absent, kept when set, and refused when not true/false", () => {
    assert.equal(compilePolicy(basePolicy()).modes.faceOneToN, undefined);
    const on = basePolicy();
    on.modes.faceOneToN = true;
    assert.equal(compilePolicy(on).modes.faceOneToN, true);
    const bad = basePolicy();
    (bad.modes as unknown as Record<string, unknown>).faceOneToN = "yes";
    assert.throws(() => compilePolicy(bad), (e) => isOptgateError(e, "E_BAD_POLICY"));
  });
});

describe("gate policy: every bound, and the sentence a technician reads", () => {
  const message = (p: unknown): string => {
    try { compilePolicy(p as never); } catch (e) { assert.ok(isOptgateError(e, "E_BAD_POLICY")); return (e as Error).message; }
    return "accepted";
  };
  const why = (text: string) => `E_BAD_POLICY: Gate policy: ${text}.`;
  const lockout = (patch: Partial<typeof DEFAULT_LOCKOUT>) => basePolicy({ lockout: { ...DEFAULT_LOCKOUT, ...patch } });

  it("refuses each bad field with its own sentence", () => {
    assert.equal(message(null), why("it is missing"));
    assert.equal(message("policy"), why("it is missing"));
    for (const gateId of [-1, 65_536, 1.5]) assert.equal(message(basePolicy({ gateId })), why("gateId must be 0-65535"), String(gateId));
    const modes = basePolicy().modes;
    assert.equal(message(basePolicy({ modes: { ...modes, code: undefined } as never })), why("modes needs card, pin, cardPin, face, facePin and code as true/false"));
    assert.equal(message(basePolicy({ modes: { ...modes, faceOneToN: "yes" } as never })), why("modes.faceOneToN must be true/false when given"));
    assert.equal(message(basePolicy({ modes: { ...modes, card: false, pin: false, cardPin: false, code: false } })),
      why("at least one non-face mode (card, pin, cardPin, code) must be on: face is never required"));
    for (const pinLength of [null, { min: 4.5, max: 8 }, { min: 4, max: "8" }, { min: 3, max: 8 }, { min: 4, max: 13 }, { min: 9, max: 8 }]) {
      assert.equal(message(basePolicy({ pinLength: pinLength as never })), why("pinLength must be whole digits with 4 <= min <= max <= 12"), JSON.stringify(pinLength));
    }
    const lockoutWhy = why("lockout needs thresholds >= 1 (resident <= 200), 0 <= baseDelayMs <= maxDelayMs and leak times >= 1 s");
    for (const patch of [{ keypadThreshold: 0 }, { residentThreshold: 0 }, { residentThreshold: 201 }, { baseDelayMs: -1 }, { maxDelayMs: 1_999 },
      { leakMs: 999 }, { residentLeakMs: 999 }]) assert.equal(message(lockout(patch)), lockoutWhy, JSON.stringify(patch));
    assert.equal(message(basePolicy({ lockout: null as never })), lockoutWhy);
    let tzError = "";
    try { compilePolicy(basePolicy({ timeZone: "nowhere" })); } catch (e) { tzError = (e as Error).message; }
    assert.ok(tzError.startsWith('E_BAD_POLICY: Gate policy: timeZone: E_BAD_TIMEZONE: Time zone "nowhere": '), tzError);
    for (const clockFloorMs of [-1, Number.NaN]) assert.equal(message(basePolicy({ clockFloorMs })), why("clockFloorMs must be a time in ms"));
    for (const group of [-1, 32, 1.5]) assert.equal(message(basePolicy({ groups: [{ group, schedule: { week: {} } }] })), why(`group ${group} is not 0-31`));
    assert.equal(message(basePolicy({ groups: [{ group: 1, schedule: { week: {} } }, { group: 1, schedule: { week: {} } }] })), why("group 1 is listed twice"));
    assert.equal(message(basePolicy({ faceLiveness: "liveness" as unknown as "off" })), why("faceLiveness must be off or antispoof"));
  });

  it("accepts every field exactly at its bound", () => {
    for (const gateId of [0, 65_535]) assert.equal(compilePolicy(basePolicy({ gateId })).gateId, gateId);
    for (const pinLength of [{ min: 4, max: 12 }, { min: 6, max: 6 }]) assert.deepEqual(compilePolicy(basePolicy({ pinLength })).pinLength, pinLength);
    for (const patch of [{ keypadThreshold: 1, residentThreshold: 1 }, { residentThreshold: 200 }, { baseDelayMs: 0 }, { maxDelayMs: 2_000 }, { leakMs: 1_000, residentLeakMs: 1_000 }]) {
      assert.deepEqual(compilePolicy(lockout(patch)).lockout, { ...DEFAULT_LOCKOUT, ...patch });
    }
    assert.equal(compilePolicy(basePolicy({ clockFloorMs: 0 })).clockFloorMs, 0);
    const top = compilePolicy(basePolicy({ groups: [{ group: 0, schedule: { week: {} } }, { group: 31, schedule: { week: {} } }] }));
    assert.equal(top.groupMask, 0x8000_0001);
    assert.equal(top.schedules.length, 32);
    const none = compilePolicy({ ...basePolicy(), groups: undefined as never });
    assert.equal(none.groupMask, 0);
    assert.equal(none.schedules.length, 32);
    assert.ok(none.schedules.every((s) => s === undefined));
  });
});
