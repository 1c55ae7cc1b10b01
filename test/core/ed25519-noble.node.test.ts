// The gate's Ed25519 verifier against @noble/curves (what the hub signs with):
// random keys and messages, both directions, and tampered input refused by both.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { Ed25519Signer, ed25519Verify } from "../../src/core/ed25519";

describe("Ed25519: the gate's verifier agrees with @noble/curves", () => {
  it("accepts noble's signatures and noble accepts the gate's, on random keys and messages", () => {
    for (let i = 0; i < 12; i++) {
      const seed = new Uint8Array(randomBytes(32));
      const message = new Uint8Array(randomBytes(i * 13));
      const pub = ed25519.getPublicKey(seed);
      const nobleSig = ed25519.sign(message, seed);
      assert.equal(ed25519Verify(pub, message, nobleSig), true);
      const signer = new Ed25519Signer(seed);
      assert.deepEqual(signer.publicKey, pub);
      assert.equal(ed25519.verify(signer.sign(message), message, pub), true);
      const tampered = nobleSig.slice();
      tampered[i % 64] ^= 0x10;
      assert.equal(ed25519Verify(pub, message, tampered), ed25519.verify(tampered, message, pub));
      assert.equal(ed25519Verify(pub, message, tampered), false);
    }
  });
});
