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
