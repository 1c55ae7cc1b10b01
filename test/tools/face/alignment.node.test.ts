import assert from "node:assert/strict";
import { estimateSimilarity, warpSimilarity, type Point } from "../../../tools/face/alignment";
import { unfusePreluRelu } from "../../../tools/face/tf-runtime";

describe("face alignment", function () {
  it("recovers an exact similarity (rotation, scale, shift) from four point pairs", function () {
    const from: Point[] = [[10, 20], [50, 22], [31, 45], [30, 70]];
    const angle = 0.3, scale = 1.7, tx = -12, ty = 40;
    const a = scale * Math.cos(angle), b = scale * Math.sin(angle);
    const to = from.map(([x, y]): Point => [a * x - b * y + tx, b * x + a * y + ty]);
    const m = estimateSimilarity(from, to);
    for (const [k, v] of Object.entries({ a, b, tx, ty })) assert.ok(Math.abs(m[k as keyof typeof m] - v) < 1e-9, k);
  });

  it("refuses landmarks that coincide", function () {
    assert.throws(() => estimateSimilarity([[1, 1], [1, 1]], [[0, 0], [5, 5]]), /landmarks coincide/);
  });

  it("warps pixels through the transform, mirrors on request, and fills outside with mid-grey", function () {
    // 4x4 image whose red channel is x*10 + y: a shift by (-1, -1) samples (x+1, y+1).
    const data = new Uint8Array(4 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) data[(y * 4 + x) * 3] = x * 10 + y;
    const image = { width: 4, height: 4, data };
    const out = warpSimilarity(image, { a: 1, b: 0, tx: -1, ty: -1 }, 3);
    assert.equal(out[0], 11);
    assert.equal(out[(1 * 3 + 1) * 3], 22);
    assert.equal(out[(2 * 3 + 2) * 3], 128, "(3,3) has no right/bottom neighbour to interpolate with");
    const mirrored = warpSimilarity(image, { a: 1, b: 0, tx: -1, ty: -1 }, 3, true);
    assert.equal(mirrored[(0 * 3 + 2) * 3], 11);
  });
});

describe("packaged graph repair", function () {
  const fused = (ops: string[]) => ({ list: { s: ops.map((o) => Buffer.from(o).toString("base64")) } });

  it("takes the PReLU's Relu back out of a fused depthwise convolution and feeds it only to the Add", function () {
    const graph = {
      node: [
        { name: "dw", op: "FusedDepthwiseConv2dNative", input: ["x", "w", "b"], attr: { fused_ops: fused(["BiasAdd", "Relu"]) } },
        { name: "abs", op: "Abs", input: ["dw"] },
        { name: "sub", op: "Sub", input: ["dw", "abs"] },
        { name: "mul", op: "Mul", input: ["sub", "alpha"] },
        { name: "add", op: "Add", input: ["dw", "mul"] },
      ],
    };
    assert.equal(unfusePreluRelu(graph), 1);
    assert.deepEqual(graph.node[0].attr?.fused_ops.list.s, [Buffer.from("BiasAdd").toString("base64")]);
    const relu = graph.node.find((n) => n.op === "Relu")!;
    assert.deepEqual(relu.input, ["dw"]);
    assert.deepEqual(graph.node.find((n) => n.name === "add")!.input, [relu.name, "mul"]);
    assert.deepEqual(graph.node.find((n) => n.name === "sub")!.input, ["dw", "abs"], "the negative branch sees the pre-activation");
  });

  it("leaves a fused Relu alone when no PReLU branch reads it", function () {
    const graph = { node: [{ name: "c", op: "_FusedConv2D", input: ["x"], attr: { fused_ops: fused(["BiasAdd", "Relu"]) } }, { name: "n", op: "Conv2D", input: ["c"] }] };
    assert.equal(unfusePreluRelu(graph), 0);
    assert.equal(graph.node[0].attr?.fused_ops.list.s.length, 2);
  });
});
