import assert from "node:assert/strict";
import { compilePolicy } from "../../../src/core/access/policy";
import { LOCKOUT_ENTRIES_MAX, LockoutCounter } from "../../../src/core/access/lockout";
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

  it("refuses policies that are malformed or would make face required", () => {
    const modes = basePolicy().modes;
    const bad = [
      basePolicy({ gateId: -1 }),
      basePolicy({ modes: { ...modes, card: false, pin: false, cardPin: false, code: false } }),
      basePolicy({ modes: { ...modes, card: "yes" as unknown as boolean } }),
      basePolicy({ pinLength: { min: 3, max: 6 } }),
      basePolicy({ pinLength: { min: 8, max: 6 } }),
      basePolicy({ lockout: { keypadThreshold: 0, residentThreshold: 3, baseDelayMs: 1, maxDelayMs: 2 } }),
      basePolicy({ lockout: { keypadThreshold: 5, residentThreshold: 3, baseDelayMs: 10, maxDelayMs: 2 } }),
      basePolicy({ timeZone: "Asia/Shanghai" }),
      basePolicy({ groups: [{ group: 32, schedule: { week: {} } }] }),
      basePolicy({ groups: [{ group: 1, schedule: { week: {} } }, { group: 1, schedule: { week: {} } }] }),
    ];
    for (const policy of bad) assert.throws(() => compilePolicy(policy), (e) => isOptgateError(e, "E_BAD_POLICY"));
    assert.throws(() => compilePolicy(basePolicy({ groups: [{ group: 1, schedule: { week: { mon: ["9-5"] } } }] })), (e) => isOptgateError(e, "E_BAD_SCHEDULE"));
  });
});

describe("LockoutCounter", () => {
  const settings = { keypadThreshold: 2, residentThreshold: 2, baseDelayMs: 1000, maxDelayMs: 8000 };
  const counter = () => new LockoutCounter(() => 2, () => settings);

  it("locks at the threshold and doubles up to the cap", () => {
    const c = counter();
    c.fail(1, 0);
    assert.equal(c.remaining(1, 0), 0);
    const waits: number[] = [];
    let now = 0;
    for (let i = 0; i < 6; i++) {
      c.fail(1, now);
      waits.push(c.remaining(1, now));
      now += waits[waits.length - 1];
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000, 8000]);
    assert.equal(c.remaining(2, now), 0, "other keys unaffected");
    c.succeed(1);
    assert.equal(c.failures(1), 0);
    assert.equal(c.remaining(1, now), 0);
  });

  it("stays bounded under a flood of keys and keeps locked ones over stale ones", () => {
    const c = counter();
    c.fail(-7, 0); c.fail(-7, 0); // locked until 1000
    for (let key = 1; key <= LOCKOUT_ENTRIES_MAX + 100; key++) c.fail(key, 10 + key);
    assert.equal(c.size, LOCKOUT_ENTRIES_MAX);
    assert.ok(c.remaining(-7, 500) > 0);
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
