// The gate's state in the power-safe store (src/core/store/log-store.ts):
//
//   stream "registry"   every registry change, as the registry encodes it; when
//   (then "registry.N") it grows well past the registry's own size it is rebased:
//                       the snapshot's changes go to a new generation stream,
//                       then one transaction switches "registry/gen" and trims
//                       the old stream (a cut before the switch leaves the old
//                       generation in force; the orphan is trimmed at boot)
//   stream "audit", "audit/security"   the audit chains (src/app/audit-store.ts)
//   sync/..., stream "sync/erase", "sync/receipts"   fleet sync (src/app/sync-persistence.ts)
//   stream "consent"    every consent ledger record
//   notice/<version>    published notices
//   face/key/<id>       per-resident template key   (sealed, erased on delete)
//   face/tpl/<id>       sealed template             (sealed, erased on delete)
//
// Every hook writes before the core acts on its result (an access decision is
// audited before the relay is driven), so after a power cut everything
// acknowledged is on flash. Boot replays the streams into fresh objects. A
// store that refuses a write (full, E_STORE_*) or a record that does not
// replay is reported through onError and the gate keeps working from RAM;
// anything else (the flash itself failing, power gone) is not caught here.
// Templates are not guarded: an enrolment or erasure that cannot be stored
// must fail loudly.
import type { AuditJournal } from "../core/audit/audit-log";
import { Registry } from "../core/access/registry";
import { MAX_CARDS_PER_RESIDENT } from "../core/access/types";
import type { ConsentLedger } from "../core/face/consent-ledger";
import { decodeConsentRecord, type ConsentRecord } from "../core/face/consent-record";
import { NoticeBoard, decodeNotice, encodeNotice, validateNotice, type Notice, type NoticeText } from "../core/face/notices";
import type { TemplateVault, VaultEntry } from "../core/face/template-vault";
import type { Random } from "../core/ports";
import type { LogStore, RecoveryReport, StoreOp } from "../core/store/log-store";
import { utf8 } from "../core/crypto";
import { registryDigest, type Watermarks } from "./watermarks";
import { isOptgateError, type OptgateError } from "../core/errors";

export type StoreErrorHandler = (error: OptgateError) => void;

/** Runs a store write or a replay step; refusals go to onError (thrown without one), other failures propagate. */
export function guarded(onError: StoreErrorHandler | undefined, step: () => void): void {
  try {
    step();
  } catch (error) {
    if (onError && isOptgateError(error)) onError(error);
    else throw error;
  }
}

const REGISTRY = "registry";
const REGISTRY_GEN = "registry/gen";
/** Why the registry is quarantined (text), kept until a technician clears it: the store's report is per boot. */
const REGISTRY_DAMAGE = "registry/damage";
/** Residents and cards at the last boot or rebase (u32 each): boot reserves the tables once instead of growing them by 1.5x. */
const REGISTRY_SIZE = "registry/size";
/** Rebase once the stream holds this many records per resident (plus a floor for small gates). */
const REBASE_PER_RESIDENT = 4;
const REBASE_FLOOR = 64;
/** Appends per transaction while writing a new generation (the store takes up to 254 ops). */
const REBASE_BATCH = 128;
/** Most cards one registry change can add. */
const CARDS_PER_CHANGE = MAX_CARDS_PER_RESIDENT;
const CONSENT = "consent";
const NOTICE = "notice/";
const FACE_KEY = "face/key/";
const FACE_TEMPLATE = "face/tpl/";


/** Templates and their keys as sealed store records; destroy erases the sectors that held them. */
export class StoreTemplateVault implements TemplateVault {
  readonly #store: LogStore;
  /** Keys whose newest record was lost to flash damage at boot: an older copy must not come back. */
  readonly #lost: Set<string>;

  constructor(store: LogStore, lost: Iterable<string> = []) {
    this.#store = store;
    this.#lost = new Set(lost);
  }

  put(residentId: string, key: Uint8Array, sealed: Uint8Array): void {
    this.#store.commit([
      { put: FACE_KEY + residentId, value: key, sealed: true },
      { put: FACE_TEMPLATE + residentId, value: sealed, sealed: true },
    ]);
    this.#lost.delete(FACE_KEY + residentId);
    this.#lost.delete(FACE_TEMPLATE + residentId);
  }

  get(residentId: string): VaultEntry | undefined {
    if (this.#lost.has(FACE_KEY + residentId) || this.#lost.has(FACE_TEMPLATE + residentId)) return undefined;
    const key = this.#store.get(FACE_KEY + residentId);
    const sealed = this.#store.get(FACE_TEMPLATE + residentId);
    return key && sealed ? { key, sealed } : undefined;
  }

  destroy(residentId: string): boolean {
    const held = this.#store.has(FACE_KEY + residentId) || this.#store.has(FACE_TEMPLATE + residentId);
    if (held) this.#store.commit([{ delete: FACE_KEY + residentId }, { delete: FACE_TEMPLATE + residentId }]);
    return held;
  }

  residents(): string[] {
    const ids = new Set(this.#store.keys(FACE_KEY).map((key) => key.slice(FACE_KEY.length)));
    // A template without its key (the key record lost) is still listed: restore erases it.
    for (const key of this.#store.keys(FACE_TEMPLATE)) ids.add(key.slice(FACE_TEMPLATE.length));
    return [...ids];
  }
}

/** A notice board whose publications are stored before they count. */
export class StoredNoticeBoard extends NoticeBoard {
  readonly #store: LogStore;
  /** Versions that could not be loaded (flash damage): their consents are dropped, so face is off for those residents. */
  readonly lost: number[] = [];

  /**
   * `knownTop`: the highest notice version something else proves existed (a
   * consent record names it), so a lost newest notice is a hole, not gone.
   */
  constructor(store: LogStore, knownTop = 0, damaged: readonly string[] = []) {
    super();
    this.#store = store;
    const notices: Notice[] = [];
    const stored = noticeVersions(store);
    let top = stored.length ? stored[stored.length - 1] : 0;
    for (const key of damaged) top = Math.max(top, noticeVersion(key) ?? 0);
    // A consent record may name a newest notice that was lost; one naming a version far beyond is
    // itself damaged (restoreConsent drops it), not proof of thousands of lost notices.
    if (knownTop <= top + MAX_LOST_NEWEST) top = Math.max(top, knownTop);
    const lost = new Set<number>();
    for (const version of stored) {
      try {
        if (damaged.includes(NOTICE + version)) throw new Error("damaged");
        const bytes = store.get(NOTICE + version);
        const notice = bytes && decodeNotice(bytes);
        if (!notice || notice.version !== version) throw new Error("mismatch");
        validateNotice(notice);
        notices.push(notice);
      } catch {
        lost.add(version);
      }
    }
    for (let v = 1, i = 0; v <= top; v++) {
      if (notices[i]?.version === v) i++;
      else lost.add(v);
    }
    this.lost.push(...[...lost].sort((a, b) => a - b));
    this.restore(notices, { top });
  }

  override publish(text: NoticeText, at: number): Notice {
    const notice = super.publish(text, at);
    this.#store.put(NOTICE + notice.version, encodeNotice(notice));
    return notice;
  }
}

/** Notice versions are u16 on flash. */
const MAX_NOTICE_VERSION = 0xffff;
/** Newest notices a consent record may prove lost beyond the newest one stored. */
const MAX_LOST_NEWEST = 4;

/** The versions under notice/, ascending (a key that is not a plain version number is ignored). */
function noticeVersions(store: LogStore): number[] {
  const out: number[] = [];
  for (const key of store.keys(NOTICE)) {
    const version = noticeVersion(key);
    if (version !== undefined) out.push(version);
  }
  return out.sort((a, b) => a - b);
}

function noticeVersion(key: string): number | undefined {
  if (!key.startsWith(NOTICE)) return undefined;
  const text = key.slice(NOTICE.length);
  return /^[1-9]\d{0,4}$/.test(text) && Number(text) <= MAX_NOTICE_VERSION ? Number(text) : undefined;
}

function registryStream(gen: number): string {
  return gen === 0 ? REGISTRY : `${REGISTRY}.${gen}`;
}

export function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** The changes inside a registry snapshot (magic, count, then length-prefixed changes). */
function snapshotChanges(snapshot: Uint8Array): Uint8Array[] {
  const view = new DataView(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength);
  const changes: Uint8Array[] = [];
  let at = 8;
  for (let n = view.getUint32(4); n > 0; n--) {
    const length = view.getUint32(at);
    changes.push(snapshot.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return changes;
}

/** The store's recovery report as one line per kind of damage (empty when there is none). */
export function describeDamage(report: RecoveryReport): string[] {
  const out: string[] = [];
  if (report.droppedRecords) out.push(`dropped ${report.droppedRecords} record(s) of unfinished transactions`);
  if (report.droppedBytes) out.push(`skipped ${report.droppedBytes} torn or corrupt byte(s)`);
  if (report.lostRecords) {
    const named = Object.keys(report.damagedKeys).map((key) => `${key}${report.damagedKeys[key] > 1 ? ` x${report.damagedKeys[key]}` : ""}`);
    const unknown = report.unknownLost ? `${report.unknownLost} of unknown key` : "";
    out.push(`lost ${report.lostRecords} committed record(s) to corruption (${[...named, unknown].filter((p) => p).join(", ")})`);
  }
  for (const stream of Object.keys(report.streamHoles)) out.push(`stream "${stream}" misses ${report.streamHoles[stream]} record(s)`);
  if (report.garbageSectors) out.push(`erased ${report.garbageSectors} sector(s) with unusable headers`);
  if (report.retiredSectors) out.push(`finished ${report.retiredSectors} interrupted compaction(s)`);
  if (report.scrubbedSectors) out.push(`scrubbed ${report.scrubbedSectors} sector(s)`);
  if (report.keyRepaired) out.push("repaired a device key copy");
  if (report.keyLost) out.push("device key lost: sealed records cannot be opened");
  if (report.readOnly) out.push("read-only until serviced: no room to close an unfinished transaction");
  return out;
}

/**
 * Why the registry about to be replayed cannot be trusted, or undefined.
 * Fail closed: a lost committed record whose key is known counts against the
 * registry when it was one of the registry's own (its change stream, the
 * generation switch, the quarantine note, a trim point of a registry stream);
 * a lost record of unknown key counts against it too (it may have been a
 * revocation, the newest change, or the generation switch) unless holes in
 * other streams not already charged to known keys account for every such
 * loss (then it was, say, an audit record) and no whole sector was lost,
 * whose holes would not be losses. A registry `verified` against its
 * watermark (generation, length and digest of every change, kept outside the
 * store) lost nothing, whatever else was lost.
 */
function registryDamage(store: LogStore, stream: string, verified: boolean): string | undefined {
  const report = store.report;
  const why: string[] = [];
  const named = report.damagedKeys;
  let elsewhere = 0;
  for (const other of Object.keys(report.streamHoles)) {
    if (other !== stream) elsewhere += Math.max(0, report.streamHoles[other] - (named[other] ?? 0));
  }
  const unknown = report.unknownLost;
  if (unknown && !verified && (report.garbageSectors > 0 || unknown > elsewhere)) why.push(`${unknown} committed store record(s) of unknown key lost`);
  const own = Object.keys(named).filter(isRegistryKey);
  if (own.length) why.push(`registry record(s) lost to damage (${own.join(", ")})`);
  const holes = report.streamHoles[stream];
  if (holes && !own.includes(stream)) why.push(`${holes} registry change(s) missing`);
  return why.length ? why.join(", ") : undefined;
}

/** Keys whose loss may hide a registry change (the size hint is only a hint: it is not one). */
function isRegistryKey(key: string): boolean {
  if (key === REGISTRY_SIZE) return false;
  return key === REGISTRY || key.startsWith(`${REGISTRY}.`) || key.startsWith(`${REGISTRY}/`) || key.startsWith(`#trim/${REGISTRY}`);
}

/** The registry loaded from the store, and the writes that keep its change stream in step with RAM. */
export interface StoredRegistry {
  readonly registry: Registry;
  /**
   * Stores `changes`, already applied in RAM, at the end of the registry's
   * change stream together with `extra` operations, in one store group (with
   * the size hint when they grew the registry past it). Throws what the store
   * throws, having written nothing. A rebase the changes make due is tried
   * afterwards; its refusal goes to onError (the changes are stored anyway).
   */
  record(changes: Uint8Array[], extra?: StoreOp[]): void;
  /**
   * Stores the registry as it stands in RAM as a new generation; the group
   * that switches to it also carries `extra` (and drops the quarantine note
   * when the registry is no longer quarantined). Throws what the store
   * throws; the old generation then stays in force.
   */
  rewrite(extra?: StoreOp[]): void;
}

/**
 * Rebuilds the registry from its change stream, then records every new change
 * (rebasing when it grows). A damaged store loads the registry quarantined
 * (see docs/internals.md, "Integrity"): it denies every credential until a technician
 * clears it, which stores the registry as it then stands as a new generation.
 */
export function loadRegistry(store: LogStore, options: RegistryLoadOptions, onError?: StoreErrorHandler): Registry {
  return openRegistry(store, options, onError).registry;
}

export interface RegistryLoadOptions {
  deviceKey: Uint8Array;
  random: Random;
  onDamage?: (line: string) => void;
  watermarks?: Watermarks;
}

/** loadRegistry, also handing back the writes for changes the registry does not report itself (a hub's change set). */
export function openRegistry(store: LogStore, options: RegistryLoadOptions, onError?: StoreErrorHandler): StoredRegistry {
  const stored = store.get(REGISTRY_GEN);
  let gen = stored ? new DataView(stored.buffer, stored.byteOffset).getUint32(0) : 0;
  // A rebase cut before its switch left a partial next generation: drop it.
  const orphan = registryStream(gen + 1);
  if (store.streamLength(orphan) > store.streamStart(orphan)) guarded(onError, () => store.trimStream(orphan, store.streamLength(orphan)));
  const registry = new Registry({ deviceKey: options.deviceKey, random: options.random });
  // The stored size is exact: boot reserves the tables once, replay never grows them by 1.5x.
  const size = store.get(REGISTRY_SIZE);
  const hinted = { residents: 0, cards: 0 };
  if (size && size.length === 8) {
    const view = new DataView(size.buffer, size.byteOffset, 8);
    hinted.residents = view.getUint32(0);
    hinted.cards = view.getUint32(4);
    // Only a hint: a damaged one must not reserve more than the stream can hold (each
    // change adds at most one resident and a few cards), nor stop the boot.
    const changes = store.streamLength(registryStream(gen)) - store.streamStart(registryStream(gen));
    if (hinted.residents <= changes && hinted.cards <= changes * CARDS_PER_CHANGE) registry.reserve(hinted.residents, hinted.cards);
    else options.onDamage?.(`registry size hint impossible (${hinted.residents} residents, ${hinted.cards} cards in ${changes} changes): ignored`);
  }
  const noteSize = () => {
    hinted.residents = registry.size;
    hinted.cards = registry.cardCount;
  };
  let failed = 0;
  const watermarks = options.watermarks;
  const mark = watermarks?.registryMark();
  // The digest of the changes as stored, and as it stood at the mark's length (the store may be one commit ahead).
  let digest = 0;
  let digestAtMark = mark?.gen === gen && mark.length === 0 ? 0 : undefined;
  store.readStream(registryStream(gen), 0, (index, change) => {
    digest = registryDigest(digest, change);
    if (mark?.gen === gen && index + 1 === mark.length) digestAtMark = digest;
    try {
      registry.apply(change);
    } catch (error) {
      // Any failure, not only a refusal: a change with a valid CRC but bad content is damage too.
      failed++;
      if (isOptgateError(error)) onError?.(error);
    }
  });
  const marked = store.get(REGISTRY_DAMAGE);
  const length = store.streamLength(registryStream(gen));
  const behind = mark && (gen < mark.gen || (gen === mark.gen && length < mark.length))
    ? `registry changes lost: the store reaches ${gen}:${length}, the watermark ${mark.gen}:${mark.length}` : undefined;
  const altered = !behind && mark?.digest !== undefined && digestAtMark !== undefined && digestAtMark !== mark.digest
    ? "registry changes altered: they no longer match their watermark" : undefined;
  const verified = !behind && !altered && mark?.digest !== undefined && digestAtMark === mark.digest;
  const found = [registryDamage(store, registryStream(gen), verified), failed ? `${failed} registry change(s) did not replay` : undefined, behind, altered].filter((w) => w).join(", ");
  // A store ahead of the watermark (a cut between the commit and the mark) moves the mark up; a damaged one keeps it.
  if (!behind && !altered) watermarks?.registryStored(gen, length, digest);
  // The first finding is kept (a later boot may no longer see it: recovery scrubs the damaged sector).
  if (found && !marked) guarded(onError, () => store.put(REGISTRY_DAMAGE, utf8(found)));
  if (marked || found) registry.quarantine(marked ? textOf(marked) : found);
  if (hinted.residents !== registry.size || hinted.cards !== registry.cardCount) {
    guarded(onError, () => {
      store.put(REGISTRY_SIZE, sizeHint(registry));
      noteSize();
    });
  }
  /** Writes a new generation (gen, size and digest follow it); throws, old generation in force. */
  const rebase = (extra: StoreOp[]) => {
    gen = rebaseRegistry(store, registry, gen, extra);
    noteSize();
    digest = streamDigest(store, registryStream(gen));
  };
  const markStored = () => watermarks?.registryStored(gen, store.streamLength(registryStream(gen)), digest);
  const record = (changes: Uint8Array[], extra: StoreOp[] = []) => {
    const stream = registryStream(gen);
    const ops: StoreOp[] = changes.map((data) => ({ append: stream, data }));
    // Changes that grow the registry past the stored size carry the new size with them (same group).
    const grown = registry.size > hinted.residents || registry.cardCount > hinted.cards;
    if (grown) ops.push({ put: REGISTRY_SIZE, value: sizeHint(registry) });
    store.commit([...ops, ...extra]);
    if (grown) noteSize();
    for (const change of changes) digest = registryDigest(digest, change);
    if (store.streamLength(stream) - store.streamStart(stream) > REBASE_FLOOR + REBASE_PER_RESIDENT * registry.size) {
      // The changes are stored: a refused rebase is only reported, and due again at the next change.
      try {
        rebase([]);
      } catch (error) {
        if (!isOptgateError(error)) throw error;
        onError?.(error);
      }
    }
    markStored();
  };
  const rewrite = (extra: StoreOp[] = []) => {
    rebase(registry.damage === undefined ? [{ delete: REGISTRY_DAMAGE }, ...extra] : extra);
    markStored();
  };
  registry.onRepaired = () => guarded(onError, () => rewrite());
  registry.onChange = (change) => guarded(onError, () => record([change]));
  return { registry, record, rewrite };
}

/** registryDigest over a whole stream (after a rebase wrote a new generation). */
function streamDigest(store: LogStore, stream: string): number {
  let digest = 0;
  store.readStream(stream, 0, (_index, change) => { digest = registryDigest(digest, change); });
  return digest;
}

function sizeHint(registry: Registry): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, registry.size);
  view.setUint32(4, registry.cardCount);
  return out;
}

/** Stored text (a damage note) as printable ASCII. */
export function textOf(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "?";
  return out;
}

/** Writes the registry as a new generation, then switches to it in one transaction (with `extra` ops). */
function rebaseRegistry(store: LogStore, registry: Registry, gen: number, extra: StoreOp[] = []): number {
  const next = registryStream(gen + 1);
  // A rebase refused part-way (store full) left the start of a next generation: begin it afresh.
  if (store.streamLength(next) > store.streamStart(next)) store.trimStream(next, store.streamLength(next));
  const changes = snapshotChanges(registry.exportSnapshot());
  for (let i = 0; i < changes.length; i += REBASE_BATCH) {
    store.commit(changes.slice(i, i + REBASE_BATCH).map((data) => ({ append: next, data })));
  }
  const old = registryStream(gen);
  store.commit([
    { put: REGISTRY_GEN, value: u32(gen + 1) }, { trim: old, before: store.streamLength(old) },
    { put: REGISTRY_SIZE, value: sizeHint(registry) }, ...extra,
  ]);
  return gen + 1;
}

/** Audits that the registry loaded quarantined (once per boot while it stays so). */
export function auditRegistryDamage(audit: AuditJournal, registry: Registry, now: number): void {
  if (registry.damage === undefined) return;
  audit.append({ time: now, actorKind: "system", actor: 0, kind: "store-damage", decision: "info", reason: "registry-damaged" });
}

/** What the consent stream held: records that decode, in order, and how many did not. */
export interface StoredConsent {
  records: ConsentRecord[];
  /** Records that did not decode or were out of order (flash damage). */
  dropped: number;
}

/** Stored consent records, oldest first; undecodable or out-of-order ones are dropped and counted. */
export function readConsentRecords(store: LogStore): StoredConsent {
  const records: ConsentRecord[] = [];
  let dropped = 0;
  store.readStream(CONSENT, 0, (_index, bytes) => {
    try {
      const record = decodeConsentRecord(bytes);
      if (record.seq > (records[records.length - 1]?.seq ?? 0)) records.push(record);
      else dropped++;
    } catch {
      dropped++;
    }
  });
  return { records, dropped };
}

/**
 * Puts the consent records back into the ledger after the notices: a record
 * under a notice the board lost is dropped (face off for that resident until
 * they consent again), like one that did not decode. Returns how many were dropped.
 */
export function restoreConsent(ledger: ConsentLedger, notices: NoticeBoard, stored: StoredConsent): number {
  const kept = stored.records.filter((r) => notices.has(r.noticeVersion));
  ledger.restore(kept, { lost: true });
  return stored.dropped + stored.records.length - kept.length;
}

/** Stored consent records, oldest first (the ledger restores them after the notices). */
export function loadConsentRecords(store: LogStore): ConsentRecord[] {
  return readConsentRecords(store).records;
}

export function storeConsentRecord(store: LogStore, bytes: Uint8Array, onError?: StoreErrorHandler): void {
  guarded(onError, () => { store.append(CONSENT, bytes); });
}
