// The log's per-sector bookkeeping (split from log-store.ts): each sector's
// state (free, live, dead), erase count, sequence number, fill and live
// bytes; the live sectors in log order and the head; and the sector-level
// writes with their rules: a head joins the log by header part B, the
// least-erased free sector goes first, an erase clears the magic first.
import { futureError, storeError } from "./store-checks";
import type { Pending } from "./store-ops";
import type { Flash } from "./flash";
import {
  KEY_SECTORS, MAX_RECORD, SECTOR_HEADER, SectorState, decodeSectorHeader, encodeHeaderA, encodeHeaderB, recordSize, type SectorHeader,
} from "./format";

export const FREE = 0, LIVE = 1, DEAD = 2;
/** Free sectors kept back so compaction always has somewhere to copy to. */
export const RESERVE = 3;

/**
 * Every log sector's header, read only: a newer format (unless `current`, a
 * valid key copy of this version, makes it damage) throws before anything is written.
 */
export function readSectorHeaders(flash: Flash, n: number, current: boolean): SectorHeader[] {
  const headers: SectorHeader[] = [];
  for (let s = KEY_SECTORS; s < n; s++) {
    const h = decodeSectorHeader(flash.read(s * flash.sectorSize, SECTOR_HEADER));
    if (h.state === SectorState.Future && !current) throw futureError();
    headers.push(h.state === SectorState.Future ? { state: SectorState.Garbage, eraseCount: 0, sectorSeq: 0 } : h);
  }
  return headers;
}

export class SectorTable {
  readonly flash: Flash;
  readonly ss: number;
  readonly n: number;
  readonly state: Uint8Array;
  readonly eraseCount: Uint32Array;
  readonly sectorSeq: Uint32Array;
  /** Where each sector's written part ends. */
  readonly used: Uint32Array;
  readonly live: Int32Array;
  /** Holds torn or orphaned bytes: never appended to, scrubbed when space allows. */
  readonly dirty: Uint8Array;
  readonly minStreamIndex: Float64Array;
  /** Live sectors, oldest first; the last one is the head when head >= 0. */
  order: number[] = [];
  head = -1;
  headOffset = 0;
  nextSectorSeq = 1;
  programmed = 0;
  erases = 0;

  constructor(flash: Flash, n: number) {
    this.flash = flash;
    this.ss = flash.sectorSize;
    this.n = n;
    this.state = new Uint8Array(n).fill(DEAD);
    this.eraseCount = new Uint32Array(n);
    this.sectorSeq = new Uint32Array(n);
    this.used = new Uint32Array(n);
    this.live = new Int32Array(n);
    this.dirty = new Uint8Array(n);
    this.minStreamIndex = new Float64Array(n).fill(Infinity);
  }

  /** Takes the headers read at boot: free and live sectors, log order; returns the highest erase count. */
  adopt(headers: SectorHeader[]): number {
    let maxErase = 0;
    for (let s = KEY_SECTORS; s < this.n; s++) {
      const h = headers[s - KEY_SECTORS];
      this.eraseCount[s] = h.eraseCount;
      maxErase = Math.max(maxErase, h.eraseCount);
      if (h.state === SectorState.Free) this.state[s] = FREE;
      else if (h.state === SectorState.Live) {
        this.state[s] = LIVE;
        this.sectorSeq[s] = h.sectorSeq;
        this.nextSectorSeq = Math.max(this.nextSectorSeq, h.sectorSeq + 1);
        this.order.push(s);
      }
    }
    this.order.sort((a, b) => this.sectorSeq[a] - this.sectorSeq[b]);
    return maxErase;
  }

  liveTotal(): number {
    let live = 0;
    for (let s = KEY_SECTORS; s < this.n; s++) live += this.live[s];
    return live;
  }

  liveLimit(): number {
    // Each closed sector holds at least (capacity - largest record); keep the reserve and the head out.
    return (this.n - KEY_SECTORS - RESERVE - 1) * (this.ss - SECTOR_HEADER - MAX_RECORD);
  }

  fits(records: Pending[], reserve: number): boolean {
    let free = -reserve;
    for (let s = KEY_SECTORS; s < this.n; s++) if (this.state[s] === FREE) free++;
    let off = this.head >= 0 ? this.headOffset : this.ss;
    for (const r of records) {
      const size = recordSize(r.key.length + r.value.length);
      if (off + size > this.ss) {
        if (free-- <= 0) return false;
        off = SECTOR_HEADER;
      }
      off += size;
    }
    return true;
  }

  /** Wear levelling: the next head is the least-erased free sector. */
  openSector(): void {
    let best = -1;
    for (let s = KEY_SECTORS; s < this.n; s++) {
      if (this.state[s] === FREE && (best < 0 || this.eraseCount[s] < this.eraseCount[best])) best = s;
    }
    if (best < 0) throw storeError("E_STORE_FULL", "the flash store has no free sector.");
    const seq = this.nextSectorSeq++;
    this.program(best * this.ss + 16, encodeHeaderB(encodeHeaderA(this.eraseCount[best]), seq));
    this.state[best] = LIVE;
    this.sectorSeq[best] = seq;
    this.used[best] = SECTOR_HEADER;
    this.live[best] = 0;
    this.dirty[best] = 0;
    this.minStreamIndex[best] = Infinity;
    this.order.push(best);
    this.head = best;
    this.headOffset = SECTOR_HEADER;
  }

  /**
   * `marked`: first clear the header magic, so an erase cut part-way can never
   * leave a sector that looks live with some of its old records (a partial
   * erase only raises bits; it cannot rebuild the magic and its CRC).
   */
  eraseSector(s: number, marked = true): void {
    const i = this.order.indexOf(s);
    if (i >= 0) this.order.splice(i, 1);
    if (this.head === s) this.head = -1;
    this.state[s] = DEAD;
    if (marked) this.program(s * this.ss, new Uint8Array(4));
    this.flash.erase(s);
    this.erases++;
    this.eraseCount[s]++;
    this.program(s * this.ss, encodeHeaderA(this.eraseCount[s]));
    this.state[s] = FREE;
    this.live[s] = 0;
    this.dirty[s] = 0;
    this.used[s] = SECTOR_HEADER;
    this.minStreamIndex[s] = Infinity;
  }

  program(addr: number, bytes: Uint8Array): void {
    this.flash.write(addr, bytes);
    this.programmed += bytes.length;
  }
}
