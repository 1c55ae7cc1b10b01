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
  await run("gcc", ["-std=gnu11", ...variantFlags[variant], `-I${wasm2cDir}`, `-I${nativeDir}`, ...sources, "-lm", "-o", out]);
  return out;
}
