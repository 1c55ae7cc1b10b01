// Writing each gate's numbered versions (docs/sync.md "Versions"): the
// difference between a gate's desired records and the resident tables
// becomes its next change set. Set-based: one statement per step for every
// gate of the compound, not one per gate and resident (an edit at 50 gates
// was 250 statements). A version above the gate's sealed_version has not
// been handed to the gate yet: new changes join it while they fit
// (coalescing), so edits arriving while a set is on its way cost one more set
// per gate, not one each. appendSets locks the gate rows (`for update`, in id
// order) until the transaction ends, so two hub processes never number or
// extend the same version, and a sealed version never changes. reconcile
// reads before that lock: the residents' own rows, which the caller has
// written or locked, keep two edits of one resident in turn, and a gate row
// locked for a whole edit held up every seal and ack at that gate meanwhile.
import { encodeChange } from "../../src/core/access/changes";
import { canonicalResident, residentDigest } from "../../src/core/sync/inventory";
import { bytes, num, type Sql } from "./db";
import { chunkChanges, fitsRun, fromRecord, packChanges, residentChanges } from "./desired";

/** Rows per statement when many desired records are written at once (a new gate, a bulk import). */
const ROWS_PER_STATEMENT = 5000;

export interface Appended { gateId: number; changes: Uint8Array[] }

/**
 * Brings each gate's desired records for `ids` up to the resident table and
 * writes the difference as the gates' next versions. The caller holds the
 * rows of `ids` in the resident table (written or locked in this
 * transaction). Returns the gates that changed.
 */
export async function reconcile(tx: Sql, compoundId: number, ids: number[], now: number, onlyGates?: number[]): Promise<number[]> {
  ids = [...new Set(ids)];
  const gates = (await tx.query<{ id: unknown; groups: unknown }>(
    "select id, groups from gate where compound_id = $1 order by id", [compoundId]))
    .map((g) => ({ id: num(g.id), groups: num(g.groups) }))
    .filter((g) => !onlyGates || onlyGates.includes(g.id));
  if (!gates.length || !ids.length) return [];
  const residents = await tx.query<Record<string, unknown>>("select * from resident where compound_id = $1 and id = any($2::integer[])", [compoundId, ids]);
  const cards = await tx.query<{ uid: unknown; resident_id: unknown }>("select uid, resident_id from card where compound_id = $1 and resident_id = any($2::integer[]) order by uid", [compoundId, ids]);
  // Cards grouped in one pass: a lookup per resident would scan every card for every resident.
  const cardsOf = new Map<number, Uint8Array[]>();
  for (const c of cards) {
    const owner = num(c.resident_id), list = cardsOf.get(owner);
    if (list) list.push(bytes(c.uid));
    else cardsOf.set(owner, [bytes(c.uid)]);
  }
  const byId = new Map(residents.map((r) => {
    const pin = r.pin_salt ? { salt: bytes(r.pin_salt), hash: bytes(r.pin_hash), ...(r.pin_key_id ? { keyId: num(r.pin_key_id) } : {}) } : undefined;
    const id = num(r.id);
    return [id, {
      id, unit: String(r.unit), role: num(r.role), status: num(r.status), groups: num(r.groups), from: num(r.valid_from), until: num(r.valid_until),
      pin, cards: cardsOf.get(id) ?? [],
    }];
  }));
  const held = new Map<string, Uint8Array>();
  for (const r of await tx.query<{ gate_id: unknown; resident_id: unknown; record: unknown }>(
    "select gate_id, resident_id, record from desired_record where gate_id = any($1::bigint[]) and resident_id = any($2::integer[])", [gates.map((g) => g.id), ids])) {
    held.set(`${num(r.gate_id)}/${num(r.resident_id)}`, bytes(r.record));
  }
  const put: { gate: number; id: number; record: Uint8Array; digest: Uint8Array }[] = [];
  const gone: { gate: number; id: number }[] = [];
  const appended: Appended[] = [];
  for (const gate of gates) {
    const encoded: Uint8Array[] = [];
    for (const id of ids) {
      const resident = byId.get(id);
      const after = resident && (resident.groups & gate.groups) !== 0 ? resident : undefined;
      const old = held.get(`${gate.id}/${id}`);
      const changes = residentChanges(old && fromRecord(old), after);
      if (!changes.length) continue;
      for (const c of changes) encoded.push(encodeChange(c));
      if (after) put.push({ gate: gate.id, id, record: canonicalResident(after), digest: residentDigest(after) });
      else gone.push({ gate: gate.id, id });
    }
    if (encoded.length) appended.push({ gateId: gate.id, changes: encoded });
  }
  for (let at = 0; at < put.length; at += ROWS_PER_STATEMENT) {
    const rows = put.slice(at, at + ROWS_PER_STATEMENT);
    await tx.query(
      `insert into desired_record (gate_id, resident_id, record, digest)
       select * from unnest($1::bigint[], $2::integer[], $3::bytea[], $4::bytea[])
       on conflict (gate_id, resident_id) do update set record = excluded.record, digest = excluded.digest`,
      [rows.map((r) => r.gate), rows.map((r) => r.id), rows.map((r) => r.record), rows.map((r) => r.digest)]);
  }
  for (let at = 0; at < gone.length; at += ROWS_PER_STATEMENT) {
    const rows = gone.slice(at, at + ROWS_PER_STATEMENT);
    await tx.query(
      "delete from desired_record d using unnest($1::bigint[], $2::integer[]) as v(gate_id, resident_id) where d.gate_id = v.gate_id and d.resident_id = v.resident_id",
      [rows.map((r) => r.gate), rows.map((r) => r.id)]);
  }
  await appendSets(tx, appended, now);
  return appended.map((a) => a.gateId);
}

/**
 * Writes each gate's changes as its next versions: into the gate's newest
 * version while that one is open (above sealed_version) and they fit in one
 * set, else as new versions. The gate rows are locked here too (the callers
 * already hold them: this only makes sure).
 */
export async function appendSets(tx: Sql, items: Appended[], now: number): Promise<void> {
  // One entry per gate, its changes in the order given.
  const byGate = new Map<number, Uint8Array[]>();
  for (const i of items) if (i.changes.length) byGate.set(i.gateId, [...(byGate.get(i.gateId) ?? []), ...i.changes]);
  items = [...byGate].map(([gateId, changes]) => ({ gateId, changes }));
  if (!items.length) return;
  const rows = await tx.query<{ id: unknown; desired_version: unknown; sealed_version: unknown; change_count: unknown; packed_bytes: unknown }>(
    `select g.id, g.desired_version, g.sealed_version, c.change_count, length(c.changes) as packed_bytes
     from gate g left join change_set c on c.gate_id = g.id and c.version = g.desired_version
     where g.id = any($1::bigint[]) order by g.id for update of g`, [items.map((i) => i.gateId)]);
  const gates = new Map(rows.map((r) => [num(r.id), r]));
  const joined: { gate: number; version: number; packed: Uint8Array; count: number }[] = [];
  const added: { gate: number; version: number; packed: Uint8Array; count: number }[] = [];
  const desired = new Map<number, number>();
  for (const item of items) {
    const g = gates.get(item.gateId);
    if (!g) throw new Error(`Gate ${item.gateId} is not registered.`);
    let version = num(g.desired_version);
    const open = version > num(g.sealed_version) && g.change_count !== null;
    if (open && fitsRun(num(g.change_count), num(g.packed_bytes), item.changes)) {
      joined.push({ gate: item.gateId, version, packed: packChanges(item.changes), count: item.changes.length });
      continue;
    }
    for (const run of chunkChanges(item.changes)) {
      version++;
      added.push({ gate: item.gateId, version, packed: packChanges(run), count: run.length });
    }
    desired.set(item.gateId, version);
  }
  if (joined.length) {
    await tx.query(
      `update change_set c set changes = c.changes || v.packed, change_count = c.change_count + v.count
       from unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::integer[]) as v(gate_id, version, packed, count)
       where c.gate_id = v.gate_id and c.version = v.version`,
      [joined.map((j) => j.gate), joined.map((j) => j.version), joined.map((j) => j.packed), joined.map((j) => j.count)]);
  }
  if (added.length) {
    await tx.query(
      `insert into change_set (gate_id, version, changes, change_count, created_at)
       select v.gate_id, v.version, v.packed, v.count, $5 from unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::integer[]) as v(gate_id, version, packed, count)`,
      [added.map((a) => a.gate), added.map((a) => a.version), added.map((a) => a.packed), added.map((a) => a.count), now]);
    await tx.query(
      "update gate g set desired_version = v.version from unnest($1::bigint[], $2::bigint[]) as v(id, version) where g.id = v.id",
      [[...desired.keys()], [...desired.values()]]);
  }
}
