// Types of the host functions in matcher.js (the board's native matcher):
// exactly the MatcherBinding shape (src/core/matcher/binding.ts).
export function init(dimension: number, capacity: number): number;
export function load(slot: number, template: Int8Array): number;
export function clear(slot: number): number;
export function verify(slot: number, probe: Int8Array, out: Int32Array): number;
export function scan(probe: Int8Array, count: number, out: Int32Array): number;
export function wipe(): void;
