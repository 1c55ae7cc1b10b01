// The face kernel on an Xtensa instruction set: the board's path (wasm2c C,
// bounds-checked, through face_host.c) and the same algorithm in C
// (kernel-c.c), each compiled by Debian's Xtensa gcc (the ESP8266's lx106
// core: the nearest compiler to the S3's LX7 that installs here) and run under
// qemu-xtensa on that core, on the bench's frame. Checks that both give
// WebAssembly's bytes, then counts the instructions qemu executes, per function
// and by mnemonic, and prints them per MAC. This is the measured instruction
// mix behind the S3 estimate in docs/face-kernel.md ("Board time").
//
//   node --import=tsx tools/face-model/xtensa/count.ts [--model id]... [--path wasm2c|c]... [--no-count]
//
// Needs `npm run build` and the Debian packages gcc-xtensa-lx106,
// binutils-xtensa-lx106, picolibc-xtensa-lx106-elf and qemu-user.
import { execFile, spawn } from "node:child_process";
import { createReadStream, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { benchFrame, benchWarp } from "../../bench/suites/42-face-kernel";
import { FaceKernel } from "../face-kernel";
import { KernelDetector } from "../kernel-detector";
import { imageFile } from "../models";
import { repoRoot } from "../../xs/bundle";
import { wasm2cDir } from "../../wasm/paths";

const run = promisify(execFile);
const WIDTH = 320, HEIGHT = 240, RGB565LE = 2;
const GCC = "xtensa-lx106-elf-gcc", OBJCOPY = "xtensa-lx106-elf-objcopy", QEMU = "qemu-xtensa";
const PICOLIBC = "/usr/lib/xtensa-lx106-elf";
const outDir = path.join(repoRoot, "build/xtensa");
const here = path.join(repoRoot, "tools/face-model/xtensa");

export const XTENSA_CASES = [
  { id: "mobileface", m: () => benchWarp() },
  { id: "blazeface-front", m: () => KernelDetector.warpFor(WIDTH, HEIGHT) },
  { id: "facemesh", m: () => benchWarp(192) },
] as const;

export type XtensaPath = "wasm2c" | "c";

/** True when the cross compiler and qemu are installed. */
export async function xtensaToolsPresent(): Promise<boolean> {
  try {
    await run(GCC, ["--version"]);
    await run(QEMU, ["--version"]);
    return true;
  } catch {
    return false;
  }
}

/** Builds the driver for one model, path and the frame; returns the Xtensa binary's path. */
export async function buildXtensa(id: string, m: number[], which: XtensaPath, label = "count"): Promise<string> {
  const dir = path.join(outDir, `${label}-${id}-${which}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "image.bin"), readFileSync(imageFile(id)));
  writeFileSync(path.join(dir, "frame.bin"), benchFrame());
  for (const name of ["image", "frame"]) await run(OBJCOPY, ["-I", "binary", "-O", "elf32-xtensa-le", `${name}.bin`, `${name}.o`], { cwd: dir });
  const nativeDir = path.join(repoRoot, "src/native/face");
  const sources = which === "c"
    ? [path.join(repoRoot, "tools/face-model/kernel-c.c")]
    : [path.join(nativeDir, "face_host.c"), path.join(wasm2cDir, "face_kernel.c"), ...["wasm-rt-impl.c", "wasm-rt-mem-impl.c", "wasm-rt-exceptions-impl.c"].map((f) => path.join(wasm2cDir, f))];
  const defines = [`-DFRAME_W=${WIDTH}`, `-DFRAME_H=${HEIGHT}`, `-DFORMAT=${RGB565LE}`, ...m.map((v, i) => `-DM${i}=${v}`), ...(which === "c" ? ["-DKERNEL_C", "-DKERNEL_NAME=face_c_run"] : [])];
  const out = path.join(dir, "run.elf");
  // gnu99: wasm-rt.h then uses no C11 threads (no pthread.h in picolibc); the
  // board's flags otherwise (-O2, bounds-checked, malloc'd memory).
  await run(GCC, ["-std=gnu99", "-O2", "-DWASM_RT_USE_MMAP=0", "-DWASM_RT_MEMCHECK_BOUNDS_CHECK=1", "-isystem", path.join(PICOLIBC, "include"), "-include", path.join(here, "shim.h"),
    `-I${wasm2cDir}`, `-I${nativeDir}`, ...defines, path.join(here, "driver.c"), ...sources, path.join(dir, "image.o"), path.join(dir, "frame.o"),
    "-nostartfiles", "-static", "-Wl,-Ttext=0x10000000", `-L${path.join(PICOLIBC, "lib")}`, "-Wl,--start-group", "-lc", "-lgcc", "-Wl,--end-group", "-o", out], { maxBuffer: 1 << 26 });
  return out;
}

/** Runs the binary under qemu: its status and int32 outputs. */
export async function runXtensa(binary: string): Promise<{ status: number; outputs: Int32Array }> {
  const { stdout } = await run(QEMU, ["-cpu", "lx106", binary], { encoding: "buffer", maxBuffer: 1 << 24 });
  const bytes = new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength).slice();
  const all = new Int32Array(bytes.buffer);
  return { status: all[0], outputs: all.slice(1) };
}

/** WebAssembly's outputs for the same model, frame and warp. */
export function wasmOutputs(id: string, m: number[]): Int32Array {
  const frame = benchFrame();
  const kernel = FaceKernel.forModel(id, { frameBytes: frame.length });
  const status = kernel.tryEmbedWarped(frame, WIDTH, HEIGHT, RGB565LE, m);
  if (status !== 0) throw new Error(`WebAssembly refused ${id}: ${status}`);
  return kernel.concatenatedOutputs().slice();
}

export interface XtensaCount { total: number; byFunction: Record<string, number>; mix: Record<string, Record<string, number>> }

/**
 * Dynamic instruction counts: qemu logs each translated block once (in_asm)
 * and each execution of one (exec, no chaining), and the two are joined here.
 */
export async function countXtensa(binary: string): Promise<XtensaCount> {
  // The log goes through a named pipe: Node's stdio pipes are sockets, which qemu cannot open by path.
  const fifo = path.join(path.dirname(binary), "qemu-log.fifo");
  rmSync(fifo, { force: true });
  await run("mkfifo", [fifo]);
  const qemu = spawn(QEMU, ["-cpu", "lx106", "-d", "in_asm,exec,nochain", "-D", fifo, binary], { stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => qemu.on("exit", resolve));
  const blocks = new Map<string, { fn: string; ops: string[] }>();
  const hits = new Map<string, number>();
  let fn = "?", current: { fn: string; ops: string[] } | undefined;
  for await (const line of createInterface({ input: createReadStream(fifo) })) {
    if (line.startsWith("IN: ")) { fn = line.slice(4).trim(); current = undefined; continue; }
    if (line.startsWith("0x")) {
      const [pc, op] = line.split(/\s+/);
      if (!current) { current = { fn, ops: [] }; blocks.set(pc.slice(2, -1), current); }
      current.ops.push(op);
      continue;
    }
    if (line.startsWith("Trace")) {
      const pc = line.split("[")[1].split("/")[1];
      hits.set(pc, (hits.get(pc) ?? 0) + 1);
      current = undefined;
    }
  }
  if ((await exited) !== 0) throw new Error(`qemu failed on ${binary}`);
  rmSync(fifo, { force: true });
  const byFunction: Record<string, number> = {}, mix: Record<string, Record<string, number>> = {};
  let total = 0;
  for (const [pc, n] of hits) {
    const block = blocks.get(pc);
    if (!block) throw new Error(`qemu executed a block it never listed: ${pc}`);
    total += n * block.ops.length;
    byFunction[block.fn] = (byFunction[block.fn] ?? 0) + n * block.ops.length;
    const m = (mix[block.fn] ??= {});
    for (const op of block.ops) m[op] = (m[op] ?? 0) + n;
  }
  return { total, byFunction, mix };
}

/** Instructions of one inference: everything but the model check at load (CRC-32 of the image) and the start-up. */
export function inferenceInstructions(c: XtensaCount): number {
  const skip = new Set(["w2c_face__kernel_loadModel", "w2c_face__kernel_init", "memset", "_start", "main"]);
  return Object.entries(c.byFunction).reduce((sum, [fn, n]) => (skip.has(fn) ? sum : sum + n), 0);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const models = args.flatMap((a, i) => (args[i - 1] === "--model" ? [a] : []));
  const paths = args.flatMap((a, i) => (args[i - 1] === "--path" ? [a as XtensaPath] : []));
  if (!(await xtensaToolsPresent())) {
    console.error("needs: apt-get install gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf qemu-user");
    process.exit(2);
  }
  for (const c of XTENSA_CASES.filter((c) => models.length === 0 || models.includes(c.id))) {
    const m = c.m();
    const expected = wasmOutputs(c.id, m);
    const macs = FaceKernel.forModel(c.id).header.macs;
    for (const which of paths.length ? paths : (["wasm2c", "c"] as XtensaPath[])) {
      const binary = await buildXtensa(c.id, m, which);
      const got = await runXtensa(binary);
      const same = got.status === 0 && got.outputs.length === expected.length && got.outputs.every((v, i) => v === expected[i]);
      console.log(`${c.id} ${which}: ${same ? "same bytes as WebAssembly" : "DIFFERENT from WebAssembly"} (${expected.length} int32 outputs)`);
      if (!same) process.exitCode = 1;
      if (args.includes("--no-count")) continue;
      const count = await countXtensa(binary);
      const inference = inferenceInstructions(count);
      const top = Object.entries(count.byFunction).sort((a, b) => b[1] - a[1]).slice(0, 8);
      console.log(JSON.stringify({ model: c.id, path: which, macs, inference, perMac: +(inference / macs).toFixed(2), muldi3: count.byFunction.__muldi3 ?? 0, total: count.total, top }));
      writeFileSync(path.join(outDir, `${c.id}-${which}.count.json`), JSON.stringify(count));
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
