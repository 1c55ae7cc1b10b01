// Cost of a packaged face network, measured from its graph rather than quoted:
// parameters (every float weight tensor), multiply-accumulates for one face at
// the input size used (every Conv2D / depthwise / MatMul, from the shapes the
// graph actually produces), and the bytes it would take as a TFLite-style
// int8 model (weights one byte each, biases and other per-channel vectors as
// int32, plus one float32 scale per output channel).
//
//   node --import=tsx tools/face/model-cost.ts mobileface [faceres …] [--size 112]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPackagedGraph, packagedModelDir, tf } from "./tf-runtime";

export interface ModelCost {
  file: string;
  inputSize: number;
  params: number;
  /** Weights of convolution and dense kernels (one byte each as int8). */
  kernelParams: number;
  macs: number;
  int8Bytes: number;
}

interface Node {
  name: string;
  op: string;
  input?: string[];
}

const CONV = new Set(["Conv2D", "_FusedConv2D"]);
const DEPTHWISE = new Set(["DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"]);
const DENSE = new Set(["MatMul", "_FusedMatMul"]);

export async function modelCost(file: string, inputSize: number, dir = packagedModelDir()): Promise<ModelCost> {
  const json = JSON.parse(readFileSync(join(dir, `${file}.json`), "utf8")) as {
    modelTopology: { node: Node[] };
    weightsManifest: { weights: { name: string; shape: number[]; dtype: string }[] }[];
  };
  const weights = new Map(json.weightsManifest.flatMap((g) => g.weights).map((w) => [w.name, w]));
  const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  let params = 0;
  for (const w of weights.values()) if (w.dtype === "float32") params += count(w.shape);
  const compute = json.modelTopology.node.filter((n) => CONV.has(n.op) || DEPTHWISE.has(n.op) || DENSE.has(n.op));
  const model = await loadPackagedGraph(file, dir);
  const input = tf.zeros([1, inputSize, inputSize, 3]);
  const outs = model.execute(input, compute.map((n) => n.name)) as tf.Tensor | tf.Tensor[];
  const shapes = (Array.isArray(outs) ? outs : [outs]).map((t) => t.shape as number[]);
  tf.dispose(outs);
  input.dispose();
  model.dispose();
  let macs = 0, kernelParams = 0;
  compute.forEach((n, k) => {
    const kernel = weights.get(n.input?.[1] ?? "");
    if (!kernel) throw new Error(`${file}: ${n.name} has no constant kernel`);
    const out = count(shapes[k]);
    const [kh, kw, cin] = kernel.shape;
    if (CONV.has(n.op)) macs += out * kh * kw * cin;
    else if (DEPTHWISE.has(n.op)) macs += out * kh * kw;
    else macs += out * kernel.shape[0];
    kernelParams += count(kernel.shape);
  });
  const vectors = params - kernelParams;
  const outChannels = compute.reduce((n, c) => n + weights.get(c.input![1])!.shape.at(DEPTHWISE.has(c.op) ? -2 : -1)!, 0);
  return { file, inputSize, params, kernelParams, macs, int8Bytes: kernelParams + 4 * vectors + 4 * outChannels };
}

async function main(argv: string[]): Promise<void> {
  let size: number | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--size") size = Number(argv[++i]);
    else files.push(argv[i]);
  }
  for (const file of files) {
    const json = JSON.parse(readFileSync(join(packagedModelDir(), `${file}.json`), "utf8"));
    const placeholder = json.modelTopology.node.find((n: { op: string }) => n.op === "Placeholder");
    const native = Number(placeholder?.attr?.shape?.shape?.dim?.[1]?.size);
    const c = await modelCost(file, size ?? (native > 0 ? native : 112));
    console.log(`${file} @${c.inputSize}: ${c.params.toLocaleString("en")} params, ${(c.macs / 1e6).toFixed(1)} M MACs, ${(c.int8Bytes / 1e6).toFixed(2)} MB as int8`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2)).catch((e: Error) => { console.error(e.message); process.exitCode = 1; });
