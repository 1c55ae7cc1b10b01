// Float embedding (face model output) → L2-normalised int8 template. A fixed
// scale of 127 per unit length makes scores comparable across templates: the
// dot product of two quantised unit vectors is ≈ cosine × 127², which is what
// the decision thresholds are written in. 512 bytes per 512-d face.
import { OptgateError } from "../errors";

/** Quantised length of a unit vector: int8 components lie in [-127, 127]. */
export const UNIT = 127;
/** Score of a perfect match (cosine 1) between two quantised unit vectors. */
export const SCORE_ONE = UNIT * UNIT;

/**
 * Writes round(127 · x / ‖x‖) into `out` and returns the factor used
 * (127 / ‖x‖). Refuses NaN, ±Infinity and the zero vector before writing
 * anything, so a bad embedding never leaves a half-written template behind.
 */
export function quantise(embedding: ArrayLike<number>, out: Int8Array): number {
  const n = embedding.length;
  if (out.length !== n) {
    throw new OptgateError("E_MATCHER_DIMENSION", `The embedding has ${n} values but the template holds ${out.length}; the face model and the matcher disagree on dimension.`);
  }
  // Divide by the largest magnitude first so squaring cannot overflow to Infinity.
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const x = embedding[i];
    if (x !== x || x === Infinity || x === -Infinity) {
      throw new OptgateError("E_EMBEDDING_NOT_FINITE", `The face model returned a value that is not a finite number (at ${i}); the frame was not used.`);
    }
    const m = x < 0 ? -x : x;
    if (m > peak) peak = m;
  }
  if (peak === 0) {
    throw new OptgateError("E_EMBEDDING_ZERO", "The face model returned an all-zero embedding; it has no direction to compare, so the frame was not used.");
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const y = embedding[i] / peak;
    sum += y * y;
  }
  const factor = UNIT / (Math.sqrt(sum) * peak);
  const scaled = UNIT / Math.sqrt(sum);
  for (let i = 0; i < n; i++) {
    const q = Math.round((embedding[i] / peak) * scaled);
    out[i] = q > UNIT ? UNIT : q < -UNIT ? -UNIT : q;
  }
  return factor;
}

/** A cosine similarity in [-1, 1] as an integer score threshold on the quantised scale. */
export function cosineToScore(cosine: number): number {
  return Math.round(cosine * SCORE_ONE);
}

/** An integer score as an approximate cosine similarity, for reports and tuning. */
export function scoreToCosine(score: number): number {
  return score / SCORE_ONE;
}
