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
  writeFileSync(faceKernelC, withBoardMemoryAccess(readFileSync(faceKernelC, "utf8")));
  // The same runtime the matcher's step copies; copied here too so either step stands alone.
  for (const file of wasm2cRuntimeFiles) copyFileSync(path.join(wasm2cRuntimeDir, file), path.join(wasm2cDir, file));
}

const HEADER_LINE = '#include "face_kernel.h"\n';
const GENERAL_CHECK_LINE = "// MEMCHECK_GENERAL can be used for any memory\n";

/** Inserts `block` after (or before) the one line `anchor` of the wasm2c output; refuses if the anchor is not there exactly once. */
function insertAt(source: string, anchor: string, block: string, before: boolean): string {
  const at = source.indexOf(anchor);
  if (at < 0 || source.indexOf(anchor, at + 1) >= 0) throw new Error(`wasm2c output changed: cannot find ${JSON.stringify(anchor.trim())} once`);
  const cut = before ? at : at + anchor.length;
  return source.slice(0, cut) + block + source.slice(cut);
}

/**
 * Two changes to how wasm2c's output reaches linear memory on a 32-bit core
 * without unaligned loads (the S3's Xtensa LX7), measured under qemu-xtensa
 * (tools/face-model/xtensa/count.ts; docs/face-kernel.md, "Board time"):
 *
 * - wasm2c copies every load and store through memcpy from a byte pointer of
 *   unknown alignment, which gcc makes four byte loads, four byte stores and a
 *   word load there. A 4-byte copy whose two ends are word-aligned becomes one
 *   aligned word; every other copy stays memcpy (FACE_ALIGNED_WORD_COPY).
 * - The bounds check compares 64-bit sums (address + size against the
 *   memory's 64-bit length), about eight instructions on a 32-bit core. The
 *   same test in 32-bit halves: out of range when the address has high bits,
 *   when its end wraps, or when the end passes the length's low word — never
 *   looser, since a 32-bit core's memory is shorter than 4 GiB
 *   (FACE_NARROW_BOUNDS_CHECK).
 *
 * Both are on for __XTENSA__; the C harness sets both macros so the golden,
 * bad-input and trap tests run them on the host too (plain and ASan + UBSan).
 */
export function withBoardMemoryAccess(source: string): string {
  const copy = [
    "#if defined(__XTENSA__) || defined(FACE_ALIGNED_WORD_COPY)",
    "/* optgate (tools/face-model/build.ts): aligned 4-byte copies as one word. */",
    "#include <stdint.h>",
    "/* always_inline: n is a constant only once inlined (and -Os might not inline). */",
    "static inline __attribute__((always_inline)) void* face_word_copy(void* dest, const void* src, size_t n) {",
    "  if (n == 4 && ((((uintptr_t)dest) | ((uintptr_t)src)) & 3) == 0)",
    "    return __builtin_memcpy(__builtin_assume_aligned(dest, 4), __builtin_assume_aligned(src, 4), 4);",
    "  return __builtin_memcpy(dest, src, n);",
    "}",
    "#undef wasm_rt_memcpy",
    "#define wasm_rt_memcpy(dest, src, n) face_word_copy((dest), (src), (n))",
    "#endif",
    "",
  ].join("\n");
  const check = [
    "#if (defined(__XTENSA__) || defined(FACE_NARROW_BOUNDS_CHECK)) && !WASM_RT_MEMCHECK_GUARD_PAGES",
    "/* optgate (tools/face-model/build.ts): the bounds check in 32-bit halves. */",
    "static inline __attribute__((always_inline)) bool face_out_of_range(uint64_t a, uint32_t n, uint64_t size) {",
    "  uint32_t low = (uint32_t)a, end = low + n;",
    "  return (uint32_t)(a >> 32) != 0 || end < low || end > (uint32_t)size;",
    "}",
    "#undef MEMCHECK_DEFAULT32",
    "#define MEMCHECK_DEFAULT32(mem, a, t) \\",
    "  WASM_RT_CHECK_BASE(mem);            \\",
    "  if (UNLIKELY(face_out_of_range(a, (uint32_t)sizeof(t), mem->size))) TRAP(OOB);",
    "#endif",
    "",
  ].join("\n");
  return insertAt(insertAt(source, HEADER_LINE, copy, false), GENERAL_CHECK_LINE, check, true);
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
