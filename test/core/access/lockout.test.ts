// The throttle and the per-resident count on their own, at their exact edges
// (portable: Node and XS).
import assert from "node:assert/strict";
import { residentLevel, residentWait, Throttle } from "../../../src/core/access/lockout";
import { DEFAULT_LOCKOUT, type LockoutSettings } from "../../../src/core/access/policy";

const S: LockoutSettings = { ...DEFAULT_LOCKOUT }; // free 5, waits 2 s doubling to 30 s, leak 1 / 60 s
const T = 1_800_000_000_000;

function throttle(): Throttle {
  return new Throttle(() => S.keypadThreshold, () => S);
}

describe("lockout: the keypad throttle at its edges", () => {
  it("the sixth failure engages it with a 2 s wait that ends at exactly 2 s and never goes negative", () => {
    const th = throttle();
    for (let i = 0; i < 5; i++) assert.equal(th.fail(1, T), false);
    assert.equal(th.remaining(1, T), 0);
    assert.equal(th.fail(1, T), true); // the alarm, once
    assert.equal(th.remaining(1, T), 2_000);
    assert.equal(th.remaining(1, T + 1_999), 1);
    assert.equal(th.remaining(1, T + 2_000), 0);
    assert.equal(th.remaining(1, T + 60_000), 0);
    assert.equal(th.fail(1, T), false); // already alarmed
    assert.equal(th.remaining(1, T), 4_000);
  });

  it("the score leaks one failure per leakMs and stops at 0, never below", () => {
    const th = throttle();
    for (let i = 0; i < 3; i++) th.fail(7, T);
    assert.equal(th.score(7, T), 3);
    assert.equal(th.score(7, T + 60_000), 2);
    assert.equal(th.score(7, T + 180_000), 0);
    assert.equal(th.score(7, T + 3_600_000), 0);
    assert.equal(th.score(7, T - 5_000), 3); // a clock before the last failure leaks nothing
    assert.equal(th.score(8, T), 0);
  });

  it("a clock that went back caps the wait at maxDelayMs from the new now", () => {
    const th = throttle();
    for (let i = 0; i < 6; i++) th.fail(1, T);
    assert.equal(th.remaining(1, T - 3_600_000), 30_000);
  });

  it("keeps at most 64 keys, forgetting the oldest first", () => {
    const th = throttle();
    for (let key = 1; key <= 65; key++) th.fail(key, T);
    assert.equal(th.score(1, T), 0); // evicted
    assert.equal(th.score(2, T), 1);
    assert.equal(th.score(64, T), 1);
    assert.equal(th.score(65, T), 1);
    const full = throttle();
    for (let key = 1; key <= 64; key++) full.fail(key, T);
    assert.equal(full.score(1, T), 1); // 64 fit
  });
});

describe("lockout: a resident's count", () => {
  const H = 3_600_000;
  it("leaks one whole failure per residentLeakMs and stops at 0", () => {
    assert.equal(residentLevel(3, 1_000, 1_000_000, H), 3);
    assert.equal(residentLevel(3, 0, 2 * H, H), 1);
    assert.equal(residentLevel(3, 0, 2 * H - 1, H), 2);
    assert.equal(residentLevel(2, 0, 5 * H, H), 0);
    assert.equal(residentLevel(0, 0, 5 * H, H), 0);
  });

  it("a clock before the last failure keeps the count as stored, never more", () => {
    assert.equal(residentLevel(3, 100, 50_000, H), 3);
    assert.equal(residentLevel(3, 100, 100_000, H), 3);
  });

  it("waits until the count drops below the threshold, exactly", () => {
    // 5 failures at t = 0: below 5 after one leak, at 1 h.
    assert.equal(residentWait(5, 0, 0, S), H);
    assert.equal(residentWait(5, 0, H - 1, S), 1);
    assert.equal(residentWait(5, 0, H, S), 0);
    assert.equal(residentWait(4, 0, 0, S), 0);
    assert.equal(residentWait(6, 0, 0, S), 2 * H);
    assert.equal(residentWait(5, 1_000, 0, S), H); // the clock went back: no longer than the count needs
  });
});
