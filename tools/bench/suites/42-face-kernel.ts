// Issue 19: the int8 face kernel on one camera frame (QVGA RGB565LE, what the
// board's camera gives): embedding one aligned face (mobileface, the kernel
// cropping and warping it out of the frame), detection (BlazeFace, the
// frame padded and scaled in the kernel) and landmarks (FaceMesh on the
// 192×192 crop the kernel warps out of the frame). Each path is a ratio to two C
// yardsticks measured in the same run: the kernel's algorithm written in C
// (tools/face-model/kernel-c.c) at gcc -O2, and the same C at -O3
// -march=native (the best this compiler makes of it). The C paths and the
// board's wasm2c path (bounds-checked, as on the S3) are timed inside one C
// binary that first checks all three give the same bytes; Node's
// WebAssembly in this process. All in process CPU time, not wall time: the
// machine is shared, and CPU time is what other work does not inflate. The C
// paths are measured before and after the Node path and averaged. No XS
// row: XS has no WebAssembly engine and the kernel's AssemblyScript
// (load/store on linear memory) is not a program XS can run, so there are no
// computrons to count.
// `node --import=tsx tools/bench/face-kernel-doc.ts` writes these rows into
// docs/face-kernel.md.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { FaceKernel } from "../../face-model/face-kernel";
import { compileFaceBench } from "../../face-model/compile-c";
import { KernelDetector } from "../../face-model/kernel-detector";
import { imageFile } from "../../face-model/models";
import { warpParameters } from "../../face-model/face-kernel";
import { harnessDir } from "../../wasm/paths";
import type { BenchRow, BenchSuite } from "../harness";

const run = promisify(execFile);
const WIDTH = 320, HEIGHT = 240, RGB565LE = 2;

/** A deterministic frame: gradients, a bright disc and noise (the kernel's cost does not depend on the picture). */
export function benchFrame(): Uint8Array {
  const frame = new Uint8Array(WIDTH * HEIGHT * 2);
  let s = 0x2545f491;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const disc = (x - 160) ** 2 + (y - 120) ** 2 < 70 ** 2;
      const r = disc ? 28 : (x >> 3) & 31, g = disc ? 50 : ((y >> 2) + (s >>> 28)) & 63, b = (s >>> 27) & 31;
      const p = (r << 11) | (g << 5) | b;
      frame[2 * (y * WIDTH + x)] = p & 0xff;
      frame[2 * (y * WIDTH + x) + 1] = p >> 8;
    }
  }
  return frame;
}

/** A face about 60 px between the eyes, turned 10°, centred in the frame: the similarity frame → 112×112 crop. */
export function benchWarp(size = 112): number[] {
  const scale = 35 / 60, angle = (10 * Math.PI) / 180;
  const a = scale * Math.cos(angle), b = scale * Math.sin(angle);
  return warpParameters({ a, b, tx: size / 2 - (a * 160 - b * 120), ty: size / 2 - (b * 160 + a * 120) }, size);
}

export interface CTimes { wasm2cNs: number; sameAlgorithmO2Ns: number; bestNs: number; outputs: number; sameOutputO2: boolean; sameOutputBest: boolean }

/** Runs the C binary on one model; it exits non-zero when the paths disagree on a byte. */
export async function cTimes(binary: string, id: string, frameFile: string, m: number[], reps: number): Promise<CTimes> {
  const { stdout } = await run(binary, [imageFile(id), frameFile, String(WIDTH), String(HEIGHT), String(RGB565LE), ...m.map(String), String(reps)]);
  return JSON.parse(stdout) as CTimes;
}

/** Median process CPU ns per call over five rounds after a warm-up call (CPU time, as the C binary: the machine is shared). */
function nodeNs(id: string, frame: Uint8Array, m: number[], calls: number): number {
  const kernel = FaceKernel.forModel(id, { frameBytes: frame.length });
  kernel.tryEmbedWarped(frame, WIDTH, HEIGHT, RGB565LE, m);
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) kernel.tryEmbedWarped(frame, WIDTH, HEIGHT, RGB565LE, m);
    const used = process.cpuUsage(start);
    samples.push(((used.user + used.system) * 1000) / calls);
  }
  kernel.kernel.wipe();
  return samples.sort((a, b) => a - b)[2];
}

const CASES = [
  { id: "mobileface", label: "embed one aligned face (mobileface, warped from the frame)", m: () => benchWarp(), reps: 20, calls: 10 },
  { id: "blazeface-front", label: "detect on one frame (BlazeFace, frame padded and scaled in the kernel)", m: () => KernelDetector.warpFor(WIDTH, HEIGHT), reps: 6, calls: 3 },
  { id: "facemesh", label: "landmarks of one face (FaceMesh, 192×192 crop warped from the frame)", m: () => benchWarp(192), reps: 6, calls: 3 },
];

const suite: BenchSuite = {
  name: "face-kernel",
  async run() {
    const rows: BenchRow[] = [];
    const binary = await compileFaceBench();
    mkdirSync(harnessDir, { recursive: true });
    const frame = benchFrame();
    const frameFile = path.join(harnessDir, "face-bench-frame.rgb565");
    writeFileSync(frameFile, frame);
    for (const c of CASES) {
      const m = c.m();
      const before = await cTimes(binary, c.id, frameFile, m, c.reps);
      const node = nodeNs(c.id, frame, m, c.calls);
      const after = await cTimes(binary, c.id, frameFile, m, c.reps);
      const avg = (k: "wasm2cNs" | "sameAlgorithmO2Ns" | "bestNs") => (before[k] + after[k]) / 2;
      const header = FaceKernel.forModel(c.id, { frameBytes: frame.length }).header;
      const label = `${c.label}, ${(header.macs / 1e6).toFixed(2)} M MACs`;
      const same = { baseline: avg("sameAlgorithmO2Ns"), baselineName: "same algorithm C -O2" };
      const best = { baseline: avg("bestNs"), baselineName: "best C -O3 -march=native" };
      rows.push({ case: `${label}, kernel's algorithm in C (gcc -O2)`, value: avg("sameAlgorithmO2Ns"), unit: "ns", ...best });
      rows.push({ case: `${label}, best C (gcc -O3 -march=native)`, value: avg("bestNs"), unit: "ns", ...same });
      for (const [name, value, target] of [["Node WASM", node], ["wasm2c-C bounds-checked (as on the S3)", avg("wasm2cNs"), "≤ 1.2× same algorithm"]] as const) {
        rows.push({ case: `${label}, ${name}`, value, unit: "ns", ...same, ...(target ? { target } : {}) });
        rows.push({ case: `${label}, ${name}`, value, unit: "ns", ...best });
      }
      rows.push({ case: `${label}, wasm2c-C bounds-checked`, value: header.macs / (avg("wasm2cNs") / 1e9) / 1e6, unit: "M MAC/s", note: "this host" });
      rows.push({ case: `${c.id}: model image`, value: header.length, unit: "B" });
      rows.push({ case: `${c.id}: activation arena`, value: header.arenaBytes, unit: "B" });
    }
    return rows;
  },
};
export default suite;
