// Argument checks shared by every Matcher implementation (TS, WASM, native),
// so all paths refuse the same inputs with the same codes before any memory
// is touched. The kernels check again at their own entry as a second wall.
import { OptgateError } from "../errors";

/** Dimensions are multiples of 16: the SIMD kernel needs no tail loop, the scalar one unrolls by 4. */
export const DIMENSION_STEP = 16;
export const MAX_DIMENSION = 4096;
/** Kernel limit on slots (1,048,576 × 512 B would be 512 MB: far beyond any board). */
export const MAX_CAPACITY = 1 << 20;

export function checkLayout(dimension: number, capacity: number): void {
  if (!Number.isInteger(dimension) || dimension < DIMENSION_STEP || dimension > MAX_DIMENSION || dimension % DIMENSION_STEP !== 0) {
    throw new OptgateError("E_MATCHER_DIMENSION", `Template dimension ${dimension} is not supported; use a multiple of ${DIMENSION_STEP} between ${DIMENSION_STEP} and ${MAX_DIMENSION} (the face model gives 128 or 512).`);
  }
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
    throw new OptgateError("E_MATCHER_CAPACITY", `Matcher capacity ${capacity} is not supported; use 1 to ${MAX_CAPACITY} slots.`);
  }
}

export function checkSlot(slot: number, capacity: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= capacity) {
    throw new OptgateError("E_MATCHER_SLOT", `Template slot ${slot} does not exist; this matcher has slots 0 to ${capacity - 1}.`);
  }
}

export function checkVector(vector: Int8Array, dimension: number, what: "template" | "probe"): void {
  if (!(vector instanceof Int8Array) || vector.length !== dimension) {
    const got = vector instanceof Int8Array ? `${vector.length} values` : "not an Int8Array";
    throw new OptgateError("E_MATCHER_DIMENSION", `The ${what} has ${got} but this matcher holds ${dimension}-dimensional int8 templates; was it made by a different face model?`);
  }
}

export function checkCount(count: number, capacity: number): void {
  if (count === 0) {
    throw new OptgateError("E_MATCHER_EMPTY_GALLERY", "No face templates are enrolled, so there is nothing to match against; use card or PIN.");
  }
  if (!Number.isInteger(count) || count < 0 || count > capacity) {
    throw new OptgateError("E_MATCHER_CAPACITY", `Cannot scan ${count} templates: this matcher has ${capacity} slots.`);
  }
}
