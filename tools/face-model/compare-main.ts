// npm run face-model:compare -- [--model mobileface] [--faces <folder>]
// The int8 kernel against the float pipeline on a labelled folder (default
// ORL): mean/min cosine, and FNMR at FMR 1e-3 / 1e-4 for both. Needs npm run build.
import { existsSync } from "node:fs";
import { DEFAULT_EMBEDDING_MODEL, embeddingModel } from "../face/embedding-models";
import { readFaceFolder } from "../face/eval/dataset";
import { defaultFaces } from "./calibrate";
import { compareKernel } from "./compare";

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
console.log(`cosine kernel vs float: mean ${mean(r.cosines).toFixed(4)} (held-out s21–s40 ${mean(r.cosines.filter((_, i) => r.people[i] >= 20)).toFixed(4)}), min ${Math.min(...r.cosines).toFixed(4)}`);
["1e-3", "1e-4"].forEach((t, i) => console.log(`FMR ${t}: FNMR float ${pct(r.float[i].fnmr)}, kernel ${pct(r.kernel[i].fnmr)}`));
