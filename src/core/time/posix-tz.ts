// The gate's time zone as a POSIX TZ string, e.g. "CST-8" (China) or
// "CET-1CEST,M3.5.0,M10.5.0/3" (central Europe), evaluated without Intl (XS
// has no zone database). Offsets in the string count west of UTC, as POSIX
// has it: "CST-8" is UTC+8. Rules: Mm.w.d (week w of month m, day d, week 5 =
// the last), Jn (day 1-365, 29 Feb never counted), n (day 0-365, counted);
// each with an optional /time (default 02:00:00, may be negative or past 24h).
//
//   const zone = parseTimeZone("CET-1CEST,M3.5.0,M10.5.0/3");
//   zone.offsetMs(Date.UTC(2026, 6, 1))        // 7_200_000 (summer time)
//   zone.toUtc(Date.UTC(2026, 6, 1))           // the instant local midnight 1 July began
import { OptgateError } from "../errors";

const HOUR = 3_600_000;
const DAY = 86_400_000;

type Rule =
  | { kind: "M"; month: number; week: number; day: number; time: number }
  | { kind: "J"; n: number; time: number }
  | { kind: "n"; n: number; time: number };

export interface TimeZone {
  /** The POSIX string it was parsed from. */
  readonly spec: string;
  /** Local time minus UTC at this instant, in ms (UTC+8: 28_800_000). */
  offsetMs(utcMs: number): number;
  /**
   * The instant a local wall time (given as if it were UTC ms) happens: in the
   * hour repeated when summer time ends, its first occurrence; in the hour
   * skipped when it starts, the moment of the change.
   */
  toUtc(localMs: number): number;
}

function bad(spec: string, why: string): never {
  throw new OptgateError("E_BAD_TIMEZONE", `Time zone "${spec.slice(0, 60)}": ${why}. Use a POSIX TZ string, e.g. CST-8 (China) or CET-1CEST,M3.5.0,M10.5.0/3.`);
}

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean { return this.i >= this.s.length; }
  peek(): string { return this.s[this.i] ?? ""; }
  number(max: number): number {
    const m = /^\d{1,3}/.exec(this.s.slice(this.i));
    if (!m || Number(m[0]) > max) bad(this.s, `expected a number up to ${max} at position ${this.i + 1}`);
    this.i += m[0].length;
    return Number(m[0]);
  }
  name(): string {
    if (this.peek() === "<") {
      const end = this.s.indexOf(">", this.i);
      const name = end < 0 ? "" : this.s.slice(this.i + 1, end);
      if (!/^[A-Za-z0-9+-]{3,}$/.test(name)) bad(this.s, "a quoted name is <3 or more letters, digits, + or ->");
      this.i = end + 1;
      return name;
    }
    const m = /^[A-Za-z]{3,}/.exec(this.s.slice(this.i));
    if (!m) bad(this.s, `expected a zone name of 3 or more letters at position ${this.i + 1}`);
    this.i += m[0].length;
    return m[0];
  }
  /** [+-]hh[:mm[:ss]] in ms, hours up to maxHours. */
  time(maxHours: number): number {
    let sign = 1;
    if (this.peek() === "+" || this.peek() === "-") sign = this.s[this.i++] === "-" ? -1 : 1;
    let ms = this.number(maxHours) * HOUR;
    if (this.peek() === ":") { this.i++; ms += this.number(59) * 60_000; }
    if (this.peek() === ":") { this.i++; ms += this.number(59) * 1000; }
    return sign * ms;
  }
  rule(): Rule {
    let rule: Rule;
    if (this.peek() === "M") {
      this.i++;
      const month = this.number(12);
      if (this.s[this.i++] !== ".") bad(this.s, "Mm.w.d needs dots");
      const week = this.number(5);
      if (this.s[this.i++] !== ".") bad(this.s, "Mm.w.d needs dots");
      const day = this.number(6);
      if (month < 1 || week < 1) bad(this.s, "Mm.w.d has month 1-12, week 1-5, day 0-6");
      rule = { kind: "M", month, week, day, time: 2 * HOUR };
    } else if (this.peek() === "J") {
      this.i++;
      const n = this.number(365);
      if (n < 1) bad(this.s, "Jn counts days 1-365");
      rule = { kind: "J", n, time: 2 * HOUR };
    } else {
      rule = { kind: "n", n: this.number(365), time: 2 * HOUR };
    }
    if (this.peek() === "/") { this.i++; rule.time = this.time(167); }
    return rule;
  }
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Local midnight (as UTC ms) of the day a rule names in a year. */
function ruleDay(rule: Rule, year: number): number {
  const jan1 = Date.UTC(year, 0, 1);
  if (rule.kind === "J") return jan1 + (rule.n - 1 + (isLeap(year) && rule.n >= 60 ? 1 : 0)) * DAY;
  if (rule.kind === "n") return jan1 + rule.n * DAY;
  const first = Date.UTC(year, rule.month - 1, 1);
  const firstWeekday = new Date(first).getUTCDay();
  const daysInMonth = new Date(Date.UTC(year, rule.month, 0)).getUTCDate();
  let day = 1 + ((rule.day - firstWeekday + 7) % 7) + (rule.week - 1) * 7;
  while (day > daysInMonth) day -= 7;
  return first + (day - 1) * DAY;
}

class PosixZone implements TimeZone {
  readonly #std: number;
  readonly #dst: number | undefined;
  readonly #start: Rule | undefined;
  readonly #end: Rule | undefined;

  constructor(readonly spec: string, std: number, dst?: number, start?: Rule, end?: Rule) {
    this.#std = std;
    this.#dst = dst;
    this.#start = start;
    this.#end = end;
  }

  offsetMs(utcMs: number): number {
    if (this.#dst === undefined) return this.#std;
    const year = new Date(utcMs + this.#std).getUTCFullYear();
    // Start is given in standard local time, end in summer local time.
    const start = ruleDay(this.#start!, year) + this.#start!.time - this.#std;
    const end = ruleDay(this.#end!, year) + this.#end!.time - this.#dst;
    const summer = start < end ? utcMs >= start && utcMs < end : !(utcMs >= end && utcMs < start);
    return summer ? this.#dst : this.#std;
  }

  toUtc(localMs: number): number {
    const a = this.#std, b = this.#dst ?? this.#std;
    const ua = localMs - a, ub = localMs - b;
    const va = this.offsetMs(ua) === a, vb = this.offsetMs(ub) === b;
    if (va && vb) return Math.min(ua, ub);
    if (va) return ua;
    if (vb) return ub;
    return localMs - Math.min(a, b); // skipped: the moment the clocks jumped
  }
}

/** Parses a POSIX TZ string; throws E_BAD_TIMEZONE with what was expected. */
export function parseTimeZone(spec: string): TimeZone {
  if (typeof spec !== "string" || spec.length === 0 || spec.length > 64) bad(String(spec), "it must be 1-64 characters");
  const r = new Reader(spec);
  r.name();
  const std = 0 - r.time(24); // west of UTC in the string, east in ms (and never -0)
  if (r.done) return new PosixZone(spec, std);
  r.name();
  let dst = std + HOUR;
  if (!r.done && r.peek() !== ",") dst = 0 - r.time(24);
  // No rule given: the US rule, as glibc assumes.
  let start: Rule = { kind: "M", month: 3, week: 2, day: 0, time: 2 * HOUR };
  let end: Rule = { kind: "M", month: 11, week: 1, day: 0, time: 2 * HOUR };
  if (!r.done) {
    if (r.s[r.i++] !== ",") bad(spec, `unexpected "${r.s[r.i - 1]}" at position ${r.i}`);
    start = r.rule();
    if (r.s[r.i++] !== ",") bad(spec, "a summer-time rule needs a start and an end, separated by a comma");
    end = r.rule();
  }
  if (!r.done) bad(spec, `unexpected "${r.peek()}" at position ${r.i + 1}`);
  return new PosixZone(spec, std, dst, start, end);
}

/** The POSIX string for a fixed offset east of UTC in minutes: 480 → "<+08>-8", -330 → "<-0530>+5:30". */
export function fixedOffsetZone(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes), h = Math.floor(abs / 60), m = abs % 60;
  const name = `${sign}${two(h)}${m ? two(m) : ""}`;
  return `<${name}>${minutes > 0 ? "-" : ""}${minutes < 0 ? "+" : ""}${h}${m ? `:${two(m)}` : ""}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "+08:00", "-05:30" for an offset in ms. */
export function formatOffset(offsetMs: number): string {
  const minutes = Math.round(offsetMs / 60_000), abs = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** "2026-06-30 23:59:59 +08:00": an instant as the gate's local wall clock reads it. */
export function formatLocal(utcMs: number, zone: TimeZone): string {
  const offset = zone.offsetMs(utcMs);
  const iso = new Date(utcMs + offset).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} ${formatOffset(offset)}`;
}

