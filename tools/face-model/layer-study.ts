// Where the int8 embedder loses against float, layer by layer, and the
// empirical bias correction (docs/face-kernel.md, "Bias correction"):
// - StudyKernel: the image built with every tensor in its own arena slot
//   (quantiseNetwork's keepAll), so after one run in the real kernel every
//   intermediate tensor can be read out and dequantised;
// - layerCosines: each tensor of the kernel against the lowered float network
//   (runFloat) on the same crop;
// - biasCorrection: per output channel of every convolution, the mean error
//   of its pre-activation against float, from the mean input patch at each
//   tap (the pre-activation is linear in its input, so means suffice).
// Faces only pass through memory; what leaves is statistics.
import { runFloat, type FloatLayer, type FloatNetwork } from "./graph";
import { FaceKernel } from "./face-kernel";
import { quantiseNetwork, quantiseWeights, weightIndex, type Calibration } from "./quantise";
import { FORMAT_RGB888 } from "./image-format";

export class StudyKernel {
  readonly kernel: FaceKernel;
  readonly offsets: number[];
  readonly scales: number[];
  readonly wide: boolean[];
  readonly #net: FloatNetwork;

  constructor(net: FloatNetwork, calibration: Calibration, modelVersion: number, border: number) {
    const q = quantiseNetwork(net, calibration, modelVersion, { border, keepAll: true });
    this.#net = net;
    this.kernel = new FaceKernel(q.image);
    this.offsets = q.spec.tensors.map((t) => t.offset);
    this.wide = q.spec.tensors.map((t) => t.elementBytes === 4);
    this.scales = q.scales;
  }

  /** Every tensor of one run on an aligned RGB crop, dequantised (real units); the kernel's arena is wiped after. */
  tensors(crop: Uint8Array): Float32Array[] {
    const t0 = this.#net.tensors[0];
    const status = this.kernel.tryEmbed(crop, t0.w, t0.h, FORMAT_RGB888);
    if (status !== 0) throw new Error(`study kernel refused the crop (status ${status})`);
    const k = this.kernel.kernel;
    const base = k.outputPtr() - this.offsets[this.#net.output];
    const out = this.#net.tensors.map((t, i) => {
      const n = t.h * t.w * t.c;
      const raw = this.wide[i] ? new Int32Array(k.memory.buffer, base + this.offsets[i], n) : new Int8Array(k.memory.buffer, base + this.offsets[i], n);
      const real = new Float32Array(n), scale = this.scales[i];
      for (let j = 0; j < n; j++) real[j] = raw[j] * scale;
      return real;
    });
    k.wipe();
    return out;
  }
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : na === nb ? 1 : 0;
}

/**
 * Mean over output positions of the input each weight meets (zero in the
 * padding), indexed as the weights: conv [taps·cin] (shared by all output
 * channels), dwconv [taps][c] (weightIndex's layout).
 */
export function meanPatch(net: FloatNetwork, l: FloatLayer, x: Float32Array): Float64Array {
  const s = net.tensors[l.inputs[0]], o = net.tensors[l.output];
  const sum = new Float64Array(l.kh * l.kw * s.c);
  for (let oy = 0; oy < o.h; oy++) for (let ox = 0; ox < o.w; ox++) {
    for (let ky = 0; ky < l.kh; ky++) for (let kx = 0; kx < l.kw; kx++) {
      const iy = oy * l.sh - l.padTop + ky, ix = ox * l.sw - l.padLeft + kx;
      if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
      const at = (iy * s.w + ix) * s.c, k = (ky * l.kw + kx) * s.c;
      for (let i = 0; i < s.c; i++) sum[k + i] += x[at + i];
    }
  }
  const positions = o.h * o.w;
  for (let i = 0; i < sum.length; i++) sum[i] /= positions;
  return sum;
}

/** Every tensor of the float network for a batch of crops (default: runFloat, plain JavaScript). */
export type FloatTensors = (crops: Uint8Array[]) => Float32Array[][];

export interface LayerStats {
  tensor: number;
  name: string;
  op: string;
  shape: string;
  /** Mean cosine kernel vs float per group of crops (e.g. calibration / held-out subjects). */
  cosine: number[];
  minCosine: number;
  /** Share of float values beyond the tensor's calibrated range (clipped in int8). */
  clipped: number;
}

/**
 * Runs float and kernel on every crop; `group(i)` puts crop i in a column.
 * Returns per-tensor statistics and the mean input patch of every
 * convolution on both sides over the crops `patchesFrom` picks (for
 * biasCorrection: the calibration subjects only).
 */
export function layerStudy(net: FloatNetwork, kernel: StudyKernel, crops: Uint8Array[], group: (i: number) => number, groups: number, patchesFrom: (i: number) => boolean = () => true, floats: FloatTensors = (batch) => batch.map((c) => runFloat(net, c))): { stats: LayerStats[]; patches: Map<number, { float: Float64Array; int8: Float64Array }> } {
  const n = net.tensors.length;
  const sums = Array.from({ length: n }, () => new Float64Array(groups));
  const counts = new Float64Array(groups);
  const minCos = new Array<number>(n).fill(1);
  const clipped = new Float64Array(n), sizes = new Float64Array(n);
  const convs = net.layers.filter((l) => l.op === "conv" || l.op === "dwconv");
  const patches = new Map(convs.map((l) => [l.output, { float: new Float64Array(l.kh * l.kw * net.tensors[l.inputs[0]].c), int8: new Float64Array(l.kh * l.kw * net.tensors[l.inputs[0]].c) }]));
  let patched = 0;
  const BATCH = 8;
  let batch: Float32Array[][] = [];
  crops.forEach((crop, j) => {
    if (j % BATCH === 0) batch = floats(crops.slice(j, j + BATCH));
    const f = batch[j % BATCH], q = kernel.tensors(crop);
    const g = group(j);
    counts[g]++;
    for (let i = 1; i < n; i++) {
      const c = cosine(f[i], q[i]);
      sums[i][g] += c;
      minCos[i] = Math.min(minCos[i], c);
      const limit = kernel.wide[i] ? Infinity : 127.5 * kernel.scales[i];
      const fi = f[i];
      for (let e = 0; e < fi.length; e++) if (fi[e] > limit || fi[e] < -limit) clipped[i]++;
      sizes[i] += f[i].length;
    }
    if (patchesFrom(j)) {
      patched++;
      for (const l of convs) {
        const p = patches.get(l.output)!;
        const mf = meanPatch(net, l, f[l.inputs[0]]), mq = meanPatch(net, l, q[l.inputs[0]]);
        for (let k = 0; k < mf.length; k++) { p.float[k] += mf[k]; p.int8[k] += mq[k]; }
      }
    }
  });
  for (const p of patches.values()) for (let k = 0; k < p.float.length; k++) { p.float[k] /= patched; p.int8[k] /= patched; }
  const producer = new Map(net.layers.map((l) => [l.output, l]));
  const stats = net.tensors.slice(1).map((t, k) => {
    const i = k + 1;
    const l = producer.get(i)!;
    return { tensor: i, name: l.name, op: l.op, shape: `${t.h}×${t.w}×${t.c}`, cosine: Array.from(sums[i], (s, g) => s / counts[g]), minCosine: minCos[i], clipped: clipped[i] / sizes[i] };
  });
  return { stats, patches };
}

export type BiasMode = "total" | "weights";

/**
 * Per convolution output channel, the mean pre-activation error of the int8
 * layer against float (real units), keyed by the output tensor's graph node:
 * "total" = Σ wq·sW·E[xq] − w·E[xf] (the layer's own weight error and all
 * error arriving in its input; measured with the correction in place, it is
 * the whole correction), "weights" = Σ (wq·sW − w)·E[xq] (its weight error only).
 */
export function biasCorrection(net: FloatNetwork, patches: Map<number, { float: Float64Array; int8: Float64Array }>, mode: BiasMode): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const l of net.layers) {
    const p = patches.get(l.output);
    if (!p) continue;
    const cout = net.tensors[l.output].c;
    const per = l.weights.length / cout;
    const { weights, scales } = quantiseWeights(l, cout);
    const e = new Array<number>(cout).fill(0);
    for (let c = 0; c < cout; c++) {
      let sum = 0;
      for (let k = 0; k < per; k++) {
        const wi = weightIndex(l, cout, c, k);
        const pi = l.op === "conv" ? k : wi;
        const wq = weights[wi] * scales[c];
        sum += mode === "total" ? wq * p.int8[pi] - l.weights[wi] * p.float[pi] : (wq - l.weights[wi]) * p.int8[pi];
      }
      e[c] = sum;
    }
    out[net.tensors[l.output].node] = e;
  }
  return out;
}
