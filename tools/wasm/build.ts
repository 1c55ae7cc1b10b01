// Build steps for the matcher kernel: AssemblyScript → .wasm (scalar and
// SIMD), then the scalar .wasm → C with wasm2c for the board's native module.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { kernelC, kernelModuleName, kernelSource, scalarWasm, simdWasm, wasm2cBin, wasm2cDir, wasm2cRuntimeDir, wasm2cRuntimeFiles, wasmDir } from "./paths";

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
  await run(process.execPath, [wasm2cBin, scalarWasm, "--module-name", kernelModuleName, "-o", kernelC]);
  for (const file of wasm2cRuntimeFiles) copyFileSync(path.join(wasm2cRuntimeDir, file), path.join(wasm2cDir, file));
}

export const matcherBuildSteps = [
  { name: "matcher kernel: asc → build/wasm/matcher{,.simd}.wasm", run: compileKernel },
  { name: "matcher kernel: wasm2c → build/wasm2c/matcher_kernel.{c,h}", run: translateKernel },
];
