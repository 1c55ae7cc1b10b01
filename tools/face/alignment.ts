// Similarity alignment: the least-squares rotation + uniform scale + shift
// (Umeyama 1991) that carries the detected landmarks onto a fixed template,
// then a bilinear warp of the photo into the embedder's input square. The
// template is the 112x112 five-point layout the ArcFace family of embedders
// was trained on, with the two mouth corners merged into the mouth centre
// (the detector gives one mouth point).
import type { RgbImage } from "./image-file";

export type Point = [number, number];

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

/** Warps `image` through `m` (image → output) into a size×size RGB crop; outside pixels are mid-grey. */
export function warpSimilarity(image: RgbImage, m: Similarity, size: number, mirror = false): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  const det = m.a * m.a + m.b * m.b;
  // inverse: [x;y] = R⁻¹([x';y'] − t), R⁻¹ = [a b; −b a] / det
  const ia = m.a / det, ib = m.b / det;
  const { width, height, data } = image;
  for (let oy = 0; oy < size; oy++) {
    for (let ox0 = 0; ox0 < size; ox0++) {
      const ox = mirror ? size - 1 - ox0 : ox0;
      const dx = ox - m.tx, dy = oy - m.ty;
      const sx = ia * dx + ib * dy, sy = -ib * dx + ia * dy;
      const o = (oy * size + ox0) * 3;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height) {
        out[o] = out[o + 1] = out[o + 2] = 128;
        continue;
      }
      const fx = sx - x0, fy = sy - y0;
      const p = (y0 * width + x0) * 3, q = p + width * 3;
      for (let c = 0; c < 3; c++) {
        const top = data[p + c] + (data[p + 3 + c] - data[p + c]) * fx;
        const bottom = data[q + c] + (data[q + 3 + c] - data[q + c]) * fx;
        out[o + c] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return out;
}
