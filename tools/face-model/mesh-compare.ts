// FaceMesh in the int8 kernel against float tfjs on a labelled folder (ORL):
// per photo, the float detector's upright 192×192 crop; the float mesh on it,
// the kernel's mesh on the same crop, and the kernel's mesh on its own warp of
// the whole photo (the board's path). Reports cosine of the 1,404 outputs and
// the distance of each of the five ArcFace points from float, in eye distances.
// npm run face-model:mesh-compare -- [--faces <folder>]; needs npm run build.
import { existsSync } from "node:fs";
import { meshFivePoints, MESH_INPUT } from "../../src/app/face-mesh-points";
import { warpParameters } from "../../src/app/face-alignment";
import type { Point } from "../../src/app/blazeface-decode";
import { BlazeFaceDetector } from "../face/detector";
import { readFaceFolder } from "../face/eval/dataset";
import { cosine } from "../face/eval/scores";
import { uprightFaceCrop } from "../face/face-mesh";
import { readImageFile } from "../face/image-file";
import { loadPackagedGraph, tf } from "../face/tf-runtime";
import { defaultFaces } from "./calibrate";
import { FaceKernel } from "./face-kernel";
import { FORMAT_RGB888 } from "./image-format";
import { orlSubject } from "./crops";

export interface MeshSide {
  cosines: number[];
  /** Largest of the five point distances from float, per eye distance, per photo. */
  pointErrors: number[];
  /** Mean over photos of each point's distance (eyes, nose, mouth corners), per eye distance. */
  perPoint: number[];
}

export interface MeshComparison {
  images: number;
  /** ORL subject number per photo. */
  subjects: number[];
  onCrop: MeshSide;
  warped: MeshSide;
}

const side = (): MeshSide => ({ cosines: [], pointErrors: [], perPoint: [0, 0, 0, 0, 0] });

function score(s: MeshSide, float: Float32Array, five: Point[], kernel: Int32Array, scale: number, toCrop: Parameters<typeof meshFivePoints>[2]): void {
  s.cosines.push(cosine(float, Float32Array.from(kernel, (v) => v * scale)));
  const got = meshFivePoints(kernel, scale, toCrop);
  const eyes = Math.hypot(five[1][0] - five[0][0], five[1][1] - five[0][1]);
  const d = five.map((p, i) => Math.hypot(p[0] - got[i][0], p[1] - got[i][1]) / eyes);
  d.forEach((v, i) => (s.perPoint[i] += v));
  s.pointErrors.push(Math.max(...d));
}

export async function compareMesh(facesDir: string): Promise<MeshComparison> {
  const detector = await BlazeFaceDetector.load();
  const graph = await loadPackagedGraph("facemesh");
  const kernel = FaceKernel.forModel("facemesh");
  const scale = kernel.header.outputScale;
  const r: MeshComparison = { images: 0, subjects: [], onCrop: side(), warped: side() };
  for (const person of readFaceFolder(facesDir).people) {
    for (const file of person.images) {
      const image = readImageFile(file);
      const detection = detector.detect(image);
      if (!detection) continue;
      const { crop, toCrop } = uprightFaceCrop(image, detection, MESH_INPUT);
      const float = tf.tidy(() => (graph.execute(tf.div(tf.tensor4d(Float32Array.from(crop), [1, MESH_INPUT, MESH_INPUT, 3]), 255), ["StatefulPartitionedCall/model_1/conv2d_21/BiasAdd"]) as tf.Tensor).dataSync() as Float32Array);
      const five = meshFivePoints(float, 1, toCrop);
      score(r.onCrop, float, five, kernel.embed(crop, MESH_INPUT, MESH_INPUT), scale, toCrop);
      const status = kernel.tryEmbedWarped(image.data, image.width, image.height, FORMAT_RGB888, warpParameters(toCrop, MESH_INPUT));
      if (status !== 0) throw new Error(`facemesh warp: status ${status}`);
      score(r.warped, float, five, kernel.output(), scale, toCrop);
      r.images++;
      r.subjects.push(orlSubject(person.name));
      crop.fill(0);
    }
  }
  for (const s of [r.onCrop, r.warped]) s.perPoint = s.perPoint.map((v) => v / r.images);
  return r;
}

async function main(argv: string[]): Promise<void> {
  let faces = defaultFaces();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--faces") faces = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}; usage: npm run face-model:mesh-compare -- [--faces <folder>]`);
  }
  if (!existsSync(faces)) throw new Error(`no faces at ${faces}`);
  const r = await compareMesh(faces);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
  console.log(`facemesh: ${r.images} photos`);
  for (const [name, s] of [["kernel on the float crop", r.onCrop], ["kernel warping the photo itself", r.warped]] as [string, MeshSide][]) {
    const held = s.cosines.filter((_, i) => r.subjects[i] > 20);
    console.log(`${name}: cosine mean ${mean(s.cosines).toFixed(5)} (s21–s40 ${mean(held).toFixed(5)}), min ${Math.min(...s.cosines).toFixed(5)}; worst of five points per eye distance: median ${q(s.pointErrors, 0.5).toFixed(4)}, 95th percentile ${q(s.pointErrors, 0.95).toFixed(4)}, max ${Math.max(...s.pointErrors).toFixed(4)}; mean per point ${s.perPoint.map((v) => v.toFixed(4)).join(" / ")}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
