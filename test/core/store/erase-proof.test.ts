// The erasure proof on its own (src/core/store/erase-proof.ts): which pieces of
// a secret it finds in an image, where, and which it rightly cannot see.
import assert from "node:assert/strict";
import { eraseProof } from "../../../src/core/store/erase-proof";
import { secretBytes } from "./helpers";

function imageWith(size: number, pieces: [number, Uint8Array][]): Uint8Array {
  const image = new Uint8Array(size).fill(0xff);
  for (const [at, bytes] of pieces) image.set(bytes, at);
  return image;
}

describe("erase proof", () => {
  const secret = secretBytes(3, 40); // windows of 16 at 0 and 16, and the tail window at 24

  it("finds the whole secret, at its offset, once per offset", () => {
    assert.deepEqual(eraseProof(imageWith(200, [[50, secret]]), secret), [50, 66, 74]);
    assert.deepEqual(eraseProof(imageWith(200, [[50, secret]]), [secret, secret.slice()]), [50, 66, 74], "two secrets matching at one offset: listed once");
    assert.deepEqual(eraseProof(imageWith(200, []), secret), []);
  });

  it("finds each aligned window and the tail window on its own", () => {
    assert.deepEqual(eraseProof(imageWith(100, [[10, secret.subarray(0, 16)]]), secret), [10]);
    assert.deepEqual(eraseProof(imageWith(100, [[10, secret.subarray(16, 32)]]), secret), [10]);
    assert.deepEqual(eraseProof(imageWith(100, [[10, secret.subarray(24, 40)]]), secret), [10], "the last 16 bytes");
    assert.deepEqual(eraseProof(imageWith(100, [[10, secret.subarray(25, 40)]]), secret), [], "15 bytes are below the window");
    assert.deepEqual(eraseProof(imageWith(100, [[10, secret.subarray(4, 20)]]), secret), [], "an unaligned 16-byte piece");
    assert.deepEqual(eraseProof(imageWith(100, [[10, secret.subarray(4, 36)]]), secret), [22], "any 32-byte run holds a window");
  });

  it("needs every byte of a window: the first two, the middle and the last", () => {
    for (const at of [0, 1, 2, 9, 15]) {
      const piece = secret.slice(0, 16);
      piece[at] ^= 0x01;
      assert.deepEqual(eraseProof(imageWith(64, [[8, piece]]), secret), [], `byte ${at} differs`);
    }
  });

  it("finds a window that ends exactly at the end of the image, not one cut by it", () => {
    assert.deepEqual(eraseProof(imageWith(48, [[32, secret.subarray(0, 16)]]), secret), [32]);
    assert.deepEqual(eraseProof(imageWith(47, [[32, secret.subarray(0, 15)]]), secret), []);
    assert.deepEqual(eraseProof(secret.subarray(0, 16), secret), [0], "an image exactly one window long");
  });

  it("uses the whole secret as the window when it is shorter, and ignores secrets under 2 bytes", () => {
    const short = new Uint8Array([9, 8, 7, 6, 5]);
    assert.deepEqual(eraseProof(imageWith(20, [[3, short]]), short), [3]);
    assert.deepEqual(eraseProof(imageWith(20, [[3, short.subarray(0, 4)]]), short), []);
    assert.deepEqual(eraseProof(imageWith(20, [[3, short.subarray(1)]]), short), []);
    assert.deepEqual(eraseProof(imageWith(20, [[3, new Uint8Array([9, 8])], [10, new Uint8Array([0, 0, 0])]]), new Uint8Array([9, 8])), [3], "nothing but the secret's bytes");
    assert.deepEqual(eraseProof(imageWith(20, [[3, new Uint8Array([9])]]), new Uint8Array([9])), []);
    assert.deepEqual(eraseProof(imageWith(20, [[3, new Uint8Array([9])]]), new Uint8Array(0)), []);
  });

  it("checks several secrets in one pass, the shortest setting how far the scan goes", () => {
    const other = secretBytes(4, 16);
    const tiny = new Uint8Array([0x41, 0x42, 0x43]);
    const image = imageWith(120, [[0, other], [40, secret.subarray(16, 32)], [117, tiny]]);
    assert.deepEqual(eraseProof(image, [secret, other, tiny]), [0, 40, 117]);
    assert.deepEqual(eraseProof(image, [tiny]), [117]);
    assert.deepEqual(eraseProof(image, []), []);
  });

  it("tells apart windows that begin with the same two bytes", () => {
    const a = new Uint8Array(16).fill(1), b = new Uint8Array(16).fill(1);
    a[15] = 2;
    b[15] = 3;
    assert.deepEqual(eraseProof(imageWith(40, [[4, a]]), [a, b]), [4]);
    assert.deepEqual(eraseProof(imageWith(40, [[4, b]]), [a, b]), [4]);
    assert.deepEqual(eraseProof(imageWith(40, [[4, b]]), [a]), []);
  });

  it("takes a smaller window when asked", () => {
    assert.deepEqual(eraseProof(imageWith(64, [[5, secret.subarray(8, 12)]]), secret, 4), [5]);
    assert.deepEqual(eraseProof(imageWith(64, [[5, secret.subarray(8, 12)]]), secret), []);
  });
});
