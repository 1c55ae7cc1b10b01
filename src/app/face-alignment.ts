// Similarity alignment: the least-squares rotation + uniform scale + shift
// (Umeyama 1991) that carries detected landmarks onto a fixed template, and
// the face kernel's warp parameters for it (Q16 fixed point: the kernel crops
// and warps the face out of the frame itself, wasm/face-kernel.ts). The
// template is the 112x112 five-point layout the ArcFace family of embedders
// was trained on, with the mouth corners merged into the mouth centre (the
// detector gives one mouth point). Shared by the host tools and the board's
// embedder (kernel-embedder.ts). Portable: runs in XS.
import type { Point } from "./blazeface-decode";

/** Eyes (left and right in the picture), nose tip, mouth centre at 112x112. */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [56.1396, 92.2848],
];

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  if (from.length !== to.length || from.length < 2) throw new Error("similarity needs two or more point pairs");
  const n = from.length;
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) { fx += from[i][0]; fy += from[i][1]; tx += to[i][0]; ty += to[i][1]; }
  fx /= n; fy /= n; tx /= n; ty /= n;
  let dot = 0, cross = 0, spread = 0;
  for (let i = 0; i < n; i++) {
    const ux = from[i][0] - fx, uy = from[i][1] - fy, vx = to[i][0] - tx, vy = to[i][1] - ty;
    dot += ux * vx + uy * vy;
    cross += ux * vy - uy * vx;
    spread += ux * ux + uy * uy;
  }
  if (!(spread > 0)) throw new Error("landmarks coincide; no alignment");
  const a = dot / spread, b = cross / spread;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

/**
 * The kernel's warp parameters (Q16: output pixel (u, v) samples the frame at
 * (m0·u + m1·v + m2, m3·u + m4·v + m5) / 2^16) for a similarity image → crop,
 * optionally mirrored, as tools/face/alignment.ts warpSimilarity samples.
 */
export function warpParameters(m: Similarity, size: number, mirror = false): number[] {
  const det = m.a * m.a + m.b * m.b;
  const ia = m.a / det, ib = m.b / det;
  const reals = mirror
    ? [-ia, ib, ia * (size - 1 - m.tx) - ib * m.ty, ib, ia, -ib * (size - 1 - m.tx) - ia * m.ty]
    : [ia, ib, -(ia * m.tx + ib * m.ty), -ib, ia, ib * m.tx - ia * m.ty];
  return reals.map((r) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(r * 65536))));
}
