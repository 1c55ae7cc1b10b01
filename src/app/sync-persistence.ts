// Fleet sync's state in the gate's store (docs/sync.md), pure over LogStore:
//
//   sync/version    u32: the hub's version the gate holds, put in the group that stores its set
//   sync/damage     text: that version was lost to flash damage; until a full resync deletes it,
//                   the gate holds version 0 and takes only full resyncs
//   sync/erase      stream of u32 resident ids: face templates a set took away, until erased
//   sync/receipts   stream of this gate's signed erasure receipts (the newest REMEMBERED_ORDERS)
//   sync/audit-due  the newest set's version, full flag, change count and the security chain's
//                   head seq before it, in the set's group: its sync-applied record is appended
//                   after the group, so a power cut between the two is seen at boot (auditDue)
//
// An incremental set goes to the end of the registry's change stream with its
// version (and the templates it takes away) in ONE store group; a full resync
// is written as a new registry generation (persistence.ts), and the group that
// switches to it carries the version. So a power cut anywhere leaves the old
// version with the old registry or the new with the new, never a mix. A set
// the store refuses is put back out of RAM too (registry-apply.ts), and
// GateSync answers apply-failed without advancing.
//
// Codes the hub sealed to this gate are opened (SyncStateOptions.openSealed)
// before the set is applied, and what is stored is the opened add-code /
// remove-code with the keyed hash: never the code, never the sealed copy.
//
// Use (the MQTT side, fleet-link.ts):
//   const sync = openSyncState(store, openRegistry(store, ...), { gateId, onDamage, onError });
//   erase sync.pendingErasures() before face is served; then sync.erased(ids)
//   new GateSync({ ..., applied: sync.applied }); handleChangeSet(bytes, now, sync.target)
//   after an applied set: erase sync.pendingErasures(), then sync.erased(ids)
//   new GateErasures({ ..., receipts: sync.receipts }); after an order executed or a
//   withdrawal here: sync.saveReceipts(erasures.receipts()), then publish the receipt
import { toHex, utf8 } from "../core/crypto";
import { OptgateError, isOptgateError } from "../core/errors";
import type { LogStore, StoreOp } from "../core/store/log-store";
import { REMEMBERED_ORDERS, decodeErasure } from "../core/sync/erasure";
import type { SyncTarget } from "../core/sync/gate-sync";
import { applyToRegistry, splitPolicyChanges, type OpenSealed } from "../core/sync/registry-apply";
import type { PolicyChange } from "./hub-schedules";
import type { StagedPolicy } from "./console-policy";
import { guarded, textOf, u32, type StoreErrorHandler, type StoredRegistry } from "./persistence";

const VERSION = "sync/version";
const DAMAGE = "sync/damage";
const ERASE = "sync/erase";
const RECEIPTS = "sync/receipts";
const AUDIT_DUE = "sync/audit-due";
/** Resident ids per sync/erase record (u32 each; a store value holds 1 KiB). */
const IDS_PER_RECORD = 255;
/** Receipts appended per store group (a group holds up to 254 operations). */
const RECEIPTS_PER_GROUP = 128;
/** Receipts kept on flash beyond GateErasures' window before the oldest are trimmed (about 130 bytes each). */
const RECEIPTS_SLACK = 64;

export interface SyncStateOptions {
  /** This gate's id: kept receipts naming another (a re-provisioned gate) are dropped, as GateErasures would refuse them. */
  gateId: number;
  /** One line per kind of damage found, as the other loaders report theirs (firmware.ts DAMAGE). */
  onDamage?: (line: string) => void;
  /** Store refusals of writes whose caller need not fail (persistence.ts guarded); thrown without it. */
  onError?: StoreErrorHandler;
  /** Opens codes sealed to this gate (sealed-codes.ts); without it a set carrying one is refused. */
  openSealed?: OpenSealed;
  /** The security chain's head seq, which a set's sync-applied record follows (kept with the set: auditDue). */
  auditSeq?: () => number;
}

/** The newest set stored, and the security chain's head seq just before its sync-applied record. */
export interface AuditDue {
  version: number;
  full: boolean;
  changes: number;
  seq: number;
}

/** Takes a set's schedule changes (CoreConsoleBackend.hubPolicy): checked first, stored in the set's group. */
export interface HubPolicyPort {
  stage(changes: PolicyChange[], full: boolean): StagedPolicy;
}

export interface SyncState {
  /**
   * Where set-schedule / set-holidays go (the console backend, made after this state);
   * without it a set carrying them is refused whole.
   */
  policy: HubPolicyPort | undefined;
  /** The version on flash (0 when none, or when it was lost to damage): GateSync's `applied`. Follows applied sets. */
  readonly applied: number;
  /** GateSync's apply step: stores each verified set all or nothing, with its version. */
  readonly target: SyncTarget;
  /**
   * The newest set as stored before this boot (with auditSeq): if no sync-applied record for it
   * follows `seq` in the security chain, the power went between the set and its record.
   */
  readonly auditDue: AuditDue | undefined;
  /** Receipts of erase orders executed before this boot, oldest first: GateErasures' `receipts`. */
  readonly receipts: Uint8Array[];
  /**
   * Residents whose face template must be erased (face-enrolled, and a set
   * took them away), also from before a reboot: erase them before the gate
   * serves face again, then call erased().
   */
  pendingErasures(): number[];
  /** The templates of `ids` are erased: they leave the pending list (on flash too). */
  erased(ids: number[]): void;
  /**
   * Stores GateErasures.receipts() (those not stored yet): call it after an
   * order was executed or a withdrawal here, before publishing the receipt,
   * so an order resent after a reboot gets the same receipt and erases nothing.
   */
  saveReceipts(receipts: Uint8Array[]): void;
}

/** Reads fleet sync's state back at boot (damage is reported, never thrown) and returns its writers. */
export function openSyncState(store: LogStore, stored: StoredRegistry, options: SyncStateOptions): SyncState {
  const { onDamage, onError } = options;
  const version = readVersion(store, onDamage, onError);
  let applied = version.applied;
  let resyncOnly = version.resyncOnly;
  let pending = readPendingErasures(store, onDamage);
  const kept = readReceipts(store, options.gateId, onDamage);
  /** Order ids of the receipts on flash, oldest first (what saveReceipts need not store again). */
  let keptIds = new Set(kept.map((r) => r.id));
  /** Receipt objects known stored: GateErasures hands back the same ones each time, so most need no decoding. */
  const keptReceipts = new WeakSet<Uint8Array>(kept.map((r) => r.receipt));

  const target: SyncTarget = {
    apply(all, full, setVersion) {
      if (!full && resyncOnly) {
        throw new OptgateError("E_SYNC_NEEDS_RESYNC", "The applied version was lost to flash damage; only a full resync from the hub can say what this gate holds.");
      }
      const { changes, policy } = splitPolicyChanges(all);
      if (policy.length && !state.policy) throw new OptgateError("E_SYNC_NO_POLICY", "This gate cannot take schedules from the hub now (its console settings are not loaded).");
      // Checked before the registry is touched: an invalid schedule refuses the whole set.
      const staged = policy.length ? state.policy!.stage(policy, full) : undefined;
      const registry = stored.registry;
      const { onChange, onRepaired } = registry;
      // The set is stored below as one group: the registry's own hooks (face flags a full resync
      // puts back, a quarantine it clears) must not write anything on their own meanwhile.
      registry.onChange = undefined;
      registry.onRepaired = undefined;
      let gone: number[] = [];
      try {
        applyToRegistry(registry, changes, full, ({ faceGone, changes: opened }) => {
          const ops: StoreOp[] = [{ put: VERSION, value: u32(setVersion) }, ...eraseRecords(faceGone), ...(staged?.ops ?? [])];
          if (options.auditSeq) ops.push({ put: AUDIT_DUE, value: encodeAuditDue({ version: setVersion, full, changes: all.length, seq: options.auditSeq() }) });
          staged?.storing();
          try {
            if (full) stored.rewrite([...ops, { delete: DAMAGE }]);
            else stored.record(opened, ops);
          } catch (error) {
            staged?.refused();
            throw error;
          }
          gone = faceGone;
        }, options.openSealed);
      } finally {
        registry.onChange = onChange;
        registry.onRepaired = onRepaired;
      }
      staged?.stored();
      applied = setVersion;
      resyncOnly = false;
      for (const id of gone) pending.add(id);
    },
  };

  const state: SyncState = {
    policy: undefined,
    get applied() { return applied; },
    target,
    auditDue: readAuditDue(store),
    receipts: kept.map((r) => r.receipt),
    pendingErasures: () => [...pending],
    erased(ids) {
      const left = [...pending].filter((id) => !ids.includes(id));
      if (left.length === pending.size) return;
      pending = new Set(left);
      // Refused: the ids stay on flash and are erased once more after a reboot (nothing left to erase then).
      guarded(onError, () => { store.commit([{ trim: ERASE, before: store.streamLength(ERASE) }, ...eraseRecords(left)]); });
    },
    saveReceipts(receipts) {
      const fresh: { id: string; receipt: Uint8Array }[] = [];
      for (const receipt of receipts) {
        if (keptReceipts.has(receipt)) continue;
        const id = toHex(decodeErasure(receipt).message.orderId);
        if (keptIds.has(id)) keptReceipts.add(receipt);
        else if (!fresh.some((f) => f.id === id)) fresh.push({ id, receipt });
      }
      // Refused: they are not marked stored, so the next call tries them again.
      guarded(onError, () => {
        for (const group of chunks(fresh.slice(-REMEMBERED_ORDERS), RECEIPTS_PER_GROUP)) {
          const ops: StoreOp[] = group.map((f) => ({ append: RECEIPTS, data: f.receipt }));
          const length = store.streamLength(RECEIPTS);
          // Bounded: past the window and some slack, the oldest go (GateErasures forgets them too).
          if (length - store.streamStart(RECEIPTS) + group.length > REMEMBERED_ORDERS + RECEIPTS_SLACK) {
            ops.push({ trim: RECEIPTS, before: length + group.length - REMEMBERED_ORDERS });
          }
          store.commit(ops);
          for (const f of group) {
            keptIds.add(f.id);
            keptReceipts.add(f.receipt);
          }
          if (keptIds.size > REMEMBERED_ORDERS + RECEIPTS_SLACK) keptIds = new Set([...keptIds].slice(-REMEMBERED_ORDERS));
        }
      });
    },
  };
  return state;
}

function encodeAuditDue(due: AuditDue): Uint8Array {
  const bytes = new Uint8Array(13);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, due.version);
  bytes[4] = due.full ? 1 : 0;
  view.setUint32(5, due.changes);
  view.setUint32(9, due.seq);
  return bytes;
}

/** Undefined when absent or unreadable: the check it serves is then skipped (it only adds a record). */
function readAuditDue(store: LogStore): AuditDue | undefined {
  let bytes: Uint8Array | undefined;
  try {
    bytes = store.get(AUDIT_DUE);
  } catch {
    return undefined;
  }
  if (!bytes || bytes.length !== 13 || bytes[4] > 1) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 13);
  return { version: view.getUint32(0), full: bytes[4] === 1, changes: view.getUint32(5), seq: view.getUint32(9) };
}

/** The applied version, or 0 and resync-only when its record is damaged (noted on flash: a later boot may no longer see the damage). */
function readVersion(store: LogStore, onDamage: SyncStateOptions["onDamage"], onError: StoreErrorHandler | undefined): { applied: number; resyncOnly: boolean } {
  const lost = ": holding version 0, taking only a full resync from the hub";
  let why: string;
  try {
    const note = store.get(DAMAGE);
    if (note) {
      onDamage?.(`sync version lost at an earlier boot (${textOf(note)})${lost}`);
      return { applied: 0, resyncOnly: true };
    }
    // The store may still index an older copy of a record whose newest one it lost: that is no version either.
    const bytes = store.get(VERSION);
    if (store.report.damagedKeys[VERSION]) why = "its newest record was lost to flash damage";
    else if (!bytes) return { applied: 0, resyncOnly: false };
    else if (bytes.length !== 4) why = `its record is ${bytes.length} bytes, not 4`;
    else return { applied: new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0), resyncOnly: false };
  } catch {
    why = "its record cannot be read";
  }
  onDamage?.(`sync version unusable (${why})${lost}`);
  // The stale copy goes too: a later boot, the damaged sector scrubbed, would take it for the version.
  const noted = (ops: StoreOp[]) => {
    try {
      store.commit(ops);
      return true;
    } catch (error) {
      if (!isOptgateError(error)) throw error;
      onError?.(error);
      return false;
    }
  };
  // A full store still takes a delete: then a later boot holds version 0 at least, not an old one.
  if (!noted([{ put: DAMAGE, value: utf8(why) }, { delete: VERSION }])) noted([{ delete: VERSION }]);
  return { applied: 0, resyncOnly: true };
}

function readPendingErasures(store: LogStore, onDamage: SyncStateOptions["onDamage"]): Set<number> {
  const ids = new Set<number>();
  let bad = 0;
  try {
    store.readStream(ERASE, 0, (_index, data) => {
      if (data.length === 0 || data.length % 4 !== 0) {
        bad++;
        return;
      }
      const view = new DataView(data.buffer, data.byteOffset, data.length);
      for (let at = 0; at < data.length; at += 4) {
        ids.add(view.getUint32(at));
      }
    });
  } catch {
    bad++;
  }
  const report = store.report;
  const missing = (report.streamHoles[ERASE] ?? 0) + (report.damagedKeys[ERASE] ?? 0);
  if (bad || missing) {
    onDamage?.(`${bad + missing} pending face template erasure record(s) lost: templates of residents the hub removed may remain until the resident is erased or re-enrolled`);
  }
  return ids;
}

function readReceipts(store: LogStore, gateId: number, onDamage: SyncStateOptions["onDamage"]): { id: string; receipt: Uint8Array }[] {
  const kept: { id: string; receipt: Uint8Array }[] = [];
  let bad = 0;
  try {
    store.readStream(RECEIPTS, 0, (_index, data) => {
      try {
        const m = decodeErasure(data).message;
        if (m.type !== "erase-receipt") throw new Error("not a receipt");
        if (m.gateId !== gateId) return;
        const id = toHex(m.orderId);
        if (!kept.some((k) => k.id === id)) kept.push({ id, receipt: data });
      } catch {
        bad++;
      }
    });
  } catch {
    bad++;
  }
  const missing = (store.report.streamHoles[RECEIPTS] ?? 0) + (store.report.damagedKeys[RECEIPTS] ?? 0);
  if (bad || missing) onDamage?.(`${bad + missing} erasure receipt(s) lost: an order among them, if resent, is executed and receipted again`);
  return kept.slice(-REMEMBERED_ORDERS);
}

/** Appends of `ids` to sync/erase, IDS_PER_RECORD per record. */
function eraseRecords(ids: number[]): StoreOp[] {
  return chunks(ids, IDS_PER_RECORD).map((group) => {
    const data = new Uint8Array(4 * group.length);
    const view = new DataView(data.buffer);
    group.forEach((id, i) => view.setUint32(4 * i, id));
    return { append: ERASE, data };
  });
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
