// What a gate holds, per resident, as a short digest the hub can compare with
// its desired state (missing / extra / different) without the gate sending
// the records themselves. Both sides digest the same canonical form: resident
// fields, PIN verifier (salt and keyed hash, never a PIN) and cards in byte
// order. Gate-local facts stay out: the face flag, PIN strength, and one-time
// codes (issued and used up at the gate; not yet managed by the hub).
import { encodeChange, decodeChange, type PinRecord, type ResidentFields } from "../access/changes";
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

/** Every resident of the registry with its digest, in id order. */
export function registryInventory(registry: Registry): InventoryEntry[] {
  return [...inventoryEntries(registry)].sort((a, b) => a.id - b.id);
}

/**
 * The same entries one at a time, in snapshot order, each digested only when
 * asked for: the gate spreads the SHA-256s over many ticks (fleet-link.ts).
 * The snapshot is taken at the first step, so the entries are of one moment.
 */
export function* inventoryEntries(registry: Registry): Generator<InventoryEntry> {
  const snapshot = registry.exportSnapshot();
  const view = new DataView(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength);
  let at = 8;
  for (let n = view.getUint32(4); n > 0; n--) {
    const length = view.getUint32(at);
    const change = decodeChange(snapshot.subarray(at + 4, at + 4 + length));
    at += 4 + length;
    if (change.kind === "add-resident") yield { id: change.id, digest: residentDigest(change) };
  }
}
