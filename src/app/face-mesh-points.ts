// FaceMesh's input and output on both sides of the network, as the float
// host pipeline (tools/face/face-mesh.ts) and the board's embedder
// (kernel-embedder.ts) use them: the upright crop around BlazeFace's box
// (enlarged by 1.5, eye line level) and, from the 468 mesh points in crop
// pixels, the ArcFace five points in image pixels (eye centres as the
// mid-points of the eye corners, nose tip, the two mouth corners).
// Portable: plain arithmetic, runs in XS.
import type { Detection, Point } from "./blazeface-decode";
import type { Similarity } from "./face-alignment";

export const MESH_INPUT = 192;
/** The crop around BlazeFace's box that FaceMesh expects (box enlarged by this factor). */
const CROP_ENLARGE = 1.5;
const EYE_CORNERS = [[33, 133], [362, 263]];
const NOSE_TIP = 1;
const MOUTH_CORNERS = [61, 291];

/** The ArcFace 112x112 five-point template (eyes, nose tip, mouth corners). */
export const ARCFACE_FIVE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * image → crop: rotate the eye line level, scale the enlarged box to size,
 * centre it. No trigonometry (the rotation is the eye vector normalised), so
 * XS and V8 compute the same bits: only IEEE-exact operations.
 */
export function uprightCropSimilarity(detection: Detection, size: number): Similarity {
  const [left, right] = detection.landmarks;
  const [bx, by, bw, bh] = detection.box;
  const cx = bx + bw / 2, cy = by + bh / 2;
  const side = Math.max(bw, bh) * CROP_ENLARGE;
  const dx = right[0] - left[0], dy = right[1] - left[1];
  const length = Math.sqrt(dx * dx + dy * dy);
  const s = size / side;
  // Rotation by minus the eye line's angle: cos = dx/length, sin = −dy/length (level eyes when they coincide).
  const a = length > 0 ? (s * dx) / length : s, b = length > 0 ? (-s * dy) / length : 0;
  return { a, b, tx: size / 2 - (a * cx - b * cy), ty: size / 2 - (b * cx + a * cy) };
}

function invert(m: Similarity): Similarity {
  const det = m.a * m.a + m.b * m.b;
  const a = m.a / det, b = -m.b / det;
  return { a, b, tx: -(a * m.tx - b * m.ty), ty: -(b * m.tx + a * m.ty) };
}

/**
 * Five points in image pixels from the mesh (x, y, z per point, crop pixels,
 * `scale` times the values in `mesh`) of the crop made with `toCrop`:
 * eye (picture's left), eye (right), nose tip, mouth corner (left), (right).
 */
export function meshFivePoints(mesh: ArrayLike<number>, scale: number, toCrop: Similarity): Point[] {
  const back = invert(toCrop);
  const point = (i: number): Point => {
    const x = mesh[3 * i] * scale, y = mesh[3 * i + 1] * scale;
    return [back.a * x - back.b * y + back.tx, back.b * x + back.a * y + back.ty];
  };
  const mid = ([i, j]: number[]): Point => { const p = point(i), q = point(j); return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2]; };
  const eyes = EYE_CORNERS.map(mid).sort((p, q) => p[0] - q[0]);
  const mouth = MOUTH_CORNERS.map(point).sort((p, q) => p[0] - q[0]);
  return [eyes[0], eyes[1], point(NOSE_TIP), mouth[0], mouth[1]];
}
