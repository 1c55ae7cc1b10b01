// The TypeScript fallback of the matcher kernel: what runs in XS on the host
// (XS has no WebAssembly) and anywhere the native module is absent. It mirrors
// wasm/matcher.ts step for step, so scores and tie-breaks are identical.
import type { Matcher, ScanResult } from "../ports";
import { ABSENT_INDEX, ABSENT_SCORE } from "./kernel-status";
import { checkCount, checkLayout, checkSlot, checkVector } from "./layout";
import { emptyScanResult } from "./scan-result";

export class TsMatcher implements Matcher {
  readonly dimension: number;
  readonly capacity: number;
  readonly #gallery: Int8Array;
  readonly #result: ScanResult = emptyScanResult();

  constructor(dimension: number, capacity: number) {
    checkLayout(dimension, capacity);
    this.dimension = dimension;
    this.capacity = capacity;
    this.#gallery = new Int8Array(dimension * capacity);
  }

  load(slot: number, template: Int8Array): void {
    checkSlot(slot, this.capacity);
    checkVector(template, this.dimension, "template");
    this.#gallery.set(template, slot * this.dimension);
  }

  clear(slot: number): void {
    checkSlot(slot, this.capacity);
    this.#gallery.fill(0, slot * this.dimension, (slot + 1) * this.dimension);
  }

  verify(slot: number, probe: Int8Array): number {
    checkSlot(slot, this.capacity);
    checkVector(probe, this.dimension, "probe");
    return dot(this.#gallery, slot * this.dimension, probe, this.dimension);
  }

  scan(probe: Int8Array, count: number): ScanResult {
    checkVector(probe, this.dimension, "probe");
    checkCount(count, this.capacity);
    const gallery = this.#gallery;
    const d = this.dimension;
    let bestIndex = ABSENT_INDEX;
    let bestScore = ABSENT_SCORE;
    let secondIndex = ABSENT_INDEX;
    let secondScore = ABSENT_SCORE;
    for (let i = 0, row = 0; i < count; i++, row += d) {
      const score = dot(gallery, row, probe, d);
      // Strict comparisons: ties go to the lower index, as in the kernel.
      if (score > bestScore) {
        secondIndex = bestIndex;
        secondScore = bestScore;
        bestIndex = i;
        bestScore = score;
      } else if (score > secondScore) {
        secondIndex = i;
        secondScore = score;
      }
    }
    const result = this.#result;
    result.bestIndex = bestIndex;
    result.bestScore = bestScore;
    result.secondIndex = secondIndex;
    result.secondScore = secondScore;
    return result;
  }
}

/**
 * Integer dot product of gallery[at, at + n) and probe, four accumulators as
 * in the kernel. Every product is below 2^14 and n ≤ 4096, so each sum stays
 * an exact small integer in XS (no |0 needed, which would cost an op per term).
 */
function dot(gallery: Int8Array, at: number, probe: Int8Array, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let j = 0; j < n; j += 4) {
    const a = at + j;
    s0 += gallery[a] * probe[j];
    s1 += gallery[a + 1] * probe[j + 1];
    s2 += gallery[a + 2] * probe[j + 2];
    s3 += gallery[a + 3] * probe[j + 3];
  }
  return (s0 + s1) + (s2 + s3);
}
