// Append-only audit log, HMAC-chained under the gate's audit key, in a bounded ring.
//
//   const log = new AuditLog({ capacity: 1024, key });
//   log.onAppend = (recordBytes) => store.append(recordBytes);   // persistence hook
//   log.append({ time, actorKind: "resident", actor: 42, kind: "card", decision: "grant", reason: "granted" });
//   log.verify(expectedHead?)   // → every break: where and what kind
//   AuditLog.restore({ anchor, records, key })   // rebuild from persisted bytes, breaks and all
//
// When the ring is full the oldest record is dropped and becomes the anchor
// (its seq and chain hash), so the retained records still verify: the first
// must follow the anchor. Edits, drops and reorders break a link or the seq
// run, and nobody without the key can re-link; cutting records off the end is
// only visible against a head (seq + hash) remembered elsewhere (the store's
// committed head, NVS, a host tool's kept signed head), which verify() takes.
//
// A broken chain is evidence, not garbage: restore keeps every record, and new
// records continue after the newest one (or after a newer committed head), so
// sequence numbers are never reused and the break stays where it was found.
//
// The log also keeps the clock watermark the access core uses to notice a
// clock that jumped back: the latest record time since the last clock change.
import { OptgateError } from "../errors";
import { constantTimeEqual } from "../crypto";
import {
  type AuditEntry, type AuditKind, type AuditRecord, HASH_BYTES, MAX_RECORD_BYTES, PREV_HASH_OFFSET, checkEntry, decodeRecord, encodeRecordInto,
} from "./audit-record";
import { type AuditKey, UNKEYED } from "./chain-key";

export interface AuditAnchor {
  /** seq of the last dropped record (0 before any record). */
  seq: number;
  /** Its chain hash (zeros before any record). */
  hash: Uint8Array;
  /** Clock watermark when it was dropped (-Infinity when none). */
  watermark: number;
}

export interface AuditHead {
  seq: number;
  hash: Uint8Array;
}

export type BreakProblem = "malformed" | "seq" | "link" | "head" | "truncated";

export interface AuditBreak {
  /** The record where the chain stops holding (for "truncated": the newest seq the head promised). */
  seq: number;
  problem: BreakProblem;
}

export type VerifyResult =
  | { ok: true; count: number; breaks: [] }
  | { ok: false; count: number; breaks: AuditBreak[]; seq: number; problem: BreakProblem };

/** The log an audit journal's users need: write, read back, the clock watermark. */
export interface AuditJournal {
  append(entry: AuditEntry): number;
  entries(): AuditRecord[];
  readonly watermark: number;
}

export const ANCHOR_BYTES = 4 + HASH_BYTES + 8;
export const DEFAULT_AUDIT_CAPACITY = 1024;

/** Kinds after which the clock watermark starts again (the technician set the time). */
const CLOCK_KINDS: readonly AuditKind[] = ["clock-set", "clock-confirmed"];

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
 * Checks that `records` (oldest first) continue the chain from `anchor` under
 * `key` and, when given, end exactly at `expectedHead`. Reports every break:
 * after one it carries on from the record that broke, so a later one shows too.
 */
export function verifyChain(key: AuditKey, anchor: AuditAnchor, records: Uint8Array[], expectedHead?: AuditHead): VerifyResult {
  const breaks: AuditBreak[] = [];
  let seq = anchor.seq;
  let hash = anchor.hash;
  for (const bytes of records) {
    let record: AuditRecord | undefined;
    try {
      record = decodeRecord(bytes);
    } catch {
      record = undefined;
    }
    if (!record) {
      breaks.push({ seq: seq + 1, problem: "malformed" });
      seq++;
    } else {
      if (record.seq !== seq + 1) breaks.push({ seq: record.seq, problem: "seq" });
      else if (!constantTimeEqual(record.prevHash, hash)) breaks.push({ seq: record.seq, problem: "link" });
      seq = record.seq;
    }
    hash = key.mac(bytes);
  }
  if (expectedHead) {
    if (expectedHead.seq > seq) breaks.push({ seq: expectedHead.seq, problem: "truncated" });
    else if (expectedHead.seq !== seq || !constantTimeEqual(expectedHead.hash, hash)) breaks.push({ seq, problem: "head" });
  }
  if (!breaks.length) return { ok: true, count: records.length, breaks: [] };
  return { ok: false, count: records.length, breaks, seq: breaks[0].seq, problem: breaks[0].problem };
}

export class AuditLog implements AuditJournal {
  /** Receives each record's bytes right after it is appended. */
  onAppend?: (record: Uint8Array) => void;

  readonly capacity: number;
  readonly #key: AuditKey;
  readonly #ring: Uint8Array;
  readonly #lengths: Uint8Array;
  #start = 0;
  #count = 0;
  #anchor: AuditAnchor;
  #headSeq: number;
  #headHash: Uint8Array;
  #watermark: number;

  constructor(options: { capacity?: number; anchor?: AuditAnchor; key?: AuditKey } = {}) {
    const capacity = options.capacity ?? DEFAULT_AUDIT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 2) throw new OptgateError("E_BAD_AUDIT_CAPACITY", "The audit log needs room for at least 2 records.");
    this.capacity = capacity;
    this.#key = options.key ?? UNKEYED;
    this.#ring = new Uint8Array(capacity * MAX_RECORD_BYTES);
    this.#lengths = new Uint8Array(capacity);
    const anchor = options.anchor ?? genesisAnchor();
    this.#anchor = { seq: anchor.seq, hash: anchor.hash.slice(), watermark: anchor.watermark };
    this.#headSeq = anchor.seq;
    this.#headHash = anchor.hash.slice();
    this.#watermark = anchor.watermark;
  }

  get size(): number { return this.#count; }
  get byteLength(): number { return this.#ring.byteLength + this.#lengths.byteLength; }

  /** Latest record time since the last clock change (-Infinity when none): a clock behind it went back. */
  get watermark(): number { return this.#watermark; }

  /** seq and chain hash of the newest record: remember it elsewhere to detect truncation. */
  head(): AuditHead {
    return { seq: this.#headSeq, hash: this.#headHash.slice() };
  }

  anchor(): AuditAnchor {
    return { seq: this.#anchor.seq, hash: this.#anchor.hash.slice(), watermark: this.#anchor.watermark };
  }

  /** The chain hash of some record bytes under this log's key. */
  mac(record: Uint8Array): Uint8Array {
    return this.#key.mac(record);
  }

  /** Appends one record and returns its seq. Throws E_BAD_AUDIT_RECORD (nothing written) on a bad entry. */
  append(entry: AuditEntry): number {
    checkEntry(entry);
    if (this.#count === this.capacity) this.#dropOldest();
    const slot = (this.#start + this.#count) % this.capacity;
    const seq = this.#headSeq + 1;
    const length = encodeRecordInto(this.#ring, slot * MAX_RECORD_BYTES, seq, entry, this.#headHash);
    this.#lengths[slot] = length;
    this.#count++;
    const bytes = this.#ring.subarray(slot * MAX_RECORD_BYTES, slot * MAX_RECORD_BYTES + length);
    this.#headSeq = seq;
    this.#headHash = this.#key.mac(bytes);
    this.#watermark = CLOCK_KINDS.includes(entry.kind) ? entry.time : Math.max(this.#watermark, entry.time);
    this.onAppend?.(bytes.slice());
    return seq;
  }

  /** Copies of the retained records, oldest first. */
  records(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.#count; i++) out.push(this.#view(i).slice());
    return out;
  }

  /** Decoded records, oldest first (a malformed one kept as evidence is left out). */
  entries(): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (let i = 0; i < this.#count; i++) {
      try {
        out.push(decodeRecord(this.#view(i)));
      } catch {
        // evidence of damage: verify() reports it
      }
    }
    return out;
  }

  verify(expectedHead?: AuditHead): VerifyResult {
    const views: Uint8Array[] = [];
    for (let i = 0; i < this.#count; i++) views.push(this.#view(i));
    return verifyChain(this.#key, this.#anchor, views, expectedHead ?? this.head());
  }

  /**
   * A newer head known elsewhere (the store's committed head, an NVS mark):
   * the next record follows it, so its number is never reused and a cut-off
   * end stays visible as a gap.
   */
  continueAfter(head: AuditHead): void {
    if (head.seq <= this.#headSeq) return;
    this.#headSeq = head.seq;
    this.#headHash = head.hash.slice();
  }

  /** After a break the records' times prove nothing: the clock is untrusted until set. */
  distrustClock(): void {
    this.#watermark = Infinity;
  }

  /**
   * Rebuilds a log from persisted records (oldest first) and the anchor they
   * follow, keeping every record, breaks included (verify() shows them); only
   * the newest `capacity` stay, moving the anchor forward.
   */
  static restore(options: { anchor: AuditAnchor; records: Uint8Array[]; capacity?: number; key?: AuditKey }): AuditLog {
    const log = new AuditLog({ capacity: options.capacity, anchor: options.anchor, key: options.key });
    for (const bytes of options.records) log.#adopt(bytes);
    return log;
  }

  #adopt(bytes: Uint8Array): void {
    if (bytes.length > MAX_RECORD_BYTES) bytes = bytes.subarray(0, MAX_RECORD_BYTES);
    let record: AuditRecord | undefined;
    try {
      record = decodeRecord(bytes);
    } catch {
      record = undefined;
    }
    if (this.#count === this.capacity) this.#dropOldest();
    const slot = (this.#start + this.#count) % this.capacity;
    this.#ring.set(bytes, slot * MAX_RECORD_BYTES);
    this.#lengths[slot] = bytes.length;
    this.#count++;
    // The highest number seen, even out of order: the next record never reuses one.
    this.#headSeq = record ? Math.max(record.seq, this.#headSeq) : this.#headSeq + 1;
    this.#headHash = this.#key.mac(bytes);
    if (record) this.#watermark = CLOCK_KINDS.includes(record.kind) ? record.time : Math.max(this.#watermark, record.time);
  }

  #view(i: number): Uint8Array {
    const slot = (this.#start + i) % this.capacity;
    return this.#ring.subarray(slot * MAX_RECORD_BYTES, slot * MAX_RECORD_BYTES + this.#lengths[slot]);
  }

  #dropOldest(): void {
    let record: AuditRecord | undefined;
    try {
      record = decodeRecord(this.#view(0));
    } catch {
      record = undefined;
    }
    // The next record already carries the dropped one's chain hash (a full ring holds two at least).
    const hash = this.#view(1).slice(PREV_HASH_OFFSET, PREV_HASH_OFFSET + HASH_BYTES);
    this.#anchor = {
      seq: record ? record.seq : this.#anchor.seq + 1,
      hash,
      watermark: record ? (CLOCK_KINDS.includes(record.kind) ? record.time : Math.max(this.#anchor.watermark, record.time)) : this.#anchor.watermark,
    };
    this.#start = (this.#start + 1) % this.capacity;
    this.#count--;
  }
}
