// monotonicTicks over a counter shaped like Moddable's Time.ticks on the
// ESP32: a uint32 millisecond count seen as a signed 32-bit integer.
import assert from "node:assert/strict";
import { monotonicTicks } from "../../src/drivers/monotonic-ticks";

describe("monotonicTicks (Time.ticks unwrapped)", () => {
  it("counts from zero and follows the raw counter", () => {
    let raw = 5000;
    const ticks = monotonicTicks(() => raw);
    assert.equal(ticks(), 0);
    raw += 10;
    assert.equal(ticks(), 10);
    raw += 990;
    assert.equal(ticks(), 1000);
  });

  it("keeps counting through the sign flip at 24.8 days and the wrap at 49.7 days", () => {
    let u = 0x7fffff00; // just below 2^31 ms
    const signed = () => u | 0;
    const ticks = monotonicTicks(signed);
    let expected = 0;
    let last = ticks();
    for (let step = 0; step < 300; step++) {
      u = (u + 10) >>> 0;
      expected += 10;
      const now = ticks();
      assert.ok(now > last, "never goes back");
      last = now;
    }
    assert.equal(last, expected);
    u = 0xfffffff0;
    ticks();
    const before = ticks();
    u = 0x00000020; // wrapped past 2^32
    assert.equal(ticks() - before, 0x30);
  });
});
