import assert from "node:assert/strict";
import { isOptgateError } from "../../../src/core/errors";
import { SCORE_ONE, cosineToScore, quantise, scoreToCosine } from "../../../src/core/matcher/quantise";
import { mulberry32 as prng } from "../../../boards/host/mulberry32";

function randomVector(next: () => number, n: number, spread = 1): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (next() - 0.5) * spread;
  return v;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

function intDot(a: Int8Array, b: Int8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe("quantise", () => {
  it("maps a unit axis to 127 and returns the factor it used", () => {
    const out = new Int8Array(4);
    const factor = quantise([0, 0, -3, 0], out);
    assert.deepEqual([...out], [0, 0, -127, 0]);
    assert.equal(factor, 127 / 3);
  });

  it("is L2-normalised: the self-score is ≈ 127² whatever the input length", () => {
    const next = prng(7);
    for (const spread of [1e-6, 1, 1e6, 1e30]) {
      const out = new Int8Array(512);
      quantise(randomVector(next, 512, spread), out);
      const self = intDot(out, out);
      assert.ok(Math.abs(self - SCORE_ONE) < SCORE_ONE * 0.02, `self-score ${self} at spread ${spread}`);
    }
  });

  it("keeps the cosine of two embeddings within 0.02 as a score", () => {
    const next = prng(11);
    for (let k = 0; k < 20; k++) {
      const a = randomVector(next, 512);
      const b = randomVector(next, 512);
      for (let i = 0; i < 512; i++) b[i] = a[i] * (k / 20) + b[i] * (1 - k / 20);
      const qa = new Int8Array(512);
      const qb = new Int8Array(512);
      quantise(a, qa);
      quantise(b, qb);
      assert.ok(Math.abs(scoreToCosine(intDot(qa, qb)) - cosine(a, b)) < 0.02);
    }
  });

  it("refuses NaN and ±Infinity before writing anything", () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      const input = new Float32Array(128).fill(0.5);
      input[77] = bad;
      const out = new Int8Array(128).fill(9);
      assert.throws(() => quantise(input, out), (e: unknown) => isOptgateError(e, "E_EMBEDDING_NOT_FINITE"));
      assert.ok(out.every((v) => v === 9), "template untouched");
    }
  });

  it("refuses the zero vector and a length mismatch", () => {
    assert.throws(() => quantise(new Float32Array(16), new Int8Array(16)), (e: unknown) => isOptgateError(e, "E_EMBEDDING_ZERO"));
    assert.throws(() => quantise(new Float32Array(16).fill(1), new Int8Array(32)), (e: unknown) => isOptgateError(e, "E_MATCHER_DIMENSION"));
  });

  it("converts cosines to integer scores and back", () => {
    assert.equal(cosineToScore(1), 16129);
    assert.equal(cosineToScore(0.5), 8065);
    assert.equal(scoreToCosine(16129), 1);
  });
});
