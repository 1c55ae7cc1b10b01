// The gate's state in the power-safe store (src/core/store/log-store.ts):
//
//   stream "registry"   every registry change, as the registry encodes it; when
//   (then "registry.N") it grows well past the registry's own size it is rebased:
//                       the snapshot's changes go to a new generation stream,
//                       then one transaction switches "registry/gen" and trims
//                       the old stream (a cut before the switch leaves the old
//                       generation in force; the orphan is trimmed at boot)
//   stream "audit"      every audit record (55 bytes, hash-chained)
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
import { AuditLog, decodeAnchor, encodeAnchor, genesisAnchor, type AuditAnchor } from "../core/audit/audit-log";
import { decodeRecord, recordHash } from "../core/audit/audit-record";
import { Registry } from "../core/access/registry";
import { decodeConsentRecord, type ConsentRecord } from "../core/face/consent-record";
import { NoticeBoard, decodeNotice, encodeNotice, type Notice, type NoticeText } from "../core/face/notices";
import type { TemplateVault, VaultEntry } from "../core/face/template-vault";
import type { Random } from "../core/ports";
import type { LogStore } from "../core/store/log-store";
import { isOptgateError, type OptgateError } from "../core/errors";

export type StoreErrorHandler = (error: OptgateError) => void;

/** Runs a store write or a replay step; refusals go to onError, other failures propagate. */
function guarded(onError: StoreErrorHandler | undefined, step: () => void): void {
  try {
    step();
  } catch (error) {
    if (onError && isOptgateError(error)) onError(error);
    else throw error;
  }
}

const REGISTRY = "registry";
const REGISTRY_GEN = "registry/gen";
/** Rebase once the stream holds this many records per resident (plus a floor for small gates). */
const REBASE_PER_RESIDENT = 4;
const REBASE_FLOOR = 64;
/** Appends per transaction while writing a new generation (the store takes up to 254 ops). */
const REBASE_BATCH = 128;
const AUDIT = "audit";
const AUDIT_ANCHOR = "audit/anchor";
const CONSENT = "consent";
const NOTICE = "notice/";
const FACE_KEY = "face/key/";
const FACE_TEMPLATE = "face/tpl/";

/** Audit records kept on flash beyond the in-RAM ring before the oldest are trimmed. */
const AUDIT_SLACK = 256;

/** Templates and their keys as sealed store records; destroy erases the sectors that held them. */
export class StoreTemplateVault implements TemplateVault {
  readonly #store: LogStore;

  constructor(store: LogStore) {
    this.#store = store;
  }

  put(residentId: string, key: Uint8Array, sealed: Uint8Array): void {
    this.#store.commit([
      { put: FACE_KEY + residentId, value: key, sealed: true },
      { put: FACE_TEMPLATE + residentId, value: sealed, sealed: true },
    ]);
  }

  get(residentId: string): VaultEntry | undefined {
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
    return this.#store.keys(FACE_KEY).map((key) => key.slice(FACE_KEY.length));
  }
}

/** A notice board whose publications are stored before they count. */
export class StoredNoticeBoard extends NoticeBoard {
  readonly #store: LogStore;

  constructor(store: LogStore) {
    super();
    this.#store = store;
    const notices: Notice[] = [];
    for (let version = 1; ; version++) {
      const bytes = store.get(NOTICE + version);
      if (!bytes) break;
      notices.push(decodeNotice(bytes));
    }
    this.restore(notices);
  }

  override publish(text: NoticeText, at: number): Notice {
    const notice = super.publish(text, at);
    this.#store.put(NOTICE + notice.version, encodeNotice(notice));
    return notice;
  }
}

function registryStream(gen: number): string {
  return gen === 0 ? REGISTRY : `${REGISTRY}.${gen}`;
}

function u32(value: number): Uint8Array {
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

/** Rebuilds the registry from its change stream, then records every new change (rebasing when it grows). */
export function loadRegistry(store: LogStore, options: { deviceKey: Uint8Array; random: Random }, onError?: StoreErrorHandler): Registry {
  const stored = store.get(REGISTRY_GEN);
  let gen = stored ? new DataView(stored.buffer, stored.byteOffset).getUint32(0) : 0;
  // A rebase cut before its switch left a partial next generation: drop it.
  const orphan = registryStream(gen + 1);
  if (store.streamLength(orphan) > store.streamStart(orphan)) store.trimStream(orphan, store.streamLength(orphan));
  const registry = new Registry(options);
  store.readStream(registryStream(gen), 0, (_index, change) => guarded(onError, () => registry.apply(change)));
  registry.onChange = (change) => guarded(onError, () => {
    const stream = registryStream(gen);
    store.append(stream, change);
    if (store.streamLength(stream) - store.streamStart(stream) > REBASE_FLOOR + REBASE_PER_RESIDENT * registry.size) {
      gen = rebaseRegistry(store, registry, gen);
    }
  });
  return registry;
}

function rebaseRegistry(store: LogStore, registry: Registry, gen: number): number {
  const next = registryStream(gen + 1);
  const changes = snapshotChanges(registry.exportSnapshot());
  for (let i = 0; i < changes.length; i += REBASE_BATCH) {
    store.commit(changes.slice(i, i + REBASE_BATCH).map((data) => ({ append: next, data })));
  }
  const old = registryStream(gen);
  store.commit([{ put: REGISTRY_GEN, value: u32(gen + 1) }, { trim: old, before: store.streamLength(old) }]);
  return gen + 1;
}

/**
 * Rebuilds the audit log (verified: a broken chain refuses to load) and
 * appends every new record to the store; the stream is trimmed to a little
 * more than the ring, with the anchor of the last dropped record kept.
 */
export function loadAudit(store: LogStore, capacity?: number, onError?: StoreErrorHandler): AuditLog {
  const stored = store.get(AUDIT_ANCHOR);
  const anchor: AuditAnchor = stored ? decodeAnchor(stored) : genesisAnchor();
  const records: Uint8Array[] = [];
  store.readStream(AUDIT, 0, (_index, bytes) => records.push(bytes));
  let audit = new AuditLog({ capacity });
  // A chain that does not verify stays on flash for inspection; the gate logs anew.
  guarded(onError, () => { audit = AuditLog.restore({ anchor, records, capacity }); });
  audit.onAppend = (bytes) => guarded(onError, () => {
    store.append(AUDIT, bytes);
    trimAudit(store, audit.capacity);
  });
  return audit;
}

function trimAudit(store: LogStore, capacity: number): void {
  const start = store.streamStart(AUDIT);
  const length = store.streamLength(AUDIT);
  if (length - start <= capacity + AUDIT_SLACK) return;
  const keepFrom = length - capacity;
  let last: Uint8Array | undefined;
  store.readStream(AUDIT, keepFrom - 1, (index, bytes) => { if (index === keepFrom - 1) last = bytes; });
  if (!last) return;
  const record = decodeRecord(last);
  const anchor: AuditAnchor = { seq: record.seq, hash: recordHash(last), watermark: record.time };
  // Anchor and trim in one transaction: the kept records always follow the stored anchor.
  store.commit([{ put: AUDIT_ANCHOR, value: encodeAnchor(anchor) }, { trim: AUDIT, before: keepFrom }]);
}

/** Stored consent records, oldest first (the ledger restores them after the notices). */
export function loadConsentRecords(store: LogStore): ConsentRecord[] {
  const records: ConsentRecord[] = [];
  store.readStream(CONSENT, 0, (_index, bytes) => records.push(decodeConsentRecord(bytes)));
  return records;
}

export function storeConsentRecord(store: LogStore, bytes: Uint8Array, onError?: StoreErrorHandler): void {
  guarded(onError, () => { store.append(CONSENT, bytes); });
}
