// npm run face-model:calibrate -- [--model mobileface] [--faces <folder>]
// Measures every tensor's activation range (max |x|) on aligned face crops,
// through the float tfjs graph, and writes tools/face-model/calibration/<id>.json
// (committed: numbers only). Default faces: ORL subjects s1–s20 (the other
// twenty are kept for evaluation), from ../shared/faces/orl or OPTGATE_FACES.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EmbeddingNetwork } from "../face/embedding-models";
import { FacePipeline } from "../face/face-pipeline";
import { readFaceFolder } from "../face/eval/dataset";
import { loadPackagedGraph, tf } from "../face/tf-runtime";
import { repoRoot } from "../xs/bundle";
import { folderCrops, orlSubject } from "./crops";
import type { FloatNetwork } from "./graph";
import { calibrationFile, lowerModel } from "./models";
import type { Calibration } from "./quantise";

export const defaultFaces = () => path.join(process.env.OPTGATE_FACES ?? path.join(repoRoot, "..", "shared", "faces"), "orl");

export async function calibrate(id: string, facesDir: string, subjects: (n: number) => boolean = (n) => n >= 1 && n <= 20): Promise<Calibration> {
  const { spec, net } = lowerModel(id);
  const pipeline = await FacePipeline.load(spec, { flip: true });
  const { crops } = folderCrops(pipeline, readFaceFolder(facesDir), (_, name) => subjects(orlSubject(name)));
  const all = crops.flatMap((c) => c.crops);
  return { model: id, modelVersion: spec.version, source: `${path.basename(facesDir)} subjects s1–s20, face + mirror crops`, crops: all.length, ranges: await measureRanges(net, spec, all) };
}

/** Max |activation| of every tensor's graph node over the crops (batches of 8). */
export async function measureRanges(net: FloatNetwork, spec: EmbeddingNetwork["spec"], crops: Uint8Array[]): Promise<Record<string, number>> {
  const graph = await loadPackagedGraph(spec.file);
  const nodes = [...new Set(net.tensors.slice(1).map((t) => t.node))];
  const ranges: Record<string, number> = Object.fromEntries(nodes.map((n) => [n, 0]));
  const size = spec.size;
  for (let at = 0; at < crops.length; at += 8) {
    const batch = crops.slice(at, at + 8);
    const floats = new Float32Array(batch.length * size * size * 3);
    batch.forEach((c, k) => { for (let i = 0; i < size * size * 3; i++) floats[k * size * size * 3 + i] = (c[i] - spec.input.offset) * spec.input.scale; });
    const maxima = tf.tidy(() => {
      const outs = graph.execute(tf.tensor4d(floats, [batch.length, size, size, 3]), nodes) as tf.Tensor[];
      return outs.map((t) => tf.max(tf.abs(t)).dataSync()[0]);
    });
    nodes.forEach((n, i) => { ranges[n] = Math.max(ranges[n], maxima[i]); });
  }
  return ranges;
}

async function main(argv: string[]): Promise<void> {
  let model = "mobileface";
  let faces = defaultFaces();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--model") model = argv[++i];
    else if (argv[i] === "--faces") faces = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}; usage: npm run face-model:calibrate -- [--model id] [--faces <orl folder>]`);
  }
  if (!existsSync(faces)) throw new Error(`no faces at ${faces}; calibration needs ORL (../shared/faces/orl or OPTGATE_FACES)`);
  const c = await calibrate(model, faces);
  writeFileSync(calibrationFile(model), `${JSON.stringify(c, null, 1)}\n`);
  process.stdout.write(`calibrated ${model} on ${c.crops} crops → ${path.relative(repoRoot, calibrationFile(model))}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
