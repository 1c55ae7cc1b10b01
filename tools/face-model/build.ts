// Build steps for the face kernel and its model images: asc → .wasm (scalar;
// integer only, the same module Node runs and wasm2c translates), wasm2c → C,
// and the packaged embedders → build/face-model/<id>.ogfk, and the board's
// model partition image build/face-model/facemodel.bin.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
  writeFileSync(faceKernelC, withAlignedWordCopy(readFileSync(faceKernelC, "utf8")));
  // The same runtime the matcher's step copies; copied here too so either step stands alone.
  for (const file of wasm2cRuntimeFiles) copyFileSync(path.join(wasm2cRuntimeDir, file), path.join(wasm2cDir, file));
}

const HEADER_LINE = '#include "face_kernel.h"\n';

/**
 * wasm2c reads and writes linear memory through memcpy from a byte pointer of
 * unknown alignment. On a core without unaligned loads (the S3's Xtensa LX7)
 * gcc makes each such 4-byte copy four byte loads, four byte stores and a word
 * load (measured: tools/face-model/xtensa/count.ts). Where the target needs it
 * (or FACE_ALIGNED_WORD_COPY is set, as the C harness does to test it on the
 * host), a 4-byte copy whose two ends are word-aligned is done as one aligned
 * word instead; every other copy stays memcpy. Same bytes, same checks: the
 * bounds check comes before the copy and is untouched.
 */
export function withAlignedWordCopy(source: string): string {
  const at = source.indexOf(HEADER_LINE);
  if (at < 0 || source.indexOf(HEADER_LINE, at + 1) >= 0) throw new Error("wasm2c output changed: cannot place the aligned word copy");
  const block = [
    "#if defined(__XTENSA__) || defined(FACE_ALIGNED_WORD_COPY)",
    "/* optgate (tools/face-model/build.ts): aligned 4-byte copies as one word. */",
    "#include <stdint.h>",
    "static inline void* face_word_copy(void* dest, const void* src, size_t n) {",
    "  if (n == 4 && ((((uintptr_t)dest) | ((uintptr_t)src)) & 3) == 0)",
    "    return __builtin_memcpy(__builtin_assume_aligned(dest, 4), __builtin_assume_aligned(src, 4), 4);",
    "  return __builtin_memcpy(dest, src, n);",
    "}",
    "#undef wasm_rt_memcpy",
    "#define wasm_rt_memcpy(dest, src, n) face_word_copy((dest), (src), (n))",
    "#endif",
    "",
  ].join("\n");
  const end = at + HEADER_LINE.length;
  return source.slice(0, end) + block + source.slice(end);
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
