// Lowers a packaged tfjs graph (model.json + weights) into the few layer kinds
// the integer kernel runs: convolution (any k×k, also the flatten + MatMul of
// a dense head), depthwise convolution, and elementwise add. Everything else
// the two MobileFaceNet-style graphs contain is folded on the way:
// - explicit Pad before a VALID convolution → the convolution's padding;
// - Sub/Mul on the input → the preprocessing affine;
// - batch norm after the dense layer (Mul + Add by constants) → weights and bias;
// - PReLU however it was exported (max(0,x) + α·min(0,x) in mobileface,
//   relu(x) + α'·(x − |x|) in mobilefacenet) and ReLU → a per-channel pair
//   (slope for x ≥ 0, slope for x < 0) that the kernel applies as one
//   multiplier chosen by the accumulator's sign; tfjs's own Prelu op (FaceMesh,
//   fused into a convolution or on its own) likewise;
// - a PReLU after an add (FaceMesh's residual blocks): the add is written with
//   no activation and a 1×1 depthwise layer of unit weights applies the slopes
//   (the kernel's add knows only identity and ReLU);
// - Reshape/Squeeze → nothing (NHWC order is the flatten order).
// Values are evaluated symbolically from the output node back, so node order
// in the file does not matter (unfusePreluRelu appends nodes at the end).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packagedModelDir, unfusePreluRelu } from "../face/tf-runtime";

export interface FloatTensor {
  id: number;
  h: number;
  w: number;
  c: number;
  /** Graph node whose output this tensor holds (for calibration). */
  node: string;
}

export interface FloatLayer {
  op: "conv" | "dwconv" | "add" | "maxpool";
  inputs: number[];
  output: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
  /** conv: [cout][kh][kw][cin]; dwconv: [kh][kw][c]. */
  weights: Float32Array;
  bias: Float32Array;
  /** y = pos[c]·x for x ≥ 0, neg[c]·x for x < 0, x = conv + bias. */
  pos: Float32Array;
  neg: Float32Array;
  /** The graph's own layer name, for reports. */
  name: string;
}

export interface FloatNetwork {
  id: string;
  tensors: FloatTensor[];
  layers: FloatLayer[];
  /** Network input = pixel · inputScale + inputOffset (per channel, same for all). */
  inputScale: number;
  inputOffset: number;
  /** The first output (the embedding, for an embedder). */
  output: number;
  /** Every output tensor, in the order of `outputNodes`. */
  outputs: number[];
  outputNodes: string[];
}

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { list?: { s?: string[]; i?: string[] }; s?: string; i?: string; f?: number; b?: boolean }>;
}

interface ModelJson {
  modelTopology: { node: GraphNode[] };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[] }[];
}

interface Const { kind: "const"; shape: number[]; data: Float32Array }
interface Tensor { kind: "tensor"; t: number }
/** The network input after an affine map (Sub/Mul nodes in front of the first convolution). */
interface Input { kind: "input"; scale: number; offset: number }
interface Padded { kind: "padded"; t: number; top: number; bottom: number; left: number; right: number }
/** pos·relu(x) + neg·min(x, 0) of a layer's raw output x, not yet written to a tensor. */
interface Pre { kind: "pre"; layer: FloatLayer; pos: Float32Array; neg: Float32Array }
interface Flat { kind: "flat"; t: number }
/** A tensor with zero channels appended (BlazeFace's shortcut into a wider block). */
interface ChannelPadded { kind: "chanpad"; t: number; after: number }
type Value = Const | Tensor | Input | Padded | Pre | Flat | ChannelPadded;

const ascii = (b64: string) => Buffer.from(b64, "base64").toString();

export interface LowerOptions {
  /** Input affine applied by the host before the graph (EmbeddingModelSpec.input). */
  hostScale: number;
  hostOffset: number;
  /** Input side in pixels. */
  size: number;
  /** Nodes whose values are the outputs (the embedding before any L2 normalisation; a detector's heads). */
  outputNodes: string[];
}

export function readModelJson(file: string, dir = packagedModelDir()): { json: ModelJson; weights: Map<string, Const> } {
  const json = JSON.parse(readFileSync(join(dir, `${file}.json`), "utf8")) as ModelJson;
  const weights = new Map<string, Const>();
  for (const group of json.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(dir, p))));
    let at = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const half = (w.quantization as { dtype?: string } | undefined)?.dtype === "float16";
      if (w.quantization && !half) throw new Error(`${file}: weight ${w.name} is quantised in the package; only float16 is supported`);
      const bytesEach = half ? 2 : 4;
      const copy = new Uint8Array(bytes.subarray(at, at + bytesEach * n)); // aligned copy
      const data = half ? Float32Array.from(new Uint16Array(copy.buffer), float16) : w.dtype === "float32" ? new Float32Array(copy.buffer) : Float32Array.from(new Int32Array(copy.buffer));
      weights.set(w.name, { kind: "const", shape: w.shape, data });
      at += bytesEach * n;
    }
  }
  return { json, weights };
}

export function lowerGraph(id: string, file: string, options: LowerOptions, dir?: string): FloatNetwork {
  const { json, weights } = readModelJson(file, dir);
  unfusePreluRelu(json.modelTopology as Parameters<typeof unfusePreluRelu>[0]);
  const nodes = new Map(json.modelTopology.node.map((n) => [n.name, n]));
  const tensors: FloatTensor[] = [];
  const layers: FloatLayer[] = [];
  const values = new Map<string, Value>();
  const materialised = new Map<FloatLayer, { pos: Float32Array; neg: Float32Array }>();
  let input: Input | undefined;

  const newTensor = (h: number, w: number, c: number, node: string): number => {
    tensors.push({ id: tensors.length, h, w, c, node });
    return tensors.length - 1;
  };
  const shapeOf = (t: number) => tensors[t];
  const fail = (node: GraphNode, why: string): never => { throw new Error(`${id}: node ${node.name} (${node.op}): ${why}`); };

  /** Writes a value to a tensor (deciding the activation of a pending layer). */
  const materialise = (v: Value, node: string, at: GraphNode): number => {
    if (v.kind === "tensor") return v.t;
    if (v.kind === "input") return (inputTensor(v, at) as Tensor).t;
    if (v.kind !== "pre") return fail(at, `cannot use a ${v.kind} value here`);
    if (v.layer.op === "add" && !addActivation(v)) return activateAfterAdd(v, node, at);
    const done = materialised.get(v.layer);
    if (done) {
      if (!sameArray(done.pos, v.pos) || !sameArray(done.neg, v.neg)) fail(at, `layer ${v.layer.name} is used with two different activations`);
      return v.layer.output;
    }
    v.layer.pos = v.pos;
    v.layer.neg = v.neg;
    materialised.set(v.layer, { pos: v.pos, neg: v.neg });
    tensors[v.layer.output].node = node;
    return v.layer.output;
  };

  /** An add keeps only identity or ReLU (the kernel's add applies no slopes). */
  const addActivation = (v: Pre) => v.pos.every((x) => x === 1) && (v.neg.every((x) => x === 1) || v.neg.every((x) => x === 0));
  const activated = new Map<FloatLayer, number>();
  /** add → (identity) tensor → 1×1 depthwise layer of unit weights carrying the slopes. */
  const activateAfterAdd = (v: Pre, node: string, at: GraphNode): number => {
    const known = activated.get(v.layer);
    if (known !== undefined) return known;
    const n = v.pos.length;
    const sum = materialise({ kind: "pre", layer: v.layer, ...identity(n) }, v.layer.name, at);
    const s = shapeOf(sum);
    const out = newTensor(s.h, s.w, s.c, node);
    layers.push({ op: "dwconv", inputs: [sum], output: out, kh: 1, kw: 1, sh: 1, sw: 1, padTop: 0, padLeft: 0, weights: new Float32Array(n).fill(1), bias: new Float32Array(n), pos: v.pos, neg: v.neg, name: `${node} (after ${v.layer.name})` });
    activated.set(v.layer, out);
    return out;
  };

  const perChannel = (c: Const, channels: number, at: GraphNode): Float32Array => {
    if (c.data.length === 1) return new Float32Array(channels).fill(c.data[0]);
    if (c.data.length === channels) return c.data;
    return fail(at, `constant of ${c.data.length} values against ${channels} channels`);
  };

  const channelsOfPre = (p: Pre) => shapeOf(p.layer.output).c;

  const identity = (n: number) => ({ pos: new Float32Array(n).fill(1), neg: new Float32Array(n).fill(1) });

  const convLayer = (at: GraphNode, src: Value, w: Const, depthwise: boolean): Pre => {
    let t: number, top = 0, bottom = 0, left = 0, right = 0;
    if (src.kind === "padded") ({ t, top, bottom, left, right } = src);
    else t = materialise(src, at.input![0], at);
    const s = shapeOf(t);
    const [kh, kw, cin, cmul] = w.shape;
    if (cin !== s.c) fail(at, `kernel expects ${cin} channels, input has ${s.c}`);
    if (depthwise && cmul !== 1) fail(at, "depth multiplier other than 1");
    const strides = (at.attr?.strides?.list?.i ?? ["1", "1", "1", "1"]).map(Number);
    const dil = (at.attr?.dilations?.list?.i ?? ["1", "1", "1", "1"]).map(Number);
    if (dil.some((d) => d !== 1)) fail(at, "dilation");
    const [sh, sw] = [strides[1], strides[2]];
    const padding = at.attr?.padding?.s ? ascii(at.attr.padding.s) : "VALID";
    if (padding === "SAME") {
      if (src.kind === "padded") fail(at, "explicit Pad before a SAME convolution");
      const same = (n: number, k: number, st: number) => { const out = Math.ceil(n / st); const total = Math.max((out - 1) * st + k - n, 0); return [Math.floor(total / 2), total - Math.floor(total / 2)]; };
      [top, bottom] = same(s.h, kh, sh);
      [left, right] = same(s.w, kw, sw);
    } else if (padding !== "VALID") fail(at, `padding ${padding}`);
    const oh = Math.floor((s.h + top + bottom - kh) / sh) + 1;
    const ow = Math.floor((s.w + left + right - kw) / sw) + 1;
    const cout = depthwise ? cin : cmul;
    // TF layout [kh][kw][cin][cout] → kernel layout.
    const weightsOut = new Float32Array(kh * kw * cin * (depthwise ? 1 : cout));
    if (depthwise) weightsOut.set(w.data); // [kh][kw][c][1] is already [kh][kw][c]
    else {
      for (let o = 0; o < cout; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) {
        weightsOut[((o * kh + y) * kw + x) * cin + i] = w.data[((y * kw + x) * cin + i) * cout + o];
      }
    }
    const out = newTensor(oh, ow, cout, at.name);
    const layer: FloatLayer = { op: depthwise ? "dwconv" : "conv", inputs: [t], output: out, kh, kw, sh, sw, padTop: top, padLeft: left, weights: weightsOut, bias: new Float32Array(cout), ...identity(cout), name: at.name };
    layers.push(layer);
    const fused = (at.attr?.fused_ops?.list?.s ?? []).map(ascii);
    const args = (at.input ?? []).slice(2).map((name) => value(name));
    for (const op of fused) {
      if (op === "BiasAdd") {
        const b = args.shift();
        if (b?.kind !== "const") fail(at, "fused BiasAdd without a constant bias");
        layer.bias = perChannel(b as Const, cout, at).slice();
      } else if (op === "Relu") {
        return { kind: "pre", layer, pos: new Float32Array(cout).fill(1), neg: new Float32Array(cout) };
      } else if (op === "Prelu") {
        const alpha = args.shift();
        if (alpha?.kind !== "const") fail(at, "fused Prelu without constant slopes");
        return { kind: "pre", layer, pos: new Float32Array(cout).fill(1), neg: perChannel(alpha as Const, cout, at).slice() };
      } else fail(at, `fused op ${op}`);
    }
    return { kind: "pre", layer, ...identity(cout) };
  };

  /** x·c where x is pending: scales both slopes. */
  const scalePre = (p: Pre, c: Const, at: GraphNode): Pre => {
    const k = perChannel(c, channelsOfPre(p), at);
    return { kind: "pre", layer: p.layer, pos: p.pos.map((v, i) => v * k[i]), neg: p.neg.map((v, i) => v * k[i]) };
  };

  const combine = (a: Pre, b: Pre, sign: number): Pre => ({ kind: "pre", layer: a.layer, pos: a.pos.map((v, i) => v + sign * b.pos[i]), neg: a.neg.map((v, i) => v + sign * b.neg[i]) });

  const isLinear = (p: Pre) => sameArray(p.pos, p.neg);

  /** p + c (constant per channel): only foldable while p is linear (scale s): x·s + c = (x + c/s)·s. */
  const addConstToPre = (p: Pre, c: Const, at: GraphNode): Pre => {
    if (!isLinear(p) || materialised.has(p.layer) || p.layer.op === "add") fail(at, "adding a constant after a non-linear activation or to a sum");
    const k = perChannel(c, channelsOfPre(p), at);
    for (let i = 0; i < k.length; i++) {
      if (p.pos[i] === 0) fail(at, "adding a constant to a zero-scaled channel");
      p.layer.bias[i] += k[i] / p.pos[i];
    }
    return p;
  };

  const isZero = (v: Value) => v.kind === "const" && v.data.every((x) => x === 0);

  function value(name: string): Value {
    const clean = name.replace(/:\d+$/, "");
    const known = values.get(clean);
    if (known) return known;
    const w = weights.get(clean);
    if (w) return w;
    const node = nodes.get(clean);
    if (!node) throw new Error(`${id}: no node ${clean}`);
    const v = evaluate(node);
    values.set(clean, v);
    return v;
  }

  function evaluate(node: GraphNode): Value {
    const ins = node.input ?? [];
    switch (node.op) {
      case "Placeholder": {
        input = { kind: "input", scale: options.hostScale, offset: options.hostOffset };
        return input;
      }
      case "Const": {
        const v = weights.get(node.name);
        if (!v) fail(node, "constant missing from the weights");
        return v!;
      }
      case "Identity":
      case "Reshape":
      case "Squeeze": {
        const v = value(ins[0]);
        if (node.op === "Reshape" && v.kind !== "const") {
          const t = materialise(v, ins[0], node);
          return { kind: "flat", t };
        }
        if (node.op === "Squeeze" && v.kind === "pre") return v;
        if (v.kind === "flat" || v.kind === "tensor" || v.kind === "pre") return v;
        return fail(node, `on a ${v.kind} value`);
      }
      case "Pad": {
        const t = materialise(value(ins[0]), ins[0], node);
        const p = value(ins[1]);
        if (p.kind !== "const" || p.data.length !== 8 || p.data[0] || p.data[1]) return fail(node, "padding of the batch");
        if (p.data[6] || p.data[7]) {
          if (p.data[2] || p.data[3] || p.data[4] || p.data[5] || p.data[6]) return fail(node, "channel padding other than zeros appended");
          return { kind: "chanpad", t, after: p.data[7] };
        }
        return { kind: "padded", t, top: p.data[2], bottom: p.data[3], left: p.data[4], right: p.data[5] };
      }
      case "Conv2D":
      case "_FusedConv2D":
      case "DepthwiseConv2dNative":
      case "FusedDepthwiseConv2dNative": {
        const w = value(ins[1]);
        if (w.kind !== "const") return fail(node, "kernel is not a constant");
        let src = value(ins[0]);
        if (src.kind === "input") src = inputTensor(src, node);
        return convLayer(node, src, w as Const, node.op.includes("Depthwise"));
      }
      case "MatMul": {
        const a = value(ins[0]);
        const w = value(ins[1]);
        if (a.kind !== "flat" || w.kind !== "const" || w.shape.length !== 2) return fail(node, "only flatten(x) · constant");
        if (node.attr?.transpose_a?.b || node.attr?.transpose_b?.b) fail(node, "transposed operands");
        const s = shapeOf(a.t);
        if (w.shape[0] !== s.h * s.w * s.c) fail(node, `inner dimension ${w.shape[0]} against ${s.h}×${s.w}×${s.c}`);
        // A dense layer over an h×w×c tensor is a VALID h×w convolution with the same weights.
        const kernel: Const = { kind: "const", shape: [s.h, s.w, s.c, w.shape[1]], data: w.data };
        return convLayer({ ...node, attr: {} }, { kind: "tensor", t: a.t }, kernel, false);
      }
      case "Sub":
      case "Mul":
      case "Add":
      case "AddV2":
      case "Maximum":
      case "Minimum": {
        const [a, b] = [value(ins[0]), value(ins[1])];
        return arithmetic(node, a, b);
      }
      case "MaxPool": {
        const t = materialise(value(ins[0]), ins[0], node);
        const s = shapeOf(t);
        const [kh, kw] = (node.attr?.ksize?.list?.i ?? []).map(Number).slice(1, 3);
        const [sh, sw] = (node.attr?.strides?.list?.i ?? []).map(Number).slice(1, 3);
        const padding = node.attr?.padding?.s ? ascii(node.attr.padding.s) : "VALID";
        let top = 0, left = 0, oh = Math.floor((s.h - kh) / sh) + 1, ow = Math.floor((s.w - kw) / sw) + 1;
        if (padding === "SAME") {
          oh = Math.ceil(s.h / sh); ow = Math.ceil(s.w / sw);
          top = Math.floor(Math.max((oh - 1) * sh + kh - s.h, 0) / 2); left = Math.floor(Math.max((ow - 1) * sw + kw - s.w, 0) / 2);
        }
        const out = newTensor(oh, ow, s.c, node.name);
        layers.push({ op: "maxpool", inputs: [t], output: out, kh, kw, sh, sw, padTop: top, padLeft: left, weights: new Float32Array(0), bias: new Float32Array(0), ...identity(s.c), name: node.name });
        return { kind: "tensor", t: out };
      }
      case "Relu": {
        const a = value(ins[0]);
        if (a.kind !== "pre" || !isLinear(a)) return fail(node, "ReLU of something other than a layer's linear output");
        return { kind: "pre", layer: a.layer, pos: a.pos, neg: new Float32Array(a.neg.length) };
      }
      case "Prelu": {
        const a = value(ins[0]);
        const alpha = value(ins[1]);
        if (a.kind !== "pre" || !isLinear(a) || alpha.kind !== "const") return fail(node, "Prelu of something other than a layer's linear output, or with non-constant slopes");
        const k = perChannel(alpha, a.neg.length, node);
        return { kind: "pre", layer: a.layer, pos: a.pos, neg: a.neg.map((v, i) => v * k[i]) };
      }
      case "Abs": {
        const a = value(ins[0]);
        if (a.kind !== "pre" || !isLinear(a)) return fail(node, "|x| of something other than a layer's linear output");
        return { kind: "pre", layer: a.layer, pos: a.pos, neg: a.neg.map((v) => -v) };
      }
      default:
        return fail(node, "operator not supported by the face kernel");
    }
  }

  function inputTensor(v: Input, at: GraphNode): Value {
    if (tensors.length > 0) fail(at, "the input is used twice");
    newTensor(options.size, options.size, 3, "(input)");
    return { kind: "tensor", t: 0 };
  }

  function arithmetic(node: GraphNode, a: Value, b: Value): Value {
    if ((a.kind === "chanpad" || b.kind === "chanpad") && node.op !== "Add" && node.op !== "AddV2") return fail(node, "channel padding feeds something other than an add");
    const op = node.op;
    // Preprocessing on the raw input.
    if (a.kind === "input" && b.kind === "const" && b.data.length === 1) {
      const k = b.data[0];
      if (op === "Sub") return (input = { kind: "input", scale: a.scale, offset: a.offset - k });
      if (op === "Add" || op === "AddV2") return (input = { kind: "input", scale: a.scale, offset: a.offset + k });
      if (op === "Mul") return (input = { kind: "input", scale: a.scale * k, offset: a.offset * k });
    }
    if (op === "Maximum" || op === "Minimum") {
      const [zero, x] = isZero(a) ? [a, b] : isZero(b) ? [b, a] : [undefined, undefined];
      if (!zero || x?.kind !== "pre" || !isLinear(x)) return fail(node, "only max/min against 0 of a layer's linear output");
      const n = x.pos.length;
      return op === "Maximum" ? { kind: "pre", layer: x.layer, pos: x.pos, neg: new Float32Array(n) } : { kind: "pre", layer: x.layer, pos: new Float32Array(n), neg: x.neg };
    }
    if (op === "Mul") {
      if (a.kind === "pre" && b.kind === "const") return scalePre(a, b, node);
      if (b.kind === "pre" && a.kind === "const") return scalePre(b, a, node);
      return fail(node, "Mul other than a layer output by a constant");
    }
    if (op === "Sub") {
      if (a.kind === "pre" && b.kind === "pre" && a.layer === b.layer) return combine(a, b, -1);
      return fail(node, "Sub other than within one layer's activation");
    }
    // Add / AddV2
    if (a.kind === "pre" && b.kind === "pre" && a.layer === b.layer) return combine(a, b, 1);
    if (a.kind === "pre" && b.kind === "const") return addConstToPre(a, b, node);
    if (b.kind === "pre" && a.kind === "const") return addConstToPre(b, a, node);
    // The narrower (channel-padded) operand goes second: the kernel reads its missing channels as zero.
    let [na, nb] = node.input!;
    if (a.kind === "chanpad") [a, b, na, nb] = [b, a, nb, na];
    const ta = materialise(a, na, node);
    const tb = b.kind === "chanpad" ? b.t : materialise(b, nb, node);
    const s = shapeOf(ta), sb = shapeOf(tb);
    const bc = b.kind === "chanpad" ? sb.c + b.after : sb.c;
    if (s.h !== sb.h || s.w !== sb.w || s.c !== bc) fail(node, "adding tensors of different shapes");
    const out = newTensor(s.h, s.w, s.c, node.name);
    const n = s.c;
    const layer: FloatLayer = { op: "add", inputs: [ta, tb], output: out, kh: 1, kw: 1, sh: 1, sw: 1, padTop: 0, padLeft: 0, weights: new Float32Array(0), bias: new Float32Array(n), ...identity(n), name: node.name };
    layers.push(layer);
    // Pending like a convolution's output, so a ReLU after it folds into its clamp.
    return { kind: "pre", layer, ...identity(n) };
  }

  const outputs = options.outputNodes.map((name) => {
    const v = value(name);
    return materialise(v.kind === "flat" ? { kind: "tensor", t: v.t } : v, name, nodes.get(name)!);
  });
  if (new Set(outputs).size !== outputs.length) throw new Error(`${id}: two outputs are the same tensor`);
  for (const t of outputs) if (layers.find((l) => l.output === t)?.op === "maxpool" || t === 0) throw new Error(`${id}: an output must be computed by a convolution or an add`);
  if (!input) throw new Error(`${id}: the graph never reads its input`);
  // The network input tensor's float value is pixel·scale + offset.
  return { id, tensors, layers, inputScale: input.scale, inputOffset: input.offset, output: outputs[0], outputs, outputNodes: options.outputNodes };
}

/** IEEE half → float (FaceMesh's weights are stored as float16). */
function float16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function sameArray(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Multiply-accumulates of one inference. */
export function countMacs(net: FloatNetwork): number {
  let macs = 0;
  for (const l of net.layers) {
    const o = net.tensors[l.output];
    if (l.op === "conv") macs += o.h * o.w * o.c * l.kh * l.kw * net.tensors[l.inputs[0]].c;
    else if (l.op === "dwconv") macs += o.h * o.w * o.c * l.kh * l.kw;
  }
  return macs;
}

/** Plain float execution of the lowered network (checks the lowering against tfjs). */
export function runFloat(net: FloatNetwork, pixels: Uint8Array): Float32Array[] {
  const values: Float32Array[] = [];
  const t0 = net.tensors[0];
  values[0] = Float32Array.from(pixels.subarray(0, t0.h * t0.w * 3), (p) => p * net.inputScale + net.inputOffset);
  for (const l of net.layers) {
    const o = net.tensors[l.output];
    const out = new Float32Array(o.h * o.w * o.c);
    if (l.op === "add") {
      const [a, b] = [values[l.inputs[0]], values[l.inputs[1]]];
      const cb = net.tensors[l.inputs[1]].c;
      for (let i = 0; i < out.length; i++) {
        const c = i % o.c;
        const v = a[i] + (c < cb ? b[Math.floor(i / o.c) * cb + c] : 0);
        out[i] = v >= 0 ? v * l.pos[c] : v * l.neg[c];
      }
    } else if (l.op === "maxpool") {
      const s = net.tensors[l.inputs[0]];
      const x = values[l.inputs[0]];
      for (let oy = 0; oy < o.h; oy++) for (let ox = 0; ox < o.w; ox++) for (let c = 0; c < o.c; c++) {
        let best = -Infinity;
        for (let ky = 0; ky < l.kh; ky++) for (let kx = 0; kx < l.kw; kx++) {
          const iy = oy * l.sh - l.padTop + ky, ix = ox * l.sw - l.padLeft + kx;
          if (iy >= 0 && iy < s.h && ix >= 0 && ix < s.w) best = Math.max(best, x[(iy * s.w + ix) * s.c + c]);
        }
        out[(oy * o.w + ox) * o.c + c] = best;
      }
    } else {
      const s = net.tensors[l.inputs[0]];
      const x = values[l.inputs[0]];
      for (let oy = 0; oy < o.h; oy++) for (let ox = 0; ox < o.w; ox++) for (let c = 0; c < o.c; c++) {
        let acc = l.bias[c];
        for (let ky = 0; ky < l.kh; ky++) for (let kx = 0; kx < l.kw; kx++) {
          const iy = oy * l.sh - l.padTop + ky, ix = ox * l.sw - l.padLeft + kx;
          if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
          if (l.op === "dwconv") acc += x[(iy * s.w + ix) * s.c + c] * l.weights[(ky * l.kw + kx) * s.c + c];
          else for (let i = 0; i < s.c; i++) acc += x[(iy * s.w + ix) * s.c + i] * l.weights[((c * l.kh + ky) * l.kw + kx) * s.c + i];
        }
        out[(oy * o.w + ox) * o.c + c] = acc >= 0 ? acc * l.pos[c] : acc * l.neg[c];
      }
    }
    values[l.output] = out;
  }
  return values;
}
