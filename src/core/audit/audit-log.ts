// Append-only, hash-chained audit log in a bounded ring.
//
//   const log = new AuditLog({ capacity: 1024 });
//   log.onAppend = (recordBytes) => store.append(recordBytes);   // persistence hook
//   log.append({ time, actorKind: "resident", actor: 42, kind: "card", decision: "grant", reason: "granted" });
//   log.append({ time, actorKind: "technician", actor: t, kind: "card-added", decision: "info", reason: "info", subject: 42 });
//   log.verify(expectedHead?)   // → { ok: true } or where and how the chain broke
//   AuditLog.restore({ anchor, records })   // rebuild from persisted bytes, verified first
//
// When the ring is full the oldest record is dropped and becomes the anchor
// (its seq and chain hash), so the retained records still verify: the first
// must follow the anchor. Edits, drops and reorders break a link or the seq
// run; cutting records off the end is only visible against a head (seq + hash)
// remembered elsewhere, which verify() takes as `expectedHead`.
//
// The log also keeps the clock watermark the access core uses to notice a
// clock that jumped back: the latest record time since the last "clock-set".
import { OptgateError } from "../errors";
import { toHex } from "../crypto";
import {
  type AuditEntry, type AuditRecord, HASH_BYTES, PREV_HASH_OFFSET, RECORD_BYTES, checkEntry, decodeRecord, encodeRecordInto, recordHash,
} from "./audit-record";

export interface AuditAnchor {
  /** seq of the last dropped record (0 before any record). */
  seq: number;
  /** Its chain hash (zeros before any record). */
  hash: Uint8Array;
  /** Clock watermark when it was dropped (-Infinity when none). */
  watermark: number;
}

export type VerifyResult =
  | { ok: true; count: number }
  | { ok: false; seq: number; problem: "malformed" | "seq" | "link" | "head" };

export const ANCHOR_BYTES = 4 + HASH_BYTES + 8;
export const DEFAULT_AUDIT_CAPACITY = 1024;

export function genesisAnchor(): AuditAnchor {
  return { seq: 0, hash: new Uint8Array(HASH_BYTES), watermark: -Infinity };
}

export function encodeAnchor(anchor: AuditAnchor): Uint8Array {
  const out = new Uint8Array(ANCHOR_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, anchor.seq);
  out.set(anchor.hash, 4);
  view.setFloat64(4 + HASH_BYTES, anchor.watermark);
  return out;
}

export function decodeAnchor(bytes: Uint8Array): AuditAnchor {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ANCHOR_BYTES) throw new OptgateError("E_BAD_AUDIT_ANCHOR", `An audit anchor is ${ANCHOR_BYTES} bytes.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, ANCHOR_BYTES);
  return { seq: view.getUint32(0), hash: bytes.slice(4, 4 + HASH_BYTES), watermark: view.getFloat64(4 + HASH_BYTES) };
}

/**
 * Checks that `records` (oldest first) continue the chain from `anchor`
 * without a gap, and, when given, end exactly at `expectedHead`.
 */
export function verifyChain(anchor: AuditAnchor, records: Uint8Array[], expectedHead?: { seq: number; hash: Uint8Array }): VerifyResult {
  let seq = anchor.seq;
  let hash = anchor.hash;
  for (const bytes of records) {
    let record: AuditRecord;
    try {
      record = decodeRecord(bytes);
    } catch {
      return { ok: false, seq: seq + 1, problem: "malformed" };
    }
    if (record.seq !== seq + 1) return { ok: false, seq: seq + 1, problem: "seq" };
    if (!sameHash(record.prevHash, hash)) return { ok: false, seq: record.seq, problem: "link" };
    seq = record.seq;
    hash = recordHash(bytes);
  }
  if (expectedHead && (expectedHead.seq !== seq || !sameHash(expectedHead.hash, hash))) return { ok: false, seq, problem: "head" };
  return { ok: true, count: records.length };
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && toHex(a) === toHex(b);
}

export class AuditLog {
  /** Receives each record's bytes right after it is appended. */
  onAppend?: (record: Uint8Array) => void;

  readonly capacity: number;
  readonly #ring: Uint8Array;
  #start = 0;
  #count = 0;
  #anchor: AuditAnchor;
  #headSeq: number;
  #headHash: Uint8Array;
  #watermark: number;

  constructor(options: { capacity?: number; anchor?: AuditAnchor } = {}) {
    const capacity = options.capacity ?? DEFAULT_AUDIT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 2) throw new OptgateError("E_BAD_AUDIT_CAPACITY", "The audit log needs room for at least 2 records.");
    this.capacity = capacity;
    this.#ring = new Uint8Array(capacity * RECORD_BYTES);
    const anchor = options.anchor ?? genesisAnchor();
    this.#anchor = { seq: anchor.seq, hash: anchor.hash.slice(), watermark: anchor.watermark };
    this.#headSeq = anchor.seq;
    this.#headHash = anchor.hash.slice();
    this.#watermark = anchor.watermark;
  }

  get size(): number { return this.#count; }
  get byteLength(): number { return this.#ring.byteLength; }

  /** Latest record time since the last clock-set (-Infinity when none): a clock behind it went back. */
  get watermark(): number { return this.#watermark; }

  /** seq and chain hash of the newest record: remember it elsewhere to detect truncation. */
  head(): { seq: number; hash: Uint8Array } {
    return { seq: this.#headSeq, hash: this.#headHash.slice() };
  }

  anchor(): AuditAnchor {
    return { seq: this.#anchor.seq, hash: this.#anchor.hash.slice(), watermark: this.#anchor.watermark };
  }

  /** Appends one record and returns its seq. Throws E_BAD_AUDIT_RECORD (nothing written) on a bad entry. */
  append(entry: AuditEntry): number {
    checkEntry(entry);
    if (this.#count === this.capacity) this.#dropOldest();
    const slot = (this.#start + this.#count) % this.capacity;
    const seq = this.#headSeq + 1;
    encodeRecordInto(this.#ring, slot * RECORD_BYTES, seq, entry, this.#headHash);
    this.#count++;
    const bytes = this.#ring.subarray(slot * RECORD_BYTES, (slot + 1) * RECORD_BYTES);
    this.#headSeq = seq;
    this.#headHash = recordHash(bytes);
    this.#watermark = entry.kind === "clock-set" ? entry.time : Math.max(this.#watermark, entry.time);
    this.onAppend?.(bytes.slice());
    return seq;
  }

  /** Copies of the retained records, oldest first. */
  records(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.#count; i++) out.push(this.#view(i).slice());
    return out;
  }

  /** Decoded records, oldest first. */
  entries(): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (let i = 0; i < this.#count; i++) out.push(decodeRecord(this.#view(i)));
    return out;
  }

  verify(expectedHead?: { seq: number; hash: Uint8Array }): VerifyResult {
    const views: Uint8Array[] = [];
    for (let i = 0; i < this.#count; i++) views.push(this.#view(i));
    const result = verifyChain(this.#anchor, views, expectedHead);
    // The head this log believes in must also match what it holds.
    if (result.ok && !expectedHead) return verifyChain(this.#anchor, views, { seq: this.#headSeq, hash: this.#headHash });
    return result;
  }

  /**
   * Rebuilds a log from persisted records (oldest first) and the anchor they
   * follow. Refuses (E_AUDIT_CHAIN_BROKEN) anything that does not verify;
   * keeps only the newest `capacity` records, moving the anchor forward.
   */
  static restore(options: { anchor: AuditAnchor; records: Uint8Array[]; capacity?: number; expectedHead?: { seq: number; hash: Uint8Array } }): AuditLog {
    const result = verifyChain(options.anchor, options.records, options.expectedHead);
    if (!result.ok) throw new OptgateError("E_AUDIT_CHAIN_BROKEN", `The audit chain breaks at record ${result.seq} (${result.problem}); keep the store for inspection.`);
    const log = new AuditLog({ capacity: options.capacity, anchor: options.anchor });
    for (const bytes of options.records) log.#adopt(bytes);
    return log;
  }

  #adopt(bytes: Uint8Array): void {
    const record = decodeRecord(bytes);
    if (this.#count === this.capacity) this.#dropOldest();
    const slot = (this.#start + this.#count) % this.capacity;
    this.#ring.set(bytes, slot * RECORD_BYTES);
    this.#count++;
    this.#headSeq = record.seq;
    this.#headHash = recordHash(bytes);
    this.#watermark = record.kind === "clock-set" ? record.time : Math.max(this.#watermark, record.time);
  }

  #view(i: number): Uint8Array {
    const slot = (this.#start + i) % this.capacity;
    return this.#ring.subarray(slot * RECORD_BYTES, (slot + 1) * RECORD_BYTES);
  }

  #dropOldest(): void {
    const record = decodeRecord(this.#view(0));
    // The next record already carries the dropped one's chain hash; the head's when none is left.
    const hash = this.#count > 1 ? this.#view(1).slice(PREV_HASH_OFFSET, PREV_HASH_OFFSET + HASH_BYTES) : this.#headHash.slice();
    this.#anchor = {
      seq: record.seq,
      hash,
      watermark: record.kind === "clock-set" ? record.time : Math.max(this.#anchor.watermark, record.time),
    };
    this.#start = (this.#start + 1) % this.capacity;
    this.#count--;
  }
}
