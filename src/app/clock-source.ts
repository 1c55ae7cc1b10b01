// Where the gate's wall clock comes from, and why it may not be believed.
// The ESP32-S3 loses its clock with power; a battery-backed RTC (PCF8563)
// keeps it. At boot the board clock is taken from the RTC when the RTC says
// it kept time; otherwise the board clock stays where it is (1970 after a
// cut) and the access core treats it as untrusted until a technician sets it.
// Setting the clock writes the RTC. While running, the board clock (ticks)
// and the RTC are compared now and then: a jump or drift beyond a bound is
// audited and shown in `status`. (Whether a large change needs confirming is
// the clock-change guard's business, not this file's.)
export interface BatteryClock {
  /** ms since the epoch, or undefined when the chip lost time; throws on a bus error. */
  get time(): number | undefined;
  set time(ms: number);
}

export type ClockOrigin = "rtc" | "technician" | "board";

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
  log(line: string): void;
}

export class ClockSource {
  readonly #o: ClockSourceOptions;
  #source: ClockOrigin = "board";
  #rtc = "no battery-backed clock on this board";
  #driftMs: number | undefined;
  #lastCheck = 0;

  constructor(options: ClockSourceOptions) {
    this.#o = options;
  }

  /** At boot: the board clock from the RTC when it kept time. */
  boot(): void {
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
  set(ms: number): void {
    this.#o.setBoardClock?.(ms);
    this.#source = "technician";
    this.#driftMs = undefined;
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

  /** Called on every tick; reads the RTC once a minute and reports a drift or jump. */
  tick(): void {
    const ticks = this.#o.ticks();
    if (!this.#o.rtc || ticks - this.#lastCheck < DRIFT_CHECK_EVERY_MS) return;
    this.#lastCheck = ticks;
    const rtc = this.#read();
    if (rtc === undefined) return;
    const now = this.#o.now();
    const drift = now - rtc;
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
