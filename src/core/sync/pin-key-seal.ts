// The compound PIN key on its way to a gate (docs/secrets.md "The compound PIN
// key"): made by the provisioning CLI (tools/optgate pin-key), sealed to each
// gate's X25519 seal key with a purpose of its own ("pin-key", magic OGK1),
// bound to the gate id and the compound id (scope; resident id 0), and typed
// at the gate's console as base64 (`pin key install <sealed>`). Whoever
// carries it (a technician's laptop, the hub, a ticket) holds ciphertext that
// opens only at that gate of that compound.
//
//   plaintext = the 32-byte key; sealed = gate-seal.ts (96 bytes, 128 base64 characters)
import { COMPOUND_PIN_KEY_BYTES } from "../access/compound-pin";
import { OptgateError } from "../errors";
import type { Random } from "../ports";
import { openSealed, seal, SEAL_OVERHEAD, type SealKeyPair } from "./gate-seal";

export const SEALED_PIN_KEY_BYTES = SEAL_OVERHEAD + COMPOUND_PIN_KEY_BYTES;

export interface PinKeyBinding {
  gateId: number;
  compoundId: number;
}

export function sealPinKey(gatePublicKey: Uint8Array, key: Uint8Array, b: PinKeyBinding, random: Random): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== COMPOUND_PIN_KEY_BYTES) throw new OptgateError("E_BAD_PIN_KEY", `A compound PIN key is ${COMPOUND_PIN_KEY_BYTES} bytes.`);
  return seal(gatePublicKey, key, { purpose: "pin-key", gateId: b.gateId, residentId: 0, scope: b.compoundId }, random);
}

/** The key in a blob sealed to this gate for this compound; E_BAD_PIN_KEY for a wrong length, E_SEAL_OPEN for anything else. */
export function openPinKey(keys: SealKeyPair, sealed: Uint8Array, b: PinKeyBinding): Uint8Array {
  if (!(sealed instanceof Uint8Array) || sealed.length !== SEALED_PIN_KEY_BYTES) {
    throw new OptgateError("E_BAD_PIN_KEY", `A sealed PIN key is ${SEALED_PIN_KEY_BYTES} bytes (${base64Length(SEALED_PIN_KEY_BYTES)} base64 characters); this one is ${sealed?.length ?? 0}.`);
  }
  return openSealed(keys, sealed, { purpose: "pin-key", gateId: b.gateId, residentId: 0, scope: b.compoundId });
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

export function toBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >>> 18) & 63] + ALPHABET[(n >>> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(n >>> 6) & 63] : "=";
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : "=";
  }
  return out;
}

/** Strict base64 (padded, no whitespace); throws E_BAD_PIN_KEY naming what is wrong. */
export function fromBase64(text: string): Uint8Array {
  if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new OptgateError("E_BAD_PIN_KEY", "The sealed PIN key is not base64 (A-Z a-z 0-9 + / and = padding, a multiple of 4 characters).");
  }
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let at = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text[i + j];
      n = (n << 6) | (c === "=" ? 0 : ALPHABET.indexOf(c));
    }
    for (let j = 2; j >= 0 && at < out.length; j--) out[at++] = (n >>> (8 * j)) & 0xff;
  }
  return out;
}
