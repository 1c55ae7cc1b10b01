// Build steps for the matcher kernel: AssemblyScript → .wasm (scalar and
// SIMD), then the scalar .wasm → C with wasm2c for the board's native module.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { kernelC, kernelModuleName, kernelSource, scalarWasm, simdWasm, wabtHeaderDir, wabtRuntimeDir, wasm2cDir, wasmDir } from "./paths";

const run = promisify(execFile);
const ascBin = path.join(path.dirname(createRequire(import.meta.url).resolve("assemblyscript/package.json")), "bin/asc.js");

/** Stub runtime, no asserts, no abort import: an import-free module of a few hundred bytes. */
const ascFlags = ["--runtime", "stub", "-O3", "--noAssert", "--use", "abort="];

async function compileKernel(): Promise<void> {
  mkdirSync(wasmDir, { recursive: true });
  await Promise.all([
    run(process.execPath, [ascBin, kernelSource, "-o", scalarWasm, ...ascFlags, "--disable", "simd"]),
    run(process.execPath, [ascBin, kernelSource, "-o", simdWasm, ...ascFlags, "--enable", "simd"]),
  ]);
}

async function translateKernel(): Promise<void> {
  mkdirSync(wasm2cDir, { recursive: true });
  try {
    await run("wasm2c", [scalarWasm, "--module-name", kernelModuleName, "-o", kernelC]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error("wasm2c is not installed; install the Debian package wabt (apt-get install -y wabt), as .ci/run does");
    }
    throw error;
  }
  copyFileSync(path.join(wabtRuntimeDir, "wasm-rt-impl.c"), path.join(wasm2cDir, "wasm-rt-impl.c"));
  copyFileSync(path.join(wabtRuntimeDir, "wasm-rt-impl.h"), path.join(wasm2cDir, "wasm-rt-impl.h"));
  copyFileSync(path.join(wabtHeaderDir, "wasm-rt.h"), path.join(wasm2cDir, "wasm-rt.h"));
}

export const matcherBuildSteps = [
  { name: "matcher kernel: asc → build/wasm/matcher{,.simd}.wasm", run: compileKernel },
  { name: "matcher kernel: wasm2c → build/wasm2c/matcher_kernel.{c,h}", run: translateKernel },
];
