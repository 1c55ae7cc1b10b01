// The hub's native Ed25519 (node:crypto, strict) against the portable one the
// gates run: they must take exactly the same signatures, or a message one
// side refuses would pass the other. Valid signatures, every kind of
// tampering, the malleable S + L, non-canonical and small-order points; and
// the native signer makes the portable signer's very bytes.
import assert from "node:assert/strict";
import { Ed25519Signer, ed25519Verify } from "../../../src/core/ed25519";
import { nativeSigner, nativeVerify, usableKey } from "../../../tools/hub/native-ed25519";
import { openPglite } from "../../../tools/hub/db";
import { COMPOUND, Fleet } from "./fleet";

const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const le = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const num = (b: Uint8Array) => b.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n);

let seed = 7;
const random = { fill(b: Uint8Array) { for (let i = 0; i < b.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; b[i] = seed >>> 24; } } };
const bytes = (n: number) => { const b = new Uint8Array(n); random.fill(b); return b; };

function agree(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, what: string): boolean {
  const portable = ed25519Verify(publicKey, message, signature);
  assert.equal(nativeVerify(publicKey, message, signature), portable, `${what}: native and portable disagree`);
  return portable;
}

describe("the hub's native Ed25519 check agrees with the gates' portable one", function () {
  this.timeout(120_000);

  it("the native signer's key and signatures are the portable signer's, byte for byte", () => {
    for (let k = 0; k < 8; k++) {
      const seedBytes = bytes(32), portable = new Ed25519Signer(seedBytes), native = nativeSigner(seedBytes);
      assert.deepEqual(native.publicKey, portable.publicKey);
      for (const length of [0, 1, 64, 333]) {
        const message = bytes(length);
        assert.deepEqual(native.sign(message), portable.sign(message));
      }
    }
    assert.throws(() => nativeSigner(new Uint8Array(31)), /32 bytes/);
  });

  it("takes valid signatures and refuses any flipped bit of key, message or signature", () => {
    for (let k = 0; k < 12; k++) {
      const signer = new Ed25519Signer(bytes(32));
      const message = bytes(1 + k * 37);
      const signature = signer.sign(message);
      assert.equal(agree(signer.publicKey, message, signature, "valid"), true);
      for (let i = 0; i < 8; i++) {
        const bit = 1 << (i % 8);
        const s = signature.slice(); s[(k * 11 + i * 9) % 64] ^= bit;
        assert.equal(agree(signer.publicKey, message, s, "signature bit"), false);
        const m = message.slice(); m[(i * 5) % m.length] ^= bit;
        assert.equal(agree(signer.publicKey, m, signature, "message bit"), false);
        const key = signer.publicKey.slice(); key[(i * 7) % 32] ^= bit;
        agree(key, message, signature, "key bit");
      }
    }
  });

  it("refuses the malleable S + L, an S of L or more, and wrong lengths", () => {
    const signer = new Ed25519Signer(bytes(32));
    const message = bytes(40);
    const signature = signer.sign(message);
    const s = num(signature.subarray(32));
    for (const bad of [s + L, L, (1n << 253n) - 1n]) {
      const forged = signature.slice(); forged.set(le(bad), 32);
      assert.equal(agree(signer.publicKey, message, forged, `S = ${bad}`), false);
    }
    assert.equal(agree(signer.publicKey, message, signature.subarray(0, 63), "short signature"), false);
    assert.equal(agree(signer.publicKey.subarray(0, 31), message, signature, "short key"), false);
  });

  it("agrees on non-canonical encodings (y of p or more) and small-order points", () => {
    const message = bytes(16);
    const signer = new Ed25519Signer(bytes(32));
    const signature = signer.sign(message);
    const encodings = [
      le(1n), // the identity
      le(P - 1n), // order 2
      le(0n), le(P), le(P + 1n), // y = 0 (order 4), and the identity's and y = 1's non-canonical forms
      Uint8Array.from([...le(1n).subarray(0, 31), 0x80]), // the identity with the sign bit set
      le((1n << 255n) - 1n), // y = 2^255 - 1, past p
    ];
    for (const point of encodings) {
      agree(point, message, signature, `key ${Buffer.from(point).toString("hex")}`);
      const r = signature.slice(); r.set(point, 0);
      agree(signer.publicKey, message, r, `R ${Buffer.from(point).toString("hex")}`);
      // A small-order key with R the identity and S = 0: "valid" for any message under cofactored checks.
      const trivial = new Uint8Array(64); trivial.set(le(1n), 0);
      agree(point, message, trivial, `trivial signature under key ${Buffer.from(point).toString("hex")}`);
    }
  });

  it("a gate key must be a point of large order to be registered", async () => {
    assert.equal(usableKey(new Ed25519Signer(bytes(32)).publicKey), true);
    for (const key of [le(1n), le(P - 1n), le(0n), le(P + 1n), le((1n << 255n) - 1n)]) assert.equal(usableKey(key), false, Buffer.from(key).toString("hex"));
    const db = await openPglite();
    try {
      const fleet = await Fleet.open(db);
      await assert.rejects(fleet.hub.addGate({ id: 9, compoundId: COMPOUND, name: "forged", publicKey: le(1n) }), /small order/);
      assert.equal(await fleet.hub.gate(9), undefined);
    } finally {
      await db.close();
    }
  });
});

