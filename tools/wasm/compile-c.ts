// Compiles the board's C matcher path (wasm2c output + matcher_host.c + the
// wabt runtime) with the host gcc, into build/wasm-harness/. Used by the C
// harness test and the benchmark. Needs `npm run build` first.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../xs/bundle";
import { harnessDir, kernelC, wasm2cDir } from "./paths";

const run = promisify(execFile);
const nativeDir = path.join(repoRoot, "src/native/matcher");
const toolsDir = path.join(repoRoot, "tools/wasm");

/**
 * "board": malloc'd memory and explicit bounds checks on every access, as on
 *   the ESP32-S3 (wasm2c's default on 32-bit targets).
 * "asan": the same, plus AddressSanitizer and UBSan.
 * "guard-pages": wasm2c's 64-bit host default (guard pages, no checks): bench only.
 */
export type CVariant = "board" | "asan" | "guard-pages";

const boundsChecked = ["-DWASM_RT_USE_MMAP=0", "-DWASM_RT_MEMCHECK_BOUNDS_CHECK=1"];

export const variantFlags: Record<CVariant, string[]> = {
  board: ["-O2", ...boundsChecked],
  asan: ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fno-sanitize-recover=all", ...boundsChecked],
  "guard-pages": ["-O2", "-DWASM_RT_USE_MMAP=1", "-DWASM_RT_MEMCHECK_GUARD_PAGES=1"],
};

/** Builds `tools/wasm/<program>.c` against the C matcher path; returns the binary's path. */
export async function compileC(program: "harness" | "bench", variant: CVariant): Promise<string> {
  if (!existsSync(kernelC)) throw new Error(`${kernelC} is missing; run npm run build first`);
  mkdirSync(harnessDir, { recursive: true });
  const out = path.join(harnessDir, `${program}-${variant}`);
  const sources = [path.join(toolsDir, `${program}.c`), path.join(nativeDir, "matcher_host.c"), kernelC, path.join(wasm2cDir, "wasm-rt-impl.c"), path.join(wasm2cDir, "wasm-rt-mem-impl.c"), path.join(wasm2cDir, "wasm-rt-exceptions-impl.c")];
  // The C yardsticks keep their own flags, whatever the variant of the wasm2c path.
  if (program === "bench") sources.push(...await compileCScans());
  // wasm2c output needs GNU C (statement expressions, __builtin_*).
  await run("gcc", ["-std=gnu11", ...variantFlags[variant], `-I${wasm2cDir}`, `-I${nativeDir}`, `-I${toolsDir}`, ...sources, "-lm", "-o", out]);
  return out;
}

/**
 * The C scans the benchmark compares against: a byte at a time (baseline.c)
 * and the kernel's own algorithm (kernel-c.c), each at -O2 and at the best the
 * compiler makes here (-O3 -march=native). Returns their object files.
 */
async function compileCScans(): Promise<string[]> {
  const builds = [
    { source: "baseline.c", name: "byte_loop_o2", flags: ["-O2"] },
    { source: "baseline.c", name: "byte_loop_best", flags: ["-O3", "-march=native"] },
    { source: "kernel-c.c", name: "kernel_algorithm_o2", flags: ["-O2"] },
    { source: "kernel-c.c", name: "kernel_algorithm_best", flags: ["-O3", "-march=native"] },
  ];
  return Promise.all(builds.map(async ({ source, name, flags }) => {
    const object = path.join(harnessDir, `${name}.o`);
    await run("gcc", ["-std=gnu11", ...flags, `-DSCAN_NAME=${name}`, `-I${toolsDir}`, "-c", path.join(toolsDir, source), "-o", object]);
    return object;
  }));
}
