// The gate's Ed25519 signer against RFC 8032's test vectors (portable: the
// same code signs audit heads in XS).
import assert from "node:assert/strict";
import { Ed25519Signer, ed25519Verify } from "../../src/core/ed25519";
import { fromHex, toHex } from "../../src/core/crypto";
import { isOptgateError } from "../../src/core/errors";

const VECTORS = [
  { // RFC 8032 7.1 TEST 1
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    pub: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    msg: "",
    sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  { // TEST 2
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    pub: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    msg: "72",
    sig: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  { // TEST 3
    seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    pub: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    msg: "af82",
    sig: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
];

describe("Ed25519 signer (RFC 8032)", () => {
  for (const [i, v] of VECTORS.entries()) {
    it(`test ${i + 1}: public key and signature`, () => {
      const signer = new Ed25519Signer(fromHex(v.seed));
      assert.equal(toHex(signer.publicKey), v.pub);
      assert.equal(toHex(signer.sign(fromHex(v.msg))), v.sig);
    });
  }

  it("refuses a seed that is not 32 bytes", () => {
    assert.throws(() => new Ed25519Signer(new Uint8Array(31)), (e) => isOptgateError(e, "E_BAD_SIGNING_KEY"));
  });
});

describe("Ed25519 verification (RFC 8032, strict)", () => {
  for (const [i, v] of VECTORS.entries()) {
    it(`test ${i + 1}: the RFC signature verifies, a flipped bit anywhere does not`, () => {
      const pub = fromHex(v.pub), msg = fromHex(v.msg), sig = fromHex(v.sig);
      assert.equal(ed25519Verify(pub, msg, sig), true);
      for (const bit of [0, 100, 255, 256, 300, 511]) {
        const bad = sig.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        assert.equal(ed25519Verify(pub, msg, bad), false, `signature bit ${bit}`);
      }
      const badMsg = new Uint8Array(msg.length + 1);
      badMsg.set(msg);
      assert.equal(ed25519Verify(pub, badMsg, sig), false, "message with a byte added");
    });
  }

  it("refuses another key's signature, wrong lengths and a key that is no point", () => {
    const v = VECTORS[1];
    assert.equal(ed25519Verify(fromHex(VECTORS[0].pub), fromHex(v.msg), fromHex(v.sig)), false);
    assert.equal(ed25519Verify(fromHex(v.pub), fromHex(v.msg), fromHex(v.sig).subarray(0, 63)), false);
    assert.equal(ed25519Verify(fromHex(v.pub).subarray(1), fromHex(v.msg), fromHex(v.sig)), false);
    // y = 2 has no x on the curve.
    const noPoint = new Uint8Array(32);
    noPoint[0] = 2;
    assert.equal(ed25519Verify(noPoint, fromHex(v.msg), fromHex(v.sig)), false);
  });

  it("refuses a malleated signature (S + L, same point equation)", () => {
    const v = VECTORS[0];
    const sig = fromHex(v.sig);
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
    s += (1n << 252n) + 27742317777372353535851937790883648493n;
    const malleated = sig.slice();
    for (let i = 32; i < 64; i++) { malleated[i] = Number(s & 0xffn); s >>= 8n; }
    assert.equal(ed25519Verify(fromHex(v.pub), fromHex(v.msg), malleated), false);
  });

  it("verifies what the gate's own signer signs", () => {
    const signer = new Ed25519Signer(new Uint8Array(32).fill(7));
    const msg = new Uint8Array([1, 2, 3, 4, 5]);
    assert.equal(ed25519Verify(signer.publicKey, msg, signer.sign(msg)), true);
  });

  it("refuses every signature under a small-order key, the forged trivial one (R the identity, S = 0) included", () => {
    // The eight points of small order include the identity (01 00..00), order 2 (y = p - 1) and
    // order 4 (y = 0): with one as a registered gate key, anyone could sign as that gate.
    const identity = new Uint8Array(32); identity[0] = 1;
    const order2 = fromHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    const order4 = new Uint8Array(32);
    const trivial = new Uint8Array(64); trivial[0] = 1;
    for (const key of [identity, order2, order4]) {
      for (const msg of [new Uint8Array(0), new Uint8Array([1, 2, 3])]) assert.equal(ed25519Verify(key, msg, trivial), false, toHex(key));
    }
  });
});

