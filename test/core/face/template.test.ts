import assert from "node:assert/strict";
import { checkEmbedding, templateFromCaptures, TEMPLATE_SCALE } from "../../../src/core/face/template";
import { isOptgateError } from "../../../src/core/errors";

const code = (c: string) => (e: unknown) => isOptgateError(e, c);
const message = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as Error).message; } return "no error"; };

function vec(values: number[]): Float32Array {
  return Float32Array.from(values);
}

describe("face/template", () => {
  it("averages the unit captures, normalises and quantises with the fixed scale", () => {
    // Two captures with different raw norms point at (1,1,0,0) and (1,0,0,0) directions.
    const t = templateFromCaptures([vec([10, 10, 0, 0]), vec([0.5, 0, 0, 0])], 4);
    // Average of unit vectors: (0.854, 0.354, 0, 0) → normalised (0.924, 0.383, 0, 0).
    assert.equal(t.dimension, 4);
    assert.equal(t.scale, TEMPLATE_SCALE);
    assert.deepEqual([...t.values], [Math.round(0.92388 * 127), Math.round(0.38268 * 127), 0, 0]);
  });

  it("gives a template whose self-score is ≈ 127² for any dimension", () => {
    for (const d of [8, 128, 512]) {
      const c = new Float32Array(d);
      for (let i = 0; i < d; i++) c[i] = Math.sin(i * 1.7 + d);
      const t = templateFromCaptures([c], d);
      let self = 0;
      for (let i = 0; i < d; i++) self += t.values[i] * t.values[i];
      assert.ok(Math.abs(self - 127 * 127) < 127 * 127 * 0.02, `d=${d}: ${self}`);
    }
  });

  it("refuses NaN, Infinity, a wrong dimension, no captures and zero vectors", () => {
    assert.throws(() => templateFromCaptures([vec([1, NaN, 0, 0])], 4), code("E_TEMPLATE_NOT_FINITE"));
    assert.throws(() => templateFromCaptures([vec([1, 0, 0, 0]), vec([1, 0, Infinity, 0])], 4), code("E_TEMPLATE_NOT_FINITE"));
    assert.throws(() => templateFromCaptures([vec([1, 0, 0])], 4), code("E_TEMPLATE_DIMENSION"));
    assert.throws(() => templateFromCaptures([[1, 0, 0, 0] as unknown as Float32Array], 4), code("E_TEMPLATE_DIMENSION"));
    assert.throws(() => templateFromCaptures([], 4), code("E_ENROL_TOO_FEW_CAPTURES"));
    assert.throws(() => templateFromCaptures([vec([1, 0, 0, 0])], 4, 3), code("E_ENROL_TOO_FEW_CAPTURES"));
    assert.throws(() => templateFromCaptures([vec([0, 0, 0, 0])], 4), code("E_TEMPLATE_ZERO"));
    assert.throws(() => templateFromCaptures([vec([1, 0]), vec([-1, 0])], 2), code("E_TEMPLATE_ZERO"));
    assert.throws(() => checkEmbedding(vec([1, 2]), 3), code("E_TEMPLATE_DIMENSION"));
  });

  it("tells the technician exactly what was wrong with the model's output or the captures", () => {
    assert.equal(message(() => checkEmbedding(vec([1, 2]), 3)), "E_TEMPLATE_DIMENSION: An embedding has 2 values; this gate expects 3.");
    assert.equal(message(() => checkEmbedding(undefined as unknown as Float32Array, 3)), "E_TEMPLATE_DIMENSION: An embedding has no values; this gate expects 3.");
    assert.equal(message(() => checkEmbedding([0, 0, 0] as unknown as Float32Array, 3)), "E_TEMPLATE_DIMENSION: An embedding has 3 values; this gate expects 3.");
    assert.equal(message(() => checkEmbedding(vec([1, 0, -Infinity]), 3)), "E_TEMPLATE_NOT_FINITE: An embedding holds -Infinity at index 2; the face model output is unusable.");
    assert.equal(message(() => templateFromCaptures([vec([1, 0]), vec([1, 0])], 2, 3)), "E_ENROL_TOO_FEW_CAPTURES: Enrolment needs at least 3 captures; got 2.");
    assert.equal(message(() => templateFromCaptures([], 2, 0)), "E_ENROL_TOO_FEW_CAPTURES: Enrolment needs at least 1 captures; got 0.");
    assert.equal(message(() => templateFromCaptures(undefined as unknown as Float32Array[], 2)), "E_ENROL_TOO_FEW_CAPTURES: Enrolment needs at least 1 captures; got 0.");
    assert.equal(message(() => templateFromCaptures([vec([0, 0])], 2)), "E_TEMPLATE_ZERO: A capture embedding is all zeros; capture again.");
    assert.equal(message(() => templateFromCaptures([vec([0, 1]), vec([0, -1])], 2)), "E_TEMPLATE_ZERO: The captures cancel out; capture again.");
  });

  it("takes a dimension of 1 and exactly minCaptures captures, and refuses a dimension that is not a positive whole number", () => {
    assert.deepEqual([...templateFromCaptures([vec([-3])], 1).values], [-TEMPLATE_SCALE]);
    assert.equal(templateFromCaptures([vec([1, 0]), vec([1, 0]), vec([1, 0])], 2, 3).dimension, 2);
    for (const d of [0, -1, 1.5, NaN]) {
      assert.equal(message(() => templateFromCaptures([vec([1])], d)), `E_TEMPLATE_DIMENSION: Template dimension ${d} is not a positive whole number.`);
    }
  });
});
