// Cards, PINs and one-time visitor codes.
import { OptgateError } from "../../errors";
import type { PinKeyConsole, PinKeyView } from "../backend";
import { ask, reply, type Command, type CommandContext, type Outcome } from "../command";
import { formatUntil, T } from "../params";

const PIN = /^\d{4,12}$/;

export const credentialCommands: Command[] = [
  {
    path: "card add",
    summary: "Give a resident a card (UID as printed by the reader or diag reader)",
    params: [
      { name: "resident", type: T.resident, doc: "resident id" },
      { name: "uid", type: T.uid, doc: "card UID" },
    ],
    options: [], examples: ["card add R00042 04A1B2C3"], access: "operator", audit: true,
    run(ctx, args) {
      const r = ctx.backend.cardAdd(ctx.actor, args.str("resident"), args.str("uid"));
      return reply(r, [`Card ${args.str("uid")} added to ${r.id}; cards: ${r.cards.join(", ")}.`]);
    },
  },
  {
    path: "card remove",
    summary: "Withdraw a card (refused if it is the resident's last non-face credential)",
    params: [{ name: "uid", type: T.uid, doc: "card UID" }],
    options: [], examples: ["card remove 04A1B2C3"], access: "operator", audit: true,
    run(ctx, args) {
      const r = ctx.backend.cardRemove(ctx.actor, args.str("uid"));
      return reply(r, [`Card ${args.str("uid")} removed from ${r.id}.`], r.id);
    },
  },
  {
    path: "pin set",
    summary: "Set a resident's PIN; the resident types it, hidden, twice",
    params: [{ name: "resident", type: T.resident, doc: "resident id" }],
    options: [], examples: ["pin set R00042"], access: "operator", audit: true,
    run: (ctx, args) => {
      const id = args.str("resident");
      ctx.backend.residentShow(id); // refuse an unknown id before asking for a PIN
      return askNewPin(id, (pin) => {
        const r = ctx.backend.pinSet(ctx.actor, id, pin);
        return reply(r, [`PIN set for ${r.id}.`]);
      });
    },
  },
  {
    path: "pin reset",
    summary: "Clear a forgotten or exposed PIN (refused if it is their last card/PIN); then pin set",
    params: [{ name: "resident", type: T.resident, doc: "resident id" }],
    options: [], examples: ["pin reset R00042"], access: "operator", audit: true,
    run(ctx, args) {
      const r = ctx.backend.pinReset(ctx.actor, args.str("resident"));
      return reply(r, [`PIN cleared for ${r.id}. With the resident present: pin set ${r.id}`]);
    },
  },
  {
    path: "pin key",
    summary: "The compound PIN key: its fingerprint (never the key) and which key the PINs held were made under",
    params: [], options: [], examples: ["pin key", "pin key --json"], access: "auditor", audit: false,
    run: (ctx) => pinKeyReply(pinKey(ctx).show()),
  },
  {
    path: "pin key install",
    summary: "Install the compound PIN key, sealed to this gate by the provisioning CLI (optgate pin-key seal)",
    params: [{ name: "sealed", type: T.text(200), doc: "the sealed key, base64 (128 characters)" }],
    options: [], examples: ["pin key install T0dLMV...=="], access: "installer", audit: true,
    run: (ctx, args) => pinKeyReply(pinKey(ctx).install(ctx.actor, args.str("sealed")), "Compound PIN key installed: PINs set from now on open every gate of the compound that holds it."),
  },
  {
    path: "visitor issue",
    summary: "Issue a one-time visitor code for a resident's guest",
    params: [{ name: "host", type: T.resident, doc: "the resident who invites" }],
    options: [
      { name: "until", type: T.until, doc: "valid through (a day ends at 23:59:59 local; default +1d)" },
      { name: "uses", type: T.int(1, 20), doc: "how many entries (default 1)" },
    ],
    examples: ["visitor issue R00042", "visitor issue R00042 --until +2d --uses 2"], access: "operator", audit: true,
    run(ctx, args) {
      const v = ctx.backend.visitorIssue(ctx.actor, args.str("host"), args.optNum("until") ?? ctx.now + 86_400_000, args.optNum("uses") ?? 1);
      return reply(v, [`Visitor code ${v.code} for ${v.host}'s guest: type #${v.code}# at the keypad; ${v.uses} use(s) through ${formatUntil(v.validUntil, ctx.zone)}. It is shown only now.`]);
    },
  },
  {
    path: "visitor revoke",
    summary: "Cancel a visitor code before it is used up",
    params: [{ name: "code", type: T.text(12), doc: "the visitor code (digits)" }],
    options: [], examples: ["visitor revoke 73519046"], access: "operator", audit: true,
    run(ctx, args) {
      const v = ctx.backend.visitorRevoke(ctx.actor, args.str("code"));
      return reply(v, [`Visitor code revoked (host ${v.host}).`], v.host);
    },
  },
];

function pinKey(ctx: CommandContext): PinKeyConsole {
  if (!ctx.backend.pinKey) throw new OptgateError("E_UNSUPPORTED", "This gate keeps no compound PIN key.");
  return ctx.backend.pinKey;
}

function pinKeyReply(k: PinKeyView, done?: string) {
  return reply(k, [
    ...(done ? [done] : []),
    `compound PIN key: ${k.installed ? `${k.fingerprint ?? "?"} (key id ${k.keyId})` : "none (PINs are made under this gate's own key and open only here)"}`,
    `compound:         ${k.compound ?? "no hub set"}`,
    `PINs held:        ${k.pins.compound} under the compound key, ${k.pins.device} under this gate's own key${k.pins.other ? `, ${k.pins.other} under another key (they do not open here)` : ""}`,
    ...(k.damage ? [`DAMAGE:           ${k.damage}`] : []),
  ]);
}

/** Asks for a new PIN twice, hidden, so it never appears on screen, in the line or in the audit. */
export function askNewPin(whose: string, use: (pin: string) => Outcome): Outcome {
  return ask(`New PIN for ${whose} (4-12 digits, hidden): `, true, (first) => {
    if (!PIN.test(first)) throw new OptgateError("E_BAD_PIN", "A PIN is 4 to 12 digits; nothing was changed.");
    return ask("Repeat the PIN: ", true, (second) => {
      if (second !== first) throw new OptgateError("E_MISMATCH", "The two PINs differ; nothing was changed.");
      return use(first);
    });
  });
}
