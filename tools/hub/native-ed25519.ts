// Ed25519 on the host through node:crypto (OpenSSL), for the hub's checks of
// gates' acks, receipts, heads, shares and PIN reports and for its own
// signatures. The portable one in src/core/ed25519.ts (what the gate runs,
// BigInt arithmetic) took a quarter of the hub's process time in the fleet
// bench, and @noble/curves after it still 1.3 ms a check and 0.5 ms a
// signature, against 0.08 and 0.03 here: at 50 gates every edit is 50 of each
// both ways. Strict RFC 8032, the same signatures as the portable check: a
// key must be a canonical point of large order (checked once per key with
// @noble/curves), S below the group order, and OpenSSL compares R as encoded.
// test/tools/hub/native-ed25519.node.test.ts compares the two on valid,
// mutated and malleable signatures and on odd keys.
import { createPrivateKey, createPublicKey, sign as osslSign, verify as osslVerify, type KeyObject } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import type { Ed25519Verify } from "../../src/core/ed25519";

const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** The group order L, little-endian, for the S < L check. */
const L = Buffer.from("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010", "hex");
/** Keys seen, as OpenSSL key objects (null: not usable); a hub knows a bounded number of gates. */
const keys = new Map<string, KeyObject | null>();
const KEYS_KEPT = 4096;

function keyObject(publicKey: Uint8Array): KeyObject | null {
  const id = Buffer.from(publicKey).toString("hex");
  let key = keys.get(id);
  if (key === undefined) {
    key = usableKey(publicKey) ? createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" }) : null;
    if (keys.size >= KEYS_KEPT) keys.clear();
    keys.set(id, key);
  }
  return key;
}

/** S (little-endian, the signature's second half) below L. */
function canonicalS(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i], l = L[i];
    if (s !== l) return s < l;
  }
  return false;
}

export const nativeVerify: Ed25519Verify = (publicKey, message, signature) => {
  if (publicKey.length !== 32 || signature.length !== 64 || !canonicalS(signature)) return false;
  const key = keyObject(publicKey);
  if (!key) return false;
  try {
    return osslVerify(null, message, key, signature);
  } catch {
    return false;
  }
};

/** A signer with OpenSSL: the same deterministic signatures as src/core/ed25519.ts Ed25519Signer. */
export function nativeSigner(seed: Uint8Array): { publicKey: Uint8Array; sign: (message: Uint8Array) => Uint8Array } {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new Error("An Ed25519 seed is 32 bytes.");
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  return { publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)), sign: (message) => new Uint8Array(osslSign(null, message, key)) };
}

/** A key a signature could verify under: a canonical point of large order. */
export function usableKey(publicKey: Uint8Array): boolean {
  try {
    return !ed25519.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}
