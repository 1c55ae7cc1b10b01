// A registry as one byte string (Registry.exportSnapshot): a meta change, then
// per resident one add-resident (PIN verifier with the key it was made under,
// cards, codes) and the gate-local facts that go with it (set-face, rate-pin).
// Registry.fromSnapshot replays it through the same validating path as any change.
import { type CodeRecord, type PinRecord, encodeChange } from "./changes";
import { groupCardsByOwner, type CardTable } from "./card-table";
import type { CodeEntry } from "./registry-types";
import { FLAG_FACE, FLAG_PIN, PIN_HASH_BYTES, PIN_SALT_BYTES, type ResidentTable } from "./resident-table";
import { frameSnapshot } from "./snapshot-frame";

/** The verifier of the resident in `row` (copies), with its key id when it is a compound one. */
export function pinRecordAt(t: ResidentTable, row: number): PinRecord {
  const keyId = t.pinKeyIdAt(row);
  const pin: PinRecord = { salt: t.pinSalts.slice(row * PIN_SALT_BYTES, (row + 1) * PIN_SALT_BYTES), hash: t.pinHashes.slice(row * PIN_HASH_BYTES, (row + 1) * PIN_HASH_BYTES) };
  if (keyId) pin.keyId = keyId;
  return pin;
}

export function snapshotOf(t: ResidentTable, cards: CardTable, codes: Map<string, CodeEntry>, nextId: number): Uint8Array {
  const changes: Uint8Array[] = [encodeChange({ kind: "meta", nextId })];
  // Cards and codes grouped by owner in one pass each: looking them up per resident would scan them all for each.
  const cardsOf = groupCardsByOwner(cards);
  const codesOf = new Map<number, CodeRecord[]>();
  // Used-up codes go along (uses 0) until purged, so a restore still says "code-used-up".
  for (const entry of codes.values()) {
    const code = { hash: entry.hash, from: entry.from, until: entry.until, uses: entry.uses };
    const list = codesOf.get(entry.resident);
    if (list) list.push(code);
    else codesOf.set(entry.resident, [code]);
  }
  for (let row = 0; row < t.size; row++) {
    const id = t.ids[row];
    const hasPin = (t.flags[row] & FLAG_PIN) !== 0;
    changes.push(encodeChange({
      kind: "add-resident",
      id, role: t.roles[row], status: t.statuses[row], groups: t.groups[row], from: t.from[row], until: t.until[row], unit: t.unitAt(row),
      pin: hasPin ? pinRecordAt(t, row) : undefined,
      cards: cardsOf.get(id) ?? [],
      codes: codesOf.get(id) ?? [],
    }));
    if (t.flags[row] & FLAG_FACE) changes.push(encodeChange({ kind: "set-face", id, flag: true }));
    if (hasPin && t.pinQuality[row] !== 0) changes.push(encodeChange({ kind: "rate-pin", id, quality: t.pinQuality[row] }));
  }
  return frameSnapshot(changes);
}
