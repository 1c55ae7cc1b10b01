// The benchmark's C yardstick (tools/face-model/kernel-c.c, the kernel's
// algorithm written in C) computes what the kernel computes: the bench binary
// compares its output bytes at -O2 and at -O3 -march=native with the wasm2c
// kernel's before it times anything, and exits non-zero when they differ.
// Here it runs once per model on the bench frame and on a frame warped
// outside its edges; no timing is asserted. Needs npm run build.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { benchFrame, benchWarp, cTimes } from "../../tools/bench/suites/42-face-kernel";
import { compileFaceBench } from "../../tools/face-model/compile-c";
import { KernelDetector } from "../../tools/face-model/kernel-detector";
import { harnessDir } from "../../tools/wasm/paths";

describe("the face kernel's algorithm in C (bench yardstick) gives the kernel's bytes", function () {
  let binary: string;
  let frameFile: string;
  before(async () => {
    binary = await compileFaceBench();
    mkdirSync(harnessDir, { recursive: true });
    frameFile = path.join(harnessDir, "kernel-c-test-frame.rgb565");
    writeFileSync(frameFile, benchFrame());
  });

  const cases: [string, string, () => number[], number][] = [
    ["mobileface, a turned face warped from the frame", "mobileface", () => benchWarp(), 256],
    ["mobileface, a warp reaching past the frame's edges (border colour)", "mobileface", () => [140000, -30000, -4000000, 30000, 140000, -2000000], 256],
    ["BlazeFace on the whole frame (four heads)", "blazeface-front", () => KernelDetector.warpFor(320, 240), 896 + 896 * 16],
    ["FaceMesh on an upright crop warped from the frame (468 points)", "facemesh", () => benchWarp(192), 468 * 3],
  ];
  for (const [label, id, m, outputs] of cases) {
    it(label, async () => {
      const r = await cTimes(binary, id, frameFile, m(), 1);
      assert.equal(r.outputs, outputs);
      assert.equal(r.sameOutputO2, true);
      assert.equal(r.sameOutputBest, true);
    });
  }
});
