// What a gate holds, per resident, as a short digest the hub can compare with
// its desired state (missing / extra / different) without the gate sending
// the records themselves. Both sides digest the same canonical form: resident
// fields, PIN verifier (salt and keyed hash, never a PIN) and cards in byte
// order. Gate-local facts stay out: the face flag, PIN strength, and one-time
// codes (issued and used up at the gate; not yet managed by the hub).
import { encodeChange, type PinRecord, type ResidentFields } from "../access/changes";
import { pinRecordAt } from "../access/registry-snapshot";
import { cardsByOwner } from "../access/card-table";
import { FLAG_PIN } from "../access/resident-table";
import type { Registry } from "../access/registry";
import { sha256 } from "../crypto";
import { DIGEST_BYTES, type InventoryEntry } from "./messages";

export interface CanonicalResident extends ResidentFields {
  pin?: PinRecord;
  cards: Uint8Array[];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The resident as one add-resident change with cards sorted and no codes: what both sides digest. */
export function canonicalResident(r: CanonicalResident): Uint8Array {
  const cards = r.cards.slice().sort(compareBytes);
  return encodeChange({
    kind: "add-resident", id: r.id, role: r.role, status: r.status, groups: r.groups, from: r.from, until: r.until,
    unit: r.unit, pin: r.pin, cards, codes: [],
  });
}

export function residentDigest(r: CanonicalResident): Uint8Array {
  return sha256(canonicalResident(r)).slice(0, DIGEST_BYTES);
}

/** Every resident of the registry with its digest, in id order, at once (tests, the host's protocol gates). */
export function registryInventory(registry: Registry): InventoryEntry[] {
  const steps = inventorySteps(registry);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Card rows grouped by owner per step. */
export const CARD_ROWS_PER_STEP = 64;

/**
 * The inventory a step at a time: each next() does one bounded piece of work
 * (a slice of the card table, or one resident's digest) and the generator
 * returns the entries, in id order, at the end. It reads the registry's own
 * tables: starting costs nothing (the registry's snapshot it used to take cost
 * 42 M XS computrons in one tick at 20,000 residents, at every applied set).
 * If the registry changes meanwhile (its revision moves), it starts again, so
 * the entries are of one moment.
 */
export function* inventorySteps(registry: Registry): Generator<void, InventoryEntry[], void> {
  for (;;) {
    const revision = registry.revision;
    const t = registry.residents, cards = registry.cards;
    const grouping = cardsByOwner(cards, CARD_ROWS_PER_STEP);
    let grouped = grouping.next(), fresh = true;
    while (!grouped.done && fresh) {
      yield;
      fresh = registry.revision === revision;
      if (fresh) grouped = grouping.next();
    }
    if (grouped.done !== true) continue;
    const cardsOf = grouped.value;
    const entries: InventoryEntry[] = [];
    for (let row = 0; row < t.size && fresh; row++) {
      yield;
      fresh = registry.revision === revision;
      if (!fresh) break;
      const id = t.ids[row];
      entries.push({
        id,
        digest: residentDigest({
          id, role: t.roles[row], status: t.statuses[row], groups: t.groups[row], from: t.from[row], until: t.until[row], unit: t.unitAt(row),
          pin: (t.flags[row] & FLAG_PIN) !== 0 ? pinRecordAt(t, row) : undefined,
          cards: cardsOf.get(id) ?? [],
        }),
      });
    }
    if (fresh) return entries.sort((a, b) => a.id - b.id);
  }
}
