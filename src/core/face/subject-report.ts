// Everything the board holds about one resident, for the resident: credential
// types (without secrets), consent history with the notice texts agreed to,
// face enrolment facts and recent decisions. Built only from plain fields, so
// no template byte, key, PIN or PIN hash can be in it.
import type { ConsentLedger } from "./consent-ledger";
import type { FaceGallery } from "./face-gallery";
import type { NoticeBoard } from "./notices";
import type { CredentialSource, DecisionSource, DecisionSummary } from "./ports";

export interface SubjectReport {
  residentId: string;
  generatedAt: number;
  credentials: { type: string; label: string; active: boolean }[];
  /** The resident's validity window as the gate enforces it, in the gate's own words. */
  validity: string;
  face: { enrolled: boolean; enrolledAt?: number; lastUsedAt?: number; noticeVersion?: number; consentActive: boolean };
  consent: {
    event: string; at: number; channel: string; noticeVersion: number; pinConfirmed: boolean; actorId: string;
    notice: { purpose: string; method: string; gates: string[]; retentionDays: number };
  }[];
  decisions: DecisionSummary[];
}

export interface SubjectReportSources {
  ledger: ConsentLedger;
  gallery: FaceGallery;
  notices: NoticeBoard;
  credentials: CredentialSource;
  decisions: DecisionSource;
  /** The validity window as enforced ("until 2026-06-30 23:59:59 +08:00", "permanent …"). */
  validityOf(residentId: string): string;
  /** How many recent decisions to include. */
  decisionLimit?: number;
}

export function subjectReport(residentId: string, sources: SubjectReportSources, now: number): SubjectReport {
  const { ledger, gallery, notices } = sources;
  const entry = gallery.entry(residentId);
  return {
    residentId,
    generatedAt: now,
    // Copy named string/boolean fields only: whatever else a source object carries stays out.
    credentials: sources.credentials.credentialsOf(residentId).map((c) => ({ type: String(c.type), label: String(c.label), active: c.active === true })),
    validity: String(sources.validityOf(residentId)),
    face: entry
      ? { enrolled: true, enrolledAt: entry.enrolledAt, lastUsedAt: entry.lastUsedAt, noticeVersion: entry.noticeVersion, consentActive: ledger.isActive(residentId) }
      : { enrolled: false, consentActive: ledger.isActive(residentId) },
    consent: ledger.history(residentId).map((r) => {
      const n = notices.get(r.noticeVersion);
      return {
        event: r.event, at: r.at, channel: r.channel, noticeVersion: r.noticeVersion, pinConfirmed: r.pinConfirmed, actorId: r.actorId,
        notice: { purpose: n.purpose, method: n.method, gates: [...n.gates], retentionDays: n.retentionDays },
      };
    }),
    decisions: sources.decisions.recentDecisions(residentId, sources.decisionLimit ?? 20).map((d) => ({
      at: Number(d.at), gateId: String(d.gateId), mode: String(d.mode), granted: d.granted === true, reason: String(d.reason),
    })),
  };
}

/** Console / printout form, one fact per line. */
export function renderSubjectReport(report: SubjectReport): string[] {
  const lines = [`subject report for ${report.residentId} at ${report.generatedAt}`];
  for (const c of report.credentials) lines.push(`credential ${c.type}: ${c.label}${c.active ? "" : " (inactive)"}`);
  lines.push(`valid: ${report.validity}`);
  lines.push(report.face.enrolled
    ? `face: enrolled at ${report.face.enrolledAt} under notice v${report.face.noticeVersion}, last used ${report.face.lastUsedAt}`
    : "face: no template held");
  for (const r of report.consent) {
    lines.push(`consent ${r.event} at ${r.at} via ${r.channel}, notice v${r.noticeVersion} (${r.notice.purpose}; gates ${r.notice.gates.join(",")}; ${r.notice.retentionDays} days)${r.pinConfirmed ? ", PIN-confirmed" : ""}${r.actorId ? `, by ${r.actorId}` : ""}`);
  }
  for (const d of report.decisions) lines.push(`decision at ${d.at} gate ${d.gateId} ${d.mode}: ${d.granted ? "granted" : "refused"} (${d.reason})`);
  return lines;
}
