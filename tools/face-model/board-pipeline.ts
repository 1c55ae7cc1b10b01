// What the board runs for a face, under Node: two int8 kernel instances
// loaded from the model images in build/face-model/ (the board maps the same
// bytes from its model partition). Per camera frame, in the camera's own
// pixel format: BlazeFace in the kernel (the kernel pads and scales the frame
// itself) → its four keypoints → the similarity onto the embedder's template
// → the kernel crops, warps and embeds the face and its mirror image → L2
// normalisation and the average. No float network and no FaceMesh: the board
// has none (docs/face-kernel.md), so this path is the board's, not the host's.
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
import { ARCFACE_TEMPLATE_112, estimateSimilarity, type Point } from "../face/alignment";
import { DEFAULT_EMBEDDING_MODEL, embeddingModel, type EmbeddingModelSpec } from "../face/embedding-models";
import { DEFAULT_PIPELINE_OPTIONS, normalise, templateFor, type FaceResult, type PipelineOptions } from "../face/face-pipeline";
import type { FaceModelManifest } from "./convert";
import { FaceKernel } from "./face-kernel";
import { KernelDetector } from "./kernel-detector";
import { faceModelDir } from "./models";

export const BOARD_DETECTOR = BOARD_FACE_MODELS.detector;

/** The kernel's pixel formats (wasm/face-kernel.ts). */
export const KERNEL_FORMAT = { rgb888: 0, gray8: 1, rgb565le: 2, rgb565be: 3 } as const;

/** Largest camera frame the board takes: QVGA RGB565 (what an OV2640-class sensor gives). */
export const BOARD_FRAME_BYTES = 320 * 240 * 2;

export interface BoardModelOptions {
  /** Where the .ogfk images and their manifests are; default build/face-model. */
  dir?: string;
  /** The embedder's id; default the host's default model. */
  embedder?: string;
  /** Bytes of the largest frame handed in; default BOARD_FRAME_BYTES. */
  frameBytes?: number;
}

function refuse(file: string, what: string): OptgateError {
  return new OptgateError("E_FACE_MODEL_REFUSED", `The face model image ${file} ${what}; face entry is off until it is rebuilt (npm run build) or flashed again.`);
}

/** Reads `<id>.ogfk`, checks it against `<id>.json` and has a kernel load it. */
export function loadCheckedKernel(dir: string, id: string, frameBytes: number): { kernel: FaceKernel; manifest: FaceModelManifest } {
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
  return { kernel, manifest };
}

/**
 * The tag templates made with this path record: the embedder's id, its
 * image's CRC-32 (a recalibrated or reconverted image is another model) and
 * its version. Different from the float host pipeline's tag on purpose.
 */
export function boardModelTag(manifest: FaceModelManifest): FaceModelTag {
  return { id: `${manifest.id}-int8-${manifest.crc32}`, version: manifest.modelVersion };
}

export class BoardFacePipeline {
  readonly spec: EmbeddingModelSpec;
  readonly tag: FaceModelTag;
  readonly detector: KernelDetector;
  readonly embedder: FaceKernel;
  readonly options: PipelineOptions = { ...DEFAULT_PIPELINE_OPTIONS };
  readonly manifests: { detector: FaceModelManifest; embedder: FaceModelManifest };
  readonly #template: Point[];

  private constructor(spec: EmbeddingModelSpec, detector: ReturnType<typeof loadCheckedKernel>, embedder: ReturnType<typeof loadCheckedKernel>) {
    this.spec = spec;
    this.detector = new KernelDetector(detector.kernel);
    this.embedder = embedder.kernel;
    this.manifests = { detector: detector.manifest, embedder: embedder.manifest };
    this.tag = boardModelTag(embedder.manifest);
    this.#template = templateFor(spec, ARCFACE_TEMPLATE_112);
  }

  /** Loads and checks both images; throws E_FACE_MODEL_REFUSED saying which and why. */
  static load(options: BoardModelOptions = {}): BoardFacePipeline {
    const dir = options.dir ?? faceModelDir;
    const spec = embeddingModel(options.embedder ?? DEFAULT_EMBEDDING_MODEL);
    const frameBytes = options.frameBytes ?? BOARD_FRAME_BYTES;
    const detector = loadCheckedKernel(dir, BOARD_DETECTOR, frameBytes);
    const embedder = loadCheckedKernel(dir, spec.id, frameBytes);
    if (embedder.kernel.header.modelVersion !== spec.version) throw refuse(path.join(dir, `${spec.id}.ogfk`), `is version ${embedder.kernel.header.modelVersion}, this pipeline takes ${spec.version}`);
    return new BoardFacePipeline(spec, detector, embedder);
  }

  /**
   * The face in one frame (`format`: KERNEL_FORMAT). Outcomes as the host
   * pipeline's: no face under the detector's threshold, too small between the
   * eyes, or the unit-length embedding (face and mirror averaged).
   */
  embedFrame(pixels: Uint8Array, width: number, height: number, format: number): FaceResult {
    const detection = this.detector.detectFrame(pixels, width, height, format, this.options.minFaceScore);
    if (!detection) return { outcome: "no-face" };
    const [left, right] = detection.landmarks;
    if (Math.hypot(right[0] - left[0], right[1] - left[1]) < this.options.minEyeDistance) return { outcome: "low-quality", detection };
    const m = estimateSimilarity(detection.landmarks, this.#template);
    const scale = this.embedder.header.outputScale;
    const views = [false, true].map((mirror) => {
      const raw = this.embedder.embedWarped(pixels, width, height, format, m, mirror);
      const v = normalise(Float32Array.from(raw, (x) => x * scale));
      raw.fill(0);
      return v;
    });
    const embedding = views[0];
    for (let i = 0; i < embedding.length; i++) embedding[i] += views[1][i];
    views[1].fill(0);
    return { outcome: "ok", embedding: normalise(embedding), detection };
  }
}
