// Similarity alignment on the host: the float bilinear warp of the photo into
// the embedder's input square. The template and the similarity itself live
// in src/app/face-alignment.ts (shared with the board) and are re-exported.
import type { Similarity } from "../../src/app/face-alignment";
import type { RgbImage } from "./image-file";

export type { Point } from "../../src/app/blazeface-decode";

export { ARCFACE_TEMPLATE_112, estimateSimilarity, type Similarity } from "../../src/app/face-alignment";

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
