// Matcher over a MatcherBinding: validates every argument with the same
// checks as TsMatcher before the kernel sees it (so all paths refuse the same
// inputs with the same codes), then maps any kernel status to an OptgateError.
import type { Matcher, ScanResult } from "../ports";
import type { MatcherBinding } from "./binding";
import { checkKernelStatus, RESULT_WORDS } from "./kernel-status";
import { checkCount, checkLayout, checkSlot, checkVector } from "./layout";
import { emptyScanResult } from "./scan-result";

export class BindingMatcher implements Matcher {
  readonly dimension: number;
  readonly capacity: number;
  readonly #binding: MatcherBinding;
  readonly #words = new Int32Array(RESULT_WORDS);
  readonly #result: ScanResult = emptyScanResult();

  constructor(dimension: number, capacity: number, binding: MatcherBinding) {
    checkLayout(dimension, capacity);
    checkKernelStatus(binding.init(dimension, capacity), "init");
    this.dimension = dimension;
    this.capacity = capacity;
    this.#binding = binding;
  }

  load(slot: number, template: Int8Array): void {
    checkSlot(slot, this.capacity);
    checkVector(template, this.dimension, "template");
    checkKernelStatus(this.#binding.load(slot, template), "load");
  }

  clear(slot: number): void {
    checkSlot(slot, this.capacity);
    checkKernelStatus(this.#binding.clear(slot), "clear");
  }

  verify(slot: number, probe: Int8Array): number {
    checkSlot(slot, this.capacity);
    checkVector(probe, this.dimension, "probe");
    checkKernelStatus(this.#binding.verify(slot, probe, this.#words), "verify");
    return this.#words[1];
  }

  scan(probe: Int8Array, count: number): ScanResult {
    checkVector(probe, this.dimension, "probe");
    checkCount(count, this.capacity);
    const words = this.#words;
    checkKernelStatus(this.#binding.scan(probe, count, words), "scan");
    const result = this.#result;
    result.bestIndex = words[0];
    result.bestScore = words[1];
    result.secondIndex = words[2];
    result.secondScore = words[3];
    return result;
  }

  /** Zero every slot: the gallery's bytes no longer exist in kernel memory. */
  wipe(): void {
    this.#binding.wipe();
  }
}
