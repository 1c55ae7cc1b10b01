// The manifest of a small Moddable app that runs a native wasm2c kernel on `lin`
// (tools/wasm/moddable-check.ts: the matcher; tools/face-model/moddable-check.ts:
// the face path). Both link the same wasm2c runtime and compile TypeScript the
// same way; only their modules, their kernel and their resources differ.
import path from "node:path";
import { repoRoot } from "../xs/bundle";

export interface CheckAppSpec {
  /** Module specifier → repository path without extension, besides core/errors and core/ports (the app's main is "./main"). */
  modules: Record<string, string>;
  /** The native module folder ("native/face"), its source folder and the wasm2c kernel it links ("face_kernel"). */
  native: { specifier: string; source: string; kernel: string };
  /** Modules run at build time (the native kernel's module). */
  preload: string[];
  /** Resource files in the app folder, without extension. */
  resources?: string[];
}

const WASM_RUNTIME = ["wasm-rt-impl", "wasm-rt-mem-impl", "wasm-rt-exceptions-impl"];

export function checkAppManifest(spec: CheckAppSpec): object {
  const src = (p: string) => path.join(repoRoot, p);
  const modules: Record<string, string | string[]> = { "*": "./main", "core/errors": src("src/core/errors"), "core/ports": src("src/core/ports") };
  for (const [specifier, file] of Object.entries(spec.modules)) modules[specifier] = src(file);
  modules[`${spec.native.specifier}/*`] = [src(`${spec.native.source}/*`), ...[spec.native.kernel, ...WASM_RUNTIME].map((f) => src(`build/wasm2c/${f}`))];
  return {
    include: ["$(MODDABLE)/examples/manifest_base.json"],
    typescript: { tsconfig: { compilerOptions: { target: "es2022", lib: ["es2022"], strict: true, skipLibCheck: true } } },
    build: { C_FLAGS: "-DWASM_RT_USE_MMAP=0 -DWASM_RT_MEMCHECK_BOUNDS_CHECK=1" },
    modules,
    ...(spec.resources ? { resources: { "*": spec.resources.map((r) => `./${r}`) } } : {}),
    preload: spec.preload,
  };
}
