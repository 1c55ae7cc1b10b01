// npm run face-model:calibrate -- [--model mobileface] [--faces <folder>]
// Measures every tensor's activation range (max |x|) through the float tfjs
// graph and writes tools/face-model/calibration/<id>.json (committed: numbers
// only). Embedders: aligned face crops and their mirror images; the detector:
// whole photos, padded and resized as tools/face/detector.ts does; FaceMesh:
// the float pipeline's upright 192×192 crop around each detection. Default
// faces: ORL subjects s1–s20 (the other twenty are kept for evaluation), from
// ../shared/faces/orl or OPTGATE_FACES.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DETECTOR_INPUT } from "../face/detector";
import { MESH_INPUT, uprightFaceCrop } from "../face/face-mesh";
import { embeddingModel } from "../face/embedding-models";
import { FacePipeline } from "../face/face-pipeline";
import { readFaceFolder } from "../face/eval/dataset";
import { readImageFile, type RgbImage } from "../face/image-file";
import { loadPackagedGraph, tf } from "../face/tf-runtime";
import { repoRoot } from "../xs/bundle";
import { folderCrops, orlSubject } from "./crops";
import type { FloatNetwork } from "./graph";
import { calibrationFile, lowerModel, type KernelModel } from "./models";
import type { Calibration } from "./quantise";

export const defaultFaces = () => path.join(process.env.OPTGATE_FACES ?? path.join(repoRoot, "..", "shared", "faces"), "orl");

const calibrationSubjects = (n: number) => n >= 1 && n <= 20;

export async function calibrate(id: string, facesDir: string): Promise<Calibration> {
  const { model, net } = lowerModel(id);
  const folder = readFaceFolder(facesDir);
  let inputs: Float32Array[];
  if (model.kind === "detector") {
    await loadPackagedGraph(model.file); // starts the backend
    inputs = folder.people.filter((p) => calibrationSubjects(orlSubject(p.name))).flatMap((p) => p.images.map((f) => detectorInput(readImageFile(f))));
  } else if (model.kind === "landmarks") {
    const pipeline = await FacePipeline.load(embeddingModel("mobileface"));
    inputs = [];
    for (const p of folder.people.filter((q) => calibrationSubjects(orlSubject(q.name)))) {
      for (const f of p.images) {
        const image = readImageFile(f);
        const detection = pipeline.detector.detect(image, pipeline.options.minFaceScore);
        if (!detection) continue;
        const { crop } = uprightFaceCrop(image, detection, MESH_INPUT);
        inputs.push(Float32Array.from(crop, (v) => v * model.hostScale + model.hostOffset));
        crop.fill(0);
      }
    }
  } else {
    const pipeline = await FacePipeline.load(embeddingModel(id), { flip: true });
    const { crops } = folderCrops(pipeline, folder, (_, name) => calibrationSubjects(orlSubject(name)));
    inputs = crops.flatMap((c) => c.crops).map((crop) => Float32Array.from(crop, (p) => p * model.hostScale + model.hostOffset));
  }
  const what = model.kind === "detector" ? "whole photos, padded and resized" : model.kind === "landmarks" ? "upright 192×192 crops around the float detection" : "face + mirror crops";
  const { ranges, channelRanges } = await measureRanges(net, model, inputs);
  return { model: id, modelVersion: model.version, source: `${path.basename(facesDir)} subjects s1–s20, ${what}; ${model.range === "max" ? "max |x|" : "mean over inputs of max |x|"}`, crops: inputs.length, ranges, ...(model.equalise ? { channelRanges } : {}) };
}

/** BlazeFaceDetector's input for one photo: pad to a square with black, resize to 128, /127.5 − 1. */
export function detectorInput(image: RgbImage): Float32Array {
  const side = Math.max(image.width, image.height);
  const padX = (side - image.width) / 2, padY = (side - image.height) / 2;
  return tf.tidy(() => {
    const pixels = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, 3]);
    const square = tf.pad(pixels, [[Math.floor(padY), Math.ceil(padY)], [Math.floor(padX), Math.ceil(padX)], [0, 0]]);
    const resized = tf.image.resizeBilinear(square, [DETECTOR_INPUT, DETECTOR_INPUT]);
    return tf.sub(tf.div(resized, 127.5), 1).dataSync() as Float32Array;
  });
}

/**
 * Range of every tensor's graph node over the inputs (float, already mapped;
 * batches of 8, the detector's graph takes one): the max |activation| over
 * all inputs, or the mean over inputs of each one's max (clips rare peaks).
 */
export async function measureRanges(net: FloatNetwork, model: KernelModel, inputs: Float32Array[]): Promise<{ ranges: Record<string, number>; channelRanges: Record<string, number[]> }> {
  const graph = await loadPackagedGraph(model.file);
  const nodes = [...new Set(net.tensors.slice(1).map((t) => t.node))];
  const ranges: Record<string, number> = Object.fromEntries(nodes.map((n) => [n, 0]));
  const meanOfMaxima: Record<string, number> = Object.fromEntries(nodes.map((n) => [n, 0]));
  // Per channel, the same statistic (for cross-layer equalisation, equalise.ts).
  const channelMax: Record<string, number[]> = {}, channelMean: Record<string, number[]> = {};
  const size = model.size;
  const per = size * size * 3;
  const batchSize = model.kind === "detector" ? 1 : 8;
  for (let at = 0; at < inputs.length; at += batchSize) {
    const batch = inputs.slice(at, at + batchSize);
    const floats = new Float32Array(batch.length * per);
    batch.forEach((x, k) => floats.set(x, k * per));
    const { maxima, perChannel } = tf.tidy(() => {
      const outs = graph.execute(tf.tensor4d(floats, [batch.length, size, size, 3]), nodes) as tf.Tensor[];
      return {
        maxima: outs.map((t) => tf.max(tf.abs(t)).dataSync()[0]),
        perChannel: model.equalise ? outs.map((t) => Array.from(tf.max(tf.abs(tf.reshape(t, [-1, t.shape[t.shape.length - 1]!])), 0).dataSync())) : [],
      };
    });
    perChannel.forEach((c, i) => {
      const n = nodes[i];
      channelMax[n] = (channelMax[n] ?? c.map(() => 0)).map((v, k) => Math.max(v, c[k]));
      channelMean[n] = (channelMean[n] ?? c.map(() => 0)).map((v, k) => v + c[k] / inputs.length);
    });
    nodes.forEach((n, i) => {
      ranges[n] = Math.max(ranges[n], maxima[i]);
      meanOfMaxima[n] += maxima[i] / inputs.length;
    });
  }
  return model.range === "mean-of-max" ? { ranges: meanOfMaxima, channelRanges: channelMean } : { ranges, channelRanges: channelMax };
}

/** One line per tensor, per-channel ranges included. */
export function formatCalibration(c: Calibration): string {
  return `${JSON.stringify(c, null, 1).replace(/\[\s+([-\d.e+,\s]+?)\s+\]/g, (_, inner: string) => `[${inner.trim().split(/,\s*/).join(", ")}]`)}\n`;
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
  writeFileSync(calibrationFile(model), formatCalibration(c));
  process.stdout.write(`calibrated ${model} on ${c.crops} inputs → ${path.relative(repoRoot, calibrationFile(model))}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
