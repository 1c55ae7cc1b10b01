// Kernel against float on a labelled folder: the same detection, landmarks and
// aligned crops (face + mirror) go through the float tfjs network and through
// the int8 kernel; each side averages its two normalised vectors, as the host
// pipeline does. Reports per-image cosine between the two, and each side's
// FNMR at FMR 1e-3 and 1e-4 over all pairs.
import type { EmbeddingModelSpec } from "../face/embedding-models";
import { FacePipeline, normalise, type CropEmbedder } from "../face/face-pipeline";
import type { FaceFolder } from "../face/eval/dataset";
import { cosine, pairScores, thresholdAtFmr, type OperatingPoint } from "../face/eval/scores";
import { folderCrops } from "./crops";
import { KernelNetwork } from "./face-kernel";

export interface KernelComparison {
  images: number;
  failures: string[];
  /** Cosine(kernel, float) per image, in folder order; `person` beside it. */
  cosines: number[];
  people: number[];
  float: OperatingPoint[];
  kernel: OperatingPoint[];
  kernelMsPerCrop: number;
}

const TARGETS = [1e-3, 1e-4];

function averaged(net: CropEmbedder, crops: Uint8Array[]): Float32Array {
  const v = net.embedCrops(crops).map(normalise);
  const e = v[0].slice();
  for (let k = 1; k < v.length; k++) for (let i = 0; i < e.length; i++) e[i] += v[k][i];
  return normalise(e);
}

export async function compareKernel(spec: EmbeddingModelSpec, folder: FaceFolder): Promise<KernelComparison> {
  const pipeline = await FacePipeline.load(spec, { flip: true });
  const kernel = new KernelNetwork(spec);
  const { crops, failures } = folderCrops(pipeline, folder);
  const float: Float32Array[][] = [], int: Float32Array[][] = [];
  const cosines: number[] = [];
  let kernelMs = 0, kernelCrops = 0;
  for (const c of crops) {
    const f = averaged(pipeline.network, c.crops);
    const started = performance.now();
    const k = averaged(kernel, c.crops);
    kernelMs += performance.now() - started;
    kernelCrops += c.crops.length;
    (float[c.person] ??= []).push(f);
    (int[c.person] ??= []).push(k);
    cosines.push(cosine(f, k));
    for (const crop of c.crops) crop.fill(0);
  }
  const at = (byPerson: Float32Array[][]) => { const s = pairScores(byPerson.filter(Boolean)); return TARGETS.map((t) => thresholdAtFmr(s, t)); };
  return { images: crops.length, failures, cosines, people: crops.map((c) => c.person), float: at(float), kernel: at(int), kernelMsPerCrop: kernelMs / kernelCrops };
}
