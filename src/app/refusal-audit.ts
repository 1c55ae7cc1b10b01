// Refused fleet messages into the security log, bounded (fleet-link.ts):
// anyone who can publish on the gate's topics can send garbage or replay
// captured messages, and one security record each would wear the flash and
// push unexported evidence out of the security log (audit-store.ts
// SECURITY_HELD). So REFUSALS_AUDITED_PER_HOUR are audited one by one each
// hour; past it they are counted, and the count is audited when the hour ends.
import type { AuditEntry } from "../core/audit/audit-record";

export const REFUSALS_AUDITED_PER_HOUR = 60;
const WINDOW_MS = 3600_000;

export class RefusalAudit {
  /** The current hour (monotonic start, -1 when none), refusals audited in it and those only counted. */
  #since = -1;
  #audited = 0;
  #unlogged = 0;

  constructor(private readonly o: { append(entry: AuditEntry): void; trustedNow(): number | undefined }) {}

  /** Audits a refused message, or only counts it once this hour's allowance is spent. */
  refused(entry: AuditEntry, now: number): void {
    if (this.#since < 0) this.#since = now;
    if (this.#audited < REFUSALS_AUDITED_PER_HOUR) {
      this.#audited++;
      this.o.append(entry);
    } else {
      this.#unlogged++;
    }
  }

  /** Ends the hour once it has passed (or at once: the link stopping), auditing the count. */
  tick(now: number, force = false): void {
    if (this.#since < 0 || (!force && now - this.#since < WINDOW_MS)) return;
    if (this.#unlogged > 0) {
      const time = this.o.trustedNow() ?? 0;
      this.o.append({ time, actorKind: "system", actor: 0, kind: "sync-refused", decision: "deny", reason: "bad-input", detail: `${this.#unlogged} more refused in the hour` });
    }
    this.#since = -1;
    this.#audited = this.#unlogged = 0;
  }
}
