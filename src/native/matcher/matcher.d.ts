// Types of the host functions in matcher.js (the board's native matcher):
// the MatcherBinding shape (src/core/matcher/binding.ts), except that results
// come back in an ArrayBuffer of 16 bytes (xsmc reads only byte-sized views).
export function init(dimension: number, capacity: number): number;
export function load(slot: number, template: Int8Array): number;
export function clear(slot: number): number;
export function verify(slot: number, probe: Int8Array, out: ArrayBuffer): number;
export function scan(probe: Int8Array, count: number, out: ArrayBuffer): number;
export function wipe(): void;
