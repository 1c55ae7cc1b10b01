// The board's face glue (src/app/kernel-embedder.ts) over scripted kernel
// ports: what it asks the detector and the embedder, what it makes of their
// answers, and that any kernel fault is an error (the gate's "use card or
// PIN"), never a face. Portable: runs in XS as well (the board's engine).
// The real kernels behind it: test/scenarios/simulator-board-embedder.node.test.ts.
import assert from "node:assert/strict";
import { ARCFACE_FIVE_112 } from "../../src/app/face-mesh-points";
import { detectorWarp, KernelEmbedder, kernelModelTag, type FaceImageInfo, type FaceKernelPort } from "../../src/app/kernel-embedder";
import { isOptgateError } from "../../src/core/errors";
import type { Frame } from "../../src/core/ports";

const DIM = 8;
/** BlazeFace's four heads in table order (the embedder sorts them by size). */
const DETECTOR: FaceImageInfo = { id: "blazeface-front", version: 1, crc: 0x12de5a34, inputWidth: 128, arenaBytes: 1, outputs: [{ length: 512, scale: 0.5 }, { length: 8192, scale: 0.5 }, { length: 384, scale: 0.5 }, { length: 6144, scale: 0.5 }] };
const EMBEDDER: FaceImageInfo = { id: "mobileface", version: 1, crc: 0xabcd, inputWidth: 112, arenaBytes: 1, outputs: [{ length: DIM, scale: 0.25 }] };
/** Anchor of the stride-8 cell (8, 8): centre (68, 68) in the 128×128 input. */
const ANCHOR = (8 * 16 + 8) * 2;

interface Scripted extends FaceKernelPort { runs: { format: number; m: number[] }[]; status: number }

/**
 * A detector whose one face has its eyes `eyeGap` input pixels apart around
 * the anchor, nose and mouth where the ArcFace template has them at that size
 * (values in units of the scale 0.5).
 */
function detectorPort(face: boolean, eyeGap = 30): Scripted {
  const port: Scripted = {
    runs: [],
    status: 0,
    embedWarped(_frame, _w, _h, format, m) { port.runs.push({ format, m: [...m] }); return port.status; },
    readOutputs(into) {
      into.fill(0);
      into.fill(-20, 0, 512); // every stride-8 logit -10
      into.fill(-20, 512 + 8192, 512 + 8192 + 384);
      if (!face) return;
      into[ANCHOR] = 20; // logit 10
      const k = eyeGap / 35.24;
      const box = [0, 0, 60, 60, -eyeGap / 2, -10, eyeGap / 2, -10, 0, Math.round(-20 + 40.2 * k) / 2, 0, Math.round(-20 + 81.4 * k) / 2, 0, 0, 0, 0];
      box.forEach((v, k) => { into[512 + ANCHOR * 16 + k] = v * 2; });
    },
  };
  return port;
}

function embedderPort(values: number[]): Scripted {
  const port: Scripted = {
    runs: [],
    status: 0,
    embedWarped(_frame, _w, _h, format, m) { port.runs.push({ format, m: [...m] }); return port.status; },
    readOutputs(into) { into.set(values); },
  };
  return port;
}

const MESH: FaceImageInfo = { id: "facemesh", version: 1, crc: 0x77, inputWidth: 192, arenaBytes: 1, outputs: [{ length: 1404, scale: 1 / 64 }] };
/** Mesh points (index → crop pixel) of a face lying exactly on the ArcFace five-point template scaled by 2. */
const MESH_FACE: [number, [number, number]][] = ([[33, 0], [133, 0], [362, 1], [263, 1], [1, 2], [61, 3], [291, 4]] as const).map(([i, t]) => [i, [2 * ARCFACE_FIVE_112[t][0], 2 * ARCFACE_FIVE_112[t][1]]]);

function meshPort(): Scripted {
  const port: Scripted = {
    runs: [],
    status: 0,
    embedWarped(_frame, _w, _h, format, m) { port.runs.push({ format, m: [...m] }); return port.status; },
    readOutputs(into) {
      into.fill(0);
      for (const [i, [x, y]] of MESH_FACE) { into[3 * i] = Math.round(x * 64); into[3 * i + 1] = Math.round(y * 64); }
    },
  };
  return port;
}

const frame = (format: Frame["format"] = "gray8"): Frame => ({ width: 128, height: 128, format, data: new Uint8Array(128 * 128 * (format === "rgb565" ? 2 : 1)) });

function embedder(detector: Scripted, net: Scripted, rgb565?: number): KernelEmbedder {
  return new KernelEmbedder({ detector: { port: detector, info: DETECTOR }, embedder: { port: net, info: EMBEDDER }, ...(rgb565 === undefined ? {} : { rgb565 }) });
}

describe("KernelEmbedder (the board's face glue)", () => {
  it("tags its templates with the embedder image's id, CRC-32 and version; no liveness check; its dimension is the embedder's output", () => {
    const e = embedder(detectorPort(false), embedderPort([]));
    assert.deepEqual(e.model, { id: "mobileface-int8-0000abcd", version: 1 });
    assert.deepEqual(kernelModelTag({ ...EMBEDDER, crc: 0xfedcba98 }), { id: "mobileface-int8-fedcba98", version: 1 });
    assert.equal(e.dimension, DIM);
    assert.deepEqual(e.livenessChecks, []);
  });

  it("refuses images with the wrong outputs for a detector or an embedder", () => {
    const wrong = { ...DETECTOR, outputs: DETECTOR.outputs.slice(0, 2) };
    assert.throws(() => new KernelEmbedder({ detector: { port: detectorPort(false), info: wrong }, embedder: { port: embedderPort([]), info: EMBEDDER } }), (e) => isOptgateError(e, "E_FACE_MODEL_MISMATCH"));
    assert.throws(() => new KernelEmbedder({ detector: { port: detectorPort(false), info: DETECTOR }, embedder: { port: embedderPort([]), info: { ...EMBEDDER, outputs: [] } } }), (e) => isOptgateError(e, "E_FACE_MODEL_MISMATCH"));
  });

  it("no face: the detector ran once on the whole frame (padded square scaled to 128), the embedder never", () => {
    const d = detectorPort(false), n = embedderPort([]);
    const out = new Float32Array(DIM).fill(7);
    assert.equal(embedder(d, n).embed(frame(), out), "no-face");
    assert.deepEqual(d.runs, [{ format: 1, m: detectorWarp(128, 128) }]);
    assert.deepEqual(detectorWarp(320, 240), [163840, 0, 0, 0, 163840, -40 * 65536]);
    assert.deepEqual(n.runs, []);
    assert.ok(out.every((v) => v === 7), "out untouched");
  });

  it("a face too small between the eyes is low quality, not embedded", () => {
    const n = embedderPort([]);
    assert.equal(embedder(detectorPort(true, 6), n).embed(frame(), new Float32Array(DIM)), "low-quality");
    assert.deepEqual(n.runs, []);
  });

  it("a face: the embedder runs on the face and its mirror image (in the frame's format), the result is the unit-length average", () => {
    const d = detectorPort(true), n = embedderPort([3, 0, 4, 0, 0, 0, 0, 0]);
    const out = new Float32Array(DIM);
    assert.equal(embedder(d, n, 3).embed(frame("rgb565"), out), "ok");
    assert.deepEqual(d.runs.map((r) => r.format), [3], "rgb565 frames in the byte order the board's camera gives");
    assert.equal(n.runs.length, 2);
    const [face, mirror] = n.runs;
    assert.ok(face.m[0] > 0 && mirror.m[0] < 0, "the second view is mirrored");
    // A face 30/35.2 the template's size: the crop samples the frame at ≈ 0.85 pixels per pixel, unrotated.
    assert.ok(Math.abs(face.m[0] / 65536 - 30 / 35.24) < 0.02, `scale ${face.m[0] / 65536}`);
    assert.ok(Math.abs(face.m[1] / 65536) < 0.02, `rotation ${face.m[1] / 65536}`);
    assert.ok(Math.abs(out[0] - 0.6) < 1e-6 && Math.abs(out[2] - 0.8) < 1e-6, `${[...out]}`);
  });


  it("mirror: false embeds the face view alone (one embedder run, unmirrored), unit length", () => {
    const n = embedderPort([3, 0, 4, 0, 0, 0, 0, 0]);
    const out = new Float32Array(DIM);
    const e = new KernelEmbedder({ detector: { port: detectorPort(true), info: DETECTOR }, embedder: { port: n, info: EMBEDDER }, mirror: false });
    assert.equal(e.embed(frame(), out), "ok");
    assert.equal(n.runs.length, 1);
    assert.ok(n.runs[0].m[0] > 0, "not mirrored");
    assert.ok(Math.abs(out[0] - 0.6) < 1e-6 && Math.abs(out[2] - 0.8) < 1e-6, `${[...out]}`);
  });
  it("any kernel fault is an error with its sentence, never a face; out is left as it was", () => {
    for (const [which, status, code] of [["detector", -12, "E_FACE_KERNEL_TRAP"], ["embedder", -10, "E_FACE_CROP_SIZE"], ["mirror", -12, "E_FACE_KERNEL_TRAP"], ["detector", -3, "E_FACE_KERNEL_NOT_READY"]] as const) {
      const d = detectorPort(true), n = embedderPort([1, 0, 0, 0, 0, 0, 0, 0]);
      if (which === "detector") d.status = status;
      else if (which === "embedder") n.status = status;
      else {
        // The face view succeeds, its mirror fails: still nothing written.
        const run = n.embedWarped.bind(n);
        n.embedWarped = (...args) => (n.runs.length === 1 ? (n.runs.push({ format: args[3], m: [...args[4]] }), status) : run(...args));
      }
      const out = new Float32Array(DIM).fill(7);
      assert.throws(() => embedder(d, n).embed(frame(), out), (e) => isOptgateError(e, code), `${which} ${status}`);
      assert.ok(out.every((v) => v === 7));
    }
  });

  describe("with FaceMesh (the board's path)", () => {
    const withMesh = (d: Scripted, n: Scripted, mesh: Scripted) => new KernelEmbedder({ detector: { port: d, info: DETECTOR }, embedder: { port: n, info: EMBEDDER }, landmarks: { port: mesh, info: MESH } });

    it("runs the mesh on the upright crop around the detection, then aligns the face on the mesh's five points", () => {
      const d = detectorPort(true), n = embedderPort([3, 0, 4, 0, 0, 0, 0, 0]), mesh = meshPort();
      const r = withMesh(d, n, mesh).run(new Uint8Array(128 * 128), 128, 128, 1, new Float32Array(DIM));
      assert.equal(r.outcome, "ok");
      const [bx, by, bw, bh] = r.detection!.box;
      const side = Math.max(bw, bh) * 1.5;
      // The mesh's crop: the box enlarged by 1.5 into 192×192, upright (the detector's eyes are level).
      assert.equal(mesh.runs.length, 1);
      const [m0, m1, m2, m3, m4, m5] = mesh.runs[0].m.map((v) => v / 65536);
      assert.ok(Math.abs(m0 - side / 192) < 1e-4 && Math.abs(m4 - side / 192) < 1e-4 && Math.abs(m1) < 1e-4 && Math.abs(m3) < 1e-4, `${mesh.runs[0].m}`);
      assert.ok(Math.abs(m2 + 96 * m0 - (bx + bw / 2)) < 1e-3 && Math.abs(m5 + 96 * m4 - (by + bh / 2)) < 1e-3, "crop centred on the box");
      // The mesh puts the face exactly on the template at twice its size: the embedder's crop
      // samples the frame at twice the mesh crop's pitch, upright, with the template's eye where the mesh's is.
      const face = n.runs[0].m.map((v) => v / 65536);
      assert.ok(Math.abs(face[0] - side / 96) < 1e-3 && Math.abs(face[1]) < 1e-3, `${face}`);
      const [tx, ty] = ARCFACE_FIVE_112[0];
      const eyeX = bx + bw / 2 + (2 * tx - 96) * side / 192, eyeY = by + bh / 2 + (2 * ty - 96) * side / 192;
      assert.ok(Math.abs(face[0] * tx + face[1] * ty + face[2] - eyeX) < 0.05 && Math.abs(face[3] * tx + face[4] * ty + face[5] - eyeY) < 0.05, "template eye on the mesh's eye");
    });

    it("a mesh fault is an error, never a face; a face too small never reaches the mesh; a mesh image without 468 points is refused", () => {
      const d = detectorPort(true), n = embedderPort([1, 0, 0, 0, 0, 0, 0, 0]), mesh = meshPort();
      mesh.status = -12;
      const out = new Float32Array(DIM).fill(7);
      assert.throws(() => withMesh(d, n, mesh).embed(frame(), out), (e) => isOptgateError(e, "E_FACE_KERNEL_TRAP"));
      assert.deepEqual(n.runs, []);
      assert.ok(out.every((v) => v === 7));
      const small = meshPort();
      assert.equal(withMesh(detectorPort(true, 6), embedderPort([]), small).embed(frame(), new Float32Array(DIM)), "low-quality");
      assert.deepEqual(small.runs, []);
      assert.throws(() => new KernelEmbedder({ detector: { port: d, info: DETECTOR }, embedder: { port: n, info: EMBEDDER }, landmarks: { port: mesh, info: { ...MESH, outputs: [{ length: 266 * 3, scale: 1 }] } } }), (e) => isOptgateError(e, "E_FACE_MODEL_MISMATCH"));
    });
  });

  it("refuses a presentation-attack check and a buffer of the wrong size", () => {
    const e = embedder(detectorPort(true), embedderPort([1, 0, 0, 0, 0, 0, 0, 0]));
    assert.throws(() => e.embed(frame(), new Float32Array(DIM), "antispoof"), (err) => isOptgateError(err, "E_LIVENESS_UNAVAILABLE"));
    assert.throws(() => e.embed(frame(), new Float32Array(DIM + 1)), (err) => isOptgateError(err, "E_FACE_EMBEDDING_SIZE"));
  });
});
