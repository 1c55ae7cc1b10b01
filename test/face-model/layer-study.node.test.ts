// The quantisation study tools (no faces needed: synthetic crops): the
// keep-all study image computes what the shipped image computes, the bias
// correction's mean-patch arithmetic against a direct per-position
// computation, the converter applying a correction to exactly the biases it
// names, and the board study's error rates and bootstrap against scores.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pairScores, thresholdAtFmr } from "../../tools/face/eval/scores";
import { int8Score } from "../../tools/face/eval/evaluate";
import { quantise } from "../../src/core/matcher/quantise";
import { pairedBootstrap, ratesFor, templateScores } from "../../tools/face-model/board-study";
import { FaceKernel } from "../../tools/face-model/face-kernel";
import type { FloatLayer, FloatNetwork } from "../../tools/face-model/graph";
import { biasCorrection, layerStudy, StudyKernel } from "../../tools/face-model/layer-study";
import { calibrationFile, kernelModel, lowerModel } from "../../tools/face-model/models";
import { planArena, quantiseNetwork, quantiseWeights, weightIndex, type Calibration } from "../../tools/face-model/quantise";
import { goldenCrops } from "./golden-crops";

const { net } = lowerModel("mobileface");
const model = kernelModel("mobileface");
const calibration = (): Calibration => ({ ...(JSON.parse(readFileSync(calibrationFile("mobileface"), "utf8")) as Calibration), biasCorrection: undefined });
const crops = () => goldenCrops().filter((c) => c.pixels.length === 112 * 112 * 3).map((c) => c.pixels);

/** Mean over output positions of one channel's pre-activation with the given weights, straight from the definition. */
function meanPreActivation(n: FloatNetwork, l: FloatLayer, x: Float32Array, weight: (i: number) => number, c: number): number {
  const s = n.tensors[l.inputs[0]], o = n.tensors[l.output];
  const cout = o.c;
  let sum = 0;
  for (let oy = 0; oy < o.h; oy++) for (let ox = 0; ox < o.w; ox++) {
    for (let ky = 0; ky < l.kh; ky++) for (let kx = 0; kx < l.kw; kx++) {
      const iy = oy * l.sh - l.padTop + ky, ix = ox * l.sw - l.padLeft + kx;
      if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
      const tap = ky * l.kw + kx;
      if (l.op === "dwconv") sum += x[(iy * s.w + ix) * s.c + c] * weight(weightIndex(l, cout, c, tap));
      else for (let i = 0; i < s.c; i++) sum += x[(iy * s.w + ix) * s.c + i] * weight(weightIndex(l, cout, c, tap * s.c + i));
    }
  }
  return sum / (o.h * o.w);
}

describe("face model quantisation study (layer-study.ts, board-study.ts)", function () {
  this.timeout(300_000);

  it("the keep-all study image gives every tensor its own slot and the same embedding as the shipped arithmetic", function () {
    const { offsets } = planArena(net, true);
    const sizes = net.tensors.map((t, i) => t.h * t.w * t.c * (net.outputs.includes(i) ? 4 : 1));
    const spans = offsets.map((o, i) => [o, o + sizes[i]]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1], "two tensors share arena bytes");
    const study = new StudyKernel(net, calibration(), model.version, model.border);
    const shipped = new FaceKernel(quantiseNetwork(net, calibration(), model.version, { border: model.border }).image);
    for (const crop of crops()) {
      const all = study.tensors(crop);
      const embedding = shipped.embed(crop, 112, 112);
      assert.deepEqual(all[net.output], Float32Array.from(embedding, (v) => v * study.scales[net.output]));
      // Every tensor on the int8 grid of its scale.
      for (let i = 1; i < all.length; i++) if (!study.wide[i]) assert.ok(all[i].every((v) => { const q = v / study.scales[i]; return Math.abs(q - Math.round(q)) < 1e-3 && Math.abs(q) <= 128.001; }), `tensor ${i} off the int8 grid`);
    }
  });

  it("the bias correction (weights only) is the mean pre-activation difference, computed per position", function () {
    const crop = crops()[0];
    const study = new StudyKernel(net, calibration(), model.version, model.border);
    const { patches } = layerStudy(net, study, [crop], () => 0, 1);
    const correction = biasCorrection(net, patches, "weights");
    const q = study.tensors(crop);
    const convs = net.layers.filter((l) => l.op === "conv" || l.op === "dwconv");
    const picks = [convs[0], convs.find((l) => l.op === "dwconv" && l.sh === 2)!, convs.find((l) => l.op === "conv" && l.kh === 1)!];
    for (const l of picks) {
      const cout = net.tensors[l.output].c;
      const { weights, scales } = quantiseWeights(l, cout);
      for (const c of [0, cout >> 1, cout - 1]) {
        const x = q[l.inputs[0]];
        const direct = meanPreActivation(net, l, x, (i) => weights[i] * scales[c], c) - meanPreActivation(net, l, x, (i) => l.weights[i], c);
        const got = correction[net.tensors[l.output].node][c];
        assert.ok(Math.abs(got - direct) <= 1e-6 * Math.max(1, Math.abs(direct)), `${l.name} channel ${c}: ${got} vs ${direct}`);
      }
    }
  });

  it("the converter subtracts a node's correction from exactly that layer's biases, in accumulator units", function () {
    const cal = calibration();
    const plain = quantiseNetwork(net, cal, model.version, { border: model.border });
    const zero = quantiseNetwork(net, { ...cal, biasCorrection: {} }, model.version, { border: model.border });
    assert.deepEqual(zero.image, plain.image, "an empty correction changes nothing");
    const k = net.layers.findIndex((l) => l.op === "conv" && l.kh === 1);
    const l = net.layers[k];
    const cout = net.tensors[l.output].c;
    const shift = Array.from({ length: cout }, (_, c) => (c % 3 === 0 ? 0.05 : 0));
    const moved = quantiseNetwork(net, { ...cal, biasCorrection: { [net.tensors[l.output].node]: shift } }, model.version, { border: model.border });
    const { scales } = quantiseWeights(l, cout);
    const sIn = plain.scales[l.inputs[0]];
    moved.spec.layers.forEach((m, i) => {
      if (i !== k) return assert.deepEqual(m.bias, plain.spec.layers[i].bias, `layer ${i} changed`);
      // (the converter clamps biases to ±2^30: a channel whose weights are all near zero)
      for (let c = 0; c < cout; c++) assert.equal(m.bias[c], Math.max(-(2 ** 30), Math.min(2 ** 30, Math.round((l.bias[c] - shift[c]) / (sIn * scales[c])))));
      assert.notDeepEqual(m.bias, plain.spec.layers[i].bias);
    });
  });

  it("the converter refuses a bias correction that is stale or damaged (unknown node, wrong length, NaN, infinite)", function () {
    const cal = calibration();
    const l = net.layers.find((x) => x.op === "conv")!;
    const node = net.tensors[l.output].node, c = net.tensors[l.output].c;
    const convert = (biasCorrection: Record<string, number[]>) => () => quantiseNetwork(net, { ...cal, biasCorrection }, model.version, { border: model.border });
    assert.throws(convert({ "no/such/node": new Array(c).fill(0) }), /no convolution output/);
    const add = net.layers.find((x) => x.op === "add")!;
    assert.throws(convert({ [net.tensors[add.output].node]: new Array(net.tensors[add.output].c).fill(0) }), /no convolution output/);
    assert.throws(convert({ [node]: new Array(c - 1).fill(0) }), /finite numbers/);
    assert.throws(convert({ [node]: Object.assign(new Array(c).fill(0), { 3: Number.NaN }) }), /finite numbers/);
    assert.throws(convert({ [node]: Object.assign(new Array(c).fill(0), { 0: Number.POSITIVE_INFINITY }) }), /finite numbers/);
    assert.doesNotThrow(convert({ [node]: new Array(c).fill(0.01) }));
  });

  it("the board study's rates are scores.ts's, and a variant equal to its reference differs by zero", function () {
    let seed = 7;
    const next = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
    const persons: number[] = [], vectors: Float32Array[] = [];
    for (let p = 0; p < 12; p++) {
      const centre = Float32Array.from({ length: 16 }, next);
      for (let k = 0; k < 6; k++) { persons.push(p); const v = Float32Array.from(centre, (x) => x + 0.6 * next()); const n = Math.hypot(...v); vectors.push(v.map((x) => x / n)); }
    }
    const scores = templateScores(vectors);
    const q = vectors.map((v) => { const t = new Int8Array(16); quantise(v, t); return t; });
    const byPerson = Array.from({ length: 12 }, (_, p) => q.filter((_, i) => persons[i] === p));
    const reference = pairScores(byPerson, int8Score);
    const everyone = Array.from({ length: 12 }, (_, p) => p);
    const r = ratesFor(scores, persons, everyone);
    const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
    near(r.fnmr1e3, thresholdAtFmr(reference, 1e-3).fnmr);
    near(r.fnmr1e4, thresholdAtFmr(reference, 1e-4).fnmr);
    assert.ok(r.fnmr1e3 > 0 && r.fnmr1e4 > r.fnmr1e3, "the synthetic set has errors at both FMRs (else the comparison says little)");
    assert.equal(r.threshold1e4, thresholdAtFmr(reference, 1e-4).threshold);
    const same = pairedBootstrap(scores, scores, persons, everyone, 50);
    assert.deepEqual(same.at1e4, { value: 0, low: 0, high: 0 });
    assert.deepEqual(pairedBootstrap(scores, scores.map((s) => s * 0.9), persons, everyone, 50), pairedBootstrap(scores, scores.map((s) => s * 0.9), persons, everyone, 50), "seeded: the same interval twice");
  });
});
