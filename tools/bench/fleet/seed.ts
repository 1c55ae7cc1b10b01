// The bench's compound: residents as the office would enter them, and a bulk
// load of them into the hub's tables. Going through Hub.putResidents would
// write each desired record with its own statement (a million for 50 gates),
// which is the office's path for a few residents, not for seeding a bench;
// the rows written here are the ones it would write (the same canonical
// records and digests), and the gates then take them by a full resync.
import { canonicalResident, residentDigest } from "../../../src/core/sync/inventory";
import { toCanonical, type ResidentInput } from "../../hub/desired";
import type { Sql } from "../../hub/db";

const BATCH = 1000;

/** A 7-byte card UID, unique per resident and card number. */
export function benchCard(id: number, n: number): Uint8Array {
  return Uint8Array.from([0x04, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff, 0x5a, 0xa5, n]);
}

/** Resident `id`, one or two cards and a PIN verifier; `edit` varies the unit (a change). */
export function benchResident(id: number, edit = 0): ResidentInput {
  const cards = id % 3 === 0 ? [benchCard(id, 0), benchCard(id, 1)] : [benchCard(id, 0)];
  const pin = { salt: Uint8Array.from([id & 0xff, (id >> 8) & 0xff, 1, 2]), hash: new Uint8Array(16).fill(id & 0xff) };
  return { id, unit: edit ? `E${edit % 1_000_000}` : `B${id % 40}-${id % 1000}`, role: id % 5 === 0 ? "renter" : "owner", groups: 1, pin, cards };
}

const values = (rows: number, columns: number, casts: string[] = []) =>
  Array.from({ length: rows }, (_, r) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}${casts[c] ?? ""}`).join(", ")})`).join(", ");

/** Residents 1..count into resident, card and every gate's desired_record of the compound. */
export async function seedResidents(db: Sql, compoundId: number, count: number): Promise<void> {
  for (let first = 1; first <= count; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - first + 1) }, (_, i) => toCanonical(benchResident(first + i)));
    await db.query(
      `insert into resident (compound_id, id, unit, role, status, groups, valid_from, valid_until, pin_salt, pin_hash) values ${values(batch.length, 10)}`,
      batch.flatMap((r) => [compoundId, r.id, r.unit, r.role, r.status, r.groups, r.from, r.until, r.pin?.salt ?? null, r.pin?.hash ?? null]));
    const cards = batch.flatMap((r) => r.cards.map((uid) => [compoundId, uid, r.id]));
    await db.query(`insert into card (compound_id, uid, resident_id) values ${values(cards.length, 3)}`, cards.flat());
    await db.query(
      `insert into desired_record (gate_id, resident_id, record, digest)
       select g.id, v.resident_id, v.record, v.digest from gate g, (values ${values(batch.length, 3, ["::integer", "::bytea", "::bytea"])}) as v(resident_id, record, digest)
       where g.compound_id = $${batch.length * 3 + 1}`,
      [...batch.flatMap((r) => [r.id, canonicalResident(r), residentDigest(r)]), compoundId]);
  }
}
