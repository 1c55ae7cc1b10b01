// Face recognition is opt-in: consent, enrolment, deletion, the notice the
// resident reads first, and the subject report. Consent is never a side
// effect of another command; the resident confirms it at the keypad.
import { OptgateError } from "../../errors";
import type { ConsentView, NoticeView } from "../backend";
import { ask, reply, type Command } from "../command";
import { formatDate, T } from "../params";

const residentArg = { name: "resident", type: T.resident, doc: "resident id" };

function noticeLines(n: NoticeView): string[] {
  return [
    `notice v${n.version} (issued ${formatDate(n.issued)})`,
    `purpose:    ${n.purpose}`,
    `method:     ${n.method}`,
    `gates:      ${n.scope.join(", ")}`,
    `retention:  ${n.retentionDays} days, then the face template is erased`,
    "Face is optional: card and PIN keep working whatever you decide, and you can withdraw at any time.",
  ];
}

function consentLines(c: ConsentView): string[] {
  return [
    `resident:   ${c.resident}`,
    `consent:    ${c.state}`,
    `notice:     ${c.noticeVersion === null ? "-" : `v${c.noticeVersion}`}`,
    `witness:    ${c.witness ?? "-"}`,
    `granted:    ${formatDate(c.grantedAt)}`,
    `ended:      ${formatDate(c.endedAt)}`,
    `template:   ${c.templateHeld ? "held (encrypted)" : "none"}`,
  ];
}

export const faceCommands: Command[] = [
  {
    path: "consent show",
    summary: "Show a resident's face consent",
    params: [residentArg], options: [], examples: ["consent show R00042"], access: "technician", audit: false,
    run(ctx, args) {
      const c = ctx.backend.consentShow(args.str("resident"));
      return reply(c, consentLines(c));
    },
  },
  {
    path: "consent grant",
    summary: "Record face consent: shows the notice, then the resident confirms with their own PIN",
    params: [residentArg], options: [], examples: ["consent grant R00042"], access: "technician", audit: true,
    run(ctx, args) {
      const id = args.str("resident");
      ctx.backend.residentShow(id);
      const notice = ctx.backend.noticeShow(undefined);
      return ask([...noticeLines(notice), `Has ${id} read this notice and asked for face access? Type yes: `].join("\r\n"), false, (answer) => {
        if (answer.trim() !== "yes") throw new OptgateError("E_NOT_CONFIRMED", "Not confirmed; no consent was recorded.");
        return ask(`${id}: type your own PIN to confirm (hidden): `, true, (pin) => {
          const c = ctx.backend.consentGrant(ctx.actor, id, pin);
          return reply(c, [`Consent recorded to notice v${c.noticeVersion}, witnessed by ${ctx.actor}. Next: face enrol ${id}`]);
        });
      });
    },
  },
  {
    path: "consent withdraw",
    summary: "Withdraw face consent: the template and its key are erased at once (receipt)",
    params: [residentArg], options: [], examples: ["consent withdraw R00042"], access: "technician", audit: true,
    run(ctx, args) {
      const r = ctx.backend.consentWithdraw(ctx.actor, args.str("resident"));
      return reply(r, [`Consent withdrawn. Receipt ${r.receipt} at ${formatDate(r.at)}; erased: ${r.erased.join(", ") || "nothing was held"}.`]);
    },
  },
  {
    path: "face enrol",
    summary: "Capture the face at the gate camera now (needs active consent; camera on only meanwhile)",
    params: [residentArg], options: [], examples: ["face enrol R00042"], access: "technician", audit: true,
    run(ctx, args) {
      const id = args.str("resident");
      const c = ctx.backend.consentShow(id);
      if (c.state !== "active") throw new OptgateError("E_NO_CONSENT", `${id} has no active face consent; record it first with consent grant ${id}.`);
      return ask(`Ask ${id} to face the gate camera, then type go: `, false, (answer) => {
        if (answer.trim() !== "go") throw new OptgateError("E_NOT_CONFIRMED", "Not started; the camera stayed off.");
        const e = ctx.backend.faceEnrol(ctx.actor, id);
        return reply(e, [`${e.resident} enrolled under notice v${e.noticeVersion}; the frames are already erased.`]);
      });
    },
  },
  {
    path: "face delete",
    summary: "Erase a resident's face template but keep their consent record",
    params: [residentArg], options: [], examples: ["face delete R00042"], access: "technician", audit: true,
    run(ctx, args) {
      const r = ctx.backend.faceDelete(ctx.actor, args.str("resident"));
      return reply(r, [`Face template erased. Receipt ${r.receipt}; erased: ${r.erased.join(", ") || "nothing was held"}.`]);
    },
  },
  {
    path: "notice show",
    summary: "Show the face-recognition notice residents read before consenting",
    params: [{ name: "version", type: T.int(1, 100_000), doc: "a past version (default: current)", optional: true }],
    options: [], examples: ["notice show", "notice show 1"], access: "technician", audit: false,
    run(ctx, args) {
      const n = ctx.backend.noticeShow(args.optNum("version"));
      return reply(n, noticeLines(n));
    },
  },
  {
    path: "notice set",
    summary: "Publish a new notice version (existing consents keep the version they saw)",
    params: [],
    options: [
      { name: "purpose", type: T.text(160), doc: "why faces are processed", required: true },
      { name: "method", type: T.text(160), doc: "how (on-device matching, encrypted templates)", required: true },
      { name: "scope", type: T.list(T.name, 16), doc: "which gates", required: true },
      { name: "retention", type: T.int(1, 3650), doc: "days a template is kept", required: true },
    ],
    examples: ["notice set --purpose \"Open the gate by face\" --method \"On-device matching; encrypted template\" --scope north,south --retention 365"],
    access: "technician", audit: true,
    run(ctx, args) {
      const n = ctx.backend.noticeSet(ctx.actor, { purpose: args.str("purpose"), method: args.str("method"), scope: args.list("scope"), retentionDays: args.num("retention") });
      return reply(n, noticeLines(n));
    },
  },
  {
    path: "report",
    summary: "Everything held about one resident (their subject report; no biometric bytes)",
    params: [residentArg], options: [], examples: ["report R00042", "report R00042 --json"], access: "technician", audit: false,
    run(ctx, args) {
      const report = ctx.backend.report(args.str("resident"));
      return reply(report, flatten(report, ""));
    },
  },
];

/** Plain "a.b: value" lines, so the report reads on any terminal. */
function flatten(value: unknown, prefix: string): string[] {
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) return [`${prefix || "(empty)"}: -`];
    return entries.flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [`${prefix}: ${String(value)}`];
}
