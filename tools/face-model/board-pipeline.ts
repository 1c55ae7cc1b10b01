// What the board runs for a face, under Node: the board's own embedder code
// (src/app/kernel-embedder.ts: BlazeFace in the kernel → the kernel's upright
// crop around it → FaceMesh in the kernel → five points → similarity → the
// kernel's crop-warp-embed of the face and its mirror → normalised average)
// over three WebAssembly kernel instances loaded from the model images in
// build/face-model/ (the board reads the same bytes from its model
// partition). No float network: this path is the board's, not the host's.
//
// Loading checks each image before use: its length and SHA-256 against the
// manifest written beside it by the converter, then the kernel's own check
// (CRC-32, tables inside image and arena). Any failure is an OptgateError
// whose sentence says which file and what is wrong with it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { sha256, toHex } from "../../src/core/crypto";
import { BOARD_FACE_MODELS } from "../../src/app/face-model-partition";
import { OptgateError } from "../../src/core/errors";
import type { FaceModelTag } from "../../src/core/ports";
import { faceImageInfo, KERNEL_FORMAT, KernelEmbedder, type FaceKernelPort } from "../../src/app/kernel-embedder";
import { DEFAULT_EMBEDDING_MODEL, embeddingModel, type EmbeddingModelSpec } from "../face/embedding-models";
import { DEFAULT_PIPELINE_OPTIONS, type FaceResult } from "../face/face-pipeline";
import type { FaceModelManifest } from "./convert";
import { FaceKernel } from "./face-kernel";
import { faceModelDir } from "./models";

export const BOARD_DETECTOR = BOARD_FACE_MODELS.detector;
export const BOARD_LANDMARKS = BOARD_FACE_MODELS.landmarks;

export { KERNEL_FORMAT };

/** Largest camera frame the board takes: QVGA RGB565 (what an OV2640-class sensor gives). */
export const BOARD_FRAME_BYTES = 320 * 240 * 2;

export interface BoardModelOptions {
  /** Where the .ogfk images and their manifests are; default build/face-model. */
  dir?: string;
  /** The embedder's id; default the host's default model. */
  embedder?: string;
  /** Bytes of the largest frame handed in; default BOARD_FRAME_BYTES. */
  frameBytes?: number;
  /** Average the face with its mirror image (default true, as the board). */
  mirror?: boolean;
}

function refuse(file: string, what: string): OptgateError {
  return new OptgateError("E_FACE_MODEL_REFUSED", `The face model image ${file} ${what}; face entry is off until it is rebuilt (npm run build) or flashed again.`);
}

/** Reads `<id>.ogfk`, checks it against `<id>.json` and has a kernel load it. */
export function loadCheckedKernel(dir: string, id: string, frameBytes: number): { kernel: FaceKernel; manifest: FaceModelManifest; image: Uint8Array } {
  const imageName = path.join(dir, `${id}.ogfk`), manifestName = path.join(dir, `${id}.json`);
  let manifest: FaceModelManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestName, "utf8")) as FaceModelManifest;
  } catch (error) {
    throw refuse(imageName, `has no readable manifest ${manifestName} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let image: Uint8Array;
  try {
    image = new Uint8Array(readFileSync(imageName));
  } catch (error) {
    throw refuse(imageName, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (manifest.id !== id || typeof manifest.sha256 !== "string") throw refuse(imageName, `has a manifest for "${manifest.id}", not for ${id}`);
  if (image.length !== manifest.bytes) throw refuse(imageName, `is ${image.length} bytes, its manifest says ${manifest.bytes} (truncated or replaced)`);
  if (toHex(sha256(image)) !== manifest.sha256) throw refuse(imageName, "fails its SHA-256 check against its manifest (corrupt)");
  let kernel: FaceKernel;
  try {
    kernel = new FaceKernel(image, { frameBytes });
  } catch (error) {
    throw refuse(imageName, `was refused by the face kernel: ${(error as Error).message}`);
  }
  if (kernel.header.id !== id) throw refuse(imageName, `holds model "${kernel.header.id}"`);
  return { kernel, manifest, image };
}

/** A FaceKernel (WebAssembly) as the board's kernel port: what the native module is on the S3. */
export function wasmKernelPort(kernel: FaceKernel): FaceKernelPort {
  return {
    embedWarped(frame, width, height, format, m) {
      const status = kernel.tryEmbedWarped(frame, width, height, format, [...m]);
      // A refused run leaves the frame's copy behind: nothing will read it out, so wipe now.
      if (status !== 0) kernel.kernel.wipe();
      return status;
    },
    readOutputs(into) {
      const k = kernel.kernel;
      let at = 0;
      for (let i = 0; i < k.outputCount(); i++) {
        const length = k.outputLength(i);
        into.set(new Int32Array(k.memory.buffer, k.outputAt(i), length), at);
        at += length;
      }
      k.wipe();
    },
  };
}

/**
 * The board's path under Node: KernelEmbedder (src/app/kernel-embedder.ts,
 * the code the board runs) over two WebAssembly kernel instances.
 */
export class BoardFacePipeline {
  readonly spec: EmbeddingModelSpec;
  readonly tag: FaceModelTag;
  readonly detector: FaceKernel;
  readonly embedder: FaceKernel;
  readonly landmarks: FaceKernel;
  readonly kernelEmbedder: KernelEmbedder;
  readonly manifests: { detector: FaceModelManifest; embedder: FaceModelManifest; landmarks: FaceModelManifest };

  private constructor(spec: EmbeddingModelSpec, detector: ReturnType<typeof loadCheckedKernel>, embedder: ReturnType<typeof loadCheckedKernel>, landmarks: ReturnType<typeof loadCheckedKernel>, mirror: boolean) {
    this.spec = spec;
    this.detector = detector.kernel;
    this.embedder = embedder.kernel;
    this.landmarks = landmarks.kernel;
    this.manifests = { detector: detector.manifest, embedder: embedder.manifest, landmarks: landmarks.manifest };
    this.kernelEmbedder = new KernelEmbedder({
      detector: { port: wasmKernelPort(detector.kernel), info: faceImageInfo(detector.image) },
      embedder: { port: wasmKernelPort(embedder.kernel), info: faceImageInfo(embedder.image) },
      landmarks: { port: wasmKernelPort(landmarks.kernel), info: faceImageInfo(landmarks.image) },
      minFaceScore: DEFAULT_PIPELINE_OPTIONS.minFaceScore,
      minEyeDistance: DEFAULT_PIPELINE_OPTIONS.minEyeDistance,
      mirror,
    });
    this.tag = this.kernelEmbedder.model;
  }

  /** Loads and checks the three images; throws E_FACE_MODEL_REFUSED saying which and why. */
  static load(options: BoardModelOptions = {}): BoardFacePipeline {
    const dir = options.dir ?? faceModelDir;
    const spec = embeddingModel(options.embedder ?? DEFAULT_EMBEDDING_MODEL);
    const frameBytes = options.frameBytes ?? BOARD_FRAME_BYTES;
    const detector = loadCheckedKernel(dir, BOARD_DETECTOR, frameBytes);
    const embedder = loadCheckedKernel(dir, spec.id, frameBytes);
    if (embedder.kernel.header.modelVersion !== spec.version) throw refuse(path.join(dir, `${spec.id}.ogfk`), `is version ${embedder.kernel.header.modelVersion}, this pipeline takes ${spec.version}`);
    return new BoardFacePipeline(spec, detector, embedder, loadCheckedKernel(dir, BOARD_LANDMARKS, frameBytes), options.mirror ?? true);
  }

  /**
   * The face in one frame (`format`: KERNEL_FORMAT). Outcomes as the host
   * pipeline's: no face under the detector's threshold, too small between the
   * eyes, or the unit-length embedding (face and mirror averaged).
   */
  embedFrame(pixels: Uint8Array, width: number, height: number, format: number): FaceResult {
    const embedding = new Float32Array(this.kernelEmbedder.dimension);
    const r = this.kernelEmbedder.run(pixels, width, height, format, embedding);
    if (r.outcome === "ok" && r.detection) return { outcome: "ok", embedding, detection: r.detection };
    if (r.outcome === "low-quality" && r.detection) return { outcome: "low-quality", detection: r.detection };
    return { outcome: "no-face" };
  }
}
