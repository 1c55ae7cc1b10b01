// The crypto the core needs, from @noble (audited, dependency-free, runs
// unchanged in XS). On the board Moddable's native `crypt` may replace these
// behind the same functions where it is faster.
import { hmac, type _HMAC } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { gcm } from "@noble/ciphers/aes.js";

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(nobleSha256, key, data);
}

/** Compares without an early exit, so timing says nothing about where bytes differ. */
/**
 * HMAC-SHA256 under one key for many messages: the key's inner and outer
 * states are computed once and cloned per message, so a short message costs
 * two SHA-256 blocks instead of four (the audit chain MACs every record).
 */
export function keyedHmacSha256(key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const base = hmac.create(nobleSha256, key) as _HMAC<never>;
  let scratch: _HMAC<never> | undefined;
  return (data) => {
    scratch = base._cloneInto(scratch);
    const out = new Uint8Array(32);
    scratch.update(data).digestInto(out);
    return out;
  };
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ (b[i % b.length] ?? 0);
  return diff === 0;
}

/** AES-256-GCM; `nonce` is 12 bytes and must never repeat under one key. */
export function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  return gcm(key, nonce, aad).encrypt(plaintext);
}

/** Throws if the ciphertext or its associated data were altered. */
export function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array {
  return gcm(key, nonce, aad).decrypt(sealed);
}

/** UTF-8 bytes of a string (TextEncoder is not a global on every XS build). */
export function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`not hex: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Overwrite secrets in place once they are no longer needed. */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}
