// The gate's side of fleet sync: decides whether a message from the hub may
// change anything, and says what to answer. Pure: no IO, no clock of its own
// (the caller passes its time, or undefined while the clock is untrusted).
//
//   const sync = new GateSync({ gateId, hubKeys: [hubPublicKey], sign: signer.sign.bind(signer), applied });
//   const out = sync.handleChangeSet(bytes, now, { apply: (changes, full, version) => ... });
//   publish(ackTopic, out.ack); if (out.audit) audit.append(out.audit);
//
// A change set is applied only if it is well-formed, addressed to this gate,
// signed by a provisioned hub key, fresh (when the clock is trusted) and
// exactly the next version (version = applied + 1 on base = applied), or a
// full resync to a newer version. Everything else is refused with a reason,
// answered with an ack that says which version the gate holds (so the hub
// resends from there) and returned as an audit entry: replays, duplicates,
// reordering, forgeries and stale sets never change the registry.
// The apply step (SyncTarget) must be all-or-nothing, and must persist the
// changes and the new version together (one store group) before it returns.
import type { AuditEntry } from "../audit/audit-record";
import { constantTimeEqual } from "../crypto";
import type { Ed25519Verify } from "../ed25519";
import { isOptgateError, OptgateError } from "../errors";
import {
  NONCE_BYTES, decodeMessage, encodeAck, encodeTimeRequest, keyIdOf, verifySigned,
  type ChangeSet, type Received, type Refusal, type Sign, type TimeGrant,
} from "./messages";

/** A change set older than this (by its issue time) is stale, when the gate's clock is trusted. */
export const DEFAULT_MAX_AGE_MS = 24 * 3600_000;
/** How far ahead of the gate's clock a message may claim to be. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;
/** How long a time request stays answerable (monotonic ms). */
export const DEFAULT_TIME_WINDOW_MS = 10_000;

export interface GateSyncOptions {
  gateId: number;
  /** Hub public keys provisioned on this gate (32 bytes each; several during a key rotation). */
  hubKeys: Uint8Array[];
  /** Signs this gate's acks (the gate's Ed25519 key). */
  sign: Sign;
  /** The version the gate holds (persisted with the registry). */
  applied?: number;
  maxAgeMs?: number;
  maxSkewMs?: number;
  timeWindowMs?: number;
  /** The signature check: the portable one (the board's) unless a host gate passes a native one. */
  verify?: Ed25519Verify;
}

/** Applies a verified set all or nothing (changes and version persisted together); throws to refuse it. */
export interface SyncTarget {
  apply(changes: Uint8Array[], full: boolean, version: number): void;
}

export interface SyncOutcome {
  /** What to publish on the gate's ack topic; absent while a multi-part resync is still arriving. */
  ack?: Uint8Array;
  /** What to append to the security audit log; absent for a staged part. */
  audit?: AuditEntry;
  /** The version now applied, when this message applied one. */
  applied?: number;
  refused?: Refusal;
}

export type TimeOutcome =
  | { ok: true; time: number; audit: AuditEntry }
  | { ok: false; refused: Refusal; audit: AuditEntry };

interface Staged {
  version: number;
  parts: number;
  issuedAt: number;
  next: number;
  changes: Uint8Array[];
}

/** A refusal: its reason and the version it was about are all the ack and the audit entry carry. */
class Refused extends Error {
  /** `why`: the apply step's error code, for the audit record only (a sealed code that does not open, say). */
  constructor(readonly reason: Refusal, readonly version = 0, readonly why = "") { super(reason); }
}

export class GateSync {
  readonly gateId: number;
  readonly #keys: { id: Uint8Array; key: Uint8Array }[];
  readonly #sign: Sign;
  readonly #verify: Ed25519Verify | undefined;
  readonly #maxAge: number;
  readonly #maxSkew: number;
  readonly #timeWindow: number;
  #applied: number;
  #staged: Staged | undefined;
  #timeRequest: { nonce: Uint8Array; at: number } | undefined;

  constructor(options: GateSyncOptions) {
    if (!Number.isInteger(options.gateId) || options.gateId < 0 || options.gateId > 0xffffffff) throw new OptgateError("E_SYNC_BAD_GATE", "A gate id is a 32-bit number.");
    if (!Array.isArray(options.hubKeys) || options.hubKeys.length === 0) throw new OptgateError("E_SYNC_NO_HUB_KEY", "Sync needs at least one provisioned hub public key.");
    for (const key of options.hubKeys) if (!(key instanceof Uint8Array) || key.length !== 32) throw new OptgateError("E_SYNC_NO_HUB_KEY", "A hub public key is 32 bytes.");
    const applied = options.applied ?? 0;
    if (!Number.isInteger(applied) || applied < 0 || applied > 0xffffffff) throw new OptgateError("E_SYNC_BAD_VERSION", "The applied version is a 32-bit number.");
    this.gateId = options.gateId;
    this.#keys = options.hubKeys.map((key) => ({ id: keyIdOf(key), key: key.slice() }));
    this.#sign = options.sign;
    this.#verify = options.verify;
    this.#maxAge = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#maxSkew = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    this.#timeWindow = options.timeWindowMs ?? DEFAULT_TIME_WINDOW_MS;
    this.#applied = applied;
  }

  get applied(): number { return this.#applied; }

  /** The ack a gate publishes (retained) when it connects: the version it holds. */
  statusAck(now: number | undefined): Uint8Array {
    return encodeAck({ gateId: this.gateId, applied: this.#applied, status: "status", about: this.#applied, reason: "none", time: ackTime(now) }, this.#sign);
  }

  handleChangeSet(bytes: Uint8Array, now: number | undefined, target: SyncTarget): SyncOutcome {
    let set: ChangeSet, ready: { changes: Uint8Array[] } | undefined;
    try {
      set = this.#verified(bytes, "change-set", now) as ChangeSet;
      this.#checkVersion(set);
      ready = this.#stage(set);
    } catch (error) {
      return this.#refusal(error, now);
    }
    if (!ready) return {};
    try {
      target.apply(ready.changes, set.full, set.version);
    } catch (error) {
      if (!isOptgateError(error)) throw error;
      const reason: Refusal = error.code === "E_SYNC_NEEDS_RESYNC" ? "needs-resync" : "apply-failed";
      return this.#refusal(new Refused(reason, set.version, error.code), now);
    }
    this.#applied = set.version;
    const detail = `v${set.version}${set.full ? " full" : ""} ${ready.changes.length} change(s)`;
    return {
      ack: encodeAck({ gateId: this.gateId, applied: set.version, status: "applied", about: set.version, reason: "none", time: ackTime(now) }, this.#sign),
      audit: auditEntry(now, "sync-applied", "info", detail),
      applied: set.version,
    };
  }

  /** A time request with a fresh nonce (from the caller's Random); only the newest request is answerable. */
  requestTime(nonce: Uint8Array, monotonicNow: number, gateTime: number | undefined): Uint8Array {
    if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_BYTES) throw new OptgateError("E_SYNC_BAD_VALUE", `A time nonce is ${NONCE_BYTES} random bytes.`);
    this.#timeRequest = { nonce: nonce.slice(), at: monotonicNow };
    return encodeTimeRequest({ gateId: this.gateId, nonce, gateTime: ackTime(gateTime) });
  }

  /**
   * Accepts the hub's signed time only as the answer to this gate's newest
   * request, within the window, once: an old grant replayed later, or one for
   * another gate, is refused. Returns the time to set (the caller's clock
   * rules, e.g. the audit watermark, still apply).
   */
  handleTimeGrant(bytes: Uint8Array, monotonicNow: number, now: number | undefined): TimeOutcome {
    let grant: TimeGrant, sentAt: number;
    try {
      grant = this.#verified(bytes, "time", undefined) as TimeGrant;
      const pending = this.#timeRequest;
      if (!pending || !constantTimeEqual(pending.nonce, grant.nonce)) throw new Refused("unexpected-time");
      if (monotonicNow - pending.at > this.#timeWindow || monotonicNow < pending.at) throw new Refused("stale");
      sentAt = pending.at;
    } catch (error) {
      const refusal = toRefused(error);
      return { ok: false, refused: refusal.reason, audit: auditEntry(now, "sync-refused", "deny", `time: ${refusal.reason}`) };
    }
    const elapsed = monotonicNow - sentAt;
    this.#timeRequest = undefined;
    // Half the round trip: the hub's clock read is somewhere in between.
    const time = grant.time + Math.floor(elapsed / 2);
    return { ok: true, time, audit: auditEntry(time, "clock-synced", "info", `hub time, round trip ${elapsed} ms`) };
  }

  #verified(bytes: Uint8Array, type: "change-set" | "time", now: number | undefined): ChangeSet | TimeGrant {
    let received: Received;
    try {
      received = decodeMessage(bytes);
    } catch (error) {
      if (isOptgateError(error)) throw new Refused("malformed");
      throw error;
    }
    const m = received.message;
    if (m.type !== type) throw new Refused("malformed");
    const version = m.type === "change-set" ? m.version : 0;
    if (m.gateId !== this.gateId) throw new Refused("wrong-gate", version);
    const entry = this.#keys.find((k) => constantTimeEqual(k.id, m.keyId));
    if (!entry) throw new Refused("unknown-key", version);
    if (!verifySigned(received, entry.key, this.#verify)) throw new Refused("bad-signature", version);
    if (m.type === "change-set" && now !== undefined) {
      if (m.issuedAt > now + this.#maxSkew) throw new Refused("from-future", version);
      if (m.issuedAt < now - this.#maxAge) throw new Refused("stale", version);
    }
    return m;
  }

  #checkVersion(set: ChangeSet): void {
    if (set.version <= this.#applied) throw new Refused("replay", set.version);
    if (!set.full && set.version !== this.#applied + 1) throw new Refused("gap", set.version);
  }

  /** The complete set once every part is in (incremental sets are complete at once), else undefined. */
  #stage(set: ChangeSet): { changes: Uint8Array[] } | undefined {
    if (set.parts === 1) {
      this.#staged = undefined;
      return { changes: set.changes };
    }
    const s = this.#staged;
    // QoS 1 delivers at least once: a part of this resync already staged, delivered again, changes nothing.
    if (s && s.version === set.version && s.parts === set.parts && s.issuedAt === set.issuedAt && set.part < s.next) return undefined;
    if (set.part === 0) {
      this.#staged = { version: set.version, parts: set.parts, issuedAt: set.issuedAt, next: 1, changes: set.changes.slice() };
      return undefined;
    }
    if (!s || s.version !== set.version || s.parts !== set.parts || s.issuedAt !== set.issuedAt || s.next !== set.part) {
      this.#staged = undefined;
      throw new Refused("bad-part", set.version);
    }
    for (const c of set.changes) s.changes.push(c);
    s.next++;
    if (s.next < s.parts) return undefined;
    this.#staged = undefined;
    return { changes: s.changes };
  }

  #refusal(error: unknown, now: number | undefined): SyncOutcome {
    const r = toRefused(error);
    return {
      ack: encodeAck({ gateId: this.gateId, applied: this.#applied, status: "refused", about: r.version, reason: r.reason, time: ackTime(now) }, this.#sign),
      audit: auditEntry(now, "sync-refused", "deny", `v${r.version} ${r.reason}${r.why ? ` ${r.why}` : ""}`),
      refused: r.reason,
    };
  }
}

function toRefused(error: unknown): Refused {
  if (error instanceof Refused) return error;
  throw error;
}

function ackTime(now: number | undefined): number {
  return now === undefined || !Number.isFinite(now) || now < 0 ? 0 : Math.floor(now);
}

function auditEntry(now: number | undefined, kind: "sync-applied" | "sync-refused" | "clock-synced", decision: "info" | "deny", detail: string): AuditEntry {
  return { time: ackTime(now), actorKind: "system", actor: 0, kind, decision, reason: decision === "deny" ? "bad-input" : "info", detail };
}
