// Residents as columns (54 bytes a resident, no object per resident) plus an
// open-addressing index from pseudonymous id to row. Rows stay dense: removing
// a resident moves the last row into the hole, so cards refer to residents by
// id, never by row. Callers (the Registry) validate before writing.
import { OptgateError } from "../errors";
import { indexSizeFor } from "./index-size";
import { NO_FROM, NO_UNTIL, UNIT_MAX } from "./types";

export const PIN_SALT_BYTES = 4;
export const PIN_HASH_BYTES = 16;

export const FLAG_PIN = 1;
export const FLAG_FACE = 2;
/**
 * Flags bits 2-3: which key the PIN verifier was made under, as a slot: 0 the
 * gate's own PIN key, 1-3 a compound key id interned in pinKeyIds (a gate
 * holds verifiers of one compound key, two during a change of key): no
 * column, so 20,000 residents stay within the registry's RAM budget.
 */
export const PIN_KEY_SLOT_SHIFT = 2;
export const PIN_KEY_SLOT_MASK = 3 << PIN_KEY_SLOT_SHIFT;
const MAX_PIN_KEY_SLOTS = 3;

/** What the gate knows of a PIN's strength (pinQuality column): set with the PIN, or learnt when it is next typed. */
export const PIN_QUALITIES = ["unknown", "ok", "short", "weak"] as const;
export type PinQuality = (typeof PIN_QUALITIES)[number];

export class ResidentTable {
  ids: Uint32Array;
  units: Uint8Array;
  roles: Uint8Array;
  statuses: Uint8Array;
  flags: Uint8Array;
  cardCounts: Uint8Array;
  groups: Uint32Array;
  from: Uint32Array;
  until: Uint32Array;
  pinSalts: Uint8Array;
  pinHashes: Uint8Array;
  /** Wrong PINs counted against the resident (guessing limit), as of pinFailedAt. */
  pinFailures: Uint8Array;
  /** Seconds of the resident's last wrong PIN. */
  pinFailedAt: Uint32Array;
  /** PIN_QUALITIES index. */
  pinQuality: Uint8Array;
  /** Compound key ids by slot - 1 (see PIN_KEY_SLOT_SHIFT). */
  pinKeyIds: number[] = [];
  #index: Int32Array;
  #mask: number;
  #count = 0;

  constructor(capacity = 16) {
    this.ids = new Uint32Array(capacity);
    this.units = new Uint8Array(capacity * UNIT_MAX);
    this.roles = new Uint8Array(capacity);
    this.statuses = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.cardCounts = new Uint8Array(capacity);
    this.groups = new Uint32Array(capacity);
    this.from = new Uint32Array(capacity);
    this.until = new Uint32Array(capacity);
    this.pinSalts = new Uint8Array(capacity * PIN_SALT_BYTES);
    this.pinHashes = new Uint8Array(capacity * PIN_HASH_BYTES);
    this.pinFailures = new Uint8Array(capacity);
    this.pinFailedAt = new Uint32Array(capacity);
    this.pinQuality = new Uint8Array(capacity);
    this.#index = new Int32Array(indexSizeFor(capacity));
    this.#mask = this.#index.length - 1;
  }

  get size(): number {
    return this.#count;
  }

  /** A copy of every column and the index (native typed-array copies): a checkpoint to roll back to. */
  clone(): ResidentTable {
    const copy = new ResidentTable(1);
    copy.ids = this.ids.slice();
    copy.units = this.units.slice();
    copy.roles = this.roles.slice();
    copy.statuses = this.statuses.slice();
    copy.flags = this.flags.slice();
    copy.cardCounts = this.cardCounts.slice();
    copy.groups = this.groups.slice();
    copy.from = this.from.slice();
    copy.until = this.until.slice();
    copy.pinSalts = this.pinSalts.slice();
    copy.pinHashes = this.pinHashes.slice();
    copy.pinFailures = this.pinFailures.slice();
    copy.pinFailedAt = this.pinFailedAt.slice();
    copy.pinQuality = this.pinQuality.slice();
    copy.pinKeyIds = this.pinKeyIds.slice();
    copy.#index = this.#index.slice();
    copy.#mask = this.#mask;
    copy.#count = this.#count;
    return copy;
  }

  get byteLength(): number {
    return this.#columns().reduce((sum, column) => sum + column.byteLength, 0) + this.#index.byteLength;
  }

  reserve(residents: number): void {
    if (residents > this.ids.length) this.#resize(residents);
  }

  /** Row of the resident with this id, or -1. */
  find(id: number): number {
    const index = this.#index, ids = this.ids, mask = this.#mask;
    let slot = hashId(id) & mask;
    for (;;) {
      const entry = index[slot];
      if (entry === 0) return -1;
      if (ids[entry - 1] === id) return entry - 1;
      slot = (slot + 1) & mask;
    }
  }

  /** Appends a zeroed row for `id` (not present) and returns it. */
  add(id: number): number {
    // The index is sized with the columns (indexSizeFor(capacity)), so it never passes 70 % full here.
    if (this.#count === this.ids.length) this.#resize(Math.max(16, Math.ceil(this.#count * 1.5)));
    const row = this.#count++;
    this.#clearRow(row);
    this.ids[row] = id;
    this.from[row] = NO_FROM;
    this.until[row] = NO_UNTIL;
    this.#insertIndex(row);
    return row;
  }

  removeAt(row: number): void {
    this.#deleteIndex(row);
    const last = --this.#count;
    if (row !== last) {
      this.#deleteIndex(last);
      this.ids[row] = this.ids[last];
      this.units.copyWithin(row * UNIT_MAX, last * UNIT_MAX, last * UNIT_MAX + UNIT_MAX);
      this.roles[row] = this.roles[last];
      this.statuses[row] = this.statuses[last];
      this.flags[row] = this.flags[last];
      this.cardCounts[row] = this.cardCounts[last];
      this.groups[row] = this.groups[last];
      this.from[row] = this.from[last];
      this.until[row] = this.until[last];
      this.pinSalts.copyWithin(row * PIN_SALT_BYTES, last * PIN_SALT_BYTES, (last + 1) * PIN_SALT_BYTES);
      this.pinHashes.copyWithin(row * PIN_HASH_BYTES, last * PIN_HASH_BYTES, (last + 1) * PIN_HASH_BYTES);
      this.pinFailures[row] = this.pinFailures[last];
      this.pinFailedAt[row] = this.pinFailedAt[last];
      this.pinQuality[row] = this.pinQuality[last];
      this.#insertIndex(row);
    }
    // The departed resident's PIN hash must not linger in a spare row.
    this.#clearRow(last);
  }

  /** The key id the row's PIN verifier was made under (0: the gate's own key). */
  pinKeyIdAt(row: number): number {
    const slot = (this.flags[row] & PIN_KEY_SLOT_MASK) >>> PIN_KEY_SLOT_SHIFT;
    return slot === 0 ? 0 : this.pinKeyIds[slot - 1];
  }

  /**
   * Records the key id of the row's verifier. A fourth distinct compound key
   * takes the slot of one no row uses any more, else E_TOO_MANY_PIN_KEYS
   * (callers check first with canTakePinKeyId, before writing anything).
   */
  setPinKeyId(row: number, keyId: number): void {
    const slot = this.#slotFor(keyId, row);
    if (slot < 0) throw tooManyPinKeys();
    this.flags[row] = (this.flags[row] & ~PIN_KEY_SLOT_MASK) | (slot << PIN_KEY_SLOT_SHIFT);
  }

  /** True when a verifier under `keyId` fits in the row (its own slot may be reused). */
  canTakePinKeyId(keyId: number, row = -1): boolean {
    return this.#slotFor(keyId, row, false) >= 0;
  }

  #slotFor(keyId: number, row: number, take = true): number {
    if (keyId === 0) return 0;
    const held = this.pinKeyIds.indexOf(keyId);
    if (held >= 0) return held + 1;
    if (this.pinKeyIds.length < MAX_PIN_KEY_SLOTS) {
      if (take) this.pinKeyIds.push(keyId);
      return take ? this.pinKeyIds.length : this.pinKeyIds.length + 1;
    }
    const used = new Uint8Array(MAX_PIN_KEY_SLOTS + 1);
    for (let r = 0; r < this.#count; r++) if (r !== row) used[(this.flags[r] & PIN_KEY_SLOT_MASK) >>> PIN_KEY_SLOT_SHIFT] = 1;
    for (let slot = 1; slot <= MAX_PIN_KEY_SLOTS; slot++) {
      if (used[slot]) continue;
      if (take) this.pinKeyIds[slot - 1] = keyId;
      return slot;
    }
    return -1;
  }

  unitAt(row: number): string {
    let text = "";
    for (let i = 0; i < UNIT_MAX; i++) {
      const c = this.units[row * UNIT_MAX + i];
      if (c === 0) break;
      text += String.fromCharCode(c);
    }
    return text;
  }

  setUnit(row: number, unit: string): void {
    this.units.fill(0, row * UNIT_MAX, row * UNIT_MAX + UNIT_MAX);
    for (let i = 0; i < unit.length; i++) this.units[row * UNIT_MAX + i] = unit.charCodeAt(i);
  }

  #columns(): (Uint8Array | Uint32Array)[] {
    return [this.ids, this.units, this.roles, this.statuses, this.flags, this.cardCounts, this.groups, this.from, this.until, this.pinSalts, this.pinHashes,
      this.pinFailures, this.pinFailedAt, this.pinQuality];
  }

  #clearRow(row: number): void {
    this.ids[row] = 0;
    this.units.fill(0, row * UNIT_MAX, row * UNIT_MAX + UNIT_MAX);
    this.roles[row] = 0;
    this.statuses[row] = 0;
    this.flags[row] = 0;
    this.cardCounts[row] = 0;
    this.groups[row] = 0;
    this.from[row] = 0;
    this.until[row] = 0;
    this.pinSalts.fill(0, row * PIN_SALT_BYTES, (row + 1) * PIN_SALT_BYTES);
    this.pinHashes.fill(0, row * PIN_HASH_BYTES, (row + 1) * PIN_HASH_BYTES);
    this.pinFailures[row] = 0;
    this.pinFailedAt[row] = 0;
    this.pinQuality[row] = 0;
  }

  #insertIndex(row: number): void {
    const mask = this.#mask;
    let slot = hashId(this.ids[row]) & mask;
    while (this.#index[slot] !== 0) slot = (slot + 1) & mask;
    this.#index[slot] = row + 1;
  }

  /** Backward-shift deletion, as in the card table. */
  #deleteIndex(row: number): void {
    const index = this.#index, mask = this.#mask;
    let hole = hashId(this.ids[row]) & mask;
    while (index[hole] !== row + 1) hole = (hole + 1) & mask;
    index[hole] = 0;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const entry = index[j];
      if (entry === 0) return;
      const home = hashId(this.ids[entry - 1]) & mask;
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        index[hole] = entry;
        index[j] = 0;
        hole = j;
      }
    }
  }

  #resize(capacity: number): void {
    const grow = <T extends Uint8Array | Uint32Array>(column: T, per: number): T => {
      const next = new (column.constructor as new (n: number) => T)(capacity * per);
      next.set(column.subarray(0, this.#count * per));
      return next;
    };
    this.ids = grow(this.ids, 1);
    this.units = grow(this.units, UNIT_MAX);
    this.roles = grow(this.roles, 1);
    this.statuses = grow(this.statuses, 1);
    this.flags = grow(this.flags, 1);
    this.cardCounts = grow(this.cardCounts, 1);
    this.groups = grow(this.groups, 1);
    this.from = grow(this.from, 1);
    this.until = grow(this.until, 1);
    this.pinSalts = grow(this.pinSalts, PIN_SALT_BYTES);
    this.pinHashes = grow(this.pinHashes, PIN_HASH_BYTES);
    this.pinFailures = grow(this.pinFailures, 1);
    this.pinFailedAt = grow(this.pinFailedAt, 1);
    this.pinQuality = grow(this.pinQuality, 1);
    const size = indexSizeFor(capacity);
    if (size > this.#index.length) this.#rehash(size);
  }

  #rehash(size: number): void {
    this.#index = new Int32Array(size);
    this.#mask = size - 1;
    for (let row = 0; row < this.#count; row++) this.#insertIndex(row);
  }
}


export function tooManyPinKeys(): OptgateError {
  return new OptgateError("E_TOO_MANY_PIN_KEYS", `The gate holds PIN verifiers under ${MAX_PIN_KEY_SLOTS} compound keys already; set the old PINs again under the current key.`);
}

/** Ids are sequential; a multiplicative mix spreads them over the index. */
function hashId(id: number): number {
  let h = Math.imul(id, 0x9e3779b1);
  h ^= h >>> 15;
  return h >>> 0;
}
