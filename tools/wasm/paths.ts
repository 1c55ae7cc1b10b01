// Where the matcher's build outputs live (all under build/, never committed).
import path from "node:path";
import { repoRoot } from "../xs/bundle";

export const kernelSource = path.join(repoRoot, "wasm/matcher.ts");
export const wasmDir = path.join(repoRoot, "build/wasm");
/** Scalar build: what wasm2c translates for the board, and Node's fallback. */
export const scalarWasm = path.join(wasmDir, "matcher.wasm");
/** SIMD build for Node (Node's V8 has WebAssembly SIMD). */
export const simdWasm = path.join(wasmDir, "matcher.simd.wasm");
/**
 * wasm2c output plus the wabt runtime copied beside it, so a Moddable
 * manifest needs one folder. Its own base name (not "matcher"): mcconfig
 * would otherwise also pick up wasm/matcher.ts and fail in tsc.
 */
export const wasm2cDir = path.join(repoRoot, "build/wasm2c");
export const kernelC = path.join(wasm2cDir, "matcher_kernel.c");
/** wasm2c symbol prefix: w2c_matcher__kernel_scan(...) and so on. */
export const kernelModuleName = "matcher_kernel";
/** wasm2c from the pinned devDependency wabt (wabt.js, emscripten): runs on Node, nothing to install. */
export const wasm2cBin = path.join(repoRoot, "node_modules/wabt/bin/wasm2c");
/** Its runtime, same wabt version (the npm package ships only the translator); see its README. */
export const wasm2cRuntimeDir = path.join(repoRoot, "third_party/wasm2c-runtime");
export const wasm2cRuntimeFiles = ["wasm-rt.h", "wasm-rt-impl.h", "wasm-rt-impl.c", "wasm-rt-impl-tableops.inc", "wasm-rt-mem-impl.c", "wasm-rt-mem-impl-helper.inc", "wasm-rt-exceptions.h", "wasm-rt-exceptions-impl.c"];
export const harnessDir = path.join(repoRoot, "build/wasm-harness");
