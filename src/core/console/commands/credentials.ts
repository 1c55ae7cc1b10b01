// Cards, PINs and one-time visitor codes.
import { OptgateError } from "../../errors";
import { ask, reply, table, type Command, type CommandContext, type Outcome } from "../command";
import { formatDate, T } from "../params";

const PIN = /^\d{4,12}$/;

export const credentialCommands: Command[] = [
  {
    path: "card add",
    summary: "Give a resident a card (UID as printed by the reader or diag reader)",
    params: [
      { name: "resident", type: T.resident, doc: "resident id" },
      { name: "uid", type: T.uid, doc: "card UID" },
    ],
    options: [], examples: ["card add R-0042 04A1B2C3"], access: "technician", audit: true,
    run(ctx, args) {
      const r = ctx.backend.cardAdd(ctx.actor, args.str("resident"), args.str("uid"));
      return reply(r, [`Card ${args.str("uid")} added to ${r.id}; cards: ${r.cards.join(", ")}.`]);
    },
  },
  {
    path: "card remove",
    summary: "Withdraw a card (refused if it is the resident's last non-face credential)",
    params: [{ name: "uid", type: T.uid, doc: "card UID" }],
    options: [], examples: ["card remove 04A1B2C3"], access: "technician", audit: true,
    run(ctx, args) {
      const r = ctx.backend.cardRemove(ctx.actor, args.str("uid"));
      return reply(r, [`Card ${args.str("uid")} removed from ${r.id}.`]);
    },
  },
  {
    path: "pin set",
    summary: "Set a resident's PIN; the resident types it, hidden, twice",
    params: [{ name: "resident", type: T.resident, doc: "resident id" }],
    options: [], examples: ["pin set R-0042"], access: "technician", audit: true,
    run: (ctx, args) => {
      const id = args.str("resident");
      ctx.backend.residentShow(id); // refuse an unknown id before asking for a PIN
      return askPin(ctx, id);
    },
  },
  {
    path: "pin reset",
    summary: "Clear a resident's PIN and issue a one-time code to choose a new one at the keypad",
    params: [{ name: "resident", type: T.resident, doc: "resident id" }],
    options: [], examples: ["pin reset R-0042"], access: "technician", audit: true,
    run(ctx, args) {
      const r = ctx.backend.pinReset(ctx.actor, args.str("resident"));
      return reply(r, [`Reset code ${r.resetCode} (valid until ${formatDate(r.validUntil)}): the resident enters it at the keypad, then a new PIN.`]);
    },
  },
  {
    path: "visitor issue",
    summary: "Issue a one-time visitor code for a resident's guest",
    params: [{ name: "host", type: T.resident, doc: "the resident who invites" }],
    options: [
      { name: "until", type: T.date, doc: "expiry (default +1d)" },
      { name: "uses", type: T.int(1, 20), doc: "how many entries (default 1)" },
    ],
    examples: ["visitor issue R-0042", "visitor issue R-0042 --until +2d --uses 2"], access: "technician", audit: true,
    run(ctx, args) {
      const v = ctx.backend.visitorIssue(ctx.actor, args.str("host"), args.optNum("until") ?? ctx.now + 86_400_000, args.optNum("uses") ?? 1);
      return reply(v, [`Visitor code ${v.code} (id ${v.id}) for ${v.host}'s guest: ${v.usesLeft} use(s) until ${formatDate(v.validUntil)}. It is shown only now.`]);
    },
  },
  {
    path: "visitor revoke",
    summary: "Cancel a visitor code by its id",
    params: [{ name: "id", type: T.name, doc: "visitor code id (from visitor list)" }],
    options: [], examples: ["visitor revoke V-7"], access: "technician", audit: true,
    run(ctx, args) {
      const v = ctx.backend.visitorRevoke(ctx.actor, args.str("id"));
      return reply(v, [`Visitor code ${v.id} revoked.`]);
    },
  },
  {
    path: "visitor list",
    summary: "List live visitor codes (the codes themselves are not shown again)",
    params: [], options: [], examples: ["visitor list"], access: "technician", audit: false,
    run(ctx) {
      const list = ctx.backend.visitorList();
      if (list.length === 0) return reply(list, ["(no visitor codes)"]);
      return reply(list, table(["id", "host", "until", "uses left"], list.map((v) => [v.id, v.host, formatDate(v.validUntil), String(v.usesLeft)])));
    },
  },
];

function askPin(ctx: CommandContext, id: string): Outcome {
  return ask(`New PIN for ${id} (4-12 digits, hidden): `, true, (first) => {
    if (!PIN.test(first)) throw new OptgateError("E_BAD_PIN", "A PIN is 4 to 12 digits; nothing was changed.");
    return ask("Repeat the PIN: ", true, (second) => {
      if (second !== first) throw new OptgateError("E_MISMATCH", "The two PINs differ; nothing was changed.");
      const r = ctx.backend.pinSet(ctx.actor, id, first);
      return reply(r, [`PIN set for ${r.id}.`]);
    });
  });
}
