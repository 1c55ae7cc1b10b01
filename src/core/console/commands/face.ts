// Face recognition is opt-in: consent, enrolment, deletion, the notice the
// resident reads first, and the subject report. Consent is never a side
// effect of another command: the technician arms a request after the resident
// read the notice, and only the resident's own PIN on the gate keypad records
// it. No resident PIN is ever typed into the technician's terminal.
import { OptgateError } from "../../errors";
import type { ConsentRequestView, ConsentView, NoticeView } from "../backend";
import { ask, reply, type Command } from "../command";
import { formatLocal, type TimeZone } from "../../time/posix-tz";
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

/** Seconds matter in a 2-minute window: "2026-11-25 09:02:00Z". */
function formatDeadline(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

function requestLines(r: ConsentRequestView): string[] {
  return [
    `At the gate keypad ${r.resident} types:  ${r.keys}   (4x4 keypad: ${r.keys4x4})`,
    `with their own PIN in place of <PIN>, before ${formatDeadline(r.expiresAt)}.`,
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
    `request:    ${c.pending ? `waiting for the keypad (notice v${c.pending.noticeVersion}, witness ${c.pending.witness}, keys ${c.pending.keys}, until ${formatDeadline(c.pending.expiresAt)})` : "-"}`,
  ];
}

export const faceCommands: Command[] = [
  {
    path: "consent show",
    summary: "Show a resident's face consent",
    params: [residentArg], options: [], examples: ["consent show R00042"], access: "auditor", audit: false,
    run(ctx, args) {
      const c = ctx.backend.consentShow(args.str("resident"));
      return reply(c, consentLines(c));
    },
  },
  {
    path: "consent grant",
    summary: "Ask for face consent: shows the notice; the resident then confirms on the gate keypad with their own PIN",
    params: [residentArg], options: [], examples: ["consent grant R00042"], access: "operator", audit: true,
    run(ctx, args) {
      const id = args.str("resident");
      ctx.backend.residentShow(id);
      const notice = ctx.backend.noticeShow(undefined);
      return ask([...noticeLines(notice), `Has ${id} read this notice and asked for face access? Type yes: `].join("\r\n"), false, (answer) => {
        if (answer.trim() !== "yes") throw new OptgateError("E_NOT_CONFIRMED", "Not confirmed; no consent request was made.");
        const r = ctx.backend.consentRequest(ctx.actor, id, notice.version);
        return reply(r, [
          `Consent request for ${r.resident} to notice v${r.noticeVersion}, witnessed by ${r.witness}. Nothing is recorded until ${r.resident} confirms.`,
          ...requestLines(r),
          `Check with: consent show ${r.resident}; then face enrol ${r.resident}. Cancel with: consent cancel ${r.resident}`,
        ]);
      });
    },
  },
  {
    path: "consent cancel",
    summary: "Cancel a consent request still waiting for the resident at the keypad",
    params: [residentArg], options: [], examples: ["consent cancel R00042"], access: "operator", audit: true,
    run(ctx, args) {
      const r = ctx.backend.consentCancel(ctx.actor, args.str("resident"));
      return reply(r, [`Consent request for ${r.resident} cancelled; nothing was recorded.`]);
    },
  },
  {
    path: "consent withdraw",
    summary: "Withdraw face consent: the template and its key are erased at once (receipt)",
    params: [residentArg], options: [], examples: ["consent withdraw R00042"], access: "operator", audit: true,
    run(ctx, args) {
      const r = ctx.backend.consentWithdraw(ctx.actor, args.str("resident"));
      return reply(r, [`Consent withdrawn. Receipt ${r.receipt} at ${formatDate(r.at)}; erased: ${r.erased.join(", ") || "nothing was held"}.`]);
    },
  },
  {
    path: "face enrol",
    summary: "Capture the face at the gate camera now (needs active consent; camera on only meanwhile)",
    params: [residentArg], options: [], examples: ["face enrol R00042"], access: "operator", audit: true,
    run(ctx, args) {
      const id = args.str("resident");
      const c = ctx.backend.consentShow(id);
      if (c.state !== "active") throw new OptgateError("E_NO_CONSENT", `${id} has no active face consent; ask for it with consent grant ${id}, then ${id} confirms at the gate keypad.`);
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
    params: [residentArg], options: [], examples: ["face delete R00042"], access: "operator", audit: true,
    run(ctx, args) {
      const r = ctx.backend.faceDelete(ctx.actor, args.str("resident"));
      return reply(r, [`Face template erased. Receipt ${r.receipt}; erased: ${r.erased.join(", ") || "nothing was held"}.`]);
    },
  },
  {
    path: "notice show",
    summary: "Show the face-recognition notice residents read before consenting",
    params: [{ name: "version", type: T.int(1, 100_000), doc: "a past version (default: current)", optional: true }],
    options: [], examples: ["notice show", "notice show 1"], access: "auditor", audit: false,
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
    access: "installer", audit: true,
    run(ctx, args) {
      const n = ctx.backend.noticeSet(ctx.actor, { purpose: args.str("purpose"), method: args.str("method"), scope: args.list("scope"), retentionDays: args.num("retention") });
      return reply(n, noticeLines(n));
    },
  },
  {
    path: "report",
    summary: "Everything held about one resident (their subject report; no biometric bytes)",
    params: [residentArg], options: [], examples: ["report R00042", "report R00042 --json"], access: "auditor", audit: false,
    run(ctx, args) {
      const report = ctx.backend.report(args.str("resident"));
      return reply(report, flatten(report, "", ctx.zone));
    },
  },
];

/** Report fields that hold a moment: printed on the gate's wall clock, not as milliseconds. */
const MOMENT_FIELDS = new Set(["at", "generatedAt", "enrolledAt", "lastUsedAt"]);

/** Plain "a.b: value" lines, so the report reads on any terminal. */
function flatten(value: unknown, prefix: string, zone: TimeZone): string[] {
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) return [`${prefix || "(empty)"}: -`];
    return entries.flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k, zone));
  }
  const field = prefix.slice(prefix.lastIndexOf(".") + 1);
  if (MOMENT_FIELDS.has(field) && typeof value === "number") return [`${prefix}: ${formatLocal(value, zone)}`];
  return [`${prefix}: ${String(value)}`];
}
