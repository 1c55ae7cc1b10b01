// Consent-scoped sealed templates (docs/sync.md "Sealed templates"): a face
// template travels from where it was enrolled to another gate only sealed to
// that gate's X25519 key, bound to the gate, the resident and the consent
// scope it was given under. Anyone on the way (broker, hub, database) holds
// ciphertext; a sealed template cannot be opened by another gate, nor passed
// off for another resident or a wider scope.
//
//   sealed = "OGT1" | ephemeral X25519 public 32 | nonce 12 | AES-256-GCM(template) with tag 16
//   key    = HKDF-SHA256(X25519(ephemeral, gate), salt = ephemeral | gate public, info = SEAL_INFO)
//   aad    = "OGT1" | gate id u32 | resident id u32 | scope u32
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
const MAGIC = [0x4f, 0x47, 0x54, 0x31]; // "OGT1"
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SEAL_OVERHEAD = MAGIC.length + KEY_BYTES + NONCE_BYTES + TAG_BYTES;

/** What a sealed template is bound to: the gate it is for, whose it is, the consent scope (gate-group mask). */
export interface SealContext {
  gateId: number;
  residentId: number;
  scope: number;
}

/** A gate's X25519 key pair for receiving templates, from 32 random bytes. */
export function sealKeyPair(secret: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  if (!(secret instanceof Uint8Array) || secret.length !== KEY_BYTES) throw new OptgateError("E_SEAL_BAD_KEY", "An X25519 secret key is 32 bytes.");
  return { secretKey: secret.slice(), publicKey: x25519.getPublicKey(secret) };
}

function aad(c: SealContext): Uint8Array {
  const out = new Uint8Array(MAGIC.length + 12);
  const view = new DataView(out.buffer);
  out.set(MAGIC);
  for (const [i, v, what] of [[0, c.gateId, "gate id"], [1, c.residentId, "resident id"], [2, c.scope, "scope"]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new OptgateError("E_SEAL_BAD_VALUE", `A seal's ${what} is a 32-bit number.`);
    view.setUint32(MAGIC.length + 4 * i, v);
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

export function sealTemplate(recipientPublicKey: Uint8Array, template: Uint8Array, context: SealContext, random: Random): Uint8Array {
  if (!(recipientPublicKey instanceof Uint8Array) || recipientPublicKey.length !== KEY_BYTES) throw new OptgateError("E_SEAL_BAD_KEY", "An X25519 public key is 32 bytes.");
  const ad = aad(context);
  const ephemeralSecret = new Uint8Array(KEY_BYTES), nonce = new Uint8Array(NONCE_BYTES);
  random.fill(ephemeralSecret);
  random.fill(nonce);
  const ephemeral = x25519.getPublicKey(ephemeralSecret);
  const key = derive(x25519.getSharedSecret(ephemeralSecret, recipientPublicKey), ephemeral, recipientPublicKey);
  wipe(ephemeralSecret);
  const sealed = aeadSeal(key, nonce, template, ad);
  wipe(key);
  const out = new Uint8Array(MAGIC.length + KEY_BYTES + NONCE_BYTES + sealed.length);
  out.set(MAGIC);
  out.set(ephemeral, MAGIC.length);
  out.set(nonce, MAGIC.length + KEY_BYTES);
  out.set(sealed, MAGIC.length + KEY_BYTES + NONCE_BYTES);
  return out;
}

/** Opens a template sealed to this gate for exactly this context; throws E_SEAL_OPEN for anything else. */
export function openTemplate(keys: { secretKey: Uint8Array; publicKey: Uint8Array }, sealed: Uint8Array, context: SealContext): Uint8Array {
  const ad = aad(context);
  if (!(sealed instanceof Uint8Array) || sealed.length < SEAL_OVERHEAD || MAGIC.some((b, i) => sealed[i] !== b)) throw cannotOpen();
  const ephemeral = sealed.slice(MAGIC.length, MAGIC.length + KEY_BYTES);
  const nonce = sealed.slice(MAGIC.length + KEY_BYTES, MAGIC.length + KEY_BYTES + NONCE_BYTES);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(keys.secretKey, ephemeral);
  } catch {
    throw cannotOpen(); // a low-order ephemeral key
  }
  const key = derive(shared, ephemeral, keys.publicKey);
  try {
    return aeadOpen(key, nonce, sealed.subarray(MAGIC.length + KEY_BYTES + NONCE_BYTES), ad);
  } catch {
    throw cannotOpen();
  } finally {
    wipe(key);
  }
}

function cannotOpen(): OptgateError {
  return new OptgateError("E_SEAL_OPEN", "The sealed template is not for this gate, resident and scope, or was altered.");
}
