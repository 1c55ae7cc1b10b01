// Session, help and whole-gate commands: help, version, login/logout, status,
// log, config, door, clock, diag.
import { OptgateError } from "../../errors";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../../version";
import { DIAG_TARGETS, type DiagTarget, type ThrottleView } from "../backend";
import { ask, reply, table, usageLine, type Command, type CommandContext, type Outcome } from "../command";
import { formatLocal } from "../../time/posix-tz";
import { describeType, formatDate, T } from "../params";
import { ROLES, type Role } from "../roles";
import { makeTechnician, type TechnicianRecord } from "../technicians";

export const systemCommands: Command[] = [
  {
    path: "help",
    summary: "List commands, or explain one: help <command>",
    params: [{ name: "command", type: T.text(64), doc: "a command or group, e.g. resident add", optional: true }],
    options: [],
    examples: ["help", "help resident", "help resident add"],
    access: "public",
    audit: false,
    variadic: true,
    run: (ctx, args) => help(ctx, args.optStr("command")),
  },
  {
    path: "version",
    summary: "Firmware name and version",
    params: [], options: [], examples: ["version"], access: "public", audit: false,
    run: () => reply({ name: FIRMWARE_NAME, version: FIRMWARE_VERSION }, [`${FIRMWARE_NAME} ${FIRMWARE_VERSION}`]),
  },
  {
    path: "login",
    summary: "Log in as a technician (the password is asked for, hidden)",
    params: [{ name: "technician", type: T.name, doc: "your technician id" }],
    options: [], examples: ["login tech1"], access: "public", audit: true,
    run(ctx, args) {
      const id = args.str("technician");
      // The password is asked for (hidden) even while locked: whatever is typed
      // next is taken as the password and refused, never run or echoed.
      return ask("Password: ", true, (password) => {
        ctx.session.login(id, password);
        return reply({ technician: id }, [`Logged in as ${id}. Type help for commands; you are logged out after ${Math.round(ctx.session.policy.idleMs / 60_000)} min without input.`]);
      });
    },
  },
  {
    path: "logout",
    summary: "End the technician session",
    params: [], options: [], examples: ["logout"], access: "auditor", audit: true,
    run(ctx) {
      ctx.session.logout();
      return reply({ technician: null }, ["Logged out."]);
    },
  },
  {
    path: "registry clear-damage",
    summary: "Trust a quarantined registry again as it now stands (after checking or re-importing residents and cards)",
    params: [], options: [], examples: ["registry clear-damage"], access: "installer", audit: true,
    run(ctx) {
      const { cleared } = ctx.backend.registryClearDamage();
      return reply({ cleared }, [cleared === null ? "The registry is not quarantined." : `Registry trusted again (was: ${cleared}).`]);
    },
  },
  {
    path: "damage clear",
    summary: "Acknowledge a noted damage (a replaced PIN key) once residents have set their PINs again",
    params: [], options: [], examples: ["damage clear"], access: "installer", audit: true,
    run(ctx) {
      if (!ctx.backend.damageClear) throw new OptgateError("E_UNSUPPORTED", "This gate keeps no damage notes.");
      const { cleared } = ctx.backend.damageClear();
      return reply({ cleared }, [cleared.length === 0 ? "No damage note to clear." : `Cleared: ${cleared.join("; ")}`]);
    },
  },
  {
    path: "install",
    summary: "Installation mode: create the first technician account (needs the exit button held at the gate)",
    params: [{ name: "technician", type: T.name, doc: "the new technician id" }],
    options: [], examples: ["install tech1"], access: "public", audit: true,
    run(ctx, args) {
      const { installStart, installConfirm } = ctx.backend;
      if (!installStart || !installConfirm) throw new OptgateError("E_UNSUPPORTED", "This gate has no installation mode.");
      const id = args.str("technician");
      const { holdSeconds, windowSeconds } = installStart.call(ctx.backend);
      return ask(`At the gate, hold the exit button for ${holdSeconds} s (within ${windowSeconds} s), then press Enter here: `, false, () => {
        installConfirm.call(ctx.backend);
        return newPassword(ctx, id, "installer", `Technician ${id} (installer) created; installation mode is now closed. Log in with login ${id}.`);
      });
    },
  },
  {
    path: "whoami",
    summary: "Show who is logged in",
    params: [], options: [], examples: ["whoami"], access: "auditor", audit: false,
    run: (ctx) => reply({ technician: ctx.actor }, [`Logged in as ${ctx.actor}.`]),
  },
  {
    path: "passwd",
    summary: "Change your own technician password",
    params: [], options: [], examples: ["passwd"], access: "auditor", audit: true,
    run: (ctx) => newPassword(ctx, ctx.actor, account(ctx, ctx.actor).role, "Your password was changed."),
  },
  {
    path: "tech add",
    summary: "Create a technician account with a role (its password is asked for, hidden)",
    params: [{ name: "technician", type: T.name, doc: "new technician id" }],
    options: [{ name: "role", type: T.oneOf(ROLES), doc: "installer, operator or auditor (default operator)" }],
    examples: ["tech add tech2", "tech add audit1 --role auditor"], access: "installer", audit: true,
    run(ctx, args) {
      const id = args.str("technician");
      const role = (args.optStr("role") ?? "operator") as Role;
      if (ctx.technicians.find(id)) throw new OptgateError("E_EXISTS", `Technician ${id} already exists; they can change their password with passwd.`);
      return newPassword(ctx, id, role, `Technician ${id} (${role}) created.`);
    },
  },
  {
    path: "tech remove",
    summary: "Delete a technician account (never the last installer, never your own)",
    params: [{ name: "technician", type: T.name, doc: "technician id" }],
    options: [], examples: ["tech remove tech2"], access: "installer", audit: true,
    run(ctx, args) {
      const id = args.str("technician");
      const gone = account(ctx, id);
      if (id === ctx.actor) throw new OptgateError("E_SELF", "You cannot remove the account you are logged in with; another installer can.");
      if (gone.role === "installer" && ctx.technicians.list().filter((t) => t.role === "installer").length <= 1) {
        throw new OptgateError("E_LAST_INSTALLER", `${id} is the last installer; add another installer first.`);
      }
      ctx.technicians.remove(id);
      return reply({ technician: id, removed: true }, [`Technician ${id} (${gone.role}) removed.`]);
    },
  },
  {
    path: "tech passwd",
    summary: "Set another technician's password (asked for, hidden), keeping their role",
    params: [{ name: "technician", type: T.name, doc: "technician id" }],
    options: [], examples: ["tech passwd tech2"], access: "installer", audit: true,
    run(ctx, args) {
      const id = args.str("technician");
      return newPassword(ctx, id, account(ctx, id).role, `Password of ${id} set.`);
    },
  },
  {
    path: "tech list",
    summary: "Technician accounts and their roles",
    params: [], options: [], examples: ["tech list"], access: "auditor", audit: false,
    run(ctx) {
      const all = ctx.technicians.list().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return reply(all, table(["technician", "role"], all.map((t) => [t.id, t.role])));
    },
  },
  {
    path: "status",
    summary: "Door, reader, keypad, camera power, store usage, clock, residents, consents and the face model",
    params: [], options: [], examples: ["status", "status --json"], access: "auditor", audit: false,
    run(ctx) {
      const s = ctx.backend.status();
      const pct = s.storeTotalBytes > 0 ? Math.round((100 * s.storeUsedBytes) / s.storeTotalBytes) : 0;
      return reply(s, [
        `door:        ${s.door}`,
        `reader:      ${s.reader}`,
        `keypad:      ${s.keypad}`,
        `camera:      ${s.cameraPowered ? "POWERED" : "off"}`,
        `store:       ${s.storeUsedBytes} of ${s.storeTotalBytes} bytes used (${pct}%)`,
        `clock:       ${formatLocal(s.clock, ctx.zone)} (${s.clockSource ?? "board"}, ${s.clockTrusted === false ? "UNTRUSTED" : "trusted"})`,
        ...(s.clockWhy ? [`clock why:   ${s.clockWhy}`] : []),
        ...(s.clockDriftMs !== undefined ? [`clock drift: ${(s.clockDriftMs / 1000).toFixed(1)} s against the RTC`] : []),
        `residents:   ${s.residents}`,
        `consenting:  ${s.consenting} (face opt-in)`,
        ...(s.faceModel ? [`face model:  ${s.faceModel}`] : []),
        ...(s.guessing ? [
          `guessing:    keypad ${throttleText(s.guessing.keypad)}; reader ${throttleText(s.guessing.reader)}`,
          ...(s.guessing.lastAlarm ? [`ALARM:       guessing at the ${s.guessing.lastAlarm.source}, last raised ${formatLocal(s.guessing.lastAlarm.at, ctx.zone)} (${s.guessing.alarms} alarm${s.guessing.alarms === 1 ? "" : "s"} since boot)`] : []),
        ] : []),
        ...(s.damage ?? []).map((line) => `DAMAGE:      ${line}`),
      ]);
    },
  },
  {
    path: "log show",
    summary: "Show the latest audit log entries (both chains: A = access, S = security)",
    params: [],
    options: [
      { name: "last", type: T.int(1, 200), doc: "how many entries (default 20)" },
      { name: "actor", type: T.name, doc: "only entries by this resident or technician" },
      { name: "log", type: T.oneOf(["access", "security"]), doc: "only one chain" },
    ],
    examples: ["log show", "log show --last 50", "log show --log security", "log show --actor R00042 --json"],
    access: "auditor", audit: false,
    run(ctx, args) {
      const log = args.optStr("log") as "access" | "security" | undefined;
      const entries = ctx.backend.logShow(args.optNum("last") ?? 20, args.optStr("actor"), log);
      if (entries.length === 0) return reply(entries, ["(no entries)"]);
      return reply(entries, table(["seq", "time", "actor", "event", "decision", "reason", "subject", "detail"],
        entries.map((e) => [`${e.log === "access" ? "A" : "S"}${e.seq}`, formatDate(e.time), e.actor, e.event, e.decision, e.reason, e.subject ?? "-", e.detail || "-"])));
    },
  },
  {
    path: "log verify",
    summary: "Check both audit chains (keyed), list every break and whether it was acknowledged",
    params: [], options: [], examples: ["log verify"], access: "auditor", audit: false,
    run(ctx) {
      const v = ctx.backend.logVerify();
      const lines = [
        `${v.ok ? "Audit log intact" : "AUDIT LOG BROKEN"}: access ${v.logs.access.entries} entries (head A${v.logs.access.head}), security ${v.logs.security.entries} entries (head S${v.logs.security.head}).`,
        ...v.breaks.map((b) => `${b.acknowledged ? "acknowledged" : "OPEN"} break at ${b.log === "access" ? "A" : "S"}${b.seq}: ${breakMeaning(b.problem)}`),
        ...(v.breaks.some((b) => !b.acknowledged) ? ["Records around a break stay readable (log show, log export); an installer acknowledges it with: log acknowledge <access|security> <seq>"] : []),
      ];
      return reply(v, lines);
    },
  },
  {
    path: "log acknowledge",
    summary: "Acknowledge a break in an audit chain after looking at it (it stays listed)",
    params: [
      { name: "log", type: T.oneOf(["access", "security"]), doc: "which chain" },
      { name: "seq", type: T.int(0, 2 ** 32 - 1), doc: "where the break is (log verify)" },
    ],
    options: [], examples: ["log acknowledge access 7"], access: "installer", audit: false, // the audit store records it itself
    run(ctx, args) {
      const b = ctx.backend.logAcknowledge(ctx.actor, args.str("log") as "access" | "security", args.num("seq"));
      return reply(b, [`Break at ${b.log === "access" ? "A" : "S"}${b.seq} (${b.problem}) acknowledged; recorded in the security log.`]);
    },
  },
  {
    path: "log export",
    summary: "Export one audit chain with its hashes and a signed head (for the optgate tool; use --json)",
    params: [],
    options: [
      { name: "log", type: T.oneOf(["access", "security"]), doc: "which chain (default access)" },
      { name: "from", type: T.int(0, 2 ** 31), doc: "first sequence number (default 0)" },
      { name: "limit", type: T.int(1, 100), doc: "entries per page (default 20)" },
    ],
    examples: ["log export --from 0 --limit 20 --json", "log export --log security --json"], access: "auditor", audit: false,
    run(ctx, args) {
      const page = ctx.backend.logExport((args.optStr("log") ?? "access") as "access" | "security", args.optNum("from") ?? 0, args.optNum("limit") ?? 20);
      return reply(page, [
        `log ${page.log}`,
        `anchor ${page.anchor.seq} ${page.anchor.hash}`,
        `head ${page.head.seq} ${page.head.hash}`,
        ...page.records,
        ...(page.signed ? [`signed gate ${page.signed.gateId} digest ${page.signed.digest} time ${page.signed.time}`, `signature ${page.signed.signature}`, `key ${page.signed.publicKey}`] : []),
        page.next === null ? "(end of log)" : `(more: log export --log ${page.log} --from ${page.next})`,
      ]);
    },
  },
  {
    path: "config get",
    summary: "Show settings (all, or one key)",
    params: [{ name: "key", type: T.name, doc: "setting name", optional: true }],
    options: [], examples: ["config get", "config get pin.length"], access: "auditor", audit: false,
    run(ctx, args) {
      const entries = ctx.backend.configGet(args.optStr("key"));
      return reply(entries, table(["key", "value", "meaning"], entries.map((e) => [e.key, String(e.value), e.doc])));
    },
  },
  {
    path: "config set",
    summary: "Change a setting (validated; see config get for keys)",
    params: [
      { name: "key", type: T.name, doc: "setting name" },
      { name: "value", type: T.text(64), doc: "new value" },
    ],
    options: [], examples: ["config set pin.length 6", "config set gate.modes card,pin"], access: "installer", audit: true,
    run(ctx, args) {
      const e = ctx.backend.configSet(ctx.actor, args.str("key"), args.str("value"));
      return reply(e, [`${e.key} = ${String(e.value)}`]);
    },
  },
  {
    path: "door open",
    summary: "Release the strike by hand",
    params: [],
    options: [{ name: "seconds", type: T.int(1, 30), doc: "how long (default 5)" }],
    examples: ["door open", "door open --seconds 10"], access: "operator", audit: true,
    run(ctx, args) {
      const r = ctx.backend.doorOpen(ctx.actor, args.optNum("seconds") ?? 5);
      return reply(r, [`Door released for ${r.seconds} s.`]);
    },
  },
  {
    path: "clock set",
    summary: "Set the gate's clock (local time unless a zone or Z is given)",
    params: [{ name: "time", type: T.date, doc: "new time, e.g. 2026-11-25T08:30 (local) or 2026-11-25T00:30Z" }],
    options: [], examples: ["clock set 2026-11-25T08:30"], access: "installer", audit: true,
    run(ctx, args) {
      const time = args.num("time");
      const set = (): Outcome => {
        const r = ctx.backend.clockSet(ctx.actor, time);
        return reply(r, [`Clock was ${formatLocal(r.before, ctx.zone)}, now ${formatLocal(r.after, ctx.zone)}.`]);
      };
      // A jump of more than a day (a typo: 2099) would expire renters and lapse consents: asked first.
      const jump = ctx.backend.clockJump(time);
      if (!jump) return set();
      const days = Math.round(Math.abs(jump.ms) / 86_400_000);
      return ask(`The clock would jump ${days} day(s) ${jump.ms > 0 ? "ahead" : "back"}, from ${formatLocal(jump.from, ctx.zone)} to ${formatLocal(time, ctx.zone)}. Type yes to set it: `, false, (answer) => {
        if (answer.trim().toLowerCase() !== "yes") throw new OptgateError("E_NOT_CONFIRMED", "Clock not changed.");
        return set();
      });
    },
  },
  {
    path: "clock confirm",
    summary: "Confirm the gate's time after it jumped by itself (retention sweeps are held until then)",
    params: [], options: [], examples: ["clock confirm"], access: "installer", audit: true,
    run(ctx) {
      const r = ctx.backend.clockConfirm(ctx.actor);
      return reply(r, [r.held ? `Time confirmed; retention sweeps run again (held: ${r.held}).` : "Time confirmed; nothing was held."]);
    },
  },
  {
    path: "diag",
    summary: "Self-tests: reader, keypad, relay, store, or all",
    params: [{ name: "target", type: T.oneOf(DIAG_TARGETS), doc: "what to test (default all)", optional: true }],
    options: [], examples: ["diag", "diag reader"], access: "installer", audit: false,
    run(ctx, args) {
      const results = ctx.backend.diag((args.optStr("target") ?? "all") as DiagTarget);
      return reply(results, results.map((r) => `${r.ok ? "PASS" : "FAIL"}  ${r.test}: ${r.detail}`));
    },
  },
];

function account(ctx: CommandContext, id: string): TechnicianRecord {
  const found = ctx.technicians.find(id);
  if (!found) throw new OptgateError("E_NOT_FOUND", `No technician ${id}; see tech list.`);
  return found;
}

function newPassword(ctx: CommandContext, id: string, role: Role, done: string): Outcome {
  return ask("New password: ", true, (first) => {
    const record = makeTechnician(ctx.deviceKey, ctx.random, id, first, role); // checks the length first
    return ask("Repeat password: ", true, (second) => {
      if (second !== first) throw new OptgateError("E_MISMATCH", "The two passwords differ; nothing was changed.");
      ctx.technicians.save(record);
      return reply({ technician: id }, [done]);
    });
  });
}

function help(ctx: CommandContext, topic: string | undefined): Outcome {
  const visible = ctx.commands;
  if (topic === undefined) {
    const lines = [
      `${FIRMWARE_NAME} console. Type: help <command> for details and examples.`,
      ctx.session.technician ? "" : "Log in first (login <technician-id>); until then only help, version and login work.",
      "Quote arguments with spaces: \"like this\". Add --json to any command for machine-readable output.",
      "",
      ...table(["command", "what it does"], visible.map((c) => [c.path, c.summary])),
    ];
    return reply(visible.map((c) => ({ command: c.path, summary: c.summary, access: c.access })), lines.filter((l, i) => l !== "" || i > 1));
  }
  const words = topic.trim().split(/\s+/).join(" ");
  const exact = visible.find((c) => c.path === words);
  if (exact) return reply(describe(exact), usage(exact));
  const group = visible.filter((c) => c.path.startsWith(`${words} `));
  if (group.length > 0) {
    return reply(group.map(describe), [...table([`${words} commands`, ""], group.map((c) => [c.path, c.summary])), "", `Details: help ${group[0].path}`]);
  }
  throw new OptgateError("E_UNKNOWN_COMMAND", `There is no command "${words.slice(0, 40)}"; type help for the list.`);
}

function describe(c: Command): Record<string, unknown> {
  return {
    command: c.path, summary: c.summary, access: c.access, audited: c.audit, examples: c.examples,
    params: c.params.map((p) => ({ name: p.name, type: describeType(p.type), doc: p.doc, required: !p.optional })),
    options: c.options.map((o) => ({ name: `--${o.name}`, type: describeType(o.type), doc: o.doc, required: o.required === true })),
  };
}

function usage(c: Command): string[] {
  const lines = [`usage: ${usageLine(c)}`, `  ${c.summary}`];
  if (c.access !== "public") lines.push(`  needs login as ${c.access === "auditor" ? "any technician" : `an ${c.access}`}${c.access === "operator" ? " or installer" : ""}${c.audit ? "; recorded in the audit log" : ""}`);
  for (const p of c.params) lines.push(`  ${p.name}: ${p.doc}${p.optional ? " (optional)" : ""}`, `      ${describeType(p.type)}`);
  for (const o of c.options) lines.push(`  --${o.name}: ${o.doc}${o.required ? " (required)" : ""}`, `      ${describeType(o.type)}`);
  lines.push("  --json: print the result as one line of JSON");
  if (c.examples.length > 0) lines.push("examples:", ...c.examples.map((e) => `  ${e}`));
  return lines;
}

function throttleText(t: ThrottleView): string {
  return t.engaged ? `THROTTLED (wait ${Math.ceil(t.waitMs / 1000)} s, ${t.score} failures counted)` : `${t.score} recent failures`;
}

function breakMeaning(problem: string): string {
  switch (problem) {
    case "link": return "a record was changed, removed or re-linked (link does not hold)";
    case "seq": return "a sequence number is missing or out of order (records removed or reordered)";
    case "malformed": return "a record is unreadable";
    case "truncated": return "the newest records were cut off (the committed head is further)";
    default: return "the chain does not end at its committed head";
  }
}
