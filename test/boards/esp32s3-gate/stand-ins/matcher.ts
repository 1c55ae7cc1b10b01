// Stands in for src/native/matcher/matcher.js (the xsmc binding to the wasm2c
// kernel): same calls, statuses and result layout, plain int8 dot products.
const OK = 0;
const E_SLOT = -3;
const E_NOT_READY = -6;
let dim = 0;
let cap = 0;
let gallery: Int8Array | undefined;
export const layouts: { dimension: number; capacity: number }[] = [];

export function init(dimension: number, capacity: number): number {
  dim = dimension;
  cap = capacity;
  gallery = new Int8Array(dimension * capacity);
  layouts.push({ dimension, capacity });
  return OK;
}
export function load(slot: number, template: Int8Array): number {
  if (!gallery) return E_NOT_READY;
  if (slot < 0 || slot >= cap) return E_SLOT;
  gallery.set(template, slot * dim);
  return OK;
}
export function clear(slot: number): number {
  if (!gallery) return E_NOT_READY;
  gallery.fill(0, slot * dim, (slot + 1) * dim);
  return OK;
}
function dot(slot: number, probe: Int8Array): number {
  let s = 0;
  for (let i = 0; i < dim; i++) s += gallery![slot * dim + i] * probe[i];
  return s;
}
export function verify(slot: number, probe: Int8Array, out: ArrayBuffer): number {
  if (!gallery) return E_NOT_READY;
  new Int32Array(out).set([slot, dot(slot, probe), -1, -2147483648]);
  return OK;
}
export function scan(probe: Int8Array, count: number, out: ArrayBuffer): number {
  if (!gallery) return E_NOT_READY;
  let best = -1, bestScore = -2147483648, second = -1, secondScore = -2147483648;
  for (let slot = 0; slot < count; slot++) {
    const s = dot(slot, probe);
    if (s > bestScore) { second = best; secondScore = bestScore; best = slot; bestScore = s; }
    else if (s > secondScore) { second = slot; secondScore = s; }
  }
  new Int32Array(out).set([best, bestScore, second, secondScore]);
  return OK;
}
export function wipe(): void {
  gallery?.fill(0);
}
