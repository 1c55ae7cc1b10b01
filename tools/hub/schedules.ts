// The compound's access groups (bit, name, weekly segments) and holidays in
// the hub's desired state (docs/sync.md, "Groups, schedules and holidays").
// A change becomes the next version of every gate it concerns, in the
// transaction that makes it (gate rows locked, as for residents): a group's
// set-schedule for the gates whose `groups` mask holds its bit, set-holidays
// for every gate of the compound. A full resync carries them all.
import { GROUP_NAME_PATTERN, MAX_HOLIDAYS, MAX_SEGMENTS_PER_DAY, decodeChange, encodeChange, type Change, type GroupSchedule, type Segment } from "../../src/core/access/changes";
import { MAX_VALUE } from "../../src/core/store/format";
import { withHubSchedules } from "../../src/app/hub-schedules";
import { loadSettings } from "../../src/app/console-settings";
import type { PolicyChange } from "../../src/core/access/changes";
import { num, type Db, type Sql } from "./db";

/**
 * The most of a gate's console settings record (one store value, MAX_VALUE
 * bytes) the hub's groups and holidays may fill: the rest is left for what a
 * technician sets there (zone, modes, local groups). Past the store's value a
 * gate refuses the set (E_STORE_TOO_LARGE), and since every full resync
 * carries the same groups and holidays, it would refuse every later set too,
 * removals of residents included.
 */
export const HUB_SETTINGS_BUDGET = MAX_VALUE - 256;

/** The bytes the hub's policy changes make of a fresh gate's settings (the technician's config comes on top: the rest of MAX_VALUE). */
export function hubSettingsBytes(changes: PolicyChange[]): number {
  return JSON.stringify(withHubSchedules(loadSettings(undefined), changes, true)).length;
}

/** The gates' default group: every resident added at a gate's console joins it. */
export const DEFAULT_GROUP_BIT = 0;
export const DEFAULT_GROUP_NAME = "all";
const DAYS = 7;
const DAY_MS = 86_400_000;

export interface AccessGroup extends GroupSchedule {
  bit: number;
}

export interface Holiday {
  /** Local calendar day, days since 1970-01-01. */
  day: number;
  name: string;
}

/** Why a group or holiday cannot be saved, in a sentence for the office page. */
export class ScheduleInputError extends Error {}

const HH_MM = /^([0-9]{2}):([0-9]{2})$/;

function minutes(text: string, end: boolean): number | undefined {
  const m = HH_MM.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]), min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && (min !== 0 || !end))) return undefined;
  return h * 60 + min;
}

/** "08:00-12:00, 13:00-18:30" as segments; an end at or before the start runs past midnight. Throws ScheduleInputError. */
export function parseSegments(text: string, what: string): Segment[] {
  const out: Segment[] = [];
  for (const raw of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [a, b, extra] = raw.split("-");
    const from = a === undefined ? undefined : minutes(a.trim(), false), to = b === undefined ? undefined : minutes(b.trim(), true);
    if (extra !== undefined || from === undefined || to === undefined || to === 0) {
      throw new ScheduleInputError(`${what}: "${raw.slice(0, 20)}" is not a time window like 08:00-18:30 (hours 00-23, an end up to 24:00; an end before the start runs past midnight).`);
    }
    if (from === to) throw new ScheduleInputError(`${what}: "${raw.slice(0, 20)}" starts and ends at the same minute.`);
    out.push({ from, to });
  }
  if (out.length > MAX_SEGMENTS_PER_DAY) throw new ScheduleInputError(`${what}: at most ${MAX_SEGMENTS_PER_DAY} time windows.`);
  return out;
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

export function formatSegments(segments: Segment[]): string {
  return segments.map((s) => `${hhmm(s.from)}-${hhmm(s.to)}`).join(", ");
}

/** The stored column: seven days then the holiday, "|"-separated. */
function packSegments(g: GroupSchedule): string {
  return [...g.week, g.holiday].map((day) => day.map((s) => `${hhmm(s.from)}-${hhmm(s.to)}`).join(",")).join("|");
}

function unpackSegments(text: string): { week: Segment[][]; holiday: Segment[] } {
  const days = text.split("|").map((d, i) => parseSegments(d, `stored day ${i + 1}`));
  return { week: days.slice(0, DAYS), holiday: days[DAYS] ?? [] };
}

/** Checks a group as the gate's decoder and console will; throws ScheduleInputError naming what is wrong. */
export function checkGroup(g: AccessGroup): void {
  if (!Number.isInteger(g.bit) || g.bit < 0 || g.bit > 31) throw new ScheduleInputError("Group number: 1 to 32.");
  if (!GROUP_NAME_PATTERN.test(g.name) || Object.prototype.hasOwnProperty.call(Object.prototype, g.name)) {
    throw new ScheduleInputError(`Name: "${g.name.slice(0, 40)}" is not 1-32 letters, digits, _ . - starting with a letter or digit.`);
  }
  if (g.bit === DEFAULT_GROUP_BIT && g.name !== DEFAULT_GROUP_NAME) throw new ScheduleInputError(`Group 1 is every gate's default group and keeps the name ${DEFAULT_GROUP_NAME}.`);
  if (g.bit !== DEFAULT_GROUP_BIT && g.name === DEFAULT_GROUP_NAME) throw new ScheduleInputError(`The name ${DEFAULT_GROUP_NAME} belongs to group 1.`);
  if (g.week.length !== DAYS) throw new ScheduleInputError("A week has seven days.");
}

/** "YYYY-MM-DD" as a day number; throws ScheduleInputError. */
export function parseHolidayDay(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text || Number(m[1]) < 2000 || Number(m[1]) > 2099) {
    throw new ScheduleInputError(`Date: "${text.slice(0, 20)}" is not a date (YYYY-MM-DD, 2000-2099).`);
  }
  return ms / DAY_MS;
}

export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export class HubSchedules {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #pump: (gateId: number) => Promise<void>;
  readonly #append: (tx: Sql, gateId: number, changes: Uint8Array[]) => Promise<void>;

  /** `appendChanges` writes a gate's next versions (its row locked by the caller's transaction); `pump` sends them. */
  constructor(options: { db: Db; now: () => number; appendChanges: (tx: Sql, gateId: number, changes: Uint8Array[]) => Promise<void>; pump: (gateId: number) => Promise<void> }) {
    this.#db = options.db;
    this.#now = options.now;
    this.#append = options.appendChanges;
    this.#pump = options.pump;
  }

  async groups(compoundId: number, db: Sql = this.#db): Promise<AccessGroup[]> {
    const rows = await db.query<{ bit: unknown; name: string; segments: string }>("select bit, name, segments from access_group where compound_id = $1 order by bit", [compoundId]);
    return rows.map((r) => ({ bit: num(r.bit), name: r.name, ...unpackSegments(r.segments) }));
  }

  async holidays(compoundId: number, db: Sql = this.#db): Promise<Holiday[]> {
    const rows = await db.query<{ day: unknown; name: string }>("select day, name from holiday where compound_id = $1 order by day", [compoundId]);
    return rows.map((r) => ({ day: num(r.day), name: r.name }));
  }

  /** Creates or replaces the group on `group.bit`; every gate serving that bit gets it as its next version. */
  async putGroup(compoundId: number, group: AccessGroup): Promise<void> {
    checkGroup(group);
    // Decoded as the gate will: the same bounds, checked before anything is written.
    try {
      decodeChange(encodeChange({ kind: "set-schedule", group: group.bit, schedule: { name: group.name, week: group.week, holiday: group.holiday } }));
    } catch (error) {
      throw new ScheduleInputError((error as Error).message);
    }
    const gates = await this.#db.transaction(async (tx) => {
      const [clash] = await tx.query("select bit from access_group where compound_id = $1 and name = $2 and bit <> $3", [compoundId, group.name, group.bit]);
      if (clash) throw new ScheduleInputError(`Name: group ${num(clash.bit) + 1} is already called ${group.name}.`);
      await tx.query(
        `insert into access_group (compound_id, bit, name, segments, updated_at) values ($1, $2, $3, $4, $5)
         on conflict (compound_id, bit) do update set name = excluded.name, segments = excluded.segments, updated_at = excluded.updated_at`,
        [compoundId, group.bit, group.name, packSegments(group), this.#now()]);
      return this.#fanOut(tx, compoundId, { kind: "set-schedule", group: group.bit, schedule: { name: group.name, week: group.week, holiday: group.holiday } }, group.bit);
    });
    await Promise.all(gates.map((g) => this.#pump(g)));
  }

  /** Removes a group; refused for the default group and while residents hold its bit. */
  async removeGroup(compoundId: number, bit: number): Promise<void> {
    if (bit === DEFAULT_GROUP_BIT) throw new ScheduleInputError(`Group 1 (${DEFAULT_GROUP_NAME}) is every gate's default group and stays; change its hours instead.`);
    const gates = await this.#db.transaction(async (tx) => {
      const [members] = await tx.query<{ n: unknown }>("select count(*) as n from resident where compound_id = $1 and (groups & $2::bigint) <> 0", [compoundId, 2 ** bit]);
      if (num(members.n) > 0) throw new ScheduleInputError(`Group ${bit + 1} still has ${num(members.n)} resident(s); move them to another group first.`);
      const removed = await tx.query("delete from access_group where compound_id = $1 and bit = $2 returning bit", [compoundId, bit]);
      if (!removed.length) return [];
      return this.#fanOut(tx, compoundId, { kind: "set-schedule", group: bit, schedule: null }, bit);
    });
    await Promise.all(gates.map((g) => this.#pump(g)));
  }

  /** Adds (or renames) a holiday; every gate of the compound gets the new list. */
  async addHoliday(compoundId: number, holiday: Holiday): Promise<void> {
    if (!/^[^\x00-\x1f\x7f]{1,32}$/u.test(holiday.name)) throw new ScheduleInputError("Holiday name: 1 to 32 characters.");
    await this.#holidayChange(compoundId, async (tx) => {
      const [{ n }] = await tx.query<{ n: unknown }>("select count(*) as n from holiday where compound_id = $1 and day <> $2", [compoundId, holiday.day]);
      if (num(n) >= MAX_HOLIDAYS) throw new ScheduleInputError(`A compound holds at most ${MAX_HOLIDAYS} holidays; remove past ones first.`);
      await tx.query("insert into holiday (compound_id, day, name) values ($1, $2, $3) on conflict (compound_id, day) do update set name = excluded.name", [compoundId, holiday.day, holiday.name]);
    });
  }

  async removeHoliday(compoundId: number, day: number): Promise<boolean> {
    let removed = false;
    await this.#holidayChange(compoundId, async (tx) => {
      removed = (await tx.query("delete from holiday where compound_id = $1 and day = $2 returning day", [compoundId, day])).length > 0;
      return removed;
    });
    return removed;
  }

  /** What a full resync of a gate serving `mask` carries: its groups and, when the hub manages any, the holidays. */
  async fullChanges(db: Sql, compoundId: number, mask: number): Promise<Uint8Array[]> {
    const groups = (await this.groups(compoundId, db)).filter((g) => ((mask >>> g.bit) & 1) === 1);
    const holidays = await this.holidays(compoundId, db);
    if (!groups.length && !holidays.length) return [];
    const out = groups.map((g) => encodeChange({ kind: "set-schedule", group: g.bit, schedule: { name: g.name, week: g.week, holiday: g.holiday } }));
    out.push(encodeChange({ kind: "set-holidays", days: holidays.map((h) => h.day) }));
    return out;
  }

  async #holidayChange(compoundId: number, change: (tx: Sql) => Promise<unknown>): Promise<void> {
    const gates = await this.#db.transaction(async (tx) => {
      if ((await change(tx)) === false) return [];
      const days = (await this.holidays(compoundId, tx)).map((h) => h.day);
      return this.#fanOut(tx, compoundId, { kind: "set-holidays", days });
    });
    await Promise.all(gates.map((g) => this.#pump(g)));
  }

  /** One change as the next version of each gate it concerns (those serving `bit`, or all); returns them. */
  async #fanOut(tx: Sql, compoundId: number, change: Change, bit?: number): Promise<number[]> {
    const encoded = encodeChange(change);
    const gates = await tx.query<{ id: unknown; groups: unknown }>("select id, groups from gate where compound_id = $1 order by id for update", [compoundId]);
    const out: number[] = [];
    for (const g of gates) {
      if (bit !== undefined && ((num(g.groups) >>> bit) & 1) === 0) continue;
      // What this gate will hold after the change (the caller's transaction already made it): it must fit.
      const all = (await this.fullChanges(tx, compoundId, num(g.groups))).map((c) => decodeChange(c) as PolicyChange);
      if (hubSettingsBytes(all) > HUB_SETTINGS_BUDGET) {
        throw new ScheduleInputError(`Gate ${num(g.id)} cannot hold that many holidays and time windows (its settings record is ${MAX_VALUE} bytes); remove past holidays or merge time windows first.`);
      }
      await this.#append(tx, num(g.id), [encoded]);
      out.push(num(g.id));
    }
    return out;
  }
}
