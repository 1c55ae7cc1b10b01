// src/ ships to XS on the gate board: no Node built-ins, no host globals.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { repoRoot } from "../../tools/xs/bundle";
import { listFiles } from "../support/list-files";

const sources = listFiles(path.join(repoRoot, "src")).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith(".d.ts"));
const importPattern = /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;
const NODE_BUILTINS = new Set(builtinModules.map((name) => name.split("/")[0]));
/** Names XS 13.3 (and Moddable on the board) does not provide. */
const HOST_ONLY_GLOBALS = /\b(structuredClone|setTimeout|setInterval|clearTimeout|queueMicrotask|Intl|require|process\.|Buffer\.|console\.|toSorted|withResolvers)\b/;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(importPattern)].map((m) => m[1] ?? m[2] ?? m[3]);
}

describe("src/ stays portable to XS", () => {
  it("has sources to check", () => assert.ok(sources.length > 0));

  it("imports no Node built-in", () => {
    const offenders = sources.flatMap((file) => importsOf(file)
      .filter((spec) => spec.startsWith("node:") || NODE_BUILTINS.has(spec.split("/")[0]))
      .map((spec) => `${path.relative(repoRoot, file)} imports ${spec}`));
    assert.deepEqual(offenders, []);
  });

  it("keeps src/core free of IO: only relative imports and @noble crypto", () => {
    const offenders = sources.filter((f) => f.includes(`${path.sep}core${path.sep}`)).flatMap((file) => importsOf(file)
      .filter((spec) => !spec.startsWith(".") && !spec.startsWith("@noble/"))
      .map((spec) => `${path.relative(repoRoot, file)} imports ${spec}`));
    assert.deepEqual(offenders, []);
  });

  it("uses no host-only global", () => {
    const offenders = sources.flatMap((file) => readFileSync(file, "utf8").split("\n")
      .map((line, i) => ({ line: line.replace(/\/\/.*$/, ""), i }))
      .filter(({ line }) => HOST_ONLY_GLOBALS.test(line))
      .map(({ line, i }) => `${path.relative(repoRoot, file)}:${i + 1}: ${line.trim()}`));
    assert.deepEqual(offenders, []);
  });

  it("knows every Node built-in, not a hand-written list", () => {
    for (const name of ["fs", "vm", "tls", "dns", "v8", "perf_hooks", "module"]) assert.ok(NODE_BUILTINS.has(name), name);
  });

  it("the import scanner recognises a Node built-in import", () => {
    const sample = `import { readFileSync } from "node:fs";\nimport x from "./y";`;
    assert.deepEqual([...sample.matchAll(importPattern)].map((m) => m[1] ?? m[2] ?? m[3]), ["node:fs", "./y"]);
  });
});
