// The subject report (`report <resident>`, PIPL art. 45 / GDPR art. 15): what
// the gate holds about one resident, described without a secret. Split from
// console-backend.ts.
import { formatResidentId, type ResidentId } from "../core/access/types";
import { formatWindow } from "../core/console/params";
import { toHex } from "../core/crypto";
import { subjectReport } from "../core/face/subject-report";
import type { TimeZone } from "../core/time/posix-tz";
import type { GateCore } from "./core";

export function residentReport(core: GateCore, n: ResidentId, zone: TimeZone, now: number): Record<string, unknown> {
  const registry = core.registry;
  return subjectReport(formatResidentId(n), {
    ledger: core.ledger, gallery: core.gallery, notices: core.notices,
    credentials: {
      credentialsOf: () => {
        const v = registry.get(n);
        if (!v) return [];
        const active = v.status === "active";
        // Card UIDs shortened to their last two bytes: enough to recognise, not to clone.
        const cards = registry.cardsOf(n).map((uid) => ({ type: "card", label: `...${toHex(uid.subarray(uid.length - 2)).toUpperCase()}`, active }));
        return [...cards, ...(v.hasPin ? [{ type: "pin", label: pinLabel(v.pinQuality), active }] : []), ...(v.codes ? [{ type: "code", label: `${v.codes} one-time`, active }] : [])];
      },
    },
    decisions: {
      recentDecisions: (_id, limit) => core.audit.entries()
        .filter((e) => e.actorKind === "resident" && e.actor === n && e.decision !== "info")
        .slice(-limit)
        .map((e) => ({ at: e.time, gateId: core.gateName, mode: e.kind, granted: e.decision === "grant", reason: e.reason })),
    },
    validityOf: () => {
      const v = registry.get(n);
      return v ? formatWindow(v.validFrom ?? null, v.validUntil ?? null, zone) : "-";
    },
  }, now) as unknown as Record<string, unknown>;
}

/** The PIN as the subject report and resident show describe it: never the PIN, only what is known of its strength. */
export function pinLabel(quality: string | undefined): string {
  switch (quality) {
    case "short": return "set, SHORTER than the gate's rule (set before it): change it with pin set";
    case "weak": return "set, EASY TO GUESS (set before the rules): change it with pin set";
    case "ok": return "set";
    default: return "set (strength checked when next typed)";
  }
}
