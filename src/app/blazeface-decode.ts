// BlazeFace's output decoded into one face (front-camera model, 128×128): the
// 896 anchor scores and, per anchor, a box and six keypoints, for a picture
// padded to a square and scaled to 128. The gate wants the one face in front
// of the camera, so the most confident anchor wins (no non-maximum
// suppression). Shared by the host's float detector (tools/face/detector.ts),
// the int8 kernel's under Node, and the board's embedder (kernel-embedder.ts).
// Portable: plain arithmetic, runs in XS.

export const DETECTOR_INPUT = 128;
const ANCHOR_LAYOUT = [{ stride: 8, perCell: 2 }, { stride: 16, perCell: 6 }];

export type Point = [number, number];

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

let ANCHORS: Point[] | undefined;

/**
 * The most confident anchor at or above `minScore` as a detection in image
 * pixels: `scores` are the 896 logits (stride-8 anchors first), `boxes` their
 * 16 regressors each, for the picture padded to a square and scaled to 128.
 */
export function decodeBlazeFace(scores: ArrayLike<number>, boxes: ArrayLike<number>, width: number, height: number, minScore: number): Detection | null {
  const list = (ANCHORS ??= anchors());
  const side = Math.max(width, height);
  const padX = (side - width) / 2, padY = (side - height) / 2;
  let best = -1, bestLogit = -Infinity;
  for (let i = 0; i < list.length; i++) if (scores[i] > bestLogit) { bestLogit = scores[i]; best = i; }
  const score = 1 / (1 + Math.exp(-bestLogit));
  if (best < 0 || !(score >= minScore)) return null;
  const r: number[] = [];
  for (let k = 0; k < 16; k++) r.push(boxes[best * 16 + k]);
  const [ax, ay] = list[best];
  const k = side / DETECTOR_INPUT;
  const toImage = (x: number, y: number): Point => [(ax + x) * k - padX, (ay + y) * k - padY];
  const [cx, cy] = toImage(r[0], r[1]);
  const w = r[2] * k, h = r[3] * k;
  const eyes = [toImage(r[4], r[5]), toImage(r[6], r[7])].sort((p, q) => p[0] - q[0]);
  return { score, box: [cx - w / 2, cy - h / 2, w, h], landmarks: [eyes[0], eyes[1], toImage(r[8], r[9]), toImage(r[10], r[11])] };
}
