// The host face pipeline: detect (BlazeFace) → four landmarks → similarity
// alignment to the embedder's template → embedding, optionally averaged with
// the embedding of the mirrored crop → L2 normalisation.
import { ARCFACE_TEMPLATE_112, estimateSimilarity, warpSimilarity, type Point, type Similarity } from "./alignment";
import { BlazeFaceDetector, type Detection } from "./detector";
import { EmbeddingNetwork, type EmbeddingModelSpec } from "./embedding-models";
import { ARCFACE_FIVE_112, FaceMesh } from "./face-mesh";
import type { RgbImage } from "./image-file";

/** What finds the face: the float BlazeFace, or the int8 kernel's (tools/face-model). */
export interface FaceDetector {
  detect(image: RgbImage, minScore?: number): Detection | null;
}

/** What turns aligned crops into raw embeddings: the float network, or the int8 kernel (tools/face-model). */
export interface CropEmbedder {
  readonly spec: EmbeddingModelSpec;
  embedCrops(crops: Uint8Array[]): Float32Array[];
}

export interface PipelineOptions {
  /** Average with the mirrored face's embedding (two network runs). */
  flip: boolean;
  /** Minimum detector confidence. */
  minFaceScore: number;
  /** Smallest inter-ocular distance in pixels below which a face is too small to embed. */
  minEyeDistance: number;
}

export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = { flip: true, minFaceScore: 0.5, minEyeDistance: 12 };

export type FaceResult =
  | { outcome: "ok"; embedding: Float32Array; detection: Detection }
  | { outcome: "no-face" }
  | { outcome: "low-quality"; detection: Detection }
  /** The caller's `live` check refused the face: nothing was embedded. */
  | { outcome: "not-live"; detection: Detection };

export function templateFor(spec: EmbeddingModelSpec, points: readonly Point[] = ARCFACE_TEMPLATE_112): Point[] {
  const k = spec.size / 112;
  const c = 56;
  const [dx, dy] = spec.shift ?? [0, 0];
  return points.map(([x, y]) => [(c + (x - c) * spec.zoom + dx) * k, (c + (y - c) * spec.zoom + dy) * k]);
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  if (!(n > 0)) throw new Error("the face model returned a zero vector");
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

export class FacePipeline {
  readonly detector: FaceDetector;
  readonly network: CropEmbedder;
  readonly options: PipelineOptions;
  /** Refines BlazeFace's keypoints into five precise landmarks; without it, BlazeFace's four are used. */
  readonly mesh: FaceMesh | undefined;
  readonly #template: Point[];

  constructor(detector: FaceDetector, network: CropEmbedder, mesh: FaceMesh | undefined, options: Partial<PipelineOptions> = {}) {
    this.detector = detector;
    this.network = network;
    this.mesh = mesh;
    this.options = { ...DEFAULT_PIPELINE_OPTIONS, ...options };
    this.#template = templateFor(network.spec, mesh ? ARCFACE_FIVE_112 : ARCFACE_TEMPLATE_112);
  }

  static async load(spec: EmbeddingModelSpec, options: Partial<PipelineOptions> = {}, mesh = true): Promise<FacePipeline> {
    return new FacePipeline(await BlazeFaceDetector.load(), await EmbeddingNetwork.load(spec), mesh ? await FaceMesh.load() : undefined, options);
  }

  get spec(): EmbeddingModelSpec {
    return this.network.spec;
  }

  /** The similarity that carries the face's landmarks onto the embedder's template (image → crop). */
  alignment(image: RgbImage, detection: Detection): Similarity {
    const landmarks = this.mesh ? this.mesh.refine(image, detection).five : detection.landmarks;
    return estimateSimilarity(landmarks, this.#template);
  }

  /** The aligned crop(s) the network sees: the face, and its mirror image when flipping. */
  crops(image: RgbImage, detection: Detection): Uint8Array[] {
    const m = this.alignment(image, detection);
    const size = this.network.spec.size;
    const crops = [warpSimilarity(image, m, size)];
    if (this.options.flip) crops.push(warpSimilarity(image, m, size, true));
    return crops;
  }

  /**
   * Embeds the face in `image`. `live`, when given, is asked about the face
   * once it is found and big enough; a face it refuses is not embedded.
   */
  embedImage(image: RgbImage, live?: (image: RgbImage, detection: Detection) => boolean): FaceResult {
    const detection = this.detector.detect(image, this.options.minFaceScore);
    if (!detection) return { outcome: "no-face" };
    const [left, right] = detection.landmarks;
    if (Math.hypot(right[0] - left[0], right[1] - left[1]) < this.options.minEyeDistance) return { outcome: "low-quality", detection };
    if (live && !live(image, detection)) return { outcome: "not-live", detection };
    const crops = this.crops(image, detection);
    const vectors = this.network.embedCrops(crops).map(normalise);
    for (const crop of crops) crop.fill(0);
    const embedding = vectors[0];
    for (let k = 1; k < vectors.length; k++) for (let i = 0; i < embedding.length; i++) embedding[i] += vectors[k][i];
    return { outcome: "ok", embedding: normalise(embedding), detection };
  }
}
