// Automatic deletion: a template older than the retention its notice promised
// is destroyed and that consent lapses (the promise covered that long and no
// longer); a template unused for the inactivity period is destroyed while
// consent stays, so the resident may enrol again. Both are audited.
import type { ConsentLedger } from "./consent-ledger";
import type { FaceGallery } from "./face-gallery";
import type { NoticeBoard } from "./notices";
import type { AuditSink } from "./ports";

export const DAY_MS = 86_400_000;

export interface RetentionOptions {
  ledger: ConsentLedger;
  gallery: FaceGallery;
  notices: NoticeBoard;
  audit: AuditSink;
  /** Days without a successful match after which a template is deleted; 0 turns the rule off. */
  inactivityDays: number;
}

export interface SweepOutcome {
  residentId: string;
  reason: "retention" | "inactivity" | "no-consent";
}

export class RetentionSweeper {
  #o: RetentionOptions;

  constructor(options: RetentionOptions) {
    this.#o = options;
  }

  /** Call from a periodic tick with the board's time. A clock that runs backwards deletes nothing. */
  sweep(now: number): SweepOutcome[] {
    const { ledger, gallery, notices, audit, inactivityDays } = this.#o;
    const done: SweepOutcome[] = [];
    for (const entry of gallery.entries()) {
      const { residentId } = entry;
      const retentionMs = notices.get(entry.noticeVersion).retentionDays * DAY_MS;
      let reason: SweepOutcome["reason"] | undefined;
      if (!ledger.isActive(residentId)) reason = "no-consent";
      else if (now - entry.enrolledAt >= retentionMs) reason = "retention";
      else if (inactivityDays > 0 && now - entry.lastUsedAt >= inactivityDays * DAY_MS) reason = "inactivity";
      if (!reason) continue;
      if (reason === "retention") ledger.lapse(residentId, now);
      gallery.remove(residentId);
      audit.append({ at: now, kind: reason === "inactivity" ? "face.inactive" : "face.expired", residentId, noticeVersion: entry.noticeVersion });
      done.push({ residentId, reason });
    }
    return done;
  }
}
