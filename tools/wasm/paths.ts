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
/** wasm2c symbol prefix: Z_matcher_kernelZ_scan(...) and so on. */
export const kernelModuleName = "matcher_kernel";
/** Debian's wabt: wasm-rt-impl.{c,h} here, wasm-rt.h in /usr/include. */
export const wabtRuntimeDir = "/usr/share/wabt/wasm2c";
export const wabtHeaderDir = "/usr/include";
export const harnessDir = path.join(repoRoot, "build/wasm-harness");
