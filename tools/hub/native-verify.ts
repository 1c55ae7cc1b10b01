// Ed25519 verification on the host with @noble/curves, for the hub's checks
// of gates' acks, receipts, heads, shares and PIN reports. The portable one in
// src/core/ed25519.ts (what the gate runs, BigInt arithmetic) took a quarter
// of the hub's process time in the fleet bench. Strict RFC 8032 (zip215
// off): the same signatures as the portable check, which
// test/tools/hub/native-verify.node.test.ts compares on valid, mutated and
// malleable ones.
import { ed25519 } from "@noble/curves/ed25519.js";
import type { Ed25519Verify } from "../../src/core/ed25519";

export const nativeVerify: Ed25519Verify = (publicKey, message, signature) => {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};

/** A key a signature could verify under: a canonical point of large order. */
export function usableKey(publicKey: Uint8Array): boolean {
  try {
    return !ed25519.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}
