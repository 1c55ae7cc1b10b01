// What the store's index keeps per record, and how the log hands records over.
import type { RecordType } from "./format";

/** Puts under this prefix hold a stream's trim point (the store's own keys start with "#"). */
export const TRIM = "#trim/";

/** A committed record as the log walk hands it over: enough to index it without rereading. */
export interface Entry {
  type: RecordType;
  key: string;
  addr: number;
  size: number;
  seq: number;
  /** Stream index (Stream), victim sector sequence (Retire), trim point ("#trim/" puts). */
  aux: number;
  groupIndex: number;
  groupSize: number;
}

// Index entries pack (address, size, type) into one number: a gate with
// thousands of keys must not hold an object per key in a 160 KB XS heap.
export const pack = (addr: number, size: number, type: number) => (addr * 8192 + size) * 4 + type;
export const addrOf = (e: number) => Math.floor(e / 32768);
export const sizeOf = (e: number) => Math.floor(e / 4) % 8192;
export const typeOf = (e: number) => e % 4;
