// Weekly schedules per access group, compiled to minute bitmaps so checking
// one costs a few array reads. Segments are "HH:MM-HH:MM" in local time; an
// end at or before the start runs across midnight into the next day
// ("22:00-06:00"), and "00:00-24:00" is the whole day. A segment belongs to
// the day it starts on: on a holiday the group's holiday segments replace that
// day's own segments, while a segment that began the evening before still
// runs to its end.
import { OptgateError } from "../errors";

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Day = (typeof DAYS)[number];

export interface ScheduleSpec {
  /** Segments per weekday; a missing day has none. */
  week: Partial<Record<Day, string[]>>;
  /** Local dates "YYYY-MM-DD" on which `holidaySegments` replace the weekday's. */
  holidays?: string[];
  /** Segments on a holiday; default none (closed). */
  holidaySegments?: string[];
}

const MINUTES = 1440;
const DAY_BYTES = MINUTES / 8;
const MS_PER_DAY = 86_400_000;

export type ScheduleVerdict = "open" | "closed" | "holiday";

export class Schedule {
  /** Minutes a day's own segments cover, per weekday (Monday first), then the holiday day. */
  readonly #own = new Uint8Array(8 * DAY_BYTES);
  /** Minutes after midnight covered by the previous day's overrunning segments, indexed by that previous day. */
  readonly #spill = new Uint8Array(8 * DAY_BYTES);
  readonly #holidays = new Set<number>();
  /** Every minute of every day open, holidays included: used when the clock cannot be trusted. */
  readonly alwaysOpen: boolean;

  constructor(spec: ScheduleSpec) {
    if (!spec || typeof spec !== "object" || !spec.week || typeof spec.week !== "object") {
      throw new OptgateError("E_BAD_SCHEDULE", "A schedule needs a `week` of segments per day.");
    }
    for (const key of Object.keys(spec.week)) {
      if (!DAYS.includes(key as Day)) throw new OptgateError("E_BAD_SCHEDULE", `"${key}" is not a day; use ${DAYS.join(", ")}.`);
    }
    DAYS.forEach((day, d) => { for (const text of spec.week[day] ?? []) this.#addSegment(d, text); });
    for (const text of spec.holidaySegments ?? []) this.#addSegment(7, text);
    for (const date of spec.holidays ?? []) this.#holidays.add(parseDate(date));
    const days = this.#holidays.size > 0 ? 8 : 7;
    let full = true;
    for (let i = 0; i < days * DAY_BYTES; i++) if (this.#own[i] !== 0xff) full = false;
    this.alwaysOpen = full;
  }

  /** Whether the group admits at local time `localMs` (ms since epoch shifted to local time). */
  check(localMs: number): ScheduleVerdict {
    const day = Math.floor(localMs / MS_PER_DAY);
    const minute = Math.floor((localMs - day * MS_PER_DAY) / 60_000);
    const weekday = (day + 3) % 7; // 1970-01-01 was a Thursday; Monday = 0
    const yesterday = (weekday + 6) % 7;
    const today = this.#holidays.has(day) ? 7 : weekday;
    const before = this.#holidays.has(day - 1) ? 7 : yesterday;
    if (bit(this.#own, today, minute) || bit(this.#spill, before, minute)) return "open";
    // Say "holiday" when the ordinary weekday would have let them in.
    if (today === 7 && bit(this.#own, weekday, minute)) return "holiday";
    return "closed";
  }

  #addSegment(day: number, text: string): void {
    const match = typeof text === "string" ? /^([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})$/.exec(text) : null;
    const start = match ? Number(match[1]) * 60 + Number(match[2]) : -1;
    let end = match ? Number(match[3]) * 60 + Number(match[4]) : -1;
    const validTime = (h: string, m: string, allow24: boolean) => Number(m) < 60 && (Number(h) < 24 || (allow24 && h === "24" && m === "00"));
    if (!match || !validTime(match[1], match[2], false) || !validTime(match[3], match[4], true)) {
      throw new OptgateError("E_BAD_SCHEDULE", `"${String(text)}" is not a segment like "08:00-18:30" or "22:00-06:00".`);
    }
    if (end <= start) end += MINUTES; // runs across midnight
    for (let m = start; m < end; m++) {
      if (m < MINUTES) setBit(this.#own, day, m);
      else setBit(this.#spill, day, m - MINUTES);
    }
  }
}

function bit(map: Uint8Array, day: number, minute: number): boolean {
  return (map[day * DAY_BYTES + (minute >> 3)] & (1 << (minute & 7))) !== 0;
}

function setBit(map: Uint8Array, day: number, minute: number): void {
  map[day * DAY_BYTES + (minute >> 3)] |= 1 << (minute & 7);
}

/** "YYYY-MM-DD" → days since 1970-01-01 (a calendar date, no time zone). */
export function parseDate(text: string): number {
  const match = typeof text === "string" ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text) : null;
  if (match) {
    const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(y, m - 1, d);
    const check = new Date(ms);
    if (check.getUTCFullYear() === y && check.getUTCMonth() === m - 1 && check.getUTCDate() === d && y >= 1970) return ms / MS_PER_DAY;
  }
  throw new OptgateError("E_BAD_SCHEDULE", `"${String(text)}" is not a date like 2026-10-01.`);
}
