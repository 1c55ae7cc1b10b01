// Sealing to one gate (docs/sync.md "Sealed to a gate"): bytes that travel
// through the broker, the hub and its database sealed to a gate's X25519 key,
// bound to what they are (a template, a one-time code), the gate, the
// resident and a scope. Anyone on the way holds ciphertext; a sealed value
// opens only at its gate, for that purpose, resident and scope.
//
//   sealed = magic 4 | ephemeral X25519 public 32 | nonce 12 | AES-256-GCM(plaintext) with tag 16
//   key    = HKDF-SHA256(X25519(ephemeral, gate), salt = ephemeral | gate public, info = SEAL_INFO)
//   aad    = magic | gate id u32 | resident id u32 | scope u32
//
// A gate's seal key pair is derived from its device secret (the one its
// Ed25519 signing key is), under its own HKDF label: no new secret on flash,
// and the same pair after every boot.
import { montgomery } from "@noble/curves/abstract/montgomery.js";
import { pow } from "@noble/curves/abstract/modular.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { aeadOpen, aeadSeal, utf8, wipe } from "../crypto";
import { OptgateError } from "../errors";
import type { Random } from "../ports";

// X25519 (RFC 7748) from the Montgomery ladder alone: @noble/curves' ready-made x25519 also
// builds its Edwards tables, which XS cannot initialise; the ladder is all a seal needs.
const P = 2n ** 255n - 19n;
const x25519 = montgomery({
  P, type: "x25519",
  powPminus2: (x) => pow(x, P - 2n, P),
  adjustScalarBytes: (bytes: Uint8Array) => {
    bytes[0] &= 248;
    bytes[31] &= 127;
    bytes[31] |= 64;
    return bytes;
  },
});

export const SEAL_INFO = "optgate template seal v1";
/** The HKDF label of a gate's seal key (distinct from every other key drawn from the device secret). */
export const SEAL_KEY_INFO = "optgate gate seal key v1";
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const MAGIC_BYTES = 4;
export const SEAL_OVERHEAD = MAGIC_BYTES + KEY_BYTES + NONCE_BYTES + TAG_BYTES;

/** What a sealed value is: its magic, first in the blob and in the associated data. */
export const SEAL_PURPOSES = { template: "OGT1", code: "OGC1", "pin-key": "OGK1" } as const;
export type SealPurpose = keyof typeof SEAL_PURPOSES;

/** What a sealed value is bound to: what it is, the gate it is for, whose it is, a scope (gate-group mask; 0 for codes; the compound id for the PIN key). */
export interface SealBinding {
  purpose: SealPurpose;
  gateId: number;
  residentId: number;
  scope: number;
}

export interface SealKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** An X25519 key pair from 32 secret bytes. */
export function sealKeyPair(secret: Uint8Array): SealKeyPair {
  if (!(secret instanceof Uint8Array) || secret.length !== KEY_BYTES) throw new OptgateError("E_SEAL_BAD_KEY", "An X25519 secret key is 32 bytes.");
  return { secretKey: secret.slice(), publicKey: x25519.getPublicKey(secret) };
}

/** The gate's seal key pair, derived from its device secret (the same pair at every boot). */
export function gateSealKeys(deviceSecret: Uint8Array): SealKeyPair {
  if (!(deviceSecret instanceof Uint8Array) || deviceSecret.length < KEY_BYTES) throw new OptgateError("E_SEAL_BAD_KEY", "A device secret is at least 32 bytes.");
  const secret = hkdf(nobleSha256, deviceSecret, new Uint8Array(0), utf8(SEAL_KEY_INFO), KEY_BYTES);
  const pair = sealKeyPair(secret);
  wipe(secret);
  return pair;
}

function magicOf(purpose: SealPurpose): Uint8Array {
  const text = SEAL_PURPOSES[purpose];
  if (text === undefined) throw new OptgateError("E_SEAL_BAD_VALUE", "A seal's purpose is template, code or pin-key.");
  return utf8(text);
}

function aad(b: SealBinding): Uint8Array {
  const out = new Uint8Array(MAGIC_BYTES + 12);
  const view = new DataView(out.buffer);
  out.set(magicOf(b.purpose));
  for (const [i, v, what] of [[0, b.gateId, "gate id"], [1, b.residentId, "resident id"], [2, b.scope, "scope"]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new OptgateError("E_SEAL_BAD_VALUE", `A seal's ${what} is a 32-bit number.`);
    view.setUint32(MAGIC_BYTES + 4 * i, v);
  }
  return out;
}

function derive(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  const salt = new Uint8Array(2 * KEY_BYTES);
  salt.set(ephemeral);
  salt.set(recipient, KEY_BYTES);
  const key = hkdf(nobleSha256, shared, salt, utf8(SEAL_INFO), KEY_BYTES);
  wipe(shared);
  return key;
}

/** Seals `plaintext` to the gate holding `recipientPublicKey`, bound to `binding`. */
export function seal(recipientPublicKey: Uint8Array, plaintext: Uint8Array, binding: SealBinding, random: Random): Uint8Array {
  if (!(recipientPublicKey instanceof Uint8Array) || recipientPublicKey.length !== KEY_BYTES) throw new OptgateError("E_SEAL_BAD_KEY", "An X25519 public key is 32 bytes.");
  const ad = aad(binding);
  const ephemeralSecret = new Uint8Array(KEY_BYTES), nonce = new Uint8Array(NONCE_BYTES);
  random.fill(ephemeralSecret);
  random.fill(nonce);
  const ephemeral = x25519.getPublicKey(ephemeralSecret);
  const key = derive(x25519.getSharedSecret(ephemeralSecret, recipientPublicKey), ephemeral, recipientPublicKey);
  wipe(ephemeralSecret);
  const sealed = aeadSeal(key, nonce, plaintext, ad);
  wipe(key);
  const out = new Uint8Array(MAGIC_BYTES + KEY_BYTES + NONCE_BYTES + sealed.length);
  out.set(ad.subarray(0, MAGIC_BYTES));
  out.set(ephemeral, MAGIC_BYTES);
  out.set(nonce, MAGIC_BYTES + KEY_BYTES);
  out.set(sealed, MAGIC_BYTES + KEY_BYTES + NONCE_BYTES);
  return out;
}

/** Opens a value sealed to this gate for exactly this binding; throws E_SEAL_OPEN for anything else. */
export function openSealed(keys: SealKeyPair, sealed: Uint8Array, binding: SealBinding): Uint8Array {
  const ad = aad(binding);
  if (!(sealed instanceof Uint8Array) || sealed.length < SEAL_OVERHEAD) throw cannotOpen();
  for (let i = 0; i < MAGIC_BYTES; i++) if (sealed[i] !== ad[i]) throw cannotOpen();
  const ephemeral = sealed.slice(MAGIC_BYTES, MAGIC_BYTES + KEY_BYTES);
  const nonce = sealed.slice(MAGIC_BYTES + KEY_BYTES, MAGIC_BYTES + KEY_BYTES + NONCE_BYTES);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(keys.secretKey, ephemeral);
  } catch {
    throw cannotOpen(); // a low-order ephemeral key
  }
  const key = derive(shared, ephemeral, keys.publicKey);
  try {
    return aeadOpen(key, nonce, sealed.subarray(MAGIC_BYTES + KEY_BYTES + NONCE_BYTES), ad);
  } catch {
    throw cannotOpen();
  } finally {
    wipe(key);
  }
}

function cannotOpen(): OptgateError {
  return new OptgateError("E_SEAL_OPEN", "The sealed value is not for this gate, purpose, resident and scope, or was altered.");
}
