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
});
