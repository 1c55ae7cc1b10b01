// Types of the host functions in face-kernel-native.js (the board's face kernel).
/** A kernel status. */
export function init(slot: number, imageBytes: number, frameBytes: number, arenaBytes: number): number;
/** Copies `length` bytes at `offset` of `buffer` (the partition's flash map) into the kernel and has it check them; a status. */
export function load(slot: number, buffer: ArrayBuffer, offset: number, length: number): number;
/** Runs the model on `frame` warped through m (Q16); a status. The outputs wait for read(). */
export function embedWarped(slot: number, frame: Uint8Array, width: number, height: number, format: number, m0: number, m1: number, m2: number, m3: number, m4: number, m5: number): number;
/** Copies the last run's int32 outputs into `out`, zeroes them and the kernel's frame and arena; the number of values. */
export function read(slot: number, out: ArrayBuffer): number;
