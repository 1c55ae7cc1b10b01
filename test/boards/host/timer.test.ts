import assert from "node:assert/strict";
import Timer, { advanceTimers, pendingTimers, startTimers, timerNow } from "../../../boards/host/timer";

describe("host timer module (Moddable Timer API over simulator ticks)", () => {
  beforeEach(() => {
    startTimers(1_000);
  });

  it("set fires once when due, in due order, with the timer as argument", () => {
    const fired: string[] = [];
    const late = Timer.set(() => fired.push("late"), 50);
    const early = Timer.set((t) => { fired.push("early"); assert.equal(t, early); }, 20);
    assert.equal(advanceTimers(1_019), 0);
    assert.equal(advanceTimers(1_060), 2);
    assert.deepEqual(fired, ["early", "late"]);
    assert.equal(advanceTimers(2_000), 0);
    Timer.clear(late);
  });

  it("repeat fires every interval; a long jump fires it once, not for every missed period", () => {
    let count = 0;
    const t = Timer.repeat(() => count++, 10);
    for (let now = 1_010; now <= 1_100; now += 10) advanceTimers(now);
    assert.equal(count, 10);
    advanceTimers(1_100 + 12 * 3_600_000);
    assert.equal(count, 11);
    Timer.clear(t);
    advanceTimers(timerNow() + 100);
    assert.equal(count, 11);
  });

  it("clear and schedule change what fires; timers set by callbacks that are already due run in the same tick", () => {
    const fired: string[] = [];
    const a = Timer.set(() => fired.push("a"), 10);
    Timer.clear(a);
    const b = Timer.set(() => fired.push("b"), 10);
    Timer.schedule(b, 40);
    Timer.set(() => { fired.push("c"); Timer.set(() => fired.push("d"), 0); }, 5);
    advanceTimers(1_020);
    assert.deepEqual(fired, ["c", "d"]);
    advanceTimers(1_040);
    assert.deepEqual(fired, ["c", "d", "b"]);
    assert.equal(pendingTimers(), 0);
  });

  it("the clock never runs backwards", () => {
    advanceTimers(5_000);
    advanceTimers(4_000);
    assert.equal(timerNow(), 5_000);
  });
});
