// The simulator's real face model (`--embedder real`): the packaged host
// pipeline (tools/face/face-pipeline.ts, the default model with its measured
// thresholds from tools/face/thresholds.ts) answering the host board's
// embed requests ('F' in boards/host/link.ts). The frame arrives in the
// camera's format, is turned into RGB for the pipeline, embedded, and every
// copy of its pixels and of the embedding is zeroed once the answer is out.
// When the gate asks for the presentation-attack check (face.liveness
// antispoof: the message's check byte), the packaged antispoof classifier
// scores the face first (tools/face/liveness.ts, as @vladmandic/human feeds
// it) and a score under 0.5 answers "not live" without embedding. 0.5 is the
// model's natural midpoint: it rejected none of the 400 genuine ORL images
// (lowest 0.502), and it was never measured against a photo or a screen.
import { LIVENESS_CHECK_CODE } from "../../boards/host/link";
import type { HostEmbedderSpec, HostFrameSpec } from "../../boards/host/protocol";
import type { LivenessCheck } from "../../src/core/ports";
import type { Detection } from "../face/detector";
import { DEFAULT_EMBEDDING_MODEL, EMBEDDING_MODELS } from "../face/embedding-models";
import { FacePipeline } from "../face/face-pipeline";
import type { RgbImage } from "../face/image-file";
import { LivenessModel, NATURAL_THRESHOLD } from "../face/liveness";
import { HOST_FACE_THRESHOLDS } from "../face/thresholds";
import { embedAnswer, readEmbedRequest } from "./embed-request";
import { frameToRgb } from "./photo";

/** A presentation-attack scorer: higher = more likely a live face; live at ≥ LIVENESS_THRESHOLD. */
export interface LivenessScorer {
  readonly id: LivenessCheck;
  scoreFace(image: RgbImage, detection: Detection): number;
}

/** Live at a score ≥ this (the antispoof model's natural threshold; see docs/face-models.md). */
export const LIVENESS_THRESHOLD = NATURAL_THRESHOLD;

export interface HostFaceModelOptions {
  /**
   * The antispoof scorer; the packaged model when absent. Tests hand in
   * their own (e.g. one that scores every face low) to make the Node side
   * answer "not live" for a real face.
   */
  liveness?: LivenessScorer;
}

export type SimEmbedder = "synthetic" | "real" | "board";
export const SIM_EMBEDDERS: SimEmbedder[] = ["synthetic", "real", "board"];

/**
 * The camera frame the host board takes with a real model: QVGA RGB565, what
 * an OV2640-class sensor delivers (the synthetic model needs only 32x32).
 */
export const REAL_FRAME: HostFrameSpec = { width: 320, height: 240, format: "rgb565" };

let loading: Promise<FacePipeline> | undefined;
let loadingAntispoof: Promise<LivenessModel> | undefined;

export class HostFaceModel {
  readonly pipeline: FacePipeline;
  readonly spec: HostEmbedderSpec;
  readonly #liveness: LivenessScorer;

  private constructor(pipeline: FacePipeline, liveness: LivenessScorer) {
    this.pipeline = pipeline;
    this.#liveness = liveness;
    const model = pipeline.spec;
    const thresholds = HOST_FACE_THRESHOLDS[model.id];
    if (!thresholds) throw new Error(`no measured thresholds for face model ${model.id} in tools/face/thresholds.ts`);
    this.spec = { id: model.id, version: model.version, dimension: model.dimension, thresholds: { ...thresholds }, frame: REAL_FRAME, liveness: [liveness.id] };
  }

  /** The default packaged model and the antispoof check, loaded once per process (tfjs wasm, a few seconds the first time). */
  static async load(options: HostFaceModelOptions = {}): Promise<HostFaceModel> {
    loading ??= FacePipeline.load(EMBEDDING_MODELS[DEFAULT_EMBEDDING_MODEL]);
    let liveness = options.liveness;
    if (!liveness) {
      const antispoof = await (loadingAntispoof ??= LivenessModel.load("antispoof"));
      liveness = { id: "antispoof", scoreFace: (image, detection) => antispoof.scoreFace(image, detection) };
    }
    return new HostFaceModel(await loading, liveness);
  }

  /**
   * Answers one 'F' message from the board: u8 'F', u32 width, u32 height,
   * u8 format, u8 check (0 none, 1 antispoof), pixels. Returns outcome byte
   * (0 ok + float32 LE embedding, 1 no face, 2 low quality, 3 not live), or
   * '!' + reason. Zeroes the message's pixels.
   */
  answer(message: Uint8Array): Uint8Array | string {
    try {
      const request = readEmbedRequest(message);
      if (typeof request === "string") return request;
      const { frame, check, pixels } = request;
      if (check !== LIVENESS_CHECK_CODE.none && check !== LIVENESS_CHECK_CODE[this.#liveness.id]) return `!face model: no liveness check ${check} here`;
      const image = frameToRgb(pixels, frame);
      const scorer = this.#liveness;
      const live = check === LIVENESS_CHECK_CODE.none ? undefined : (img: RgbImage, detection: Detection) => scorer.scoreFace(img, detection) >= LIVENESS_THRESHOLD;
      try {
        return embedAnswer(this.pipeline.embedImage(image, live));
      } finally {
        image.data.fill(0);
      }
    } catch (error) {
      return `!face model: ${(error as Error).message}`;
    } finally {
      message.fill(0, 11);
    }
  }
}
