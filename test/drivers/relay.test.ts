import assert from "node:assert/strict";
import { createHostHardware } from "../../boards/host/io/index";
import { isOptgateError } from "../../src/core/errors";
import { Relay, type FailMode } from "../../src/drivers/relay";
import { PowerSwitch } from "../../src/drivers/power-switch";

const PIN = 4;

function relay(failMode: FailMode, activeLevel: 0 | 1 = 1) {
  const hw = createHostHardware();
  const changes: boolean[] = [];
  const r = new Relay({ relay: { io: hw.io.Digital, pin: PIN, activeLevel }, failMode, onChange: (u) => changes.push(u) });
  return { hw, r, changes, coil: () => hw.gpio.pin(PIN).level };
}

describe("Relay", () => {
  it("fail-secure strike: coil off while locked, on for the pulse, off after it", () => {
    const { r, coil, changes } = relay("fail-secure");
    assert.equal(coil(), 0);
    r.unlock(3000, 1000);
    assert.equal(r.unlocked, true);
    assert.equal(coil(), 1);
    r.tick(3999);
    assert.equal(coil(), 1);
    r.tick(4000);
    assert.equal(coil(), 0);
    assert.equal(r.unlocked, false);
    assert.deepEqual(changes, [true, false]);
  });

  it("fail-safe maglock: coil on while locked, off for the pulse", () => {
    const { r, coil } = relay("fail-safe");
    assert.equal(coil(), 1);
    r.unlock(1000, 0);
    assert.equal(coil(), 0);
    r.tick(1000);
    assert.equal(coil(), 1);
  });

  it("honours an active-low relay module", () => {
    const { r, coil } = relay("fail-secure", 0);
    assert.equal(coil(), 1, "active-low: idle high = coil off");
    r.unlock(500, 0);
    assert.equal(coil(), 0);
  });

  it("a second unlock extends a pulse but never shortens it", () => {
    const { r } = relay("fail-secure");
    r.unlock(5000, 0);
    r.unlock(1000, 100);
    r.tick(2000);
    assert.equal(r.unlocked, true);
    r.unlock(5000, 4000);
    r.tick(8999);
    assert.equal(r.unlocked, true);
    r.tick(9000);
    assert.equal(r.unlocked, false);
  });

  it("rejects bad pulses and a missing fail mode without changing state", () => {
    const { r, hw } = relay("fail-secure");
    for (const ms of [0, -5, Number.NaN, 60_000]) {
      assert.throws(() => r.unlock(ms, 0), (e) => isOptgateError(e, "E_RELAY_PULSE"));
    }
    assert.equal(r.unlocked, false);
    assert.throws(() => new Relay({ relay: { io: hw.io.Digital, pin: 9 }, failMode: "open" as FailMode }), (e) => isOptgateError(e, "E_RELAY_FAIL_MODE"));
  });

  it("lock() ends a pulse; releasedWithin covers a short grace after relocking", () => {
    const { r } = relay("fail-secure");
    r.unlock(5000, 0);
    r.lock(1000);
    assert.equal(r.unlocked, false);
    assert.equal(r.releasedWithin(2500, 2000), true);
    assert.equal(r.releasedWithin(3500, 2000), false);
  });

  it("close() leaves a strike locked and is idempotent", () => {
    const { r, hw } = relay("fail-secure");
    r.unlock(5000, 0);
    r.close();
    r.close();
    assert.equal(r.unlocked, false);
    assert.equal(hw.gpio.pin(PIN).latch, 0, "coil driven off before the pin was released");
    assert.equal(hw.gpio.pin(PIN).mode, "unclaimed");
    r.unlock(1000, 0);
    assert.equal(r.unlocked, false, "a closed relay cannot unlock");
  });
});

describe("Relay with a failing coil write", () => {
  /**
   * fault.on: every write throws before reaching the pin. fault.landThenThrow:
   * that many writes reach the pin (the coil moves) and then throw, as an
   * expander whose I2C ack is lost after the byte was latched.
   */
  function flaky(failMode: FailMode) {
    const hw = createHostHardware();
    const fault = { on: false, landThenThrow: 0 };
    class FlakyDigital extends hw.io.Digital {
      override write(value: number) {
        if (fault.on) throw new Error("GPIO write failed");
        super.write(value);
        if (fault.landThenThrow > 0) {
          fault.landThenThrow--;
          throw new Error("GPIO write reported failure after it landed");
        }
      }
    }
    const r = new Relay({ relay: { io: FlakyDigital, pin: PIN }, failMode });
    return { r, fault, coil: () => hw.gpio.pin(PIN).level };
  }

  for (const [failMode, lockedLevel] of [["fail-secure", 0], ["fail-safe", 1]] as const) {
    it(`${failMode}: an unlock write that lands and then throws is driven back to locked, so the coil agrees with "locked"`, () => {
      const { r, fault, coil } = flaky(failMode);
      fault.landThenThrow = 1;
      assert.throws(() => r.unlock(1000, 0), (e) => isOptgateError(e, "E_RELAY_WRITE"));
      assert.deepEqual([r.unlocked, coil()], [false, lockedLevel], "the strike must not stay energised while the relay reports locked");
      assert.equal(r.energised, failMode === "fail-safe");
    });
  }

  it("an unlock whose every write lands and throws still ends with the coil locked", () => {
    const { r, fault, coil } = flaky("fail-secure");
    fault.landThenThrow = 2;
    assert.throws(() => r.unlock(1000, 0), (e) => isOptgateError(e, "E_RELAY_WRITE"));
    assert.deepEqual([r.unlocked, coil()], [false, 0]);
  });

  it("fail-safe maglock: a failed relock keeps reporting unlocked and is retried until the coil holds again", () => {
    const { r, fault, coil } = flaky("fail-safe");
    r.unlock(1000, 0);
    assert.equal(coil(), 0);
    fault.on = true;
    assert.throws(() => r.tick(1000), (e) => isOptgateError(e, "E_RELAY_WRITE"));
    assert.equal(r.unlocked, true);
    assert.throws(() => r.tick(1010), (e) => isOptgateError(e, "E_RELAY_WRITE"), "retried on the next tick");
    fault.on = false;
    r.tick(1020);
    assert.deepEqual([r.unlocked, coil()], [false, 1]);
  });

  it("a failed unlock leaves the relay locked and throws E_RELAY_WRITE", () => {
    const { r, fault, coil } = flaky("fail-secure");
    fault.on = true;
    assert.throws(() => r.unlock(1000, 0), (e) => isOptgateError(e, "E_RELAY_WRITE"));
    assert.deepEqual([r.unlocked, r.energised, coil()], [false, false, 0]);
    fault.on = false;
    r.unlock(1000, 10);
    assert.deepEqual([r.unlocked, coil()], [true, 1]);
    r.tick(1010);
    assert.deepEqual([r.unlocked, coil()], [false, 0]);
  });
});

describe("Relay edges (found by mutation testing)", () => {
  it("a relay that never unlocked was not released: a door opening at boot is forced", () => {
    const { r } = relay("fail-secure");
    assert.equal(r.releasedWithin(0, 2000), false);
    assert.equal(r.releasedWithin(1e12, 2000), false);
  });

  it("the grace after relocking includes its last millisecond, and lock() on a locked relay starts none", () => {
    const { r, changes } = relay("fail-secure");
    r.lock(500); // already locked: no new grace
    assert.equal(r.releasedWithin(600, 2000), false);
    r.unlock(1000, 0);
    r.lock(1000);
    assert.equal(r.releasedWithin(3000, 2000), true);
    assert.equal(r.releasedWithin(3001, 2000), false);
    r.lock(5000);
    assert.equal(r.releasedWithin(5500, 2000), false, "a second lock() is not a relock");
    assert.deepEqual(changes, [true, false]);
  });

  it("accepts a pulse of exactly the longest length, and says which lengths are allowed", () => {
    const { r } = relay("fail-secure");
    r.unlock(30_000, 0);
    assert.equal(r.unlocked, true);
    assert.throws(() => r.unlock(30_001, 0), (e) => isOptgateError(e, "E_RELAY_PULSE") && /between 1 and 30000 ms/.test((e as Error).message));
    const hw = createHostHardware();
    assert.throws(() => new Relay({ relay: { io: hw.io.Digital, pin: 9 }, failMode: "x" as FailMode }), (e) => /fail-secure.*fail-safe/.test((e as Error).message));
  });

  it("a failed write says which way it failed, and names what was thrown, even when it is not an Error", () => {
    const hw = createHostHardware();
    let fault: unknown;
    class Faulty extends hw.io.Digital {
      override write(value: number) {
        if (fault !== undefined) throw fault;
        super.write(value);
      }
    }
    const r = new Relay({ relay: { io: Faulty, pin: PIN }, failMode: "fail-secure" });
    fault = new RangeError("bus");
    assert.throws(() => r.unlock(1000, 0), (e) => /switched to unlocked \(RangeError\); the door stays locked/.test((e as Error).message));
    fault = undefined;
    r.unlock(1000, 0);
    fault = "a string";
    assert.throws(() => r.tick(1000), (e) => /switched to locked \(a non-error value\); retrying every tick/.test((e as Error).message));
  });

  it("a second close() writes nothing", () => {
    const hw = createHostHardware();
    let writes = 0;
    class Counting extends hw.io.Digital {
      override write(value: number) {
        writes++;
        super.write(value);
      }
    }
    const r = new Relay({ relay: { io: Counting, pin: PIN }, failMode: "fail-secure" });
    r.close();
    const after = writes;
    r.close();
    assert.equal(writes, after);
  });
});

describe("PowerSwitch", () => {
  it("starts off, switches, and turns off on close", () => {
    const hw = createHostHardware();
    const s = new PowerSwitch({ power: { io: hw.io.Digital, pin: 12 } });
    assert.equal(s.powered, false);
    assert.equal(hw.gpio.pin(12).level, 0);
    s.on();
    assert.equal(hw.gpio.pin(12).level, 1);
    s.off();
    assert.equal(hw.gpio.pin(12).level, 0);
    s.on();
    s.close();
    s.close();
    assert.equal(s.powered, false);
  });
});
