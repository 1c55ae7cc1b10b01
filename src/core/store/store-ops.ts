// A transaction's operations checked and turned into the records one group
// writes (split from log-store.ts). Refusals throw before anything is written.
import { MAX_GROUP, MAX_VALUE, RecordType, putU32 } from "./format";
import { checkKey, checkValue, storeError } from "./store-checks";
import { TRIM } from "./store-entry";
import type { StoreOp } from "./store-types";

/** One record of a group about to be written. */
export interface Pending {
  type: RecordType;
  key: string;
  value: Uint8Array;
  aux: number;
}

export interface OpsPlan {
  records: Pending[];
  /** Stream index of each append, in order. */
  appended: number[];
  /** Key + value bytes asked for (write amplification's denominator). */
  requested: number;
  /** A trim is among them: stream liveness needs recounting after the write. */
  trimmed: boolean;
}

export interface OpsContext {
  streamStart(stream: string): number;
  streamLength(stream: string): number;
  has(key: string): boolean;
  seal(key: string, value: Uint8Array): Uint8Array;
}

export function planOps(ops: StoreOp[], store: OpsContext): OpsPlan {
  if (ops.length === 0 || ops.length > MAX_GROUP - 1) throw storeError("E_STORE_TXN", `a transaction holds 1 to ${MAX_GROUP - 1} operations, not ${ops.length}.`);
  const records: Pending[] = [];
  const touched = new Set<string>();
  const appended: number[] = [];
  const nextIndex = new Map<string, number>();
  let requested = 0;
  let trimmed = false;
  for (const op of ops) {
    if ("trim" in op) {
      checkKey(op.trim);
      const { trim: stream, before } = op;
      if (!Number.isInteger(before) || before < store.streamStart(stream) || before > store.streamLength(stream) || touched.has(TRIM + stream)) {
        throw storeError("E_STORE_RANGE", `trim point ${before} is outside ${stream} [${store.streamStart(stream)}, ${store.streamLength(stream)}].`);
      }
      touched.add(TRIM + stream);
      const value = new Uint8Array(4);
      putU32(value, 0, before);
      records.push({ type: RecordType.Put, key: TRIM + stream, value, aux: before });
      trimmed = true;
      continue;
    }
    if ("append" in op) {
      checkKey(op.append);
      checkValue(op.data, MAX_VALUE - 4);
      const index = nextIndex.get(op.append) ?? store.streamLength(op.append);
      nextIndex.set(op.append, index + 1);
      const value = new Uint8Array(4 + op.data.length);
      putU32(value, 0, index);
      value.set(op.data, 4);
      records.push({ type: RecordType.Stream, key: op.append, value, aux: index });
      appended.push(index);
      requested += op.append.length + op.data.length;
      continue;
    }
    const key = "put" in op ? op.put : op.delete;
    checkKey(key);
    if (touched.has(key)) throw storeError("E_STORE_TXN", `key "${key}" appears twice in one transaction.`);
    touched.add(key);
    if ("put" in op) {
      checkValue(op.value, MAX_VALUE);
      records.push(op.sealed
        ? { type: RecordType.Sealed, key, value: store.seal(key, op.value), aux: 0 }
        : { type: RecordType.Put, key, value: op.value.slice(), aux: 0 });
      requested += key.length + op.value.length;
    } else if (store.has(key)) {
      records.push({ type: RecordType.Delete, key, value: new Uint8Array(0), aux: 0 });
      requested += key.length;
    }
  }
  return { records, appended, requested, trimmed };
}
