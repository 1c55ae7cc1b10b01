// Cost of a packaged face network, measured from its graph rather than quoted:
// parameters (every float weight tensor), multiply-accumulates for one face at
// the input size used (every Conv2D / depthwise / MatMul, from the shapes the
// graph actually produces), and the bytes it would take as a TFLite-style
// int8 model (weights one byte each, biases and other per-channel vectors as
// int32, plus one float32 scale per output channel).
//
// With `outputNode`, only the part of the graph that output needs is counted
// (faceres' embedding without its age and gender heads). With `ranks`, the
// named kernels count as their rank-r factorisation: a k×k conv to r channels
// followed by a 1×1 conv r→cout (params r·(k·k·cin + cout), MACs per output
// position r·(k·k·cin + cout), plus r per-channel scales and r zero biases).
//
//   node --import=tsx tools/face/model-cost.ts mobileface [faceres …] [--size 112] [--output NODE]
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

export interface CostOptions {
  dir?: string;
  /** Count only what this node needs (default: the whole graph). */
  outputNode?: string;
  /** Kernel name → rank of its factorisation. */
  ranks?: Record<string, number>;
}

export async function modelCost(file: string, inputSize: number, options: CostOptions = {}): Promise<ModelCost> {
  const dir = options.dir ?? packagedModelDir();
  const json = JSON.parse(readFileSync(join(dir, `${file}.json`), "utf8")) as {
    modelTopology: { node: Node[] };
    weightsManifest: { weights: { name: string; shape: number[]; dtype: string }[] }[];
  };
  const weights = new Map(json.weightsManifest.flatMap((g) => g.weights).map((w) => [w.name, w]));
  const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  let nodes = json.modelTopology.node;
  if (options.outputNode) {
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const needed = new Set<string>();
    const stack = [options.outputNode];
    while (stack.length) {
      const name = stack.pop()!.replace(/^\^/, "").replace(/:\d+$/, "");
      if (needed.has(name)) continue;
      const n = byName.get(name);
      if (!n) throw new Error(`${file}: no node ${name}`);
      needed.add(name);
      stack.push(...(n.input ?? []));
    }
    nodes = nodes.filter((n) => needed.has(n.name));
  }
  const used = new Set(nodes.flatMap((n) => [n.name, ...(n.input ?? [])]));
  let params = 0;
  for (const w of weights.values()) if (w.dtype === "float32" && used.has(w.name)) params += count(w.shape);
  const compute = nodes.filter((n) => CONV.has(n.op) || DEPTHWISE.has(n.op) || DENSE.has(n.op));
  const model = await loadPackagedGraph(file, dir, { inputSize });
  const input = tf.zeros([1, inputSize, inputSize, 3]);
  const outs = model.execute(input, compute.map((n) => n.name)) as tf.Tensor | tf.Tensor[];
  const shapes = (Array.isArray(outs) ? outs : [outs]).map((t) => t.shape as number[]);
  tf.dispose(outs);
  input.dispose();
  model.dispose();
  let macs = 0, kernelParams = 0, factored = 0, extraChannels = 0;
  compute.forEach((n, k) => {
    const kernel = weights.get(n.input?.[1] ?? "");
    if (!kernel) throw new Error(`${file}: ${n.name} has no constant kernel`);
    const out = count(shapes[k]);
    const [kh, kw, cin] = kernel.shape;
    const r = options.ranks?.[kernel.name];
    if (r !== undefined) {
      if (!CONV.has(n.op)) throw new Error(`${file}: ${kernel.name} is not a convolution`);
      const cout = kernel.shape[3];
      const positions = out / cout;
      macs += positions * r * (kh * kw * cin + cout);
      kernelParams += r * (kh * kw * cin + cout);
      factored += count(kernel.shape) - r * (kh * kw * cin + cout);
      extraChannels += r;
      return;
    }
    if (CONV.has(n.op)) macs += out * kh * kw * cin;
    else if (DEPTHWISE.has(n.op)) macs += out * kh * kw;
    else macs += out * kernel.shape[0];
    kernelParams += count(kernel.shape);
  });
  params -= factored;
  const vectors = params - kernelParams;
  const outChannels = compute.reduce((n, c) => n + weights.get(c.input![1])!.shape.at(DEPTHWISE.has(c.op) ? -2 : -1)!, 0) + extraChannels;
  // A factor's r intermediate channels carry a zero int32 bias and a float32 scale each.
  return { file, inputSize, params, kernelParams, macs, int8Bytes: kernelParams + 4 * vectors + 4 * outChannels + 4 * extraChannels };
}

async function main(argv: string[]): Promise<void> {
  let size: number | undefined;
  let outputNode: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--size") size = Number(argv[++i]);
    else if (argv[i] === "--output") outputNode = argv[++i];
    else files.push(argv[i]);
  }
  for (const file of files) {
    const json = JSON.parse(readFileSync(join(packagedModelDir(), `${file}.json`), "utf8"));
    const placeholder = json.modelTopology.node.find((n: { op: string }) => n.op === "Placeholder");
    const native = Number(placeholder?.attr?.shape?.shape?.dim?.[1]?.size);
    const c = await modelCost(file, size ?? (native > 0 ? native : 112), { outputNode });
    console.log(`${file} @${c.inputSize}: ${c.params.toLocaleString("en")} params, ${(c.macs / 1e6).toFixed(1)} M MACs, ${(c.int8Bytes / 1e6).toFixed(2)} MB as int8`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2)).catch((e: Error) => { console.error(e.message); process.exitCode = 1; });
