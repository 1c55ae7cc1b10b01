// wasm2c comes from npm (the pinned devDependency wabt, an emscripten build)
// and its C runtime from third_party/wasm2c-runtime: the two must be the same
// wabt release, or the generated C and the runtime disagree on the ABI.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { wasm2cBin, wasm2cRuntimeDir } from "../../tools/wasm/paths";
import { repoRoot } from "../../tools/xs/bundle";

describe("wasm2c toolchain", () => {
  const pinned = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")).devDependencies.wabt as string;

  it("pins wabt exactly, and its wasm2c runs on Node and reports that version", () => {
    assert.match(pinned, /^\d+\.\d+\.\d+$/);
    assert.equal(execFileSync(process.execPath, [wasm2cBin, "--version"], { encoding: "utf8" }).trim(), pinned);
  });

  it("takes the runtime from the same wabt release", () => {
    const readme = readFileSync(path.join(wasm2cRuntimeDir, "README.md"), "utf8");
    assert.equal(/^# wasm2c runtime \(wabt (\S+)\)/.exec(readme)?.[1], pinned);
    assert.match(readme, new RegExp(`at tag \`${pinned.replace(/\./g, "\\.")}\``));
  });
});
