// Float network + calibrated activation ranges → the integer model image.
// Scheme (docs/face-kernel.md):
// - activations int8, symmetric (zero point 0, so padding is a plain 0),
//   one scale per tensor: range / 127, range from calibration;
// - weights int8, symmetric, one scale per output channel (max |w| / 127);
// - biases int32 at the accumulator's scale (input scale × weight scale);
// - requantisation per output channel: round(acc · m / 2^shift), m a signed
//   31-bit integer, rounding half away from zero; the activation (identity,
//   ReLU, PReLU) is a second multiplier used when acc < 0;
// - the embedding itself is written as int32 at a fine scale (range / 2^14),
//   so the last layer loses nothing to an 8-bit output.
import { countMacs, type FloatLayer, type FloatNetwork } from "./graph";
import { writeImage, type ImageLayer, type ImageSpec, type ImageTensor } from "./image-format";

/** Bumped whenever the scheme above changes (the image records it). */
export const QUANT_VERSION = 1;

export const OUTPUT_STEPS = 1 << 14;
const OUTPUT_CLAMP = 1 << 30;
const BIAS_CLAMP = 1 << 30;
const PRE_SHIFT = 16;

export interface Calibration {
  model: string;
  modelVersion: number;
  /** What the ranges were measured on (never the images themselves). */
  source: string;
  crops: number;
  /** Max |activation| per graph node over the calibration crops. */
  ranges: Record<string, number>;
  /** The same per channel, where the model is equalised (equalise.ts). */
  channelRanges?: Record<string, number[]>;
  /**
   * Bias correction (bias-correction.ts): per graph node of a convolution's
   * output, per channel, the mean error (real units, before the activation)
   * of the int8 layer against float on the calibration crops; the converter
   * subtracts it from the bias.
   */
  biasCorrection?: Record<string, number[]>;
}

/** A correction must name convolution outputs of this network, one finite value per channel: anything else is a stale or damaged table. */
function checkBiasCorrection(net: FloatNetwork, calibration: Calibration): void {
  const convs = new Map(net.layers.filter((l) => l.op === "conv" || l.op === "dwconv").map((l) => [net.tensors[l.output].node, net.tensors[l.output].c]));
  for (const [node, values] of Object.entries(calibration.biasCorrection ?? {})) {
    const channels = convs.get(node);
    if (channels === undefined) throw new Error(`${net.id}: bias correction for ${node}, which is no convolution output of this network; recalibrate`);
    if (!Array.isArray(values) || values.length !== channels || !values.every((v) => typeof v === "number" && Number.isFinite(v))) throw new Error(`${net.id}: bias correction for ${node} is not ${channels} finite numbers; recalibrate`);
  }
}

/** m / 2^shift ≈ each real, one shift for all, |m| < 2^31. */
export function fixedPoint(reals: number[]): { m: number[]; shift: number } {
  const top = Math.max(...reals.map(Math.abs));
  if (!(top > 0)) return { m: reals.map(() => 0), shift: 0 };
  if (top >= 2 ** 31) throw new Error(`requantisation multiplier ${top} too large`);
  let shift = Math.min(62, 30 - Math.floor(Math.log2(top)));
  if (shift < 0) shift = 0;
  let m = reals.map((r) => Math.round(r * 2 ** shift));
  while (m.some((x) => Math.abs(x) >= 2 ** 31)) { shift--; m = reals.map((r) => Math.round(r * 2 ** shift)); }
  return { m, shift };
}

export interface Quantised {
  spec: ImageSpec;
  image: Uint8Array;
  /** Scale of every tensor (real = q · scale). */
  scales: number[];
  weightBytes: number;
}

export interface QuantiseOptions {
  /** 0x00RRGGBB the kernel's warp reads outside the frame. */
  border: number;
  /** Every tensor in its own arena slot, none reused (a study image: layer-compare.ts reads them all after a run). */
  keepAll?: boolean;
}

/** Int8 weights of one convolution, one scale per output channel (max |w| / 127); real weight ≈ q · scales[c]. */
export function quantiseWeights(l: FloatLayer, cout: number): { weights: Int8Array; scales: Float64Array } {
  const per = l.weights.length / cout;
  const weights = new Int8Array(l.weights.length);
  const scales = new Float64Array(cout);
  for (let c = 0; c < cout; c++) {
    let top = 0;
    for (let k = 0; k < per; k++) top = Math.max(top, Math.abs(l.weights[weightIndex(l, cout, c, k)]));
    const sW = top > 0 ? top / 127 : 1;
    scales[c] = sW;
    for (let k = 0; k < per; k++) { const i = weightIndex(l, cout, c, k); weights[i] = Math.max(-127, Math.min(127, Math.round(l.weights[i] / sW))); }
  }
  return { weights, scales };
}

/** conv: [cout][taps·cin] contiguous per channel; dwconv: [taps][c], stride cout. */
export const weightIndex = (l: FloatLayer, cout: number, c: number, k: number) => (l.op === "conv" ? c * (l.weights.length / cout) + k : k * cout + c);

export function quantiseNetwork(net: FloatNetwork, calibration: Calibration, modelVersion: number, options: QuantiseOptions = { border: 0x808080 }): Quantised {
  const isOutput = (t: number) => net.outputs.includes(t);
  const pooled = new Map(net.layers.filter((l) => l.op === "maxpool").map((l) => [l.output, l.inputs[0]]));
  const scales: number[] = [];
  net.tensors.forEach((t, i) => {
    if (i === 0) scales[i] = Math.max(Math.abs(net.inputOffset), Math.abs(255 * net.inputScale + net.inputOffset)) / 127;
    // Max-pooling keeps its input's scale (tensors are numbered in execution order).
    else if (pooled.has(i)) scales[i] = scales[pooled.get(i)!];
    else {
      const range = calibration.ranges[t.node];
      if (!(range > 0)) throw new Error(`${net.id}: no calibrated range for ${t.node}; recalibrate`);
      scales[i] = isOutput(i) ? range / OUTPUT_STEPS : range / 127;
    }
  });
  checkBiasCorrection(net, calibration);
  const s0 = scales[0];
  const preMul = Math.round((net.inputScale / s0) * 2 ** PRE_SHIFT);
  const preAdd = Math.round((net.inputOffset / s0) * 2 ** PRE_SHIFT);
  let weightBytes = 0;
  const layers: ImageLayer[] = net.layers.map((l) => {
    const wide = isOutput(l.output);
    // A ReLU after an add is its clamp; convolutions carry theirs in the multipliers.
    const relu = l.op === "add" && l.neg.every((v) => v === 0);
    if (l.op === "add" && !(l.pos.every((v) => v === 1) && (relu || l.neg.every((v) => v === 1)))) throw new Error(`${net.id}: ${l.name}: only identity or ReLU after an add`);
    const [clampMin, clampMax] = wide ? [relu ? 0 : -OUTPUT_CLAMP, OUTPUT_CLAMP] : [relu ? 0 : -128, 127];
    const sOut = scales[l.output];
    const base = { kh: l.kh, kw: l.kw, sh: l.sh, sw: l.sw, padTop: l.padTop, padLeft: l.padLeft, inA: l.inputs[0], inB: l.inputs[1] ?? 0, out: l.output, clampMin, clampMax };
    if (l.op === "maxpool") return { ...base, op: "maxpool", weights: new Int8Array(0), bias: new Int32Array(0), quant: new Int32Array(0) };
    if (l.op === "add") {
      const { m, shift } = fixedPoint([scales[l.inputs[0]] / sOut, scales[l.inputs[1]] / sOut]);
      return { ...base, op: "add", weights: new Int8Array(0), bias: new Int32Array(0), quant: Int32Array.from([m[0], m[1], shift]) };
    }
    const sIn = scales[l.inputs[0]];
    const cout = net.tensors[l.output].c;
    const { weights, scales: sWs } = quantiseWeights(l, cout);
    const bias = new Int32Array(cout);
    const quant = new Int32Array(3 * cout);
    const correction = calibration.biasCorrection?.[net.tensors[l.output].node];
    for (let c = 0; c < cout; c++) {
      const sAcc = sIn * sWs[c];
      bias[c] = Math.max(-BIAS_CLAMP, Math.min(BIAS_CLAMP, Math.round((l.bias[c] - (correction?.[c] ?? 0)) / sAcc)));
      const { m, shift } = fixedPoint([(l.pos[c] * sAcc) / sOut, (l.neg[c] * sAcc) / sOut]);
      quant.set([m[0], m[1], shift], 3 * c);
    }
    weightBytes += weights.length + 4 * bias.length + 4 * quant.length;
    return { ...base, op: l.op, weights, bias, quant };
  });
  const { offsets, arenaBytes } = planArena(net, options.keepAll);
  const tensors: ImageTensor[] = net.tensors.map((t, i) => ({ offset: offsets[i], h: t.h, w: t.w, c: t.c, elementBytes: isOutput(i) ? 4 : 1, scale: scales[i] }));
  const spec: ImageSpec = {
    id: net.id,
    modelVersion,
    quantVersion: QUANT_VERSION,
    macs: countMacs(net),
    arenaBytes,
    inputWidth: net.tensors[0].w,
    inputHeight: net.tensors[0].h,
    tensors,
    layers,
    output: net.output,
    preMul,
    preAdd,
    preShift: PRE_SHIFT,
    bgr: false,
    outputScale: scales[net.output],
    border: options.border,
  };
  return { spec, image: writeImage(spec), scales, weightBytes };
}

/**
 * First-fit placement of every tensor in one arena: a tensor lives from the
 * layer that writes it to the last layer that reads it (the input from the
 * start, the output to the end); a layer's output never overlaps its inputs.
 */
export function planArena(net: FloatNetwork, keepAll = false): { offsets: number[]; arenaBytes: number } {
  const n = net.tensors.length;
  const bytes = net.tensors.map((t, i) => t.h * t.w * t.c * (net.outputs.includes(i) ? 4 : 1));
  const dies = new Array<number>(n).fill(-1);
  net.layers.forEach((l, k) => {
    for (const i of l.inputs) dies[i] = Math.max(dies[i], k);
  });
  for (let t = 0; t < n; t++) if (keepAll || net.outputs.includes(t)) dies[t] = net.layers.length;
  const offsets = new Array<number>(n).fill(0);
  const live: number[] = [0];
  let arenaBytes = align16(bytes[0]);
  net.layers.forEach((l, k) => {
    // Free what no later layer reads (inputs of this layer stay: it still reads them).
    for (let j = live.length - 1; j >= 0; j--) if (dies[live[j]] < k) live.splice(j, 1);
    const taken = live.map((t) => [offsets[t], offsets[t] + align16(bytes[t])]).sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [start, end] of taken) {
      if (at + bytes[l.output] <= start) break;
      at = Math.max(at, end);
    }
    offsets[l.output] = at;
    live.push(l.output);
    arenaBytes = Math.max(arenaBytes, at + align16(bytes[l.output]));
  });
  return { offsets, arenaBytes };
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;
