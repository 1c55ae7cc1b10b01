// Compiles the board's C face path (wasm2c output + src/native/face/face_host.c
// + the wabt runtime) with the host gcc, into build/wasm-harness/, with the
// matcher's variants: "board" (bounds-checked, -O2) and "asan" (+ ASan, UBSan).
// Needs `npm run build` first.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../xs/bundle";
import { variantFlags, type CVariant } from "../wasm/compile-c";
import { harnessDir, wasm2cDir } from "../wasm/paths";
import { faceKernelC } from "./paths";

const run = promisify(execFile);
const nativeDir = path.join(repoRoot, "src/native/face");

export async function compileFaceHarness(variant: CVariant): Promise<string> {
  if (!existsSync(faceKernelC)) throw new Error(`${faceKernelC} is missing; run npm run build first`);
  mkdirSync(harnessDir, { recursive: true });
  const out = path.join(harnessDir, `face-harness-${variant}`);
  const sources = [path.join(repoRoot, "tools/face-model/harness.c"), path.join(nativeDir, "face_host.c"), faceKernelC, ...["wasm-rt-impl.c", "wasm-rt-mem-impl.c", "wasm-rt-exceptions-impl.c"].map((f) => path.join(wasm2cDir, f))];
  // The S3's memory access (build.ts, withBoardMemoryAccess), so the golden, bad-input and trap tests cover it here too.
  await run("gcc", ["-std=gnu11", ...variantFlags[variant], "-DFACE_ALIGNED_WORD_COPY=1", "-DFACE_NARROW_BOUNDS_CHECK=1", `-I${wasm2cDir}`, `-I${nativeDir}`, ...sources, "-lm", "-o", out]);
  return out;
}

/**
 * The benchmark binary (bench.c): the board's path as "board" builds it, plus
 * the kernel's algorithm in C (kernel-c.c) compiled twice into it, at -O2 and
 * at -O3 -march=native, whatever the flags of the wasm2c path.
 */
export async function compileFaceBench(): Promise<string> {
  if (!existsSync(faceKernelC)) throw new Error(`${faceKernelC} is missing; run npm run build first`);
  mkdirSync(harnessDir, { recursive: true });
  const objects = await Promise.all([
    { name: "face_c_o2", flags: ["-O2"] },
    { name: "face_c_best", flags: ["-O3", "-march=native"] },
  ].map(async ({ name, flags }) => {
    const object = path.join(harnessDir, `${name}.o`);
    await run("gcc", ["-std=gnu11", ...flags, `-DKERNEL_NAME=${name}`, "-c", path.join(repoRoot, "tools/face-model/kernel-c.c"), "-o", object]);
    return object;
  }));
  const out = path.join(harnessDir, "face-bench");
  const sources = [path.join(repoRoot, "tools/face-model/bench.c"), path.join(nativeDir, "face_host.c"), faceKernelC, ...["wasm-rt-impl.c", "wasm-rt-mem-impl.c", "wasm-rt-exceptions-impl.c"].map((f) => path.join(wasm2cDir, f))];
  await run("gcc", ["-std=gnu11", ...variantFlags.board, `-I${wasm2cDir}`, `-I${nativeDir}`, ...sources, ...objects, "-lm", "-o", out]);
  return out;
}
