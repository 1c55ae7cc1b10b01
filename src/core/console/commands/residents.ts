// Residents: add, show, list, edit, suspend/resume, remove.
import { OptgateError } from "../../errors";
import { ROLES, type ResidentInput, type ResidentPatch, type ResidentView, type Role } from "../backend";
import { ask, reply, table, type Args, type Command } from "../command";
import type { TimeZone } from "../../time/posix-tz";
import { formatUntil, formatWindow, NO_DATE, T, type ParamSpec } from "../params";
import { askNewPin } from "./credentials";

const residentArg: ParamSpec = { name: "resident", type: T.resident, doc: "resident id" };

const fieldOptions = (adding: boolean): ParamSpec[] => [
  { name: "unit", type: T.text(16), doc: "unit/apartment, e.g. 3-1201", required: adding },
  { name: "role", type: T.oneOf(ROLES), doc: "role; renters and visitors need --until", required: adding },
  { name: "from", type: adding ? T.date : T.clearableDate, doc: "valid from (a day starts at 00:00 local; default: no start)" },
  { name: "until", type: adding ? T.until : T.clearableUntil, doc: "valid through (a day ends at 23:59:59 local); +6m means six months from now" },
  { name: "groups", type: T.list(T.name, 8), doc: "access groups (see group list)" },
];

export function residentLines(r: ResidentView, zone: TimeZone): string[] {
  return [
    `resident:  ${r.id}`,
    `unit:      ${r.unit}`,
    `role:      ${r.role}`,
    `status:    ${r.status}`,
    `valid:     ${formatWindow(r.validFrom, r.validUntil, zone)}`,
    `groups:    ${r.groups.join(", ") || "-"}`,
    `cards:     ${r.cards.join(", ") || "-"}`,
    `pin:       ${r.pin ? pinText(r.pinQuality) : "not set"}`,
    `face:      ${r.face}`,
  ];
}

function pinText(quality: ResidentView["pinQuality"]): string {
  if (quality === "short") return "set, SHORTER than the gate's rule (set before it): ask the resident to change it";
  if (quality === "weak") return "set, EASY TO GUESS (set before the rules): ask the resident to change it";
  return quality === "unknown" ? "set (strength checked when next typed)" : "set";
}

function dateOrNull(value: number | undefined): number | null | undefined {
  return value === NO_DATE ? null : value;
}

function patchFrom(args: Args): ResidentPatch {
  const patch: ResidentPatch = {};
  if (args.has("unit")) patch.unit = args.str("unit");
  if (args.has("role")) patch.role = args.str("role") as Role;
  if (args.has("from")) patch.validFrom = dateOrNull(args.num("from"));
  if (args.has("until")) patch.validUntil = dateOrNull(args.num("until"));
  if (args.has("groups")) patch.groups = args.list("groups");
  return patch;
}

export const residentCommands: Command[] = [
  {
    path: "resident add",
    summary: "Register a resident with a card (or, without --card, a PIN typed hidden); the gate assigns the id",
    params: [],
    options: [...fieldOptions(true), { name: "card", type: T.uid, doc: "their card's UID; without it you are asked for a PIN" }],
    examples: [
      "resident add --unit 3-1201 --role owner --card 04A1B2C3",
      "resident add --unit 3-1202 --role renter --until +6m --card 04A1B2C4",
      "resident add --unit 3-1203 --role staff --groups cleaners",
    ],
    access: "operator", audit: true,
    run(ctx, args) {
      const input = (pin: string | null): ResidentInput => ({
        unit: args.str("unit"),
        role: args.str("role") as Role,
        // No --from, no start: an owner or staff without dates is permanent (admitted on an untrusted clock).
        validFrom: args.optNum("from") ?? null,
        validUntil: args.optNum("until") ?? null,
        groups: args.list("groups"),
        card: args.optStr("card") ?? null,
        pin,
      });
      const added = (r: ResidentView) => reply(r, [...residentLines(r, ctx.zone), `Added as ${r.id}. Next: ${r.pin ? `card add ${r.id} <uid>` : `pin set ${r.id}`} (optional), log show`], r.id);
      if (args.has("card")) return added(ctx.backend.residentAdd(ctx.actor, input(null)));
      return askNewPin("the new resident", (pin) => added(ctx.backend.residentAdd(ctx.actor, input(pin))));
    },
  },
  {
    path: "resident show",
    summary: "Show one resident and their credentials (never secrets)",
    params: [residentArg], options: [], examples: ["resident show R00042"], access: "auditor", audit: false,
    run(ctx, args) {
      const r = ctx.backend.residentShow(args.str("resident"));
      return reply(r, residentLines(r, ctx.zone));
    },
  },
  {
    path: "resident list",
    summary: "List residents, optionally filtered",
    params: [],
    options: [
      { name: "role", type: T.oneOf(ROLES), doc: "only this role" },
      { name: "unit", type: T.text(16), doc: "only this unit" },
      { name: "group", type: T.name, doc: "only members of this group" },
      { name: "status", type: T.oneOf(["active", "suspended"]), doc: "only this status" },
      { name: "after", type: T.resident, doc: "start after this id (the next page)" },
      { name: "limit", type: T.int(1, 100), doc: "residents per page (default 50)" },
    ],
    examples: ["resident list", "resident list --role renter --json", "resident list --after R00050"], access: "auditor", audit: false,
    run(ctx, args) {
      const page = ctx.backend.residentList({
        role: args.optStr("role") as Role | undefined,
        unit: args.optStr("unit"),
        group: args.optStr("group"),
        status: args.optStr("status") as "active" | "suspended" | undefined,
      }, args.optStr("after"), args.optNum("limit") ?? 50);
      const list = page.residents;
      const more = page.next === null ? [] : [`(more: resident list --after ${page.next}, with the same filters)`];
      if (list.length === 0) return reply(page, ["(no residents)", ...more]);
      return reply(page, [...table(["resident", "unit", "role", "status", "until", "cards", "pin", "face"],
        list.map((r) => [r.id, r.unit, r.role, r.status, r.validUntil === null ? "-" : formatUntil(r.validUntil, ctx.zone), String(r.cards.length), r.pin ? "yes" : "no", r.face])), ...more]);
    },
  },
  {
    path: "resident edit",
    summary: "Change a resident's unit, role, validity or groups",
    params: [residentArg],
    options: fieldOptions(false),
    examples: ["resident edit R00043 --until 2027-06-30", "resident edit R00043 --until none --role owner"],
    access: "operator", audit: true,
    run(ctx, args) {
      const patch = patchFrom(args);
      if (Object.keys(patch).length === 0) throw new OptgateError("E_MISSING_ARGUMENT", "Nothing to change; give at least one of --unit, --role, --from, --until, --groups.");
      const r = ctx.backend.residentEdit(ctx.actor, args.str("resident"), patch);
      return reply(r, residentLines(r, ctx.zone));
    },
  },
  {
    path: "resident suspend",
    summary: "Block all of a resident's credentials until resumed",
    params: [residentArg], options: [], examples: ["resident suspend R00042"], access: "operator", audit: true,
    run(ctx, args) {
      const r = ctx.backend.residentSuspend(ctx.actor, args.str("resident"), true);
      return reply(r, [`${r.id} suspended.`]);
    },
  },
  {
    path: "resident resume",
    summary: "Lift a suspension",
    params: [residentArg], options: [], examples: ["resident resume R00042"], access: "operator", audit: true,
    run(ctx, args) {
      const r = ctx.backend.residentSuspend(ctx.actor, args.str("resident"), false);
      return reply(r, [`${r.id} active again.`]);
    },
  },
  {
    path: "resident remove",
    summary: "Remove a resident, every credential and any face data (asks to confirm)",
    params: [residentArg], options: [], examples: ["resident remove R00042"], access: "operator", audit: true,
    run(ctx, args) {
      const id = args.str("resident");
      ctx.backend.residentShow(id); // refuse an unknown id before asking
      return ask(`Remove ${id} and erase all their credentials? Type the resident id to confirm: `, false, (answer) => {
        if (answer.trim() !== id) throw new OptgateError("E_NOT_CONFIRMED", "Not confirmed; nothing was removed.");
        const receipt = ctx.backend.residentRemove(ctx.actor, id);
        return reply(receipt, [`${id} removed. Receipt ${receipt.receipt}; erased: ${receipt.erased.join(", ") || "-"}.`]);
      });
    },
  },
];
