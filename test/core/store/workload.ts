// A scripted gate-like workload for the store's power-cut tests: enrolments
// (sealed template + clear consent, one transaction), cards added and removed,
// withdrawals (secure delete), audit appends of real 55-byte AuditLog records
// (src/core/audit). It tracks the acknowledged state as a model and checks a
// recovered store against it, rebuilding the audit log with AuditLog.restore.
import assert from "node:assert/strict";
import { fromHex, toHex } from "../../../src/core/crypto";
import { AuditLog } from "../../../src/core/audit/audit-log";
import { type AuditEntry, HASH_BYTES, encodeRecord } from "../../../src/core/audit/audit-record";
import { UNKEYED } from "../../../src/core/audit/chain-key";

const recordHash = (bytes: Uint8Array) => UNKEYED.mac(bytes);
import type { LogStore, StoreOp } from "../../../src/core/store/log-store";
import { eraseProof } from "../../../src/core/store/erase-proof";
import { bytes, secretBytes, seededRandom } from "./helpers";

export interface Model {
  kv: Map<string, string>;
  audit: string[];
  /** Stream index of audit[0] (earlier entries were trimmed); stream index i holds the record with seq i + 1. */
  auditStart: number;
  /** Hex chain hash of the last trimmed record (zeros before any trim): the anchor audit[0] must follow. */
  auditAnchor: string;
  /** "gate": a day at a gate, withdrawals included; "churn": registry and card updates that force compaction. */
  profile: Profile;
  /** Stored (sealed) forms of withdrawn templates: must be absent from the image. */
  withdrawn: Uint8Array[];
}

export interface Step {
  name: string;
  ops: StoreOp[];
  /** Secrets written by this step: their plaintext must never reach flash. */
  secrets: Uint8Array[];
  /** Sealed key this step withdraws (its stored form is captured before the step). */
  withdraws?: string;
}

export type Profile = "gate" | "churn";

export function emptyModel(profile: Profile = "gate"): Model {
  return { kv: new Map(), audit: [], auditStart: 0, auditAnchor: toHex(new Uint8Array(HASH_BYTES)), withdrawn: [], profile };
}

export function cloneModel(m: Model): Model {
  return {
    kv: new Map(m.kv), audit: m.audit.slice(), auditStart: m.auditStart, auditAnchor: m.auditAnchor, withdrawn: m.withdrawn.slice(), profile: m.profile,
  };
}

/** seq and chain hash of the newest acknowledged audit record (the anchor when none is retained). */
export function auditHead(model: Model): { seq: number; hash: Uint8Array } {
  const last = model.audit[model.audit.length - 1];
  return { seq: model.auditStart + model.audit.length, hash: last === undefined ? fromHex(model.auditAnchor) : recordHash(bytes(last)) };
}

/** The next real audit record (src/core/audit/audit-record.ts), chained to the model's newest one; time is step `n` in seconds. */
function auditEntry(model: Model, n: number, entry: Omit<AuditEntry, "time">): Uint8Array {
  const head = auditHead(model);
  return encodeRecord({ ...entry, time: n * 1000, subject: entry.subject ?? 0, detail: "", seq: head.seq + 1, prevHash: head.hash });
}

const residentOf = (id: string) => Number(id.slice(1));
const openGate = (n: number): Omit<AuditEntry, "time"> => ({ actorKind: "resident", actor: 1 + (n % 7), kind: "card", decision: "grant", reason: "granted", subject: 1 + (n % 7) });
const technician = (kind: AuditEntry["kind"], id: string): Omit<AuditEntry, "time"> => ({ actorKind: "technician", actor: 9, kind, decision: "info", reason: "granted", subject: residentOf(id) });

/** Builds the next step from the current model (deterministic in `rng`). */
export function nextStep(model: Model, rng: () => number, n: number): Step {
  const residents = [...model.kv.keys()].filter((k) => k.startsWith("con/"));
  const enrolled = [...model.kv.keys()].filter((k) => k.startsWith("tpl/"));
  const cards = [...model.kv.keys()].filter((k) => k.startsWith("card/"));
  // Weights of a day at a gate: mostly door events (audit), some card changes, rare enrolments and withdrawals.
  const roll = rng() % 20;
  if (model.audit.length > 80) {
    return { name: "export and trim audit", secrets: [], ops: [{ trim: "audit", before: model.auditStart + 20 }] };
  }
  if (model.profile === "churn") {
    // No withdrawals (each erases a sector and so makes room): space comes only from compaction.
    if (roll < 1 && residents.length < 6) return enrol(model, n);
    if (roll < 10) return { name: "update resident", secrets: [], ops: [{ put: `res/${rng() % 25}`, value: bytes(`schedule ${n} `.repeat(12)) }] };
    if (roll < 13) return { name: "replace card", secrets: [], ops: [{ put: `card/${rng() % 20}`, value: bytes(`resident r${n % 7} pin ${n} `.repeat(3)) }] };
    if (roll < 14 && cards.length) return { name: "remove card", secrets: [], ops: [{ delete: cards[rng() % cards.length] }] };
    return { name: "audit", secrets: [], ops: [{ append: "audit", data: auditEntry(model, n, openGate(n)) }] };
  }
  if (residents.length > 14) {
    // A resident moves out: consent record and any template go together.
    const id = residents[rng() % residents.length].slice(4);
    const ops: StoreOp[] = [{ delete: `con/${id}` }, { append: "audit", data: auditEntry(model, n, technician("resident-removed", id)) }];
    const sealed = model.kv.has(`tpl/${id}`);
    if (sealed) ops.push({ delete: `tpl/${id}` });
    return { name: `remove ${id}`, secrets: [], ops, withdraws: sealed ? `tpl/${id}` : undefined };
  }
  if (roll < 1 || residents.length < 2) return enrol(model, n);
  if (roll < 3 && cards.length < 24) return { name: "add card", secrets: [], ops: [{ put: `card/${(n * 2654435761 >>> 0).toString(16)}`, value: bytes(`resident r${n % 7} pin ${n}`) }] };
  if ((roll < 4 || cards.length >= 24) && cards.length) return { name: "remove card", secrets: [], ops: [{ delete: cards[rng() % cards.length] }] };
  if (roll < 5 && enrolled.length) {
    const key = enrolled[rng() % enrolled.length];
    const id = key.slice(4);
    return {
      name: `withdraw ${id}`, secrets: [], withdraws: key,
      ops: [
        { delete: key },
        { put: `con/${id}`, value: bytes(`withdrawn ${id} at ${n}`) },
        { append: "audit", data: auditEntry(model, n, { actorKind: "resident", actor: residentOf(id), kind: "consent-withdrawn", decision: "info", reason: "granted", subject: residentOf(id) }) },
      ],
    };
  }
  return { name: "audit", secrets: [], ops: [{ append: "audit", data: auditEntry(model, n, openGate(n)) }] };
}

function enrol(model: Model, n: number): Step {
  const id = `r${n}`;
  const secret = secretBytes(n, 512);
  return {
    name: `enrol ${id}`, secrets: [secret],
    ops: [
      { put: `tpl/${id}`, value: secret, sealed: true },
      { put: `con/${id}`, value: bytes(`consent v1 ${id} at ${n}`) },
      { append: "audit", data: auditEntry(model, n, technician("face-enrolled", id)) },
    ],
  };
}

/** The model after a step was acknowledged. */
export function applyStep(model: Model, step: Step, storedForm?: Uint8Array): void {
  for (const op of step.ops) {
    if ("put" in op) model.kv.set(op.put, toHex(op.value));
    else if ("delete" in op) model.kv.delete(op.delete);
    else if ("trim" in op) {
      // The last record trimmed becomes the anchor the retained ones must follow.
      if (op.before > model.auditStart) model.auditAnchor = toHex(recordHash(bytes(model.audit[op.before - model.auditStart - 1])));
      model.audit.splice(0, op.before - model.auditStart);
      model.auditStart = op.before;
    } else model.audit.push(String.fromCharCode(...op.data));
  }
  if (storedForm) model.withdrawn.push(storedForm);
}

export function rngFrom(seed: number): () => number {
  const r = seededRandom(seed), b = new Uint8Array(4);
  return () => {
    r.fill(b);
    return (b[0] | (b[1] << 8) | (b[2] << 16)) >>> 0;
  };
}

/** The step numbered `n`: its randomness depends only on `seed` and `n`, so a run can resume anywhere. */
export function stepAt(model: Model, seed: number, n: number): Step {
  return nextStep(model, rngFrom(seed * 100_003 + n), n);
}

/** Runs one step and updates the model once it is acknowledged; checks erasure after a withdrawal. */
export function runStep(store: LogStore, image: Uint8Array, model: Model, step: Step): void {
  const before = step.withdraws ? store.storedForm(step.withdraws) : undefined;
  store.commit(step.ops);
  applyStep(model, step, before);
  if (before) assert.deepEqual(eraseProof(image, before), [], `${step.name}: ciphertext still on flash`);
}

/** Runs steps [first, first + count), keeping `model` equal to what was acknowledged. */
export function runSteps(store: LogStore, image: Uint8Array, model: Model, seed: number, first: number, count: number,
  onStep?: (step: Step) => void): void {
  for (let n = first; n < first + count; n++) {
    const step = stepAt(model, seed, n);
    onStep?.(step);
    runStep(store, image, model, step);
  }
}

type Snapshot = { kv: Map<string, string>; audit: string[]; auditStart: number };

function snapshot(store: LogStore): Snapshot {
  const kv = new Map<string, string>();
  for (const key of store.keys()) kv.set(key, toHex(store.get(key)!));
  const audit: string[] = [];
  const auditStart = store.streamStart("audit");
  store.readStream("audit", 0, (index, data) => {
    assert.equal(index, auditStart + audit.length, "audit indexes are contiguous");
    audit.push(String.fromCharCode(...data));
  });
  assert.equal(store.streamLength("audit"), auditStart + audit.length, "stream length matches its records");
  return { kv, audit, auditStart };
}

function sameState(a: Snapshot, b: Model): boolean {
  if (a.kv.size !== b.kv.size || a.audit.length !== b.audit.length || a.auditStart !== b.auditStart) return false;
  for (const [k, v] of b.kv) if (a.kv.get(k) !== v) return false;
  return a.audit.every((x, i) => x === b.audit[i]);
}

/**
 * The recovered audit stream rebuilds into an AuditLog (restore refuses a
 * broken chain) from the acknowledged anchor; it verifies, ends at the
 * acknowledged head (nothing cut off the end) and holds every acknowledged record.
 */
function checkAudit(got: Snapshot, model: Model, label: string): void {
  const records = got.audit.map((r) => bytes(r));
  const anchor = { seq: model.auditStart, hash: fromHex(model.auditAnchor), watermark: -Infinity };
  let log: AuditLog;
  try {
    log = AuditLog.restore({ anchor, records, capacity: records.length + 2 });
  } catch (error) {
    assert.fail(`${label}: recovered audit stream does not restore: ${(error as Error).message}`);
  }
  assert.deepEqual(log.verify(auditHead(model)), { ok: true, count: model.audit.length, breaks: [] }, `${label}: restored audit log does not verify`);
  const head = auditHead(model);
  assert.deepEqual(log.verify(head), { ok: true, count: model.audit.length, breaks: [] }, `${label}: restored audit log does not end at the acknowledged head`);
  assert.equal(log.head().seq, head.seq, `${label}: audit head seq`);
  assert.deepEqual(log.records().map((r) => toHex(r)), model.audit.map((r) => toHex(bytes(r))), `${label}: an acknowledged audit record is missing`);
}

/**
 * After recovery the store holds exactly the acknowledged state, or that
 * state plus the whole interrupted step: never part of it. Returns the model
 * that matched, so the run can continue from it.
 */
export function checkRecovered(store: LogStore, image: Uint8Array, acked: Model, inflight: Step | undefined, label: string): Model {
  const got = snapshot(store);
  let model = acked;
  if (!sameState(got, acked)) {
    assert.ok(inflight, `${label}: recovered state differs from the acknowledged one`);
    const after = cloneModel(acked);
    applyStep(after, inflight);
    assert.ok(sameState(got, after), `${label}: recovered state is neither before nor after "${inflight.name}" (half-visible)`);
    model = after;
  }
  checkAudit(got, model, label);
  if (model.withdrawn.length) assert.deepEqual(eraseProof(image, model.withdrawn), [], `${label}: a withdrawn template survived recovery`);
  return model;
}
