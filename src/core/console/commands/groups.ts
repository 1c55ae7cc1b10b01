// Access groups, weekly schedules and holidays.
import { WEEKDAYS, type Weekday } from "../backend";
import { reply, table, type Command } from "../command";
import { formatDay, formatTime, T } from "../params";

export const groupCommands: Command[] = [
  {
    path: "group add",
    summary: "Create or update an access group and its schedules",
    params: [{ name: "group", type: T.name, doc: "group name" }],
    options: [{ name: "schedules", type: T.list(T.name, 8), doc: "schedules when members may enter (none = always)" }],
    examples: ["group add residents", "group add cleaners --schedules weekdays"], access: "operator", audit: true,
    run(ctx, args) {
      const g = ctx.backend.groupAdd(ctx.actor, args.str("group"), args.list("schedules"));
      return reply(g, [`Group ${g.name}: schedules ${g.schedules.join(", ") || "always"}, ${g.members} member(s).`]);
    },
  },
  {
    path: "group remove",
    summary: "Delete an access group (refused while it has members)",
    params: [{ name: "group", type: T.name, doc: "group name" }],
    options: [], examples: ["group remove cleaners"], access: "operator", audit: true,
    run(ctx, args) {
      const g = ctx.backend.groupRemove(ctx.actor, args.str("group"));
      return reply(g, [`Group ${g.name} removed.`]);
    },
  },
  {
    path: "group list",
    summary: "List access groups",
    params: [], options: [], examples: ["group list"], access: "auditor", audit: false,
    run(ctx) {
      const list = ctx.backend.groupList();
      if (list.length === 0) return reply(list, ["(no groups)"]);
      return reply(list, table(["group", "schedules", "members"], list.map((g) => [g.name, g.schedules.join(",") || "always", String(g.members)])));
    },
  },
  {
    path: "schedule set",
    summary: "Create or change a weekly schedule",
    params: [{ name: "schedule", type: T.name, doc: "schedule name" }],
    options: [
      { name: "days", type: T.list(T.oneOf(WEEKDAYS), 7), doc: "weekdays", required: true },
      { name: "from", type: T.time, doc: "start of day window", required: true },
      { name: "to", type: T.time, doc: "end of day window", required: true },
    ],
    examples: ["schedule set weekdays --days mon,tue,wed,thu,fri --from 07:00 --to 19:00"], access: "operator", audit: true,
    run(ctx, args) {
      const s = ctx.backend.scheduleSet(ctx.actor, { name: args.str("schedule"), days: args.list("days") as Weekday[], from: args.num("from"), to: args.num("to") });
      return reply(s, [`Schedule ${s.name}: ${s.days.join(",")} ${formatTime(s.from)}-${formatTime(s.to)}.`]);
    },
  },
  {
    path: "schedule remove",
    summary: "Delete a schedule (refused while a group uses it)",
    params: [{ name: "schedule", type: T.name, doc: "schedule name" }],
    options: [], examples: ["schedule remove weekdays"], access: "operator", audit: true,
    run(ctx, args) {
      const s = ctx.backend.scheduleRemove(ctx.actor, args.str("schedule"));
      return reply(s, [`Schedule ${s.name} removed.`]);
    },
  },
  {
    path: "schedule list",
    summary: "List weekly schedules",
    params: [], options: [], examples: ["schedule list"], access: "auditor", audit: false,
    run(ctx) {
      const list = ctx.backend.scheduleList();
      if (list.length === 0) return reply(list, ["(no schedules)"]);
      return reply(list, table(["schedule", "days", "from", "to"], list.map((s) => [s.name, s.days.join(","), formatTime(s.from), formatTime(s.to)])));
    },
  },
  {
    path: "holiday add",
    summary: "Mark a date as a holiday (schedules treat it as closed)",
    params: [
      { name: "date", type: T.day, doc: "the day" },
      { name: "name", type: T.text(32), doc: "what it is" },
    ],
    options: [], examples: ["holiday add 2027-02-17 \"Spring Festival\""], access: "operator", audit: true,
    run(ctx, args) {
      const h = ctx.backend.holidayAdd(ctx.actor, { date: args.num("date"), name: args.str("name") });
      return reply(h, [`Holiday ${formatDay(h.date)}: ${h.name}.`]);
    },
  },
  {
    path: "holiday remove",
    summary: "Remove a holiday",
    params: [{ name: "date", type: T.day, doc: "the day" }],
    options: [], examples: ["holiday remove 2027-02-17"], access: "operator", audit: true,
    run(ctx, args) {
      const h = ctx.backend.holidayRemove(ctx.actor, args.num("date"));
      return reply(h, [`Holiday ${formatDay(h.date)} removed.`]);
    },
  },
  {
    path: "holiday list",
    summary: "List holidays",
    params: [], options: [], examples: ["holiday list"], access: "auditor", audit: false,
    run(ctx) {
      const list = ctx.backend.holidayList();
      if (list.length === 0) return reply(list, ["(no holidays)"]);
      return reply(list, table(["date", "name"], list.map((h) => [formatDay(h.date), h.name])));
    },
  },
];
