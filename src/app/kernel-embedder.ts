// The board's Embedder: the int8 face kernel (wasm/face-kernel.ts) run per
// frame as BlazeFace, FaceMesh, then the embedder, through FaceKernelPorts: the
// native module (wasm2c C) on the ESP32-S3, WebAssembly under Node in the
// simulator's `--embedder board` (tools/face-model/board-pipeline.ts), so
// both run this same code. Per frame, in the camera's own pixel format:
// detection (the kernel pads and scales the frame itself); FaceMesh on the
// upright crop around the detection (the kernel warps it out of the frame)
// and its five ArcFace points (face-mesh-points.ts), as the float host
// pipeline; the similarity onto the embedder's template, the kernel's
// crop-warp-embed of the face and of its mirror image, each L2-normalised,
// their normalised average. Without a landmark model (scripted tests, older
// partitions) BlazeFace's four keypoints align the face instead.
//
// The templates it makes carry `<id>-int8-<CRC-32 of the image>`: another
// image (recalibrated, reconverted) is another model. It has no
// presentation-attack check. Kernel faults are OptgateErrors (the gate
// answers "use card or PIN"); the output buffers are zeroed after each use,
// and the kernel wipes its frame and arena after every run.
// Portable: runs in XS.
import { decodeBlazeFace, type Detection, type Point } from "./blazeface-decode";
import { ARCFACE_TEMPLATE_112, estimateSimilarity, warpParameters, type Similarity } from "./face-alignment";
import { ARCFACE_FIVE_112, meshFivePoints, uprightCropSimilarity } from "./face-mesh-points";
import { checkFaceStatus } from "./face-kernel-status";
import { OptgateError } from "../core/errors";
import type { EmbedOutcome, Embedder, FaceModelTag, Frame, LivenessCheck } from "../core/ports";

/** Pixel formats as the kernel numbers them. */
export const KERNEL_FORMAT = { rgb888: 0, gray8: 1, rgb565le: 2, rgb565be: 3 } as const;

/** One model loaded into one kernel instance. */
export interface FaceKernelPort {
  /** The frame (width × height, kernel `format`) warped through m (Q16) into the model's input, then every layer; a kernel status. A failed run leaves nothing of the frame behind. */
  embedWarped(frame: Uint8Array, width: number, height: number, format: number, m: readonly number[]): number;
  /** Every int32 output of the last run, concatenated in table order, into `into`; then the kernel's frame and arena are zeroed. */
  readOutputs(into: Int32Array): void;
}

/** What the embedder needs from a model image's header and tensor table. */
export interface FaceImageInfo {
  id: string;
  version: number;
  crc: number;
  inputWidth: number;
  /** Activation arena the image asks for. */
  arenaBytes: number;
  /** Each output tensor in table order: element count and scale (real = int32 × scale). */
  outputs: { length: number; scale: number }[];
}

const HEADER_BYTES = 96;

/** Reads id, version, CRC-32, input size and outputs from an image the kernel has checked. */
export function faceImageInfo(image: Uint8Array): FaceImageInfo {
  if (image.length < HEADER_BYTES) throw new OptgateError("E_FACE_MODEL_TRUNCATED", "The face model image is shorter than its header.");
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  let id = "";
  for (let i = 16; i < 32 && image[i] !== 0; i++) id += String.fromCharCode(image[i]);
  const tensors = v.getUint16(58, true), table = v.getUint32(64, true);
  const outputs: FaceImageInfo["outputs"] = [];
  for (let i = 0; i < tensors && table + (i + 1) * 16 <= image.length; i++) {
    const t = table + i * 16;
    if (image[t + 10] === 4) outputs.push({ length: v.getUint16(t + 4, true) * v.getUint16(t + 6, true) * v.getUint16(t + 8, true), scale: v.getFloat32(t + 12, true) });
  }
  return { id, version: v.getUint32(32, true), crc: v.getUint32(12, true), inputWidth: v.getUint16(52, true), arenaBytes: v.getUint32(48, true), outputs };
}

export function kernelModelTag(info: FaceImageInfo): FaceModelTag {
  return { id: `${info.id}-int8-${(info.crc >>> 0).toString(16).padStart(8, "0")}`, version: info.version };
}

/** The detector's warp for a frame: the frame padded to a black square and scaled to 128, as tf.image.resizeBilinear (no half-pixel centres). */
export function detectorWarp(width: number, height: number): number[] {
  const side = Math.max(width, height);
  const k = Math.round((side / 128) * 65536);
  return [k, 0, 0 - Math.floor((side - width) / 2) * 65536, 0, k, 0 - Math.floor((side - height) / 2) * 65536];
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (!(n > 0)) throw new OptgateError("E_FACE_ZERO_EMBEDDING", "The face model returned a zero vector.");
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

export interface KernelEmbedderOptions {
  detector: { port: FaceKernelPort; info: FaceImageInfo };
  embedder: { port: FaceKernelPort; info: FaceImageInfo };
  /** FaceMesh (one output: 468 × (x, y, z) in crop pixels); without it the detector's keypoints align the face. */
  landmarks?: { port: FaceKernelPort; info: FaceImageInfo };
  /** The kernel format of the camera's "rgb565" frames (camera drivers deliver either byte order); default little-endian. */
  rgb565?: number;
  /** Minimum detector confidence; default 0.5. */
  minFaceScore?: number;
  /** Smallest distance between the eyes, in frame pixels, worth embedding; default 12. */
  minEyeDistance?: number;
  /** Embed the mirror image too and average (default true); false saves one embedding per face (measured in docs/face-kernel.md). */
  mirror?: boolean;
}

export type KernelFaceResult = { outcome: EmbedOutcome; detection?: Detection };

export class KernelEmbedder implements Embedder {
  readonly dimension: number;
  readonly simulated = false;
  readonly model: FaceModelTag;
  /** No presentation-attack check on the board. */
  readonly livenessChecks: readonly LivenessCheck[] = [];
  readonly #o: KernelEmbedderOptions;
  readonly #template: Point[];
  readonly #heads: Int32Array;
  readonly #raw: Int32Array;
  readonly #view: Float32Array;
  readonly #sum: Float32Array;
  readonly #mesh: Int32Array;
  readonly #meshTemplate: Point[];

  constructor(options: KernelEmbedderOptions) {
    this.#o = options;
    const { detector, embedder } = options;
    if (detector.info.outputs.length !== 4) throw new OptgateError("E_FACE_MODEL_MISMATCH", `The detector image ${detector.info.id} has ${detector.info.outputs.length} outputs; BlazeFace has 4.`);
    if (embedder.info.outputs.length !== 1) throw new OptgateError("E_FACE_MODEL_MISMATCH", `The embedder image ${embedder.info.id} has ${embedder.info.outputs.length} outputs, not 1.`);
    this.dimension = embedder.info.outputs[0].length;
    this.model = kernelModelTag(embedder.info);
    const k = embedder.info.inputWidth / 112;
    this.#template = ARCFACE_TEMPLATE_112.map(([x, y]) => [x * k, y * k] as Point);
    this.#meshTemplate = ARCFACE_FIVE_112.map(([x, y]) => [x * k, y * k] as Point);
    const landmarks = options.landmarks;
    if (landmarks && (landmarks.info.outputs.length !== 1 || landmarks.info.outputs[0].length !== 468 * 3)) throw new OptgateError("E_FACE_MODEL_MISMATCH", `The landmark image ${landmarks.info.id} does not give FaceMesh's 468 points.`);
    this.#mesh = new Int32Array(landmarks ? 468 * 3 : 0);
    this.#heads = new Int32Array(detector.info.outputs.reduce((n, o) => n + o.length, 0));
    this.#raw = new Int32Array(this.dimension);
    this.#view = new Float32Array(this.dimension);
    this.#sum = new Float32Array(this.dimension);
  }

  embed(frame: Frame, out: Float32Array, liveness?: LivenessCheck): EmbedOutcome {
    if (liveness !== undefined) throw new OptgateError("E_LIVENESS_UNAVAILABLE", `The board's face model (${this.model.id}) cannot run the ${liveness} check.`);
    if (out.length !== this.dimension) throw new OptgateError("E_FACE_EMBEDDING_SIZE", `The embedding buffer must hold ${this.dimension} values.`);
    const format = frame.format === "rgb565" ? this.#o.rgb565 ?? KERNEL_FORMAT.rgb565le : KERNEL_FORMAT.gray8;
    return this.run(frame.data, frame.width, frame.height, format, out).outcome;
  }

  /** The face in one frame (`format`: KERNEL_FORMAT), its embedding written to `out` only when the outcome is "ok". */
  run(pixels: Uint8Array, width: number, height: number, format: number, out: Float32Array): KernelFaceResult {
    const detection = this.#detect(pixels, width, height, format);
    if (!detection) return { outcome: "no-face" };
    const [left, right] = detection.landmarks;
    if (Math.hypot(right[0] - left[0], right[1] - left[1]) < (this.#o.minEyeDistance ?? 12)) return { outcome: "low-quality", detection };
    const m = this.#o.landmarks ? estimateSimilarity(this.#meshPoints(pixels, width, height, format, detection), this.#meshTemplate) : estimateSimilarity(detection.landmarks, this.#template);
    const { port, info } = this.#o.embedder;
    const scale = info.outputs[0].scale;
    try {
      const views = this.#o.mirror === false ? 1 : 2;
      for (let view = 0; view < views; view++) {
        checkFaceStatus(port.embedWarped(pixels, width, height, format, warpParameters(m, info.inputWidth, view === 1)), "embedding a face from a frame");
        port.readOutputs(this.#raw);
        for (let i = 0; i < this.dimension; i++) this.#view[i] = this.#raw[i] * scale;
        normalise(this.#view);
        for (let i = 0; i < this.dimension; i++) this.#sum[i] = view === 0 ? this.#view[i] : this.#sum[i] + this.#view[i];
      }
      out.set(normalise(this.#sum));
    } finally {
      this.#raw.fill(0);
      this.#view.fill(0);
      this.#sum.fill(0);
    }
    return { outcome: "ok", detection };
  }

  /** FaceMesh on the upright crop around the detection, warped by the kernel: the five points in frame pixels. */
  #meshPoints(pixels: Uint8Array, width: number, height: number, format: number, detection: Detection): Point[] {
    const { port, info } = this.#o.landmarks!;
    const toCrop: Similarity = uprightCropSimilarity(detection, info.inputWidth);
    checkFaceStatus(port.embedWarped(pixels, width, height, format, warpParameters(toCrop, info.inputWidth)), "finding the face's landmarks");
    try {
      port.readOutputs(this.#mesh);
      return meshFivePoints(this.#mesh, info.outputs[0].scale, toCrop);
    } finally {
      this.#mesh.fill(0);
    }
  }

  #detect(pixels: Uint8Array, width: number, height: number, format: number): Detection | null {
    const { port, info } = this.#o.detector;
    checkFaceStatus(port.embedWarped(pixels, width, height, format, detectorWarp(width, height)), "detecting a face");
    port.readOutputs(this.#heads);
    try {
      // As the float detector: scores of the 512 stride-8 anchors then the 384 stride-16 ones; boxes likewise.
      const heads: Float32Array[] = [];
      let at = 0;
      for (const o of info.outputs) {
        const h = new Float32Array(o.length);
        for (let i = 0; i < o.length; i++) h[i] = this.#heads[at + i] * o.scale;
        heads.push(h);
        at += o.length;
      }
      heads.sort((p, q) => p.length - q.length);
      const scores = new Float32Array(heads[0].length + heads[1].length);
      scores.set(heads[1]);
      scores.set(heads[0], heads[1].length);
      const boxes = new Float32Array(heads[2].length + heads[3].length);
      boxes.set(heads[3]);
      boxes.set(heads[2], heads[3].length);
      return decodeBlazeFace(scores, boxes, width, height, this.#o.minFaceScore ?? 0.5);
    } finally {
      this.#heads.fill(0);
    }
  }
}
