/*
 * Host function of the board's key root (key-root.c: the ESP32-S3's HMAC
 * peripheral over eFuse KEY4). Plain JavaScript because TypeScript cannot
 * declare XS host functions; the type is in key-root.d.ts.
 */
export function derive(label) @ "xs_keyroot_derive";
