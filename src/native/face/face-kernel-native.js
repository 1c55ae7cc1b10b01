/*
 * Host functions of the board's face kernel (xs_face.c over face_host.c and
 * the wasm2c translation of wasm/face-kernel.ts). Plain JavaScript because
 * TypeScript cannot declare XS host functions; types are in
 * face-kernel-native.d.ts. Three instances: slot 0 the detector, 1 the embedder,
 * 2 the landmark network (FaceMesh).
 * Every function returns a kernel status (src/app/face-kernel-status.ts)
 * except read, which returns the number of int32 values copied.
 */
export function init(slot, imageBytes, frameBytes, arenaBytes) @ "xs_face_init";
export function load(slot, buffer, offset, length) @ "xs_face_load";
export function embedWarped(slot, frame, width, height, format, m0, m1, m2, m3, m4, m5) @ "xs_face_embed_warped";
export function read(slot, out) @ "xs_face_read";
