// Build outputs of the face kernel (all under build/, never committed).
import path from "node:path";
import { repoRoot } from "../xs/bundle";
import { wasm2cDir, wasmDir } from "../wasm/paths";

export const faceKernelSource = path.join(repoRoot, "wasm/face-kernel.ts");
export const faceKernelWasm = path.join(wasmDir, "face-kernel.wasm");
/** wasm2c output; its own base name, as for the matcher (mcconfig would pick up wasm/face-kernel.ts). */
export const faceKernelModuleName = "face_kernel";
export const faceKernelC = path.join(wasm2cDir, "face_kernel.c");
