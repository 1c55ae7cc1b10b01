// The face kernel under Node: the converter's lowering against tfjs, the
// kernel against a plain reference of its arithmetic, the image format, and
// the errors a host sees (each an OptgateError with a stable code).
import assert from "node:assert/strict";
import { isOptgateError } from "../../src/core/errors";
import { EMBEDDING_MODELS, EmbeddingNetwork } from "../../tools/face/embedding-models";
import { cosine } from "../../tools/face/eval/scores";
import { convertModel } from "../../tools/face-model/convert";
import { FaceKernel, KernelNetwork, readModelImage } from "../../tools/face-model/face-kernel";
import { runFloat } from "../../tools/face-model/graph";
import { crc32, FORMAT_GREY8, readHeader } from "../../tools/face-model/image-format";
import { kernelModelIds, lowerModel } from "../../tools/face-model/models";
import { fixedPoint } from "../../tools/face-model/quantise";
import { estimateSimilarity, warpSimilarity, ARCFACE_TEMPLATE_112 } from "../../tools/face/alignment";
import { warpParameters } from "../../tools/face-model/face-kernel";
import { FORMAT_RGB888 } from "../../tools/face-model/image-format";
import { faceFrame, goldenCrops, toRgb565 } from "./golden-crops";
import { referenceEmbed, referenceOutputs, referenceWarp } from "./reference-kernel";
import { loadPackagedGraph, tf } from "../../tools/face/tf-runtime";

const throwsCode = (fn: () => unknown, code: string) => assert.throws(fn, (e: unknown) => isOptgateError(e, code), code);

describe("face model converter", function () {
  this.timeout(120_000);

  for (const id of kernelModelIds().filter((m) => m in EMBEDDING_MODELS)) {
    it(`${id}: the lowered float network computes what the tfjs graph computes`, async function () {
      const { net } = lowerModel(id);
      const spec = EMBEDDING_MODELS[id as keyof typeof EMBEDDING_MODELS];
      const crop = goldenCrops().find((c) => c.name === "drawn-face")!.pixels;
      const ours = runFloat(net, crop)[net.output];
      const tfjs = (await EmbeddingNetwork.load(spec)).embedCrops([crop])[0];
      assert.ok(cosine(ours, tfjs) > 0.99999, `cosine ${cosine(ours, tfjs)}`);
    });

  }

  for (const id of kernelModelIds()) {
    it(`${id}: converting twice gives the same bytes, and the manifest names them`, function () {
      const a = convertModel(id), b = convertModel(id);
      assert.deepEqual(a.image, b.image);
      assert.deepEqual(a.image, readModelImage(id), "build/face-model is stale: npm run build");
      const h = readHeader(a.image);
      assert.equal(h.id, id);
      assert.equal(h.crc, crc32(a.image.subarray(16)));
      assert.equal(a.manifest.crc32, h.crc.toString(16).padStart(8, "0"));
      if (id in EMBEDDING_MODELS) assert.equal(h.outputDim, EMBEDDING_MODELS[id as keyof typeof EMBEDDING_MODELS].dimension);
      else if (id === "facemesh") assert.deepEqual(h.outputs.map((o) => o.length), [468 * 3]);
      else assert.deepEqual(h.outputs.map((o) => o.length), [512, 384, 8192, 6144]);
    });
  }

  it("blazeface-front: the lowered float network's four heads are what the tfjs graph computes", async function () {
    const { net } = lowerModel("blazeface-front");
    const crop = goldenCrops(128).find((c) => c.name === "drawn-face")!.pixels;
    const ours = runFloat(net, crop);
    const graph = await loadPackagedGraph("blazeface-front");
    const heads = tf.tidy(() => (graph.execute(tf.tensor4d(Float32Array.from(crop, (p) => p / 127.5 - 1), [1, 128, 128, 3]), net.outputNodes) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array));
    net.outputs.forEach((t, i) => assert.ok(cosine(ours[t], heads[i]) > 0.99999, `${net.outputNodes[i]}: cosine ${cosine(ours[t], heads[i])}`));
  });

  it("facemesh: the lowered float network's landmark head is what the tfjs graph computes (float16 weights, Prelu, PReLU after adds)", async function () {
    const { net } = lowerModel("facemesh");
    assert.ok(net.layers.some((l) => l.name.includes("(after ")), "no activation layer after an add: the PReLU-after-add path is not exercised");
    const graph = await loadPackagedGraph("facemesh");
    for (const c of goldenCrops(192).filter((g) => g.format === FORMAT_RGB888)) {
      const ours = runFloat(net, c.pixels)[net.output];
      const mesh = tf.tidy(() => (graph.execute(tf.tensor4d(Float32Array.from(c.pixels, (p) => p / 255), [1, 192, 192, 3]), net.outputNodes[0]) as tf.Tensor).dataSync() as Float32Array);
      assert.equal(ours.length, mesh.length);
      let worst = 0;
      for (let i = 0; i < mesh.length; i++) worst = Math.max(worst, Math.abs(ours[i] - mesh[i]));
      // The mesh is in crop pixels (0…192): a thousandth of a pixel is float rounding.
      assert.ok(worst < 1e-3, `${c.name}: largest difference ${worst} px`);
    }
  });

  it("CRC-32 is the IEEE/zlib one", function () {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  });

  it("fixed-point multipliers keep 30 bits and one shared shift", function () {
    for (const reals of [[0.0123, -0.00045], [1.7, 0.2], [3e-7, 3e-7], [0, 0]]) {
      const { m, shift } = fixedPoint(reals);
      reals.forEach((r, i) => assert.ok(Math.abs(m[i] / 2 ** shift - r) <= 2 ** -shift, `${r}`));
      assert.ok(m.every((x) => Math.abs(x) < 2 ** 31));
    }
  });
});

describe("face kernel under Node's WebAssembly", function () {
  this.timeout(120_000);

  it("mobileface: every synthetic crop gives exactly the reference arithmetic's integers", function () {
    const image = readModelImage("mobileface");
    const kernel = new FaceKernel(image);
    for (const c of goldenCrops()) {
      assert.deepEqual(kernel.embed(c.pixels, c.width, c.height, c.format), referenceEmbed(image, c.pixels, c.format === FORMAT_GREY8), c.name);
    }
  });

  it("mobilefacenet: one crop gives exactly the reference arithmetic's integers", function () {
    const image = readModelImage("mobilefacenet");
    const c = goldenCrops().find((g) => g.name === "drawn-face")!;
    assert.deepEqual(new FaceKernel(image).embed(c.pixels, c.width, c.height, c.format), referenceEmbed(image, c.pixels, false));
  });

  it("blazeface-front: one crop gives exactly the reference arithmetic's four heads (max-pooling, channel-padded adds)", function () {
    const image = readModelImage("blazeface-front");
    const c = goldenCrops(128).find((g) => g.name === "drawn-face")!;
    const kernel = new FaceKernel(image);
    assert.equal(kernel.tryEmbed(c.pixels, 128, 128), 0);
    assert.deepEqual(kernel.outputs(), referenceOutputs(image, c.pixels, false));
  });

  it("facemesh: one crop gives exactly the reference arithmetic's landmarks (stride-3 head, 1×1 activation layers)", function () {
    const image = readModelImage("facemesh");
    const c = goldenCrops(192).find((g) => g.name === "drawn-face")!;
    const kernel = new FaceKernel(image);
    assert.equal(kernel.tryEmbed(c.pixels, 192, 192), 0);
    assert.deepEqual(kernel.outputs(), referenceOutputs(image, c.pixels, false));
  });

  it("a grey frame embeds as the same grey in RGB", function () {
    const kernel = FaceKernel.forModel("mobileface");
    const grey = goldenCrops().find((c) => c.format === FORMAT_GREY8)!.pixels;
    const rgb = new Uint8Array(grey.length * 3);
    grey.forEach((g, i) => rgb.fill(g, 3 * i, 3 * i + 3));
    assert.deepEqual(kernel.embed(grey, 112, 112, FORMAT_GREY8), kernel.embed(rgb, 112, 112));
  });

  describe("crop and warp in the kernel", function () {
    const Q16 = 65536;
    const frame = faceFrame(130, 125, 7, 5);
    const cropAt = (dx: number, dy: number) => {
      const crop = new Uint8Array(112 * 112 * 3);
      for (let y = 0; y < 112; y++) crop.set(frame.subarray(((y + dy) * 130 + dx) * 3, ((y + dy) * 130 + dx + 112) * 3), y * 112 * 3);
      return crop;
    };
    const shift = (dx: number, dy: number) => [Q16, 0, dx * Q16, 0, Q16, dy * Q16];

    it("a whole-pixel shift of a larger frame embeds exactly as the same 112×112 crop handed over directly", function () {
      const kernel = FaceKernel.forModel("mobileface", { frameBytes: 1 << 20 });
      assert.equal(kernel.tryEmbedWarped(frame, 130, 125, FORMAT_RGB888, shift(7, 5)), 0);
      assert.deepEqual(kernel.output(), kernel.embed(cropAt(7, 5), 112, 112));
    });

    it("RGB565 frames, either byte order, embed as the RGB888 frame their bits expand to", function () {
      const kernel = FaceKernel.forModel("mobileface", { frameBytes: 1 << 20 });
      const expanded = Uint8Array.from(frame, (v, i) => (i % 3 === 1 ? ((v >> 2) << 2) | (v >> 6) : ((v >> 3) << 3) | (v >> 5)));
      kernel.tryEmbedWarped(expanded, 130, 125, FORMAT_RGB888, shift(3, 2));
      const want = kernel.output();
      for (const [format, bigEndian] of [[2, false], [3, true]] as const) {
        assert.equal(kernel.tryEmbedWarped(toRgb565(frame, bigEndian), 130, 125, format, shift(3, 2)), 0);
        assert.deepEqual(kernel.output(), want, `format ${format}`);
      }
    });

    it("a rotated, scaled, mirrored face: exactly the reference warp's crop, within one level of the float alignment's", function () {
      const kernel = FaceKernel.forModel("mobileface", { frameBytes: 1 << 20 });
      const image = { width: 130, height: 125, data: frame };
      // Landmarks of the drawn face (eyes, nose, mouth), turned about the frame centre.
      const turn = (x: number, y: number): [number, number] => { const c = Math.cos(0.15), s = Math.sin(0.15); return [65 + (x - 65) * c - (y - 62) * s, 62 + (x - 65) * s + (y - 62) * c]; };
      const m = estimateSimilarity([turn(45, 57), turn(81, 57), turn(63, 74), turn(63, 95)], ARCFACE_TEMPLATE_112);
      for (const mirror of [false, true]) {
        const params = warpParameters(m, 112, mirror);
        const reference = referenceWarp(frame, 130, 125, params, 112);
        const float = warpSimilarity(image, m, 112, mirror);
        assert.ok(reference.every((v, i) => Math.abs(v - float[i]) <= 1), "integer and float warps differ by more than one level");
        assert.equal(kernel.tryEmbedWarped(frame, 130, 125, FORMAT_RGB888, params), 0);
        assert.deepEqual(kernel.output(), kernel.embed(reference, 112, 112), `mirror ${mirror}`);
      }
    });

    it("refuses frames it cannot read, and survives any parameters", function () {
      const kernel = FaceKernel.forModel("mobileface", { frameBytes: 130 * 125 * 3 });
      assert.equal(kernel.tryEmbedWarped(frame, 130, 126, FORMAT_RGB888, shift(0, 0)), -10, "frame area too small for 130×126");
      assert.equal(kernel.tryEmbedWarped(new Uint8Array(200 * 200 * 3), 200, 200, FORMAT_RGB888, shift(0, 0)), -10, "larger than the frame area");
      assert.equal(kernel.tryEmbedWarped(frame, 1, 1, FORMAT_RGB888, shift(0, 0)), -10, "1×1");
      assert.equal(kernel.tryEmbedWarped(frame, 5000, 1, 1, shift(0, 0)), -10, "side beyond 4096");
      assert.equal(kernel.tryEmbedWarped(frame, 130, 125, 9, shift(0, 0)), -11);
      assert.equal(kernel.tryEmbedWarped(frame, 130, 125, FORMAT_RGB888, [0x7fffffff, -0x80000000, 0x7fffffff, 12345, -0x80000000, 0x7fffffff]), 0);
      throwsCode(() => kernel.embedWarped(frame, 130, 126, FORMAT_RGB888, { a: 1, b: 0, tx: 0, ty: 0 }), "E_FACE_CROP_SIZE");
    });
  });

  it("leaves no pixel or activation behind after an embedding", function () {
    const kernel = FaceKernel.forModel("mobileface");
    kernel.embed(goldenCrops()[2].pixels, 112, 112);
    const k = kernel.kernel;
    const rest = new Uint8Array(k.memory.buffer, k.framePtr(), kernel.header.arenaBytes + 112 * 112 * 3);
    assert.ok(rest.every((b) => b === 0));
  });

  it("refuses with a stable code: corrupt image, truncated image, short arena, wrong crop, another model", function () {
    const image = readModelImage("mobileface");
    const corrupt = image.slice();
    corrupt[5000] ^= 1;
    throwsCode(() => new FaceKernel(corrupt), "E_FACE_MODEL_CHECKSUM");
    throwsCode(() => new FaceKernel(image.subarray(0, image.length - 1)), "E_FACE_MODEL_TRUNCATED");
    throwsCode(() => new FaceKernel(image, { arenaBytes: readHeader(image).arenaBytes - 16 }), "E_FACE_ARENA_TOO_SMALL");
    const kernel = new FaceKernel(image);
    throwsCode(() => kernel.embed(new Uint8Array(96 * 96 * 3), 96, 96), "E_FACE_CROP_SIZE");
    throwsCode(() => kernel.embed(new Uint8Array(200 * 200 * 3), 200, 200), "E_FACE_CROP_SIZE");
    throwsCode(() => kernel.embed(new Uint8Array(112 * 112 * 3), 112, 112, 9), "E_FACE_PIXEL_FORMAT");
    throwsCode(() => new KernelNetwork(EMBEDDING_MODELS.mobilefacenet, kernel), "E_FACE_MODEL_MISMATCH");
  });
});
