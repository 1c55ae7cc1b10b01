// The store key in the key area (format.ts): two copies, one per key sector.
//
// With a key wrap (32 bytes the board derives from its key root: the
// ESP32-S3's HMAC peripheral over an eFuse key, a key file on the host) the
// copies hold key XOR wrap. A flash dump then yields a value that opens
// nothing: every sealed record (template keys, the PIN key, technician
// accounts) stays closed without the root, which never leaves the chip. The
// wrap is a one-time pad over a random key: a dump reveals nothing of it, and
// a wrong or missing root gives a wrong key, so sealed records refuse to open
// (AEAD) and the store reports them damaged rather than misreading them.
import type { Flash } from "./flash";
import { KEY_AREA_BYTES, KEY_BYTES, KEY_SECTORS, decodeKeyArea, encodeKeyArea, type KeyArea } from "./format";

/** Both key copies as they are on flash. */
export function readKeyCopies(flash: Flash, sectorSize: number): KeyArea[] {
  const copies: KeyArea[] = [];
  for (let c = 0; c < KEY_SECTORS; c++) copies.push(decodeKeyArea(flash.read(c * sectorSize, KEY_AREA_BYTES)));
  return copies;
}

/** The store key from a valid copy, unwrapped; undefined when no copy is valid. */
export function storeKeyFrom(copies: KeyArea[], wrap: Uint8Array | undefined): Uint8Array | undefined {
  const valid = copies.find((k): k is { state: "valid"; key: Uint8Array } => k.state === "valid");
  return valid ? xorWrap(valid.key, wrap) : undefined;
}

/** The key area bytes for `key` (wrapped when there is a wrap). */
export function keyAreaFor(key: Uint8Array, wrap: Uint8Array | undefined): Uint8Array {
  return encodeKeyArea(xorWrap(key, wrap));
}

function xorWrap(key: Uint8Array, wrap: Uint8Array | undefined): Uint8Array {
  const out = key.slice(0, KEY_BYTES);
  if (wrap) for (let i = 0; i < KEY_BYTES; i++) out[i] ^= wrap[i % wrap.length];
  return out;
}
