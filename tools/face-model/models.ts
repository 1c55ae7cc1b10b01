// Which packaged embedders the face kernel can run, and how to lower each:
// the node whose value is the embedding (before the graph's own L2
// normalisation, if any). Both are MobileFaceNet-style graphs; the float
// pipeline's spec (tools/face/embedding-models.ts) supplies size, input mapping
// and version, so the image follows whatever the host pipeline does.
import path from "node:path";
import { embeddingModel, type EmbeddingModelSpec } from "../face/embedding-models";
import { repoRoot } from "../xs/bundle";
import { lowerGraph, type FloatNetwork } from "./graph";

export const KERNEL_MODELS: Record<string, { outputNode: string }> = {
  mobileface: { outputNode: "batchnorm0/add_1" },
  mobilefacenet: { outputNode: "MobileFaceNet/Logits/SpatialSqueeze" },
};

export function kernelModelIds(): string[] {
  return Object.keys(KERNEL_MODELS);
}

export function lowerModel(id: string): { spec: EmbeddingModelSpec; net: FloatNetwork } {
  const kernel = KERNEL_MODELS[id];
  if (!kernel) throw new Error(`the face kernel has no conversion for "${id}"; known: ${kernelModelIds().join(", ")}`);
  const spec = embeddingModel(id);
  const net = lowerGraph(spec.id, spec.file, { hostScale: spec.input.scale, hostOffset: -spec.input.offset * spec.input.scale, size: spec.size, outputNodes: [kernel.outputNode] });
  if (spec.input.order !== "rgb") throw new Error(`${id}: BGR input not wired in the converter yet`);
  return { spec, net };
}

/** Committed calibration tables (numbers only; no face data). */
export const calibrationFile = (id: string) => path.join(repoRoot, "tools/face-model/calibration", `${id}.json`);
/** Generated model images. */
export const faceModelDir = path.join(repoRoot, "build/face-model");
export const imageFile = (id: string) => path.join(faceModelDir, `${id}.ogfk`);
export const manifestFile = (id: string) => path.join(faceModelDir, `${id}.json`);
