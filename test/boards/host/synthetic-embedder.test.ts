import assert from "node:assert/strict";
import { createSyntheticFrame, SyntheticEmbedder, writeSyntheticFrame } from "../../../boards/host/synthetic-embedder";

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

describe("boards/host synthetic embedder (simulation)", () => {
  it("says it is a simulation and has the configured dimension", () => {
    const e = new SyntheticEmbedder({ dimension: 128 });
    assert.equal(e.simulated, true);
    assert.equal(e.dimension, 128);
    assert.equal(new SyntheticEmbedder().dimension, 512);
  });

  it("reads identity and capture from the frame header, deterministically", () => {
    const e = new SyntheticEmbedder({ dimension: 64 });
    const frame = createSyntheticFrame(8, 8);
    const a = new Float32Array(64), b = new Float32Array(64), c = new Float32Array(64);
    writeSyntheticFrame(frame, "face", 42, 1);
    assert.deepEqual([...frame.data.subarray(0, 5)], [0x53, 0x59, 0x4e, 0x46, 1]);
    assert.equal(e.embed(frame, a), "ok");
    assert.equal(new SyntheticEmbedder({ dimension: 64 }).embed(frame, b), "ok");
    assert.deepEqual(a, b, "same frame, same embedding, in a fresh embedder too");
    writeSyntheticFrame(frame, "face", 42, 2);
    e.embed(frame, c);
    assert.notDeepEqual(a, c, "another capture of the same identity differs by noise");
    const direct = new Float32Array(64);
    e.capture(42, 2, direct);
    assert.deepEqual(direct, c);
  });

  it("reports no-face and low-quality frames, and anything not synthetic as no-face", () => {
    const e = new SyntheticEmbedder({ dimension: 16 });
    const frame = createSyntheticFrame(4, 4);
    const out = new Float32Array(16);
    writeSyntheticFrame(frame, "no-face", 1, 1);
    assert.equal(e.embed(frame, out), "no-face");
    writeSyntheticFrame(frame, "low-quality", 1, 1);
    assert.equal(e.embed(frame, out), "low-quality");
    frame.data.fill(0);
    assert.equal(e.embed(frame, out), "no-face");
    assert.equal(e.embed({ width: 2, height: 2, format: "gray8", data: new Uint8Array(4) }, out), "no-face");
  });

  it("fills frame pixels from the identity and capture (content the leak scans can look for)", () => {
    const f1 = createSyntheticFrame(), f2 = createSyntheticFrame();
    writeSyntheticFrame(f1, "face", 1, 1);
    writeSyntheticFrame(f2, "face", 1, 2);
    assert.notDeepEqual(f1.data.subarray(13), f2.data.subarray(13));
    const distinct = new Set(f1.data.subarray(13)).size;
    assert.ok(distinct > 200, `pixels look random (${distinct} distinct values)`);
  });

  it("separates genuine from impostor comparisons with the configured spreads", () => {
    const d = 256, spread = 0.1;
    const e = new SyntheticEmbedder({ dimension: d, impostorSpread: spread, genuineNoise: 0.6, noiseJitter: 0.3 });
    const x = new Float32Array(d), y = new Float32Array(d);
    const genuine: number[] = [], impostor: number[] = [];
    for (let id = 1; id <= 40; id++) {
      e.capture(id, 1, x); e.capture(id, 2, y);
      genuine.push(cosine(x, y));
      impostor.push(cosine(e.base(id), e.base(id + 1000)));
    }
    const mean = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;
    const sd = (v: number[]) => Math.sqrt(mean(v.map((a) => (a - mean(v)) ** 2)));
    assert.ok(mean(genuine) > 0.5, `genuine mean ${mean(genuine)}`);
    assert.ok(Math.abs(mean(impostor)) < 0.05, `impostor mean ${mean(impostor)}`);
    assert.ok(sd(impostor) > spread * 0.6 && sd(impostor) < spread * 1.5, `impostor sd ${sd(impostor)}`);
    assert.ok(Math.min(...genuine) > Math.max(...impostor), "no overlap at this size");
  });
});
