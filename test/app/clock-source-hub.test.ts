// The hub's signed time against the gate's own clocks (clock-source.ts
// hubSet, core/time/hub-clock.ts): whoever holds a hub key may correct a
// trusted clock by minutes, not walk it; a gate whose RTC lost time takes the
// hub's time; a gate back after a week off is still corrected.
import assert from "node:assert/strict";
import { ClockSource, type BatteryClock } from "../../src/app/clock-source";
import { HUB_CLOCK_RATE, HUB_CLOCK_SLACK_MS, hubAllowanceMs, hubTimeRefusal } from "../../src/core/time/hub-clock";

const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

/** The bench's battery clock: true time plus its offset, or none (VL set). */
class BenchRtc implements BatteryClock {
  constructor(private readonly bench: Bench) {}
  get time(): number | undefined {
    const b = this.bench;
    return b.rtcOffset === undefined ? undefined : b.truth + b.rtcOffset;
  }
  set time(ms: number) {
    this.bench.rtcWrites++;
    this.bench.rtcOffset = ms - this.bench.truth;
  }
}

/** A board: wall clock = ticks + offset (set by setBoardClock), ticks restart at each boot; an RTC that follows true time while it holds it. */
class Bench {
  truth = T0;
  ticks = 0;
  offset = 0;
  rtcOffset: number | undefined = 0;
  rtcWrites = 0;
  saved: number | undefined;
  drifts: number[] = [];
  logs: string[] = [];
  readonly rtc: BatteryClock = new BenchRtc(this);

  boot(): ClockSource {
    this.ticks = 0;
    this.offset = -this.truth; // the MCU clock restarts at 1970
    const clock = new ClockSource({
      rtc: this.rtc,
      now: () => this.ticks + this.offset,
      ticks: () => this.ticks,
      setBoardClock: (ms) => { this.offset = ms - this.ticks; },
      onDrift: (drift) => { this.drifts.push(drift); },
      trustedSet: { read: () => this.saved, write: (ms) => { this.saved = ms; } },
      log: (line) => { this.logs.push(line); },
    });
    clock.boot();
    return clock;
  }

  /** Time passes with the board running. */
  run(ms: number, clock?: ClockSource): void {
    for (let left = ms; left > 0; left -= Math.min(left, 30_000)) {
      const step = Math.min(left, 30_000);
      this.truth += step;
      this.ticks += step;
      clock?.tick();
    }
  }

  /** Time passes with the board off (the RTC keeps counting on its battery). */
  off(ms: number): void { this.truth += ms; }

  get now(): number { return this.ticks + this.offset; }
}

describe("the hub's time: bounded against the gate's own running since the last trusted set", () => {
  it("the allowance: a few minutes plus 1% of the time since the trusted set, counted across a power cut when known", () => {
    const anchor = { wall: T0, mono: 1000, since: 0 };
    assert.equal(hubAllowanceMs(anchor, 1000), HUB_CLOCK_SLACK_MS);
    assert.equal(hubAllowanceMs(anchor, 1000 + DAY), HUB_CLOCK_SLACK_MS + Math.floor(HUB_CLOCK_RATE * DAY));
    assert.equal(hubAllowanceMs({ ...anchor, since: 7 * DAY }, 1000), HUB_CLOCK_SLACK_MS + Math.floor(HUB_CLOCK_RATE * 7 * DAY));
    assert.equal(hubTimeRefusal(anchor, 1000 + HOUR, T0 + HOUR + 4 * MIN), undefined);
    assert.equal(hubTimeRefusal(anchor, 1000 + HOUR, T0 + HOUR - 4 * MIN), undefined);
    assert.equal(hubTimeRefusal(anchor, 1000 + HOUR, T0 + HOUR + DAY), "+86400s vs own clock, max 336s");
    assert.ok(`time: ${hubTimeRefusal(anchor, 1000 + HOUR, T0 + 40 * DAY)}`.length <= 40, "fits an audit detail");
    // The bound itself is allowed, a millisecond past it is not; a refusal says which way.
    const edge = HUB_CLOCK_SLACK_MS + Math.floor(HUB_CLOCK_RATE * HOUR);
    assert.equal(hubTimeRefusal(anchor, 1000 + HOUR, T0 + HOUR + edge), undefined);
    assert.equal(hubTimeRefusal(anchor, 1000 + HOUR, T0 + HOUR - edge), undefined);
    assert.match(hubTimeRefusal(anchor, 1000 + HOUR, T0 + HOUR + edge + 1) ?? "", /^\+336s vs own clock, max 336s$/);
    assert.equal(hubTimeRefusal(anchor, 1000 + HOUR, T0 + HOUR - DAY), "-86400s vs own clock, max 336s");
  });

  it("a trusted clock: corrected by minutes (the RTC stays on the trusted count), refused a day, whichever way", () => {
    const b = new Bench();
    const clock = b.boot();
    clock.set(T0); // the technician
    b.run(HOUR, clock);
    assert.equal(clock.hubSet(b.truth + 2 * MIN, true), undefined);
    assert.equal(b.now, b.truth + 2 * MIN);
    assert.equal(clock.report.source, "hub");
    assert.equal(b.rtcWrites, 1, "only the technician's set wrote the RTC");
    assert.match(clock.hubSet(b.truth + DAY, true) ?? "", /vs own clock/);
    assert.match(clock.hubSet(b.truth - DAY, true) ?? "", /vs own clock/);
    assert.equal(b.now, b.truth + 2 * MIN, "refused grants move nothing");
    b.run(10 * MIN, clock);
    assert.deepEqual(b.drifts, [], "what the hub moved is not reported as RTC drift");
  });

  it("a hostile hub key walking the clock a month forward in a day gets no further than the allowance", () => {
    const b = new Bench();
    const clock = b.boot();
    clock.set(T0);
    let accepted = 0;
    for (let hour = 1; hour <= 24; hour++) {
      b.run(HOUR, clock);
      // The walk: a month by the end of the day.
      const target = b.truth + (30 * DAY * hour) / 24;
      if (clock.hubSet(target, true) === undefined) accepted++;
      // And the greedy attacker: as far as the gate lets it, every hour.
      const greedy = b.truth + hubAllowanceMs({ wall: T0, mono: 0, since: 0 }, b.ticks) - 1000;
      if (clock.hubSet(greedy, true) === undefined) accepted++;
    }
    assert.equal(accepted, 24, "only the greedy grants, each inside the allowance");
    const ahead = b.now - b.truth;
    assert.ok(ahead <= HUB_CLOCK_SLACK_MS + HUB_CLOCK_RATE * DAY, `clock ${ahead} ms ahead after a day`);
    assert.ok(ahead < 20 * MIN);
  });

  // A grant asked for before a technician's `clock set` and arriving after it is judged against
  // the technician's time (the new anchor), not the one the request was made under.
  it("a grant racing a technician's clock set: judged against the set, the RTC keeps the technician's time", () => {
    const b = new Bench();
    const clock = b.boot();
    clock.set(T0);
    b.run(DAY, clock); // a day's allowance: 5 min + 14.4 min
    const asked = b.truth + 15 * MIN; // what the hub would have been allowed against the old anchor
    clock.set(b.truth); // the technician, between the request and the grant
    b.run(1000, clock);
    assert.match(clock.hubSet(asked, true) ?? "", /vs own clock, max 300s/);
    assert.ok(Math.abs(b.now - b.truth) < 2000, "the technician's time stands");
    assert.equal(b.rtcOffset, 0, "the RTC holds the technician's time");
  });

  it("a reboot does not launder a hub correction: the clock comes back from the RTC, which kept the trusted count", () => {
    const b = new Bench();
    let clock = b.boot();
    clock.set(T0);
    b.run(DAY, clock);
    const most = b.truth + hubAllowanceMs({ wall: T0, mono: 0, since: 0 }, b.ticks) - 1000;
    assert.equal(clock.hubSet(most, true), undefined);
    b.off(HOUR);
    clock = b.boot();
    assert.equal(clock.report.source, "rtc");
    assert.ok(Math.abs(b.now - b.truth) < 1000, "back on the RTC's count, not the hub's");
    assert.match(clock.hubSet(most + HOUR + 15 * MIN, true) ?? "", /vs own clock/, "the walk does not go on from where it was");
  });

  it("off for a week with an RTC that kept time: the week counts toward the allowance, so a real drift is still corrected", () => {
    const b = new Bench();
    let clock = b.boot();
    clock.set(T0);
    b.run(HOUR, clock);
    b.off(7 * DAY);
    b.rtcOffset = 40 * MIN; // an RTC that ran fast for a while: a real drift to correct
    clock = b.boot();
    assert.equal(b.ticks, 0, "the monotonic clock restarted");
    assert.equal(clock.hubSet(b.truth, true), undefined, "40 minutes corrected: 5 min + 1% of a week is 106 min");
    assert.equal(b.now, b.truth);
    assert.match(clock.hubSet(b.truth + 2 * DAY, true) ?? "", /vs own clock/);
  });

  it("without a record of the trusted set (or without an RTC count), a week off gives only the slack", () => {
    const b = new Bench();
    let clock = b.boot();
    clock.set(T0);
    b.saved = undefined;
    b.off(7 * DAY);
    b.rtcOffset = 40 * MIN;
    clock = b.boot();
    assert.match(clock.hubSet(b.truth, true) ?? "", /vs own clock/);
    assert.equal(clock.hubSet(b.truth + 36 * MIN, true), undefined, "4 minutes is inside the slack");
  });

  it("an untrusted clock (the RTC lost time): the hub's time is the only source, taken as a trusted set, and the RTC follows", () => {
    const b = new Bench();
    b.rtcOffset = undefined; // VL set
    const clock = b.boot();
    assert.ok(b.now < DAY, "1970");
    assert.equal(clock.hubSet(b.truth, false), undefined);
    assert.equal(b.now, b.truth);
    assert.equal(clock.report.source, "hub");
    assert.equal(b.rtcWrites, 1, "the RTC holds it now");
    assert.equal(b.saved, b.truth, "and it counts as the last trusted set");
    b.run(HOUR, clock);
    assert.match(clock.hubSet(b.truth + DAY, true) ?? "", /vs own clock/, "from then on the bound holds");
  });
});
