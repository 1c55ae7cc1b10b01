// EntropyPool: the board's Random over raw hardware RNG samples. Checked with
// scripted sample sources: every output depends on fresh samples and on every
// earlier one, blocks never repeat even if the hardware repeats itself, any
// length is filled, and the ESP32 Math.random scaling recovers the raw value.
import assert from "node:assert/strict";
import { EntropyPool, mathRandomSample } from "../../src/drivers/entropy-pool";
import { toHex } from "../../src/core/crypto";

function counting(start = 0) {
  let n = start;
  const calls = { count: 0 };
  return { calls, sample: () => { calls.count++; return (n++ * 2654435761) >>> 1; } };
}

describe("EntropyPool (hardware RNG conditioning)", () => {
  it("draws 16 fresh samples for every 32-byte block", () => {
    const source = counting();
    const pool = new EntropyPool(source);
    const before = source.calls.count;
    pool.fill(new Uint8Array(70));
    assert.equal(source.calls.count - before, 16 * 3);
  });

  it("fills every byte of odd lengths, and an empty request draws nothing", () => {
    const source = counting();
    const pool = new EntropyPool(source);
    for (const length of [1, 31, 33, 100]) {
      const bytes = new Uint8Array(length);
      pool.fill(bytes);
      assert.ok(bytes.subarray(Math.max(0, length - 8)).some((b) => b !== 0), `tail of ${length} bytes left empty`);
    }
    const before = source.calls.count;
    pool.fill(new Uint8Array(0));
    assert.equal(source.calls.count, before);
  });

  it("never repeats a block even when the hardware returns a constant", () => {
    const pool = new EntropyPool({ sample: () => 12345 });
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const block = new Uint8Array(32);
      pool.fill(block);
      seen.add(toHex(block));
    }
    assert.equal(seen.size, 50);
  });

  it("depends on every sample: one different draw, early or late, changes what follows", () => {
    const run = (flip: number) => {
      let i = 0;
      const pool = new EntropyPool({ sample: () => (i++ === flip ? 1 : 0) });
      const out = new Uint8Array(32);
      for (let k = 0; k < 4; k++) pool.fill(out);
      return toHex(out);
    };
    const base = run(-1);
    assert.notEqual(run(0), base, "a draw from the pool's start still matters four blocks later");
    assert.notEqual(run(40), base);
    assert.equal(run(-1), base, "same draws, same output: nothing else feeds it");
  });

  it("recovers the 31-bit esp_random value from Moddable's Math.random scaling", () => {
    const original = Math.random;
    try {
      for (const raw of [0, 1, 0x12345678, 0x7ffffffe]) {
        Math.random = () => raw / 0x7fffffff;
        assert.equal(mathRandomSample(), raw);
      }
    } finally {
      Math.random = original;
    }
  });
});
