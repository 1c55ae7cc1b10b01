// Verification scores from labelled embeddings: every genuine pair (same
// person) and every impostor pair (different people), and the error rates a
// threshold on them gives. Pure arithmetic, shared by the evaluation tool and
// the CI test.

/** One embedding per image, grouped by person (folder). */
export interface LabelledEmbeddings {
  people: string[];
  /** byPerson[i] = that person's embeddings (unit length). */
  byPerson: Float32Array[][];
}

export interface PairScores {
  genuine: Float64Array;
  impostor: Float64Array;
}

export function cosine(a: Float32Array | Int8Array, b: Float32Array | Int8Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** All unordered pairs: genuine within a person, impostor across people. */
export function pairScores<T extends Float32Array | Int8Array>(byPerson: T[][], score: (a: T, b: T) => number = cosine): PairScores {
  const genuine: number[] = [];
  const impostor: number[] = [];
  const flat: { person: number; v: T }[] = [];
  byPerson.forEach((list, person) => list.forEach((v) => flat.push({ person, v })));
  for (let i = 0; i < flat.length; i++) {
    for (let j = i + 1; j < flat.length; j++) {
      const s = score(flat[i].v, flat[j].v);
      (flat[i].person === flat[j].person ? genuine : impostor).push(s);
    }
  }
  return { genuine: Float64Array.from(genuine).sort(), impostor: Float64Array.from(impostor).sort() };
}

/** Count of sorted values ≥ t. */
function atOrAbove(sorted: Float64Array, t: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid] < t) lo = mid + 1; else hi = mid; }
  return sorted.length - lo;
}

export interface OperatingPoint {
  threshold: number;
  fmr: number;
  fnmr: number;
}

/** Accept when score ≥ threshold. */
export function operatingPoint(scores: PairScores, threshold: number): OperatingPoint {
  return {
    threshold,
    fmr: atOrAbove(scores.impostor, threshold) / scores.impostor.length,
    fnmr: 1 - atOrAbove(scores.genuine, threshold) / scores.genuine.length,
  };
}

/**
 * The lowest threshold whose FMR is at most `targetFmr`: just above the
 * impostor score that would be the (k+1)-th false match, k = ⌊target·N⌋.
 */
export function thresholdAtFmr(scores: PairScores, targetFmr: number): OperatingPoint {
  const n = scores.impostor.length;
  const allowed = Math.floor(targetFmr * n);
  const t = allowed >= n ? -Infinity : nextUp(scores.impostor[n - 1 - allowed]);
  return operatingPoint(scores, t);
}

function nextUp(x: number): number {
  return x + Math.max(Math.abs(x) * 1e-12, 1e-12);
}

/** Error rates at every distinct threshold (for the DET curve), thinned to about `points`. */
export function detCurve(scores: PairScores, points = 200): OperatingPoint[] {
  const all = Float64Array.from([...scores.genuine, ...scores.impostor]).sort();
  const out: OperatingPoint[] = [];
  const step = Math.max(1, Math.floor(all.length / points));
  for (let i = 0; i < all.length; i += step) out.push(operatingPoint(scores, all[i]));
  out.push(operatingPoint(scores, nextUp(all[all.length - 1])));
  return out;
}
