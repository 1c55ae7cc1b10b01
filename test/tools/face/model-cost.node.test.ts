// The cost figures in EMBEDDING_MODELS are the ones measured from each graph.
import assert from "node:assert/strict";
import { EMBEDDING_MODELS } from "../../../tools/face/embedding-models";
import { modelCost } from "../../../tools/face/model-cost";

describe("face model cost (params, MACs, int8 bytes) measured from the graph", function () {
  for (const spec of Object.values(EMBEDDING_MODELS)) {
    it(`${spec.id} @${spec.size}`, async function () {
      const c = await modelCost(spec.file, spec.size);
      assert.deepEqual({ params: c.params, macs: c.macs, int8Bytes: c.int8Bytes }, { params: spec.params, macs: spec.macs, int8Bytes: spec.int8Bytes });
    });
  }

  it("counts a depthwise layer as k·k MACs per output and a dense layer as inputs × outputs", async function () {
    // mobileface: conv1 3x3x3→32 at 56², ... the final dense 2048→256 alone is 524,288 MACs.
    const c = await modelCost("mobileface", 112);
    assert.ok(c.macs > 524_288 && c.macs < 10_000_000, `${c.macs}`);
  });

  it("runs faceres at another input size, counts only the embedding's subgraph, and a low-rank factor exactly", async function () {
    // faceres without its age/gender heads at 160 (final grid 5×5); then pw13 (1024×1024) as rank 128:
    // 128·(1024 + 1024) parameters, 25 positions × that many MACs, 128 more scales and biases.
    const full = await modelCost("faceres", 160, { outputNode: "global_pooling/Mean" });
    assert.deepEqual({ params: full.params, macs: full.macs, int8Bytes: full.int8Bytes }, { params: 3_201_046, macs: 289_651_200, int8Bytes: 3_292_696 });
    const low = await modelCost("faceres", 160, { outputNode: "global_pooling/Mean", ranks: { "conv_pw_13/convolution/merged_input": 128 } });
    assert.equal(full.params - low.params, 1024 * 1024 - 128 * 2048);
    assert.equal(full.macs - low.macs, 25 * (1024 * 1024 - 128 * 2048));
    assert.equal(full.int8Bytes - low.int8Bytes, 1024 * 1024 - 128 * 2048 - 8 * 128);
  });
});
