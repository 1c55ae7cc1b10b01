// The gate's audit trail: two chains, so a flood of access decisions can never
// push out what a gate must be accountable for.
//
//   access    card, PIN, code, face and exit decisions, bursts of refused cards
//             (high volume; the oldest go first when the ring is full)
//   security  everything else: door forced or held, technician actions,
//             consent and erasure, clock changes, damage, lockout alarms, the
//             chain's own breaks (low volume; on a gate the store keeps them
//             until they were exported, audit-store.ts)
//
// Each chain has its own sequence numbers and head; a record is shown as A<seq>
// or S<seq>. A technician's action is always a security record.
import type { AuditEntry, AuditKind, AuditRecord } from "./audit-record";
import { type AuditHead, type AuditJournal, AuditLog, type VerifyResult } from "./audit-log";
import type { AuditKey } from "./chain-key";

export type AuditLogName = "access" | "security";
export const AUDIT_LOG_NAMES: readonly AuditLogName[] = ["access", "security"];

const ACCESS_KINDS: readonly AuditKind[] = ["card", "pin", "code", "face", "exit", "unknown-cards", "throttled-entries", "camera-session"];

/** Which chain a record belongs to (a clock change is copied to the access chain too, see append). */
export function auditLogOf(entry: Pick<AuditEntry, "kind" | "actorKind">): AuditLogName {
  return ACCESS_KINDS.includes(entry.kind) && entry.actorKind !== "technician" ? "access" : "security";
}

/** The letter a chain's sequence numbers are shown with. */
export function logLetter(log: AuditLogName): string {
  return log === "access" ? "A" : "S";
}

export interface TrailRecord extends AuditRecord {
  log: AuditLogName;
}

export interface TrailVerify {
  ok: boolean;
  count: number;
  access: VerifyResult;
  security: VerifyResult;
}

export const DEFAULT_SECURITY_CAPACITY = 1024;

export class AuditTrail implements AuditJournal {
  readonly access: AuditLog;
  readonly security: AuditLog;
  /** Receives each record's bytes right after it is appended, with its chain. */
  onAppend?: (log: AuditLogName, record: Uint8Array) => void;

  constructor(options: { access?: AuditLog; security?: AuditLog; capacity?: number; securityCapacity?: number; key?: AuditKey } = {}) {
    this.access = options.access ?? new AuditLog({ capacity: options.capacity, key: options.key });
    this.security = options.security ?? new AuditLog({ capacity: options.securityCapacity ?? DEFAULT_SECURITY_CAPACITY, key: options.key });
    this.access.onAppend = (bytes) => this.onAppend?.("access", bytes);
    this.security.onAppend = (bytes) => this.onAppend?.("security", bytes);
  }

  log(name: AuditLogName): AuditLog {
    return name === "access" ? this.access : this.security;
  }

  /**
   * Appends to the entry's chain; returns its seq in that chain. A clock
   * change goes to both chains: each keeps its own clock watermark, and a
   * reboot restores each from its own records.
   */
  append(entry: AuditEntry): number {
    if (entry.kind === "clock-set" || entry.kind === "clock-confirmed") this.access.append(entry);
    return this.log(auditLogOf(entry)).append(entry);
  }

  /** The chain and seq the next record of this kind will get (a receipt shown before it is written). */
  nextSeq(entry: Pick<AuditEntry, "kind" | "actorKind">): { log: AuditLogName; seq: number } {
    const log = auditLogOf(entry);
    return { log, seq: this.log(log).head().seq + 1 };
  }

  /**
   * Both chains' records, oldest first by time; on a tie the access decision
   * first (what was decided comes before what followed from it). The access
   * chain's copies of clock changes are left out (the security record is the one).
   */
  entries(): TrailRecord[] {
    const a = this.access.entries().filter((e) => e.kind !== "clock-set" && e.kind !== "clock-confirmed");
    const s = this.security.entries();
    const out: TrailRecord[] = [];
    let i = 0, j = 0;
    while (i < a.length || j < s.length) {
      if (i < a.length && (j >= s.length || a[i].time <= s[j].time)) out.push({ ...a[i++], log: "access" });
      else out.push({ ...s[j++], log: "security" });
    }
    return out;
  }

  get size(): number { return this.access.size + this.security.size; }
  get byteLength(): number { return this.access.byteLength + this.security.byteLength; }

  /** Latest record time since the last clock change, over both chains. */
  get watermark(): number {
    return Math.max(this.access.watermark, this.security.watermark);
  }

  heads(): Record<AuditLogName, AuditHead> {
    return { access: this.access.head(), security: this.security.head() };
  }

  verify(): TrailVerify {
    const access = this.access.verify(), security = this.security.verify();
    return { ok: access.ok && security.ok, count: access.count + security.count, access, security };
  }

  distrustClock(): void {
    this.access.distrustClock();
    this.security.distrustClock();
  }
}
