// The simulator's real face model (`--embedder real`): the packaged host
// pipeline (tools/face/face-pipeline.ts, the default model with its measured
// thresholds from tools/face/thresholds.ts) answering the host board's
// embed requests ('F' in boards/host/link.ts). The frame arrives in the
// camera's format, is turned into RGB for the pipeline, embedded, and every
// copy of its pixels and of the embedding is zeroed once the answer is out.
import type { HostEmbedderSpec, HostFrameSpec } from "../../boards/host/protocol";
import { DEFAULT_EMBEDDING_MODEL, EMBEDDING_MODELS } from "../face/embedding-models";
import { FacePipeline } from "../face/face-pipeline";
import { HOST_FACE_THRESHOLDS } from "../face/thresholds";
import { frameToRgb } from "./photo";

export type SimEmbedder = "synthetic" | "real";
export const SIM_EMBEDDERS: SimEmbedder[] = ["synthetic", "real"];

/**
 * The camera frame the host board takes with a real model: QVGA RGB565, what
 * an OV2640-class sensor delivers (the synthetic model needs only 32x32).
 */
export const REAL_FRAME: HostFrameSpec = { width: 320, height: 240, format: "rgb565" };

const FORMATS: Record<number, HostFrameSpec["format"]> = { 1: "gray8", 2: "rgb565" };

let loading: Promise<FacePipeline> | undefined;

export class HostFaceModel {
  readonly pipeline: FacePipeline;
  readonly spec: HostEmbedderSpec;

  private constructor(pipeline: FacePipeline) {
    this.pipeline = pipeline;
    const model = pipeline.spec;
    const thresholds = HOST_FACE_THRESHOLDS[model.id];
    if (!thresholds) throw new Error(`no measured thresholds for face model ${model.id} in tools/face/thresholds.ts`);
    this.spec = { id: model.id, version: model.version, dimension: model.dimension, thresholds: { ...thresholds }, frame: REAL_FRAME };
  }

  /** The default packaged model, loaded once per process (tfjs wasm, a few seconds the first time). */
  static async load(): Promise<HostFaceModel> {
    loading ??= FacePipeline.load(EMBEDDING_MODELS[DEFAULT_EMBEDDING_MODEL]);
    return new HostFaceModel(await loading);
  }

  /**
   * Answers one 'F' message from the board: u8 'F', u32 width, u32 height,
   * u8 format, pixels. Returns outcome byte (+ float32 LE embedding), or
   * '!' + reason. Zeroes the message's pixels.
   */
  answer(message: Uint8Array): Uint8Array | string {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    const pixels = message.subarray(10);
    try {
      if (message.length < 10) return "!face model: short message";
      const frame: HostFrameSpec = { width: view.getUint32(1, true), height: view.getUint32(5, true), format: FORMATS[message[9]] };
      if (!frame.format) return `!face model: unknown frame format ${message[9]}`;
      if (pixels.length !== frame.width * frame.height * (frame.format === "rgb565" ? 2 : 1)) return "!face model: frame size does not match its header";
      const image = frameToRgb(pixels, frame);
      let result;
      try {
        result = this.pipeline.embedImage(image);
      } finally {
        image.data.fill(0);
      }
      if (result.outcome !== "ok") return Uint8Array.of(result.outcome === "no-face" ? 1 : 2);
      const out = new Uint8Array(1 + 4 * result.embedding.length);
      const outView = new DataView(out.buffer);
      for (let i = 0; i < result.embedding.length; i++) outView.setFloat32(1 + 4 * i, result.embedding[i], true);
      result.embedding.fill(0);
      return out;
    } catch (error) {
      return `!face model: ${(error as Error).message}`;
    } finally {
      pixels.fill(0);
    }
  }
}
