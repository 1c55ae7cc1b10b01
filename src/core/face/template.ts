// Face templates: the average of N capture embeddings, L2-normalised and
// quantised to int8 with the matcher's one fixed scale (src/core/matcher/quantise),
// so the Matcher's integer dot product compares across templates (cosine × 127²).
import { OptgateError } from "../errors";
import { quantise, UNIT } from "../matcher/quantise";

export const DEFAULT_DIMENSION = 512;
/** int8 step for a unit vector's components (the matcher's UNIT): a perfect match scores ≈ 127 × 127. */
export const TEMPLATE_SCALE = UNIT;

export interface FaceTemplate {
  readonly dimension: number;
  /** Component = value / scale; the same for every template so scores compare. */
  readonly scale: number;
  readonly values: Int8Array;
}

/** Refuses anything that is not `dimension` finite numbers. */
export function checkEmbedding(embedding: Float32Array, dimension: number): void {
  if (!(embedding instanceof Float32Array) || embedding.length !== dimension) {
    throw new OptgateError("E_TEMPLATE_DIMENSION", `An embedding has ${(embedding as { length?: number })?.length ?? "no"} values; this gate expects ${dimension}.`);
  }
  for (let i = 0; i < dimension; i++) {
    if (!Number.isFinite(embedding[i])) {
      throw new OptgateError("E_TEMPLATE_NOT_FINITE", `An embedding holds ${embedding[i]} at index ${i}; the face model output is unusable.`);
    }
  }
}

/** Enrolment: N captures → one template. Every capture is checked before any work. */
export function templateFromCaptures(captures: readonly Float32Array[], dimension = DEFAULT_DIMENSION, minCaptures = 1): FaceTemplate {
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new OptgateError("E_TEMPLATE_DIMENSION", `Template dimension ${dimension} is not a positive whole number.`);
  }
  if (!Array.isArray(captures) || captures.length < Math.max(1, minCaptures)) {
    throw new OptgateError("E_ENROL_TOO_FEW_CAPTURES", `Enrolment needs at least ${Math.max(1, minCaptures)} captures; got ${captures?.length ?? 0}.`);
  }
  for (const capture of captures) checkEmbedding(capture, dimension);
  // Average unit vectors, so one capture with a large raw norm does not dominate.
  const sum = new Float32Array(dimension);
  for (const capture of captures) {
    let norm = 0;
    for (let i = 0; i < dimension; i++) norm += capture[i] * capture[i];
    norm = Math.sqrt(norm);
    if (!(norm > 0)) throw new OptgateError("E_TEMPLATE_ZERO", "A capture embedding is all zeros; capture again.");
    for (let i = 0; i < dimension; i++) sum[i] += capture[i] / norm;
  }
  const values = new Int8Array(dimension);
  let zero = true;
  for (let i = 0; i < dimension && zero; i++) zero = sum[i] === 0;
  if (zero) throw new OptgateError("E_TEMPLATE_ZERO", "The captures cancel out; capture again.");
  quantise(sum, values);
  sum.fill(0);
  return { dimension, scale: TEMPLATE_SCALE, values };
}
