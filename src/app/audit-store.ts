// The audit trail on flash: two streams, a committed head, remembered breaks.
//
//   stream "audit"            access chain records (trimmed to a little more than the ring)
//   stream "audit/security"   security chain records (kept until exported, up to SECURITY_HELD)
//   "audit/anchor", "audit/security/anchor"   what each stream's oldest record follows
//   "audit/head"              both heads (seq, chain hash), MAC'd, committed with every append
//   "audit/breaks"            breaks found (chain, seq, kind) and whether acknowledged
//   "audit/exported"          the security seq a technician last exported up to
//
// Truncation shows on the gate itself: the committed head (same transaction as
// each record) and the NVS marks (outside the store) say how far each chain
// reached; records ending before that are a "truncated" break, and the next
// record continues after the promised head, never reusing a number. A break is
// evidence: the records stay readable and exportable, the break is audited once
// when found (a security record), shown as DAMAGE in status and reported by
// `log verify` until a technician acknowledges it (`log acknowledge`).
import { AuditLog, type AuditBreak, type AuditHead, type BreakProblem, decodeAnchor, encodeAnchor, genesisAnchor, verifyChain, type AuditAnchor } from "../core/audit/audit-log";
import { AUDIT_LOG_NAMES, AuditTrail, type AuditLogName, logLetter } from "../core/audit/audit-trail";
import { decodeRecord } from "../core/audit/audit-record";
import { AuditKey } from "../core/audit/chain-key";
import { anchorHead, recordsDigest, signHead, type SignedHead } from "../core/audit/head-signature";
import { constantTimeEqual, hmacSha256, utf8 } from "../core/crypto";
import { Ed25519Signer } from "../core/ed25519";
import { gateSealKeys, type SealKeyPair } from "../core/sync/gate-seal";
import { isOptgateError, OptgateError } from "../core/errors";
import type { Random } from "../core/ports";
import type { LogStore, StoreOp } from "../core/store/log-store";
import type { Watermarks } from "./watermarks";

const STREAM: Record<AuditLogName, string> = { access: "audit", security: "audit/security" };
const ANCHOR: Record<AuditLogName, string> = { access: "audit/anchor", security: "audit/security/anchor" };
const HEAD = "audit/head";
const BREAKS = "audit/breaks";
const EXPORTED = "audit/exported";
/** Present from a break's discovery until the clock is next set or confirmed: the clock stays untrusted across reboots. */
const DISTRUST = "audit/clock-distrusted";
export const AUDIT_SECRET = "device/audit-key";

/**
 * Records this boot appended, the newest per chain, kept in RAM beside their
 * stream index: the fleet link sends records soon after they are written, and
 * reading them back walks the whole store's log (33 M XS computrons a tick
 * at 20,000 residents while sets were applied, the fleet bench).
 */
export const RECENT_RECORDS = 32;

/** Access records kept on flash beyond the in-RAM ring before the oldest are trimmed. */
const ACCESS_SLACK = 256;
/** Security records kept on flash while not exported; past it the oldest go (a DAMAGE line says so). */
export const SECURITY_HELD = 4096;

export interface AuditKeys {
  chain: AuditKey;
  signer: Ed25519Signer;
  /** MACs the committed head. */
  headKey: Uint8Array;
  /** The gate's X25519 pair codes are sealed to at the hub: drawn from the signing secret under its own label (gate-seal.ts), on first use. */
  seal?: () => SealKeyPair;
}

/**
 * The audit keys: derived from the board's key root when it has one (the
 * ESP32-S3's HMAC peripheral over an eFuse key, a key file on the host), else
 * a random secret made once and kept sealed in the store.
 */
export function loadAuditKeys(store: LogStore, random: Random, derive?: (label: string) => Uint8Array): AuditKeys {
  let secret: Uint8Array;
  if (derive) {
    secret = new Uint8Array(64);
    secret.set(derive("audit-chain"), 0);
    secret.set(derive("audit-sign"), 32);
  } else {
    let held: Uint8Array | undefined;
    try {
      held = store.get(AUDIT_SECRET);
    } catch {
      held = undefined; // unreadable: a new secret; the chain then shows a break at the next boot's verify
    }
    if (held && held.length === 64) secret = held;
    else {
      secret = new Uint8Array(64);
      random.fill(secret);
      try {
        store.commit([{ put: AUDIT_SECRET, value: secret, sealed: true }]);
      } catch {
        // the flash refusing writes: this boot's records still chain in RAM
      }
    }
  }
  return {
    chain: new AuditKey(secret.subarray(0, 32)), signer: new Ed25519Signer(secret.subarray(32, 64)), headKey: hmacSha256(secret.subarray(0, 32), utf8("audit-head")),
    seal: once(() => gateSealKeys(secret.subarray(32, 64))),
  };
}

/** Computed at the first call (an X25519 public key is a ladder of BigInt steps: not at every boot). */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export interface StoredBreak extends AuditBreak {
  log: AuditLogName;
  acknowledged: boolean;
}

export interface AuditStoreOptions {
  store: LogStore;
  keys: AuditKeys;
  watermarks?: Watermarks;
  gateId: number;
  capacity?: number;
  securityCapacity?: number;
  now: number;
  onError?: (error: OptgateError) => void;
}

export class AuditStore {
  readonly trail: AuditTrail;
  /** Breaks found at this boot that were not known before. */
  readonly found: StoredBreak[] = [];
  /** Security records dropped unexported because SECURITY_HELD was reached (this boot). */
  droppedUnexported = 0;
  readonly #o: AuditStoreOptions;
  #breaks: StoredBreak[];
  /** Per chain: the stream index of `records[0]`, and the records up to the stream's end as committed. */
  readonly #recent: Record<AuditLogName, { start: number; records: Uint8Array[] }> = { access: { start: 0, records: [] }, security: { start: 0, records: [] } };

  constructor(o: AuditStoreOptions) {
    this.#o = o;
    const store = o.store;
    this.#breaks = this.#readBreaks();
    const committed = this.#readHead();
    const logs = {} as Record<AuditLogName, AuditLog>;
    for (const name of AUDIT_LOG_NAMES) {
      const records = this.readRecords(name);
      const anchor = this.#anchor(name);
      const capacity = name === "access" ? o.capacity : o.securityCapacity ?? o.capacity;
      // The promised head: the committed one (its hash must match); NVS may say the chain went further still.
      const head = committed?.[name];
      const breaks: AuditBreak[] = [...verifyChain(o.keys.chain, anchor, records, head && head.seq >= anchor.seq ? head : undefined).breaks];
      const log = AuditLog.restore({ anchor, records, capacity, key: o.keys.chain });
      if (head) log.continueAfter(head);
      const mark = o.watermarks?.auditMark(name);
      if (mark !== undefined && mark > log.head().seq) {
        if (!breaks.some((b) => b.problem === "truncated")) breaks.push({ seq: mark, problem: "truncated" });
        log.continueAfter({ seq: mark, hash: new Uint8Array(32) });
      }
      logs[name] = log;
      for (const b of breaks) {
        if (this.#breaks.some((k) => k.log === name && k.seq === b.seq && k.problem === b.problem)) continue;
        const fresh: StoredBreak = { log: name, seq: b.seq, problem: b.problem, acknowledged: false };
        this.#breaks.push(fresh);
        this.found.push(fresh);
      }
    }
    this.trail = new AuditTrail({ access: logs.access, security: logs.security });
    this.trail.onAppend = (name, bytes) => this.#persist(name, bytes);
    let distrusted = false;
    try {
      distrusted = store.has(DISTRUST);
    } catch {
      distrusted = true;
    }
    if (distrusted) this.trail.distrustClock();
    if (this.found.length) {
      this.trail.distrustClock();
      this.#try(() => store.commit([{ put: BREAKS, value: encodeBreaks(this.#breaks) }, { put: DISTRUST, value: new Uint8Array(1) }]));
      for (const b of this.found) {
        this.trail.append({ time: o.now, actorKind: "system", actor: 0, kind: "audit-break", decision: "info", reason: "info", detail: `${logLetter(b.log)}${b.seq} ${b.problem}` });
      }
    }
  }

  /** Breaks not yet acknowledged by a technician. */
  standing(): StoredBreak[] {
    return this.#breaks.filter((b) => !b.acknowledged);
  }

  breaks(): StoredBreak[] {
    return this.#breaks.map((b) => ({ ...b }));
  }

  /** A technician saw the break: it stays recorded, `log verify` no longer reports it as open. */
  acknowledge(log: AuditLogName, seq: number, technician: number, now: number): StoredBreak {
    const b = this.#breaks.find((k) => k.log === log && k.seq === seq && !k.acknowledged);
    if (!b) throw new OptgateError("E_NO_BREAK", `There is no open break at ${logLetter(log)}${seq}; log verify lists them.`);
    b.acknowledged = true;
    this.#try(() => this.#o.store.put(BREAKS, encodeBreaks(this.#breaks)));
    this.trail.append({ time: now, actorKind: "technician", actor: technician, kind: "audit-break-acknowledged", decision: "info", reason: "info", detail: `${logLetter(log)}${seq} ${b.problem}` });
    return { ...b };
  }

  /** Every record of a chain on flash (more than the ring holds for the security chain). */
  readRecords(name: AuditLogName): Uint8Array[] {
    const records: Uint8Array[] = [];
    try {
      this.#o.store.readStream(STREAM[name], 0, (_i, bytes) => records.push(bytes));
    } catch (error) {
      if (isOptgateError(error)) this.#o.onError?.(error);
    }
    return records;
  }

  /** The anchor a chain's stored records follow. */
  anchorOf(name: AuditLogName): AuditAnchor {
    return this.#anchor(name);
  }

  /** Signs the chain's current window (what `log export` hands out). */
  signedHead(name: AuditLogName, now: number): SignedHead {
    const records = this.readRecords(name);
    const anchor = this.#anchor(name);
    return signHead(this.#o.keys.signer, {
      gateId: this.#o.gateId, log: name, anchor: anchorHead(anchor), head: this.trail.log(name).head(), digest: recordsDigest(records), time: now,
    });
  }

  get publicKey(): Uint8Array {
    return this.#o.keys.signer.publicKey;
  }

  /** Whether the keys carry a seal key pair (without deriving it). */
  get hasSealKeys(): boolean {
    return this.#o.keys.seal !== undefined;
  }

  /** The gate's seal key pair (codes issued at the hub are sealed to its public half), if the keys carry one. */
  get sealKeys(): SealKeyPair | undefined {
    return this.#o.keys.seal?.();
  }

  /** Signs with the gate's key (its heads, and its fleet sync acks and receipts: one identity at the hub). */
  sign(bytes: Uint8Array): Uint8Array {
    return this.#o.keys.signer.sign(bytes);
  }

  /**
   * A chain's stored records from stream index `from` (clamped to what is
   * kept), at most `max` and `maxBytes` of them: the fleet link's audit
   * upload. `next` is the index after the last one returned, or the stream's
   * length when there is nothing from `from` on.
   */
  recordsFrom(name: AuditLogName, from: number, max: number, maxBytes: number): { records: Uint8Array[]; next: number } {
    const stream = STREAM[name], store = this.#o.store;
    const records: Uint8Array[] = [];
    let next = Math.max(from, store.streamStart(stream)), bytes = 0;
    // Nothing from `from` on: answered without readStream, which walks the whole store's index
    // (the fleet link asks every tick; at 5,000 residents that walk cost 38 M XS computrons).
    const length = store.streamLength(stream);
    if (from >= length) return { records, next: length };
    const recent = this.#recent[name];
    if (next >= recent.start && recent.start + recent.records.length === length) {
      for (let i = next - recent.start; i < recent.records.length; i++) {
        const record = recent.records[i];
        if (records.length >= max || bytes + record.length > maxBytes) break;
        records.push(record);
        bytes += record.length;
        next = recent.start + i + 1;
      }
      return { records, next };
    }
    try {
      store.readStream(stream, next, (index, record) => {
        if (records.length >= max || bytes + record.length > maxBytes) return;
        records.push(record);
        bytes += record.length;
        next = index + 1;
      });
    } catch (error) {
      if (isOptgateError(error)) this.#o.onError?.(error);
      else throw error;
    }
    return { records, next };
  }

  /** After a security export up to `seq`: records up to there may be trimmed when room is needed. */
  markExported(seq: number): void {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, seq);
    this.#try(() => this.#o.store.put(EXPORTED, bytes));
  }

  exportedUpTo(): number {
    try {
      const bytes = this.#o.store.get(EXPORTED);
      return bytes && bytes.length === 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) : 0;
    } catch {
      return 0;
    }
  }

  #persist(name: AuditLogName, bytes: Uint8Array): void {
    const store = this.#o.store;
    this.#try(() => {
      const ops: StoreOp[] = [{ append: STREAM[name], data: bytes }, { put: HEAD, value: this.#encodeHead() }];
      // A technician set or confirmed the time: the clock distrusted since a break is trusted again.
      if (name === "security" && clockChange(bytes) && store.has(DISTRUST)) ops.push({ delete: DISTRUST });
      const index = store.streamLength(STREAM[name]);
      store.commit(ops);
      this.#remember(name, index, bytes);
      this.#o.watermarks?.auditStored(name, this.trail.log(name).head().seq);
      this.#trim(name);
    });
  }

  /** Keeps a record just committed at `index`; a gap (the stream restarted, a write lost) starts afresh. */
  #remember(name: AuditLogName, index: number, bytes: Uint8Array): void {
    const recent = this.#recent[name];
    if (recent.start + recent.records.length !== index) {
      recent.start = index;
      recent.records.length = 0;
    }
    recent.records.push(bytes.slice());
    if (recent.records.length > RECENT_RECORDS) {
      recent.records.shift();
      recent.start++;
    }
  }

  #trim(name: AuditLogName): void {
    const store = this.#o.store;
    const stream = STREAM[name];
    const start = store.streamStart(stream);
    const length = store.streamLength(stream);
    const ring = this.trail.log(name).capacity;
    let keepFrom: number;
    if (name === "access") {
      if (length - start <= ring + ACCESS_SLACK) return;
      keepFrom = length - ring;
    } else {
      if (length - start <= SECURITY_HELD) return;
      keepFrom = start + Math.max(1, Math.floor(SECURITY_HELD / 8));
    }
    let last: Uint8Array | undefined;
    store.readStream(stream, keepFrom - 1, (index, bytes) => { if (index === keepFrom - 1) last = bytes; });
    if (!last) return;
    let seq: number, time: number;
    try {
      const record = decodeRecord(last);
      seq = record.seq;
      time = record.time;
    } catch {
      return; // a damaged record stays until a technician looked (log verify shows it)
    }
    if (name === "security" && seq > this.exportedUpTo()) this.droppedUnexported += keepFrom - start;
    const anchor: AuditAnchor = { seq, hash: this.#o.keys.chain.mac(last), watermark: time };
    const ops: StoreOp[] = [{ put: ANCHOR[name], value: encodeAnchor(anchor) }, { trim: stream, before: keepFrom }];
    store.commit(ops); // anchor and trim together: the kept records always follow the stored anchor
  }

  #anchor(name: AuditLogName): AuditAnchor {
    try {
      const bytes = this.#o.store.get(ANCHOR[name]);
      return bytes ? decodeAnchor(bytes) : genesisAnchor();
    } catch {
      return genesisAnchor(); // the first record then shows the break ("link" or "seq")
    }
  }

  #encodeHead(): Uint8Array {
    const out = new Uint8Array(2 * 36 + 32);
    const view = new DataView(out.buffer);
    AUDIT_LOG_NAMES.forEach((name, i) => {
      const h = this.trail.log(name).head();
      view.setUint32(i * 36, h.seq);
      out.set(h.hash, i * 36 + 4);
    });
    out.set(hmacSha256(this.#o.keys.headKey, out.subarray(0, 72)), 72);
    return out;
  }

  /** The committed head, if it is there and its MAC holds (a forged or damaged one is ignored: the NVS marks remain). */
  #readHead(): Record<AuditLogName, AuditHead> | undefined {
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.#o.store.get(HEAD);
    } catch {
      return undefined;
    }
    if (!bytes || bytes.length !== 104) return undefined;
    if (!constantTimeEqual(hmacSha256(this.#o.keys.headKey, bytes.subarray(0, 72)), bytes.subarray(72))) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, 104);
    return {
      access: { seq: view.getUint32(0), hash: bytes.slice(4, 36) },
      security: { seq: view.getUint32(36), hash: bytes.slice(40, 72) },
    };
  }

  #readBreaks(): StoredBreak[] {
    try {
      const bytes = this.#o.store.get(BREAKS);
      return bytes ? decodeBreaks(bytes) : [];
    } catch {
      return [];
    }
  }

  #try(write: () => void): void {
    try {
      write();
    } catch (error) {
      // A refused write loses that write, never the gate: the door decision was already made.
      if (isOptgateError(error)) this.#o.onError?.(error);
      else throw error;
    }
  }
}

function clockChange(bytes: Uint8Array): boolean {
  try {
    const kind = decodeRecord(bytes).kind;
    return kind === "clock-set" || kind === "clock-confirmed";
  } catch {
    return false;
  }
}

const PROBLEMS: readonly BreakProblem[] = ["malformed", "seq", "link", "head", "truncated"];

function encodeBreaks(breaks: StoredBreak[]): Uint8Array {
  const kept = breaks.slice(-256);
  const out = new Uint8Array(kept.length * 7);
  const view = new DataView(out.buffer);
  kept.forEach((b, i) => {
    out[i * 7] = b.log === "access" ? 0 : 1;
    view.setUint32(i * 7 + 1, b.seq);
    out[i * 7 + 5] = PROBLEMS.indexOf(b.problem);
    out[i * 7 + 6] = b.acknowledged ? 1 : 0;
  });
  return out;
}

function decodeBreaks(bytes: Uint8Array): StoredBreak[] {
  const out: StoredBreak[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i + 7 <= bytes.length; i += 7) {
    const problem = PROBLEMS[bytes[i + 5]];
    if (!problem || bytes[i] > 1) continue;
    out.push({ log: bytes[i] === 0 ? "access" : "security", seq: view.getUint32(i + 1), problem, acknowledged: bytes[i + 6] === 1 });
  }
  return out;
}
