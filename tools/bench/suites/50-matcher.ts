// Issue 7: 1:N scan of 1,000 and 10,000 templates at D=512. Every path as a
// ratio to two C yardsticks measured in the same run: the kernel's own
// algorithm in C at gcc -O2 (same algorithm, so only the translation differs)
// and the best C the compiler makes here (the faster of a byte loop and the
// kernel's algorithm at -O3 -march=native, vectorised). The C paths are timed
// inside a C binary (clock_gettime over many reps), Node WASM with nsPerCall,
// the TS fallback in XS by computrons and by wall time (a run with N scans
// minus a run with none, so start-up cancels).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { aeadSeal } from "../../../src/core/crypto";
import { TsMatcher } from "../../../src/core/matcher/ts-matcher";
import { compileC } from "../../wasm/compile-c";
import { WasmMatcher, type KernelFlavour } from "../../wasm/wasm-matcher";
import { bundleForXs, repoRoot } from "../../xs/bundle";
import { runScriptInXs } from "../../xs/run";
import { nsPerCall, type BenchRow, type BenchSuite } from "../harness";

const run = promisify(execFile);
const DIM = 512;
/** ESP-DL's face recognizer stores 512 float32 + a 2-byte id per face. */
const ESP_DL_BYTES = 2050;

/** Random int8 bytes from a fixed seed; its source text is also pasted into the XS script, so both engines scan the same bytes. */
function fillRandom(bytes: Int8Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    bytes[i] = (s >>> 24) - 128;
  }
}

function loadGallery(matcher: { load(slot: number, t: Int8Array): void }, count: number): Int8Array {
  const template = new Int8Array(DIM);
  for (let slot = 0; slot < count; slot++) {
    fillRandom(template, slot + 1);
    matcher.load(slot, template);
  }
  const probe = new Int8Array(DIM);
  fillRandom(probe, 0xbeef);
  return probe;
}

interface CTimes { byteLoopO2Ns: number; kernelAlgorithmO2Ns: number; byteLoopBestNs: number; kernelAlgorithmBestNs: number; wasm2cNs: number }
interface CPaths { byteLoopO2: number; sameAlgorithmO2: number; bestC: number; board: number; guardPages: number }

async function cPaths(count: number): Promise<CPaths> {
  const reps = String(Math.max(20, Math.round(2_000_000 / count)));
  const measure = async (variant: "board" | "guard-pages") => {
    const binary = await compileC("bench", variant);
    return JSON.parse((await run(binary, [String(DIM), String(count), reps])).stdout) as CTimes;
  };
  const board = await measure("board");
  const guard = await measure("guard-pages");
  // Each binary measures the C scans alongside its wasm2c path; average the two for the shared yardsticks.
  const both = (key: keyof CTimes) => (board[key] + guard[key]) / 2;
  return {
    byteLoopO2: both("byteLoopO2Ns"),
    sameAlgorithmO2: both("kernelAlgorithmO2Ns"),
    bestC: Math.min(both("byteLoopBestNs"), both("kernelAlgorithmBestNs")),
    board: board.wasm2cNs,
    guardPages: guard.wasm2cNs,
  };
}

function mean(a: CPaths, b: CPaths): CPaths {
  const out = { ...a };
  for (const key of Object.keys(a) as (keyof CPaths)[]) out[key] = (a[key] + b[key]) / 2;
  return out;
}

function nodeWasm(count: number, flavour: KernelFlavour): number {
  const matcher = new WasmMatcher(DIM, count, flavour);
  const probe = loadGallery(matcher, count);
  return nsPerCall(() => matcher.scan(probe, count), Math.max(5, Math.round(200_000 / count)));
}

function nodeTs(count: number): number {
  const matcher = new TsMatcher(DIM, count);
  const probe = loadGallery(matcher, count);
  return nsPerCall(() => matcher.scan(probe, count), Math.max(3, Math.round(20_000 / count)));
}

/** Computrons and wall-clock ns per scan of the TS fallback inside XS. */
async function xsTs(count: number, scans: number): Promise<{ computrons: number; ns: number }> {
  const script = async (n: number) => bundleForXs("bench-matcher.ts", {
    resolveDir: repoRoot,
    contents: `import { TsMatcher } from "./src/core/matcher/ts-matcher";
${fillRandom.toString()}
const m = new TsMatcher(${DIM}, ${count});
const t = new Int8Array(${DIM});
for (let slot = 0; slot < ${count}; slot++) { fillRandom(t, slot + 1); m.load(slot, t); }
const probe = new Int8Array(${DIM});
fillRandom(probe, 0xbeef);
for (let i = 0; i < ${n}; i++) m.scan(probe, ${count});`,
  });
  const timed = async (source: string) => {
    const start = process.hrtime.bigint();
    const { meter } = await runScriptInXs(source, { meteringLimit: 4_000_000_000 });
    return { compute: meter.compute, ns: Number(process.hrtime.bigint() - start) };
  };
  const [none, some] = [await script(0), await script(scans)];
  const samples: { compute: number; ns: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const [a, b] = [await timed(none), await timed(some)];
    samples.push({ compute: (b.compute - a.compute) / scans, ns: (b.ns - a.ns) / scans });
  }
  samples.sort((x, y) => x.ns - y.ns);
  return { computrons: samples[1].compute, ns: samples[1].ns };
}

const suite: BenchSuite = {
  name: "matcher",
  async run() {
    const rows: BenchRow[] = [];
    for (const count of [1000, 10_000]) {
      const label = `1:N scan ${count.toLocaleString("en-US")}×${DIM}`;
      // The machine is shared: measure the C paths before and after the Node
      // paths and average, so load drifting during the run hits both sides.
      const before = await cPaths(count);
      const scalar = nodeWasm(count, "scalar");
      const simd = nodeWasm(count, "simd");
      const c = mean(before, await cPaths(count));
      const same = { baseline: c.sameAlgorithmO2, baselineName: "same algorithm C -O2" };
      const best = { baseline: c.bestC, baselineName: "best C -O3 -march=native" };
      rows.push({ case: `${label}, kernel's algorithm in C (gcc -O2)`, value: c.sameAlgorithmO2, unit: "ns", ...best });
      rows.push({ case: `${label}, byte-at-a-time C (gcc -O2, not vectorised)`, value: c.byteLoopO2, unit: "ns", ...same });
      rows.push({ case: `${label}, best C (gcc -O3 -march=native)`, value: c.bestC, unit: "ns", ...same });
      const paths: [string, number, string?][] = [
        ["Node WASM scalar", scalar],
        ["Node WASM SIMD", simd],
        ["wasm2c-C bounds-checked (as on the S3)", c.board, "≤ 1.2× same algorithm"],
        ["wasm2c-C guard pages (64-bit host default, not on the S3)", c.guardPages],
        ["TS fallback in Node", nodeTs(count)],
      ];
      const xs = await xsTs(count, count === 1000 ? 5 : 1);
      paths.push(["TS fallback in XS (wall time)", xs.ns]);
      for (const [name, value, target] of paths) {
        rows.push({ case: `${label}, ${name}`, value, unit: "ns", ...same, ...(target ? { target } : {}) });
        rows.push({ case: `${label}, ${name}`, value, unit: "ns", ...best });
      }
      rows.push({ case: `${label}, TS fallback in XS`, value: xs.computrons, unit: "computrons" });
    }
    // Storage: bytes the kernel's memory needs per template, and one template sealed at rest.
    const big = new WasmMatcher(DIM, 10_000);
    const perSlot = big.kernel.memory.buffer.byteLength / 10_000;
    rows.push({ case: `storage per ${DIM}-d template in matcher memory (whole kernel memory / 10,000)`, value: perSlot, unit: "B", baseline: ESP_DL_BYTES, baselineName: "ESP-DL store", target: "512 + header" });
    const nonce = new Uint8Array(12);
    const sealed = aeadSeal(new Uint8Array(32), nonce, new Uint8Array(DIM));
    rows.push({ case: `storage per ${DIM}-d template at rest (AES-GCM: nonce + ciphertext + tag)`, value: nonce.length + sealed.length, unit: "B", baseline: ESP_DL_BYTES, baselineName: "ESP-DL store", target: "512 + header" });
    return rows;
  },
};
export default suite;
