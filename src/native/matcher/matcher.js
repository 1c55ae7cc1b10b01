/*
 * Host functions of the board's native matcher (xs_matcher.c over the wasm2c
 * translation of wasm/matcher.ts). Plain JavaScript because TypeScript cannot
 * declare XS host functions; types are in matcher.d.ts. One kernel instance
 * per firmware: the gallery lives in its linear memory (PSRAM on the S3).
 * Every function returns a kernel status (src/core/matcher/kernel-status.ts).
 */
export function init(dimension, capacity) @ "xs_matcher_init";
export function load(slot, template) @ "xs_matcher_load";
export function clear(slot) @ "xs_matcher_clear";
export function verify(slot, probe, out) @ "xs_matcher_verify";
export function scan(probe, count, out) @ "xs_matcher_scan";
export function wipe() @ "xs_matcher_wipe";
