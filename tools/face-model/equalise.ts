// Cross-layer equalisation (Nagel et al., "Data-free quantization through
// weight equalization and bias correction", 2019), on activation ranges: a
// linear layer L (no activation) feeding only a convolution M can scale its
// output channel c by 1/s_c if M's weights on input channel c are scaled by
// s_c: the float network is unchanged. With one int8 scale per tensor, a
// channel whose range is far below the tensor's gets few levels (BlazeFace's
// depthwise_conv2d_15: one channel reaches 512, the median 1.1, so half the
// channels had under one level). s_c = sqrt(r_c / R) (r_c the channel's
// calibrated range, R the tensor's) brings every channel to sqrt(r_c·R),
// halfway in log terms, and leaves R; the rest of the ratio stays in M's
// weights, which are quantised per output channel.
import type { FloatNetwork } from "./graph";
import type { Calibration } from "./quantise";

/** Equalises in place; returns the calibration with the changed tensors' ranges, and how many pairs changed. */
export function equalise(net: FloatNetwork, calibration: Calibration): { calibration: Calibration; pairs: number } {
  const ranges = { ...calibration.ranges };
  let pairs = 0;
  for (const l of net.layers) {
    if (l.op !== "conv" && l.op !== "dwconv") continue;
    if (net.outputs.includes(l.output) || !l.pos.every((v, c) => v === 1 && l.neg[c] === 1)) continue;
    const readers = net.layers.filter((m) => m.inputs.includes(l.output));
    if (readers.length !== 1 || readers[0].op !== "conv") continue;
    const m = readers[0];
    const node = net.tensors[l.output].node;
    const r = calibration.channelRanges?.[node];
    if (!r) continue;
    const top = Math.max(...r);
    if (!(top > 0)) continue;
    const cout = net.tensors[l.output].c;
    const per = l.weights.length / cout;
    const s = r.map((rc) => Math.max(Math.sqrt(rc / top), 1e-3));
    for (let c = 0; c < cout; c++) {
      for (let k = 0; k < per; k++) l.weights[l.op === "conv" ? c * per + k : k * cout + c] /= s[c];
      l.bias[c] /= s[c];
    }
    const cin = net.tensors[m.inputs[0]].c;
    for (let i = 0; i < m.weights.length; i++) m.weights[i] *= s[i % cin];
    ranges[node] = Math.max(...r.map((rc, c) => rc / s[c]));
    pairs++;
  }
  return { calibration: { ...calibration, ranges }, pairs };
}
