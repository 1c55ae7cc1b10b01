// Stands in for src/native/face/face-kernel-native.js (the xsmc binding to the
// wasm2c face kernel) so the board bundles in XS without the C. It records
// what the board asked of it and has no model: every run answers "not ready"
// (the kernel's status before a model is loaded).
const OK = 0;
const E_NOT_READY = -3;
export const calls: string[] = [];

export function init(slot: number, imageBytes: number, frameBytes: number, arenaBytes: number): number {
  calls.push(`init ${slot} ${imageBytes} ${frameBytes} ${arenaBytes}`);
  return OK;
}
export function load(slot: number, _buffer: ArrayBuffer, offset: number, length: number): number {
  calls.push(`load ${slot} ${offset} ${length}`);
  return E_NOT_READY;
}
export function embedWarped(slot: number): number {
  calls.push(`embedWarped ${slot}`);
  return E_NOT_READY;
}
export function read(slot: number): number {
  calls.push(`read ${slot}`);
  return 0;
}
