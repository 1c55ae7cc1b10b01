import assert from "node:assert/strict";
import { aeadOpen, aeadSeal, constantTimeEqual, fromHex, hmacSha256, sha256, toHex, utf8, wipe } from "../../src/core/crypto";

describe("core crypto", () => {
  it("SHA-256 matches the FIPS 180-2 vector for 'abc'", () => {
    assert.equal(toHex(sha256(utf8("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("HMAC-SHA256 matches RFC 4231 test case 2", () => {
    assert.equal(toHex(hmacSha256(utf8("Jefe"), utf8("what do ya want for nothing?"))),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });

  it("AES-GCM round-trips and rejects a flipped bit", () => {
    const key = new Uint8Array(32).fill(7), nonce = new Uint8Array(12).fill(1);
    const sealed = aeadSeal(key, nonce, utf8("template bytes"), utf8("aad"));
    assert.deepEqual(aeadOpen(key, nonce, sealed, utf8("aad")), utf8("template bytes"));
    sealed[0] ^= 1;
    assert.throws(() => aeadOpen(key, nonce, sealed, utf8("aad")));
  });

  it("compares in constant time but correctly", () => {
    assert.ok(constantTimeEqual(fromHex("00ff10"), fromHex("00ff10")));
    assert.ok(!constantTimeEqual(fromHex("00ff10"), fromHex("00ff11")));
    assert.ok(!constantTimeEqual(fromHex("00ff"), fromHex("00ff10")));
    assert.ok(!constantTimeEqual(new Uint8Array(0), fromHex("00")));
  });

  it("hex round-trips and refuses non-hex", () => {
    assert.equal(toHex(fromHex("0a1B")), "0a1b");
    assert.throws(() => fromHex("zz"));
    assert.throws(() => fromHex("abc"));
  });

  it("wipes secrets", () => {
    const secret = fromHex("deadbeef");
    wipe(secret);
    assert.deepEqual(secret, new Uint8Array(4));
  });
});

describe("utf8", () => {
  it("encodes ASCII, two-, three- and four-byte characters", () => {
    assert.equal(toHex(utf8("A")), "41");
    assert.equal(toHex(utf8("é")), "c3a9");
    assert.equal(toHex(utf8("门")), "e997a8");
    assert.equal(toHex(utf8("😀")), "f09f9880");
  });
});
