// Kernel against float on a labelled folder: the same detection, landmarks and
// alignment. Three embeddings per image, each the average of the face and its
// mirror image (normalised), as the host pipeline does:
// - float: the float pipeline's crops through the float tfjs network;
// - kernel: the same crops through the int8 kernel;
// - kernel-warp: the whole photo and the alignment handed to the kernel, which
//   crops and warps in integers itself, as the board will;
// - kernel-detector: as kernel-warp, but the face found by BlazeFace in the
//   kernel (FaceMesh, still float, refines its landmarks as on the host).
// Reports per-image cosine to float, FNMR at FMR 1e-3 and 1e-4 over all pairs,
// and FMR / FNMR at the host's chosen thresholds (issue 19's measure).
import type { EmbeddingModelSpec } from "../face/embedding-models";
import { FacePipeline, normalise } from "../face/face-pipeline";
import type { FaceFolder } from "../face/eval/dataset";
import { cosine, operatingPoint, pairScores, thresholdAtFmr, type OperatingPoint } from "../face/eval/scores";
import { HOST_FACE_THRESHOLDS } from "../face/thresholds";
import type { Similarity } from "../face/alignment";
import { folderCrops, type FaceCrops } from "./crops";
import { KernelDetector } from "./kernel-detector";
import { FaceKernel, KernelNetwork } from "./face-kernel";
import { FORMAT_RGB888 } from "./image-format";

export interface KernelSide {
  /** Cosine to the float embedding per image, in folder order. */
  cosines: number[];
  atTargets: OperatingPoint[];
  /** At the float host pipeline's chosen thresholds (verify, identify as a 1:1 score), issue 19's measure. */
  atChosen: OperatingPoint[];
}

export interface KernelComparison {
  images: number;
  failures: string[];
  /** Person index per image (ORL: index 0–19 calibrated on, 20–39 held out). */
  people: number[];
  float: OperatingPoint[];
  floatAtChosen: OperatingPoint[];
  kernel: KernelSide;
  kernelWarp: KernelSide;
  kernelDetector: KernelSide & {
    misses: number;
    /** Per image: largest distance between float and kernel BlazeFace landmarks, over the float's eye distance. */
    landmarkErrors: number[];
  };
  kernelMsPerCrop: number;
  detectorMsPerImage: number;
}

export const TARGET_FMRS = [1e-3, 1e-4];

function averaged(vectors: Float32Array[]): Float32Array {
  const v = vectors.map(normalise);
  const e = v[0].slice();
  for (let k = 1; k < v.length; k++) for (let i = 0; i < e.length; i++) e[i] += v[k][i];
  return normalise(e);
}

export async function compareKernel(spec: EmbeddingModelSpec, folder: FaceFolder): Promise<KernelComparison> {
  const pipeline = await FacePipeline.load(spec, { flip: true });
  const net = new KernelNetwork(spec, FaceKernel.forModel(spec.id, { frameBytes: 1 << 22 }));
  const { crops, failures } = folderCrops(pipeline, folder);
  const detector = new KernelDetector();
  const byPerson = { float: [] as Float32Array[][], kernel: [] as Float32Array[][], warp: [] as Float32Array[][], detector: [] as Float32Array[][] };
  const cos = { kernel: [] as number[], warp: [] as number[], detector: [] as number[] };
  const landmarkErrors: number[] = [];
  let kernelMs = 0, kernelCrops = 0, detectorMs = 0, misses = 0;
  const warped = (c: FaceCrops, m: Similarity) => averaged([false, true].map((mirror) => Float32Array.from(net.kernel.embedWarped(c.frame.data, c.frame.width, c.frame.height, FORMAT_RGB888, m, mirror))));
  for (const c of crops) {
    const f = averaged(pipeline.network.embedCrops(c.crops));
    const started = performance.now();
    const k = averaged(net.embedCrops(c.crops));
    kernelMs += performance.now() - started;
    kernelCrops += c.crops.length;
    const w = warped(c, c.alignment);
    const t0 = performance.now();
    const d = detector.detect(c.frame, pipeline.options.minFaceScore);
    detectorMs += performance.now() - t0;
    if (d) {
      const e = c.detection.landmarks;
      const eye = Math.hypot(e[1][0] - e[0][0], e[1][1] - e[0][1]);
      landmarkErrors.push(Math.max(...e.map((p, i) => Math.hypot(p[0] - d.landmarks[i][0], p[1] - d.landmarks[i][1]))) / eye);
      const k2 = warped(c, pipeline.alignment(c.frame, d));
      (byPerson.detector[c.person] ??= []).push(k2);
      cos.detector.push(cosine(f, k2));
    } else misses++;
    (byPerson.float[c.person] ??= []).push(f);
    (byPerson.kernel[c.person] ??= []).push(k);
    (byPerson.warp[c.person] ??= []).push(w);
    cos.kernel.push(cosine(f, k));
    cos.warp.push(cosine(f, w));
    for (const crop of c.crops) crop.fill(0);
  }
  const chosen = HOST_FACE_THRESHOLDS[spec.id];
  const scores = (people: Float32Array[][]) => pairScores(people.filter(Boolean));
  const at = (people: Float32Array[][]) => { const s = scores(people); return TARGET_FMRS.map((t) => thresholdAtFmr(s, t)); };
  const atChosen = (people: Float32Array[][]) => { const s = scores(people); return chosen ? [chosen.verify, chosen.identify].map((t) => operatingPoint(s, t)) : []; };
  return {
    images: crops.length,
    failures,
    people: crops.map((c) => c.person),
    float: at(byPerson.float),
    floatAtChosen: atChosen(byPerson.float),
    kernel: { cosines: cos.kernel, atTargets: at(byPerson.kernel), atChosen: atChosen(byPerson.kernel) },
    kernelWarp: { cosines: cos.warp, atTargets: at(byPerson.warp), atChosen: atChosen(byPerson.warp) },
    kernelDetector: { cosines: cos.detector, atTargets: at(byPerson.detector), atChosen: atChosen(byPerson.detector), misses, landmarkErrors },
    kernelMsPerCrop: kernelMs / kernelCrops,
    detectorMsPerImage: detectorMs / crops.length,
  };
}
