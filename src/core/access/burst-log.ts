// Floods of refusals (made-up card UIDs, entries typed while the keypad waits)
// are audited as one record per burst: the first few as themselves, the rest
// counted into "N between first and last" (actor = count, subject = span in
// seconds), so spam cannot push older records out of the log. A burst ends
// after a quiet minute and is written at least every ten minutes. What a power
// cut loses is the count of an open burst, never its first records.
import type { AuditJournal } from "../audit/audit-log";
import { MAX_SUBJECT } from "../audit/audit-record";

export type BurstKind = "unknown-cards" | "throttled-entries";

/** Records of a burst written one by one before counting starts. */
export const BURST_INDIVIDUAL = 10;
export const BURST_QUIET_MS = 60_000;
export const BURST_MAX_SPAN_MS = 10 * 60_000;

interface Burst {
  first: number;
  last: number;
  counted: number;
  individual: number;
}

export class BurstLog {
  readonly #audit: AuditJournal;
  readonly #open = new Map<BurstKind, Burst>();

  constructor(audit: AuditJournal) {
    this.#audit = audit;
  }

  /** Counts one refusal; false when it should be audited on its own (the start of a burst). */
  absorb(kind: BurstKind, time: number): boolean {
    this.flush(time, false);
    let burst = this.#open.get(kind);
    if (!burst) {
      burst = { first: time, last: time, counted: 0, individual: 0 };
      this.#open.set(kind, burst);
    }
    burst.last = time;
    if (burst.individual < BURST_INDIVIDUAL) {
      burst.individual++;
      return false;
    }
    if (burst.counted === 0) burst.first = time;
    burst.counted++;
    if (time - burst.first >= BURST_MAX_SPAN_MS) this.#write(kind, burst);
    return true;
  }

  /** Writes bursts that went quiet (all open ones with `all`). */
  flush(now: number, all: boolean): void {
    for (const [kind, burst] of this.#open) {
      if (!all && now - burst.last < BURST_QUIET_MS && now >= burst.last) continue;
      this.#write(kind, burst);
      this.#open.delete(kind);
    }
  }

  #write(kind: BurstKind, burst: Burst): void {
    if (burst.counted > 0) {
      this.#audit.append({
        time: burst.last, actorKind: "system", actor: Math.min(burst.counted, 0xffffffff), kind,
        decision: "deny", reason: kind === "unknown-cards" ? "unknown-card" : "locked-out",
        subject: Math.min(MAX_SUBJECT, Math.max(0, Math.round((burst.last - burst.first) / 1000))),
      });
    }
    burst.counted = 0;
  }
}
