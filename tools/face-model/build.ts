// Build steps for the face kernel and its model images: asc → .wasm (scalar;
// integer only, the same module Node runs and wasm2c translates), wasm2c → C,
// and the packaged embedders → build/face-model/<id>.ogfk, and the board's
// model partition image build/face-model/facemodel.bin.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { wasm2cBin, wasm2cDir, wasm2cRuntimeDir, wasm2cRuntimeFiles, wasmDir } from "../wasm/paths";
import { BOARD_FACE_MODELS, packFaceModelPartition } from "../../src/app/face-model-partition";
import { writeFaceModels } from "./convert";
import { readModelImage } from "./face-kernel";
import { faceModelDir } from "./models";
import { faceKernelC, faceKernelModuleName, faceKernelSource, faceKernelWasm } from "./paths";

const run = promisify(execFile);
const ascBin = path.join(path.dirname(createRequire(import.meta.url).resolve("assemblyscript/package.json")), "bin/asc.js");

export async function buildFaceKernel(): Promise<void> {
  mkdirSync(wasmDir, { recursive: true });
  mkdirSync(wasm2cDir, { recursive: true });
  await run(process.execPath, [ascBin, faceKernelSource, "-o", faceKernelWasm, "--runtime", "stub", "-O3", "--noAssert", "--use", "abort=", "--disable", "simd"]);
  await run(process.execPath, [wasm2cBin, faceKernelWasm, "--module-name", faceKernelModuleName, "-o", faceKernelC]);
  // The same runtime the matcher's step copies; copied here too so either step stands alone.
  for (const file of wasm2cRuntimeFiles) copyFileSync(path.join(wasm2cRuntimeDir, file), path.join(wasm2cDir, file));
}

/** The board's "facemodel" partition (src/app/face-model-partition.ts): flashed at its offset in partitions.csv. */
export function writeFaceModelPartition(): string {
  const file = path.join(faceModelDir, "facemodel.bin");
  writeFileSync(file, packFaceModelPartition({ embedder: readModelImage(BOARD_FACE_MODELS.embedder), detector: readModelImage(BOARD_FACE_MODELS.detector), landmarks: readModelImage(BOARD_FACE_MODELS.landmarks) }));
  return file;
}

export const faceBuildSteps = [
  { name: "face kernel: asc → build/wasm/face-kernel.wasm, wasm2c → build/wasm2c/face_kernel.{c,h}", run: buildFaceKernel },
  { name: "face model images: build/face-model/<id>.ogfk, and the board's partition image facemodel.bin", run: () => { writeFaceModels(); writeFaceModelPartition(); } },
];
