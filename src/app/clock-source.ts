// Where the gate's wall clock comes from, and why it may not be believed.
// The ESP32-S3 loses its clock with power; a battery-backed RTC (PCF8563)
// keeps it. At boot the board clock is taken from the RTC when the RTC says
// it kept time; otherwise the board clock stays where it is (1970 after a
// cut) and the access core treats it as untrusted until a technician sets it.
// Setting the clock writes the RTC. While running, the board clock (ticks)
// and the RTC are compared now and then: a jump or drift beyond a bound is
// audited and shown in `status`. (Whether a large change needs confirming is
// the clock-change guard's business, not this file's.)
//
// The hub's signed time (hubSet) moves a trusted clock only within a bound of
// the gate's own running since the last trusted set (core/time/hub-clock.ts),
// and never writes the RTC: the RTC carries only trusted sets forward through
// power cuts, so a reboot cannot launder what a hostile hub key moved.
import { ownTime, hubTimeRefusal, type ClockAnchor } from "../core/time/hub-clock";

export interface BatteryClock {
  /** ms since the epoch, or undefined when the chip lost time; throws on a bus error. */
  get time(): number | undefined;
  set time(ms: number);
}

export type ClockOrigin = "rtc" | "technician" | "board" | "hub";

export interface ClockReport {
  /** Where the time now on the clock came from. */
  source: ClockOrigin;
  /** What the RTC said at boot or last time it was read: why the clock may be untrusted. */
  rtc: string;
  /** Board clock minus RTC at the last comparison (ms), when one was made. */
  driftMs?: number;
}

/** Board clock and RTC may differ by this much before it is a drift worth auditing. */
export const DRIFT_BOUND_MS = 5_000;
/** How often the RTC is read to compare while running (board ticks). */
export const DRIFT_CHECK_EVERY_MS = 60_000;

export interface ClockSourceOptions {
  rtc?: BatteryClock;
  now(): number;
  ticks(): number;
  setBoardClock?(ms: number): void;
  /** A drift or jump found while running (board clock minus RTC, ms). */
  onDrift?(driftMs: number, now: number): void;
  /** Keeps the wall time of the last trusted set across reboots (with an RTC that kept time, the time since it counts toward the hub's allowance). */
  trustedSet?: { read(): number | undefined; write(ms: number): void };
  log(line: string): void;
}

export class ClockSource {
  readonly #o: ClockSourceOptions;
  #source: ClockOrigin = "board";
  #rtc = "no battery-backed clock on this board";
  #driftMs: number | undefined;
  #lastCheck = 0;
  /** The last trusted set as the gate's own clocks see it: what the hub's time is bounded against. */
  #anchor: ClockAnchor = { wall: 0, mono: 0, since: 0 };
  /** Board clock minus the gate's own running, from hub grants (the RTC does not follow them). */
  #hubOffset = 0;

  constructor(options: ClockSourceOptions) {
    this.#o = options;
  }

  /** At boot: the board clock from the RTC when it kept time. */
  boot(): void {
    this.#bootFromRtc();
    // The board's monotonic clock restarted. An RTC that kept time counted the time off since
    // the last trusted set (only trusted sets write it); without one the count starts now.
    const now = this.#o.now();
    const setAt = this.#source === "rtc" ? this.#readTrustedSet() : undefined;
    this.#anchor = { wall: now, mono: this.#o.ticks(), since: setAt !== undefined && now >= setAt ? now - setAt : 0 };
  }

  #bootFromRtc(): void {
    const time = this.#read();
    if (time === undefined) return;
    if (!this.#o.setBoardClock) {
      this.#rtc = "RTC kept time but this board's clock cannot be set";
      return;
    }
    this.#o.setBoardClock(time);
    this.#source = "rtc";
    this.#rtc = "RTC kept time";
    this.#lastCheck = this.#o.ticks();
  }

  /** A technician set the clock: the RTC follows. */
  set(ms: number, source: ClockOrigin = "technician"): void {
    this.#o.setBoardClock?.(ms);
    this.#source = source;
    this.#driftMs = undefined;
    this.#anchor = { wall: ms, mono: this.#o.ticks(), since: 0 };
    this.#hubOffset = 0;
    try {
      this.#o.trustedSet?.write(ms);
    } catch (error) {
      this.#o.log(`clock: time of the trusted set not saved (${message(error)}): after a power cut the hub may correct only minutes`);
    }
    const rtc = this.#o.rtc;
    if (!rtc) return;
    try {
      rtc.time = ms;
      this.#rtc = "RTC set with the clock";
    } catch (error) {
      this.#rtc = `RTC not written (${message(error)}): the time will be lost at the next power cut`;
      this.#o.log(`clock: ${this.#rtc}`);
    }
  }

  /**
   * The hub's signed time. While the clock has lost the time (`bounded`
   * false: the RTC lost it, the clock reads before the floor) it is the only
   * source there is: taken as a trusted set, the RTC follows. A clock that
   * kept time (trusted, or behind the newest audit record after a reboot on
   * the RTC's count) it moves only within the bound of the gate's own running
   * since the last trusted set, and not the RTC. Returns why not when refused.
   */
  hubSet(ms: number, bounded: boolean): string | undefined {
    if (!bounded) {
      this.set(ms, "hub");
      return undefined;
    }
    if (!this.#o.setBoardClock) return "this board's clock cannot be set";
    const mono = this.#o.ticks();
    const why = hubTimeRefusal(this.#anchor, mono, ms);
    if (why) return why;
    this.#o.setBoardClock(ms);
    this.#hubOffset = ms - ownTime(this.#anchor, mono);
    this.#source = "hub";
    return undefined;
  }

  /** Called on every tick; reads the RTC once a minute and reports a drift or jump. */
  tick(): void {
    const ticks = this.#o.ticks();
    if (!this.#o.rtc || ticks - this.#lastCheck < DRIFT_CHECK_EVERY_MS) return;
    this.#lastCheck = ticks;
    const rtc = this.#read();
    if (rtc === undefined) return;
    const now = this.#o.now();
    // What the hub moved is not drift: the RTC was meant to stay behind.
    const drift = now - rtc - this.#hubOffset;
    const was = this.#driftMs;
    this.#driftMs = drift;
    // Reported when it crosses the bound, not every minute it stays beyond it.
    if (Math.abs(drift) > DRIFT_BOUND_MS && !(was !== undefined && Math.abs(was) > DRIFT_BOUND_MS)) this.#o.onDrift?.(drift, now);
  }

  get report(): ClockReport {
    const r: ClockReport = { source: this.#source, rtc: this.#rtc };
    if (this.#driftMs !== undefined) r.driftMs = this.#driftMs;
    return r;
  }

  #readTrustedSet(): number | undefined {
    try {
      const ms = this.#o.trustedSet?.read();
      return ms !== undefined && Number.isFinite(ms) ? ms : undefined;
    } catch (error) {
      this.#o.log(`clock: time of the last trusted set unreadable (${message(error)})`);
      return undefined;
    }
  }

  #read(): number | undefined {
    const rtc = this.#o.rtc;
    if (!rtc) return undefined;
    try {
      const time = rtc.time;
      if (time === undefined) this.#rtc = "RTC lost time (battery flat or removed: VL set)";
      return time;
    } catch (error) {
      this.#rtc = `RTC not answering (${message(error)})`;
      this.#o.log(`clock: ${this.#rtc}`);
      return undefined;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
