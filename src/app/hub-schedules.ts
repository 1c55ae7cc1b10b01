// What the hub's set-schedule / set-holidays changes do to the console's
// settings (docs/sync.md, "Groups, schedules and holidays"). The result goes
// through the same compilation as a technician's `group add` (ConsolePolicy),
// so the console's group/schedule/holiday lists show what the hub set:
//
// - set-schedule names a group by bit: any group on that bit or with that
//   name is replaced (the hub's word wins over a local edit). Its segments
//   become schedules named "<group>.<n>" (one per distinct time window, with
//   the days it applies on), owned by the group (`hub: true`): a hub group
//   with no segments is closed, where a local group without schedules is open.
// - "none" removes the group on that bit; bit 0, the default group every
//   console-added resident joins, stays (the hub may only set its segments).
// - set-holidays replaces the whole holiday list.
// - A full resync that carries any of them replaces every group but the
//   default one (unless it sets that too), and the holidays (none if absent).
//   One that carries none leaves the gate's groups alone: that hub manages no
//   schedules.
import type { PolicyChange, Segment } from "../core/access/changes";
import { WEEKDAYS, type Weekday } from "../core/console/backend";
import { formatTime } from "../core/console/params";
import { OptgateError } from "../core/errors";
import { clone, dateKey, DEFAULT_GROUP, own, type Settings } from "./console-settings";

export type { PolicyChange };

/** How holidays the hub set are named at the console (the hub keeps the names). */
export const HUB_HOLIDAY_NAME = "(hub)";
const MS_PER_DAY = 86_400_000;

/** The settings after the hub's `changes`; `settings` is left as it is. Throws E_BAD_POLICY for what cannot apply. */
export function withHubSchedules(settings: Settings, changes: PolicyChange[], full: boolean): Settings {
  const next = clone(settings);
  if (full && changes.length) {
    for (const name of Object.keys(next.groups)) if (next.groups[name].bit !== 0) removeGroup(next, name);
    next.holidays = {};
  }
  for (const change of changes) {
    if (change.kind === "set-holidays") {
      next.holidays = {};
      for (const day of change.days) next.holidays[dateKey(day * MS_PER_DAY)] = HUB_HOLIDAY_NAME;
      continue;
    }
    const onBit = Object.keys(next.groups).filter((name) => next.groups[name].bit === change.group);
    if (!change.schedule) {
      if (change.group === 0) throw new OptgateError("E_BAD_POLICY", `Group bit 0 is this gate's default group (${DEFAULT_GROUP}); the hub may set its segments but not remove it.`);
      for (const name of onBit) removeGroup(next, name);
      continue;
    }
    const s = change.schedule;
    for (const name of onBit) removeGroup(next, name);
    if (own(next.groups, s.name)) removeGroup(next, s.name);
    if (change.group === 0 && s.name !== DEFAULT_GROUP) {
      throw new OptgateError("E_BAD_POLICY", `Group bit 0 is this gate's default group and keeps the name ${DEFAULT_GROUP}, not ${s.name}.`);
    }
    const names: string[] = [];
    windows(s.week).forEach((w, i) => {
      const name = `${s.name}.${i + 1}`;
      next.schedules[name] = { days: w.days, from: w.from, to: w.to };
      names.push(name);
    });
    next.groups[s.name] = { bit: change.group, schedules: names, hub: true, holidaySegments: s.holiday.map(segmentText) };
  }
  return next;
}

/** A group leaves with the schedules it owns (a hub group's), or that no other group uses. */
function removeGroup(s: Settings, name: string): void {
  const g = own(s.groups, name);
  if (!g) return;
  delete s.groups[name];
  for (const sname of g.schedules) {
    const used = Object.keys(s.groups).some((other) => s.groups[other].schedules.includes(sname));
    if (!used && (g.hub || own(s.schedules, sname))) delete s.schedules[sname];
  }
}

/** Segments grouped by time window, in order of first appearance (Monday first): one console schedule each. */
function windows(week: Segment[][]): { days: Weekday[]; from: number; to: number }[] {
  const out: { days: Weekday[]; from: number; to: number }[] = [];
  for (let d = 0; d < 7; d++) {
    for (const seg of week[d] ?? []) {
      const w = out.find((o) => o.from === seg.from && o.to === seg.to);
      if (w) { if (!w.days.includes(WEEKDAYS[d])) w.days.push(WEEKDAYS[d]); }
      else out.push({ days: [WEEKDAYS[d]], from: seg.from, to: seg.to });
    }
  }
  return out;
}

export function segmentText(s: Segment): string {
  return `${formatTime(s.from)}-${formatTime(s.to)}`;
}

/** One line for the audit record: what the hub changed. */
export function describeHubChanges(changes: PolicyChange[], full: boolean): string {
  const parts = changes.map((c) => c.kind === "set-holidays" ? `holidays ${c.days.length}` : c.schedule ? `group ${c.schedule.name} bit ${c.group}` : `group bit ${c.group} removed`);
  return `hub${full ? " full" : ""}: ${parts.join(", ")}`;
}
