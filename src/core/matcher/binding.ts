// The kernel as a host sees it, whatever runs it: the board's native module
// (src/native/matcher/matcher.js → xs_matcher.c → wasm2c C) or Node's
// WebAssembly (tools/wasm/wasm-binding.ts). Number-and-buffer calls only,
// each returning a kernel status (kernel-status.ts), so both hosts can be
// driven by the one wrapper in binding-matcher.ts.
export interface MatcherBinding {
  /** Lay out (and zero) a gallery of `capacity` templates of `dimension` bytes. */
  init(dimension: number, capacity: number): number;
  /** Copy a template into a slot of the kernel's memory. */
  load(slot: number, template: Int8Array): number;
  clear(slot: number): number;
  /** Writes [slot, score, -1, ABSENT_SCORE] into `out`. */
  verify(slot: number, probe: Int8Array, out: Int32Array): number;
  /** Writes [best index, best score, second index, second score] into `out`. */
  scan(probe: Int8Array, count: number, out: Int32Array): number;
  /** Zero every slot. */
  wipe(): void;
}
