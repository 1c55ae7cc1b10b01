// Typed command arguments. Each type validates once where input enters, gives
// a sentence saying what was expected, and documents itself for `help`.
import { OptgateError } from "../errors";
import { formatLocal, type TimeZone } from "../time/posix-tz";

export type ParamType =
  | { kind: "resident" }
  | { kind: "uid" }
  /**
   * An instant; a bare date is a local day in the gate's zone: its first
   * moment, or with `end` the moment after its last second (ends are
   * exclusive, "until 2026-06-30" admits through 23:59:59 local). A time with
   * `end` is the last second admitted. `clearable` also accepts "none", parsed as NO_DATE.
   */
  | { kind: "date"; clearable?: boolean; end?: boolean }
  /** A calendar day (a holiday), as UTC midnight of its date: no zone applies. */
  | { kind: "day" }
  | { kind: "time" }
  | { kind: "int"; min: number; max: number }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "name" }
  | { kind: "text"; max: number }
  | { kind: "list"; item: ParamType; max: number };

export interface ParamSpec {
  name: string;
  type: ParamType;
  doc: string;
  /** Positional params: required unless optional; options: optional unless required. */
  optional?: boolean;
  required?: boolean;
}

export type ParamValue = string | number | string[] | number[];

const RESIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/** What a value of this type looks like, for usage lines and errors. */
export function describeType(type: ParamType): string {
  switch (type.kind) {
    case "resident": return "resident id: 1-32 letters, digits, _ . - (e.g. R00042)";
    case "uid": return "card UID: 4, 7 or 10 bytes in hex, colons allowed (e.g. 04A1B2C3 or 04:A1:B2:C3:D4:E5:F6)";
    case "date": return `date (local; a day ${type.end ? "ends at 23:59:59" : "starts at 00:00"}): YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS], the same with Z or +08:00 for an exact time, or from now: +30d, +2w, +6m, +1y${type.clearable ? ', or "none"' : ""}`;
    case "day": return "day: YYYY-MM-DD";
    case "time": return "time of day: HH:MM (00:00-24:00)";
    case "int": return `whole number ${type.min}..${type.max}`;
    case "enum": return `one of: ${type.values.join(", ")}`;
    case "name": return "name: 1-32 letters, digits, _ . -";
    case "text": return `text up to ${type.max} characters (quote it if it has spaces)`;
    case "list": return `comma-separated list of ${describeType(type.item)}`;
  }
}

/** Parses one argument; `now` anchors relative dates, `zone` gives local days their meaning. Throws E_BAD_ARGUMENT. */
export function parseValue(spec: ParamSpec, raw: string, now: number, zone: TimeZone): ParamValue {
  const bad = (why: string) => new OptgateError("E_BAD_ARGUMENT", `${spec.name}: ${why}; expected ${describeType(spec.type)}.`);
  return parseTyped(spec.type, raw, now, zone, bad);
}

function parseTyped(type: ParamType, raw: string, now: number, zone: TimeZone, bad: (why: string) => OptgateError): ParamValue {
  switch (type.kind) {
    case "resident":
      if (!RESIDENT_ID.test(raw)) throw bad(`"${clip(raw)}" is not a resident id`);
      return raw;
    case "name":
      if (!NAME.test(raw)) throw bad(`"${clip(raw)}" is not a valid name`);
      // Names key plain objects in the settings: "constructor" or "__proto__" would reach the prototype.
      if (Object.prototype.hasOwnProperty.call(Object.prototype, raw)) throw bad(`"${clip(raw)}" is reserved`);
      return raw;
    case "uid":
      return parseUid(raw, bad);
    case "date":
      if (type.clearable && raw === "none") return NO_DATE;
      return parseDate(raw, type.end === true, now, zone, bad);
    case "day": {
      const m = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? parseCalendar(raw, bad) : undefined;
      if (!m || m.timed) throw bad(`"${clip(raw)}" is not a day`);
      return m.ms;
    }
    case "time": {
      const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(raw);
      const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : -1;
      if (minutes < 0 || minutes > 24 * 60) throw bad(`"${clip(raw)}" is not a time of day`);
      return minutes;
    }
    case "int": {
      if (!/^-?\d{1,15}$/.test(raw)) throw bad(`"${clip(raw)}" is not a whole number`);
      const n = Number(raw);
      if (n < type.min || n > type.max) throw bad(`${n} is out of range`);
      return n;
    }
    case "enum":
      if (!type.values.includes(raw)) throw bad(`"${clip(raw)}" is not allowed`);
      return raw;
    case "text":
      if (raw.length > type.max) throw bad(`${raw.length} characters is too long`);
      if (/[\x00-\x1f\x7f]/.test(raw)) throw bad("control characters are not allowed");
      return raw;
    case "list": {
      const parts = raw === "" ? [] : raw.split(",");
      if (parts.length > type.max) throw bad(`more than ${type.max} items`);
      const values = parts.map((part) => parseTyped(type.item, part.trim(), now, zone, bad));
      return values as string[] | number[];
    }
  }
}

/** Card UIDs are 4, 7 or 10 bytes (ISO 14443-3 single, double, triple size). */
function parseUid(raw: string, bad: (why: string) => OptgateError): string {
  const hex = raw.replace(/[:\-]/g, "");
  if (!/^[0-9A-Fa-f]+$/.test(hex)) throw bad(`"${clip(raw)}" is not hex`);
  if (hex.length !== 8 && hex.length !== 14 && hex.length !== 20) throw bad(`${hex.length / 2} bytes is not a UID length`);
  return hex.toUpperCase();
}

const DAY = 86_400_000;

/** "none" for a clearable date: no real date is negative (years before 2000 are refused). */
export const NO_DATE = -1;

function parseDate(raw: string, end: boolean, now: number, zone: TimeZone, bad: (why: string) => OptgateError): number {
  const rel = /^\+(\d{1,4})([dwmy])$/.exec(raw);
  if (rel) {
    const n = Number(rel[1]);
    const unit = rel[2];
    if (unit === "d") return now + n * DAY;
    if (unit === "w") return now + n * 7 * DAY;
    const d = new Date(now);
    const months = unit === "m" ? n : n * 12;
    const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
    // 31 Aug + 6 months is the last day of February, not 3 March.
    const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
    target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
    return target.getTime();
  }
  const c = parseCalendar(raw, bad);
  if (!c.timed) return zone.toUtc(end ? c.ms + DAY : c.ms);
  const instant = c.offsetMs === undefined ? zone.toUtc(c.ms) : c.ms - c.offsetMs;
  return end ? instant + 1000 : instant;
}

/** "YYYY-MM-DD[(T| )HH:MM[:SS][ ](Z|+HH:MM)]" as wall-clock ms (as if UTC) and the zone offset typed, if any. */
function parseCalendar(raw: string, bad: (why: string) => OptgateError): { ms: number; timed: boolean; offsetMs?: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))? ?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(raw);
  if (!m) throw bad(`"${clip(raw)}" is not a date`);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (y < 2000 || y > 2099 || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw bad(`"${clip(raw)}" is not a real date`);
  }
  const z = m[7];
  if (z === undefined) return { ms, timed: m[4] !== undefined };
  const digits = z === "Z" ? "0000" : z.slice(1).replace(":", "");
  const zh = Number(digits.slice(0, 2)), zm = Number(digits.slice(2));
  if (zh > 14 || zm > 59) throw bad(`"${clip(raw)}" has no real UTC offset`);
  return { ms, timed: true, offsetMs: (z[0] === "-" ? -1 : 1) * (zh * 60 + zm) * 60_000 };
}

/** Dates print as YYYY-MM-DD when they fall on midnight UTC, else to the minute (UTC): log times, notices. */
export function formatDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "-";
  const iso = new Date(ms).toISOString();
  return iso.slice(11, 19) === "00:00:00" ? iso.slice(0, 10) : `${iso.slice(0, 16)}Z`;
}

/** A holiday's calendar day. */
export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The last second an exclusive end admits, on the gate's wall clock: "2026-06-30 23:59:59 +08:00". */
export function formatUntil(ms: number, zone: TimeZone): string {
  return formatLocal(ms - 1000, zone);
}

/** A validity window as it is enforced: "from … until …", or that there is none. */
export function formatWindow(from: number | null, until: number | null, zone: TimeZone): string {
  if (from === null && until === null) return "permanent (no validity window)";
  const parts: string[] = [];
  if (from !== null) parts.push(`from ${formatLocal(from, zone)}`);
  if (until !== null) parts.push(`until ${formatUntil(until, zone)}`);
  return parts.join(" ");
}

export function formatTime(minutes: number): string {
  const h = Math.floor(minutes / 60), m = minutes % 60;
  return `${h < 10 ? "0" : ""}${h}:${m < 10 ? "0" : ""}${m}`;
}

/** Echoing user input back in an error must not flood the terminal. */
function clip(raw: string): string {
  const safe = raw.replace(/[\x00-\x1f\x7f]/g, "?");
  return safe.length > 40 ? `${safe.slice(0, 40)}...` : safe;
}

/** Shorthands for command tables. */
export const T = {
  resident: { kind: "resident" } as ParamType,
  uid: { kind: "uid" } as ParamType,
  date: { kind: "date" } as ParamType,
  clearableDate: { kind: "date", clearable: true } as ParamType,
  until: { kind: "date", end: true } as ParamType,
  clearableUntil: { kind: "date", clearable: true, end: true } as ParamType,
  day: { kind: "day" } as ParamType,
  time: { kind: "time" } as ParamType,
  name: { kind: "name" } as ParamType,
  int: (min: number, max: number): ParamType => ({ kind: "int", min, max }),
  oneOf: (values: readonly string[]): ParamType => ({ kind: "enum", values }),
  text: (max: number): ParamType => ({ kind: "text", max }),
  list: (item: ParamType, max: number): ParamType => ({ kind: "list", item, max }),
};
