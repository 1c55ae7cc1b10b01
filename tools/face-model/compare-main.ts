// npm run face-model:compare -- [--model mobileface] [--faces <folder>]
// The int8 kernel against the float pipeline on a labelled folder (default
// ORL): cosine to float, and FNMR at FMR 1e-3 / 1e-4, for the kernel on the
// float pipeline's crops and for the kernel cropping and warping itself.
// Needs npm run build.
import { existsSync } from "node:fs";
import { DEFAULT_EMBEDDING_MODEL, embeddingModel } from "../face/embedding-models";
import { readFaceFolder } from "../face/eval/dataset";
import { defaultFaces } from "./calibrate";
import { compareKernel, TARGET_FMRS, type KernelSide } from "./compare";

let model: string = DEFAULT_EMBEDDING_MODEL;
let faces = defaultFaces();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--model") model = argv[++i];
  else if (argv[i] === "--faces") faces = argv[++i];
  else throw new Error(`unknown argument ${argv[i]}; usage: npm run face-model:compare -- [--model id] [--faces <folder>]`);
}
if (!existsSync(faces)) throw new Error(`no faces at ${faces}`);
const r = await compareKernel(embeddingModel(model), readFaceFolder(faces));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
console.log(`${model}: ${r.images} images, ${r.failures.length} without a face; kernel ${r.kernelMsPerCrop.toFixed(1)} ms per crop (Node WebAssembly)`);
const chosen = (points: { threshold: number; fmr: number; fnmr: number }[]) => points.map((o) => `at ${o.threshold}: FMR ${(100 * o.fmr).toFixed(3)} %, FNMR ${pct(o.fnmr)}`).join("; ");
console.log(`float at the chosen thresholds (verify, identify): ${chosen(r.floatAtChosen)}`);
console.log(`float: ${TARGET_FMRS.map((t, i) => `FNMR ${pct(r.float[i].fnmr)} at FMR ${t}`).join(", ")}`);
const sorted = [...r.kernelDetector.landmarkErrors].sort((a, b) => a - b);
console.log(`kernel BlazeFace: ${r.detectorMsPerImage.toFixed(1)} ms per photo, ${r.kernelDetector.misses} missed; landmarks vs float (largest of four, per eye distance): median ${sorted[sorted.length >> 1]?.toFixed(3)}, 95th percentile ${sorted[Math.floor(sorted.length * 0.95)]?.toFixed(3)}`);
for (const [name, side] of [["kernel on the float crops", r.kernel], ["kernel cropping and warping itself", r.kernelWarp], ["kernel detector + float FaceMesh + kernel warp and embedder", r.kernelDetector]] as [string, KernelSide][]) {
  console.log(`${name}: cosine to float mean ${mean(side.cosines).toFixed(4)} (people 21+ ${mean(side.cosines.filter((_, i) => r.people[i] >= 20)).toFixed(4)}), min ${Math.min(...side.cosines).toFixed(4)}; ${TARGET_FMRS.map((t, i) => `FNMR ${pct(side.atTargets[i].fnmr)} at FMR ${t}`).join(", ")}; at the chosen thresholds ${chosen(side.atChosen)}`);
}
