// A plain reference Matcher for the face tests: int8 dot products over a flat
// gallery, best and second best. Deliberately simple so it is obviously right;
// the real kernels (wasm, native, TS fallback) are checked elsewhere.
import type { Matcher, ScanResult } from "../../../src/core/ports";

export class ReferenceMatcher implements Matcher {
  readonly dimension: number;
  readonly capacity: number;
  readonly gallery: Int8Array;
  #result: ScanResult = { bestIndex: -1, bestScore: 0, secondIndex: -1, secondScore: 0 };
  /** Optional spy: sees every template loaded and every probe offered (the caller's arrays, not copies). */
  onBytes?: (what: "template" | "probe", bytes: Int8Array) => void;

  constructor(dimension: number, capacity: number) {
    this.dimension = dimension;
    this.capacity = capacity;
    this.gallery = new Int8Array(dimension * capacity);
  }

  load(slot: number, template: Int8Array): void {
    this.#check(slot);
    if (template.length !== this.dimension) throw new Error("template dimension");
    this.gallery.set(template, slot * this.dimension);
    this.onBytes?.("template", template);
  }

  clear(slot: number): void {
    this.#check(slot);
    this.gallery.fill(0, slot * this.dimension, (slot + 1) * this.dimension);
  }

  verify(slot: number, probe: Int8Array): number {
    this.#check(slot);
    this.onBytes?.("probe", probe);
    return this.#dot(slot, probe);
  }

  scan(probe: Int8Array, count: number): ScanResult {
    this.onBytes?.("probe", probe);
    const r = this.#result;
    r.bestIndex = r.secondIndex = -1;
    r.bestScore = r.secondScore = -Infinity;
    for (let slot = 0; slot < count; slot++) {
      const score = this.#dot(slot, probe);
      if (score > r.bestScore) {
        r.secondIndex = r.bestIndex; r.secondScore = r.bestScore;
        r.bestIndex = slot; r.bestScore = score;
      } else if (score > r.secondScore) {
        r.secondIndex = slot; r.secondScore = score;
      }
    }
    return r;
  }

  #dot(slot: number, probe: Int8Array): number {
    const g = this.gallery, base = slot * this.dimension;
    let sum = 0;
    for (let i = 0; i < this.dimension; i++) sum += g[base + i] * probe[i];
    return sum;
  }

  #check(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.capacity) throw new Error(`slot ${slot} out of range`);
  }
}
