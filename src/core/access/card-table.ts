// Cards as columns: UID bytes (10 per card), UID length and owner id, in
// typed arrays, plus an open-addressing index (linear probing over an
// Int32Array of row+1) so a card lookup costs the same at 100 or 40,000
// cards and allocates nothing. Rows stay dense: removing a card moves the
// last row into the hole. Callers validate UIDs and ownership first.
import { indexSizeFor } from "./index-size";
import { UID_MAX } from "./uid";

const EMPTY = 0;

export class CardTable {
  #uids: Uint8Array;
  #lens: Uint8Array;
  #owners: Uint32Array;
  #index: Int32Array;
  #mask: number;
  #count = 0;

  constructor(capacity = 64) {
    this.#uids = new Uint8Array(capacity * UID_MAX);
    this.#lens = new Uint8Array(capacity);
    this.#owners = new Uint32Array(capacity);
    this.#index = new Int32Array(indexSizeFor(capacity));
    this.#mask = this.#index.length - 1;
  }

  get size(): number {
    return this.#count;
  }

  /** A copy of the columns and the index (native typed-array copies): a checkpoint to roll back to. */
  clone(): CardTable {
    const copy = new CardTable(1);
    copy.#uids = this.#uids.slice();
    copy.#lens = this.#lens.slice();
    copy.#owners = this.#owners.slice();
    copy.#index = this.#index.slice();
    copy.#mask = this.#mask;
    copy.#count = this.#count;
    return copy;
  }

  /** Bytes held by the columns and the index. */
  get byteLength(): number {
    return this.#uids.byteLength + this.#lens.byteLength + this.#owners.byteLength + this.#index.byteLength;
  }

  /** Pre-size for `cards` rows so bulk loading does not grow in steps. */
  reserve(cards: number): void {
    if (cards > this.#lens.length) this.#resize(cards);
  }

  /** Row of the card with this UID, or -1. */
  find(uid: Uint8Array): number {
    const n = uid.length;
    const index = this.#index, uids = this.#uids, lens = this.#lens, mask = this.#mask;
    let slot = hashUid(uid, 0, n) & mask;
    for (;;) {
      const entry = index[slot];
      if (entry === EMPTY) return -1;
      const row = entry - 1;
      if (lens[row] === n) {
        const base = row * UID_MAX;
        let i = 0;
        while (i < n && uids[base + i] === uid[i]) i++;
        if (i === n) return row;
      }
      slot = (slot + 1) & mask;
    }
  }

  ownerAt(row: number): number {
    return this.#owners[row];
  }

  uidAt(row: number): Uint8Array {
    const base = row * UID_MAX;
    return this.#uids.slice(base, base + this.#lens[row]);
  }

  /** Appends a card; the caller has checked the UID is valid and not present. */
  add(uid: Uint8Array, owner: number): void {
    // The index is sized with the columns (indexSizeFor(capacity)), so it never passes 70 % full here.
    if (this.#count === this.#lens.length) this.#resize(Math.max(16, Math.ceil(this.#count * 1.5)));
    const row = this.#count++;
    this.#uids.fill(0, row * UID_MAX, row * UID_MAX + UID_MAX);
    this.#uids.set(uid, row * UID_MAX);
    this.#lens[row] = uid.length;
    this.#owners[row] = owner;
    this.#insertIndex(row);
  }

  removeAt(row: number): void {
    this.#deleteIndex(row);
    const last = --this.#count;
    if (row !== last) {
      this.#deleteIndex(last);
      this.#uids.copyWithin(row * UID_MAX, last * UID_MAX, last * UID_MAX + UID_MAX);
      this.#lens[row] = this.#lens[last];
      this.#owners[row] = this.#owners[last];
      this.#insertIndex(row);
    }
    this.#uids.fill(0, last * UID_MAX, last * UID_MAX + UID_MAX);
    this.#lens[last] = 0;
    this.#owners[last] = 0;
  }

  /** Rows owned by `owner`, highest first (so removing them in order is safe). */
  rowsOf(owner: number): number[] {
    const rows: number[] = [];
    for (let row = this.#count - 1; row >= 0; row--) if (this.#owners[row] === owner) rows.push(row);
    return rows;
  }

  #slotOfRow(row: number): number {
    const mask = this.#mask;
    let slot = hashUid(this.#uids, row * UID_MAX, this.#lens[row]) & mask;
    while (this.#index[slot] !== row + 1) slot = (slot + 1) & mask;
    return slot;
  }

  #insertIndex(row: number): void {
    const mask = this.#mask;
    let slot = hashUid(this.#uids, row * UID_MAX, this.#lens[row]) & mask;
    while (this.#index[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.#index[slot] = row + 1;
  }

  /** Backward-shift deletion keeps every probe chain unbroken without tombstones. */
  #deleteIndex(row: number): void {
    const index = this.#index, mask = this.#mask;
    let hole = this.#slotOfRow(row);
    index[hole] = EMPTY;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const entry = index[j];
      if (entry === EMPTY) return;
      const home = hashUid(this.#uids, (entry - 1) * UID_MAX, this.#lens[entry - 1]) & mask;
      // Move the entry into the hole unless its home lies cyclically in (hole, j].
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        index[hole] = entry;
        index[j] = EMPTY;
        hole = j;
      }
    }
  }

  #resize(capacity: number): void {
    const uids = new Uint8Array(capacity * UID_MAX);
    uids.set(this.#uids.subarray(0, this.#count * UID_MAX));
    const lens = new Uint8Array(capacity);
    lens.set(this.#lens.subarray(0, this.#count));
    const owners = new Uint32Array(capacity);
    owners.set(this.#owners.subarray(0, this.#count));
    this.#uids = uids;
    this.#lens = lens;
    this.#owners = owners;
    const size = indexSizeFor(capacity);
    if (size > this.#index.length) this.#rehash(size);
  }

  #rehash(size: number): void {
    this.#index = new Int32Array(size);
    this.#mask = size - 1;
    for (let row = 0; row < this.#count; row++) this.#insertIndex(row);
  }
}


/**
 * The cards grouped by owner in one pass (card row order within an owner),
 * pausing after every `perStep` rows: the inventory takes it a step at a time
 * (sync/inventory.ts), the snapshot all at once (groupCardsByOwner). Looking
 * cards up per resident instead would scan every card for every resident.
 */
export function* cardsByOwner(cards: CardTable, perStep: number): Generator<void, Map<number, Uint8Array[]>, void> {
  const of = new Map<number, Uint8Array[]>();
  for (let row = 0; row < cards.size; row++) {
    const owner = cards.ownerAt(row), list = of.get(owner);
    if (list) list.push(cards.uidAt(row));
    else of.set(owner, [cards.uidAt(row)]);
    if (row % perStep === perStep - 1) yield;
  }
  return of;
}

/** cardsByOwner without pauses. */
export function groupCardsByOwner(cards: CardTable): Map<number, Uint8Array[]> {
  const steps = cardsByOwner(cards, Infinity);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** FNV-1a over the UID bytes with a final avalanche, so similar UIDs spread. */
export function hashUid(bytes: Uint8Array, offset: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ bytes[offset + i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
