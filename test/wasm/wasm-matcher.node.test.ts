// The WASM path in Node, scalar and SIMD builds: the shared contract (golden
// vectors, bad input), then the kernel's own entry checks called directly,
// bypassing the wrapper's validation, to prove it never reads out of bounds.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import * as status from "../../src/core/matcher/kernel-status";
import { repoRoot } from "../../tools/xs/bundle";
import { scalarWasm, simdWasm } from "../../tools/wasm/paths";
import { kernelInstance } from "../../tools/wasm/wasm-binding";
import { WasmMatcher, type KernelFlavour } from "../../tools/wasm/wasm-matcher";
import { webAssembly } from "../../tools/wasm/webassembly";
import { matcherContract } from "./matcher-contract";

for (const flavour of ["scalar", "simd"] as KernelFlavour[]) {
  matcherContract(`WasmMatcher (${flavour})`, (dimension, capacity) => new WasmMatcher(dimension, capacity, flavour));

  describe(`matcher kernel (${flavour}) entry checks`, () => {
    const dim = 128;
    const make = (cap = 4) => new WasmMatcher(dim, cap, flavour).kernel;

    it("refuses out-of-range arguments with a status, not a trap", () => {
      const k = make();
      const memoryBytes = k.memory.buffer.byteLength;
      assert.equal(k.scan(5, k.probePtr()), status.KERNEL_E_COUNT, "N beyond capacity");
      assert.equal(k.scan(0, k.probePtr()), status.KERNEL_E_COUNT, "empty gallery");
      assert.equal(k.scan(-1, k.probePtr()), status.KERNEL_E_COUNT);
      assert.equal(k.verify(4, k.probePtr()), status.KERNEL_E_SLOT);
      assert.equal(k.verify(-1, k.probePtr()), status.KERNEL_E_SLOT);
      assert.equal(k.clear(4), status.KERNEL_E_SLOT);
      assert.equal(k.verify(0, memoryBytes - dim + 1), status.KERNEL_E_PROBE, "probe running off the end of memory");
      assert.equal(k.scan(1, -1 >>> 0), status.KERNEL_E_PROBE);
      assert.equal(k.verify(0, memoryBytes - dim), status.KERNEL_OK, "the last whole probe in memory is fine");
      assert.equal(k.init(100, 4), status.KERNEL_E_DIMENSION);
      assert.equal(k.init(8192, 4), status.KERNEL_E_DIMENSION);
      assert.equal(k.init(dim, 0), status.KERNEL_E_CAPACITY);
      assert.equal(k.init(dim, (1 << 20) + 1), status.KERNEL_E_CAPACITY);
    });

    it("refuses to work before init", () => {
      const raw = kernelInstance(flavour);
      assert.equal(raw.scan(1, 0), status.KERNEL_E_NOT_READY);
      assert.equal(raw.verify(0, 0), status.KERNEL_E_NOT_READY);
      assert.equal(raw.clear(0), status.KERNEL_E_NOT_READY);
    });

    it("reports a gallery too large for 4 GB of wasm memory as E_MEMORY", () => {
      const k = make(1);
      assert.equal(k.init(4096, 1 << 20), status.KERNEL_E_MEMORY);
      assert.equal(k.verify(0, k.probePtr()), status.KERNEL_OK, "the failed init left the old layout in place");
      assert.equal(k.verify(1, k.probePtr()), status.KERNEL_E_SLOT, "capacity is still 1");
    });
  });
}

describe("WasmMatcher wipe", () => {
  it("zeroes every slot in kernel memory", () => {
    const m = new WasmMatcher(16, 3);
    for (let slot = 0; slot < 3; slot++) m.load(slot, new Int8Array(16).fill(slot + 1));
    const gallery = () => new Int8Array(m.kernel.memory.buffer, m.kernel.galleryPtr(), 48);
    assert.ok(gallery().some((v) => v !== 0));
    m.wipe();
    assert.ok(gallery().every((v) => v === 0));
    assert.equal(m.scan(new Int8Array(16).fill(1), 3).bestScore, 0);
  });
});

/** From the pinned devDependency wabt (emscripten build): no system install needed. */
const wasmObjdump = path.join(repoRoot, "node_modules/wabt/bin/wasm-objdump");

describe("matcher kernel module", () => {
  it("is import-free, so wasm2c output needs no host functions", () => {
    for (const file of [scalarWasm, simdWasm]) {
      assert.deepEqual(webAssembly.Module.imports(new webAssembly.Module(readFileSync(file))), []);
    }
  });

  it("the scalar build has no SIMD (wasm2c on the board), the SIMD build has", () => {
    const simdOps = (file: string) => execFileSync(process.execPath, [wasmObjdump, "-d", file], { encoding: "utf8" }).split("\n").filter((l) => /\b(v128|i8x16|i16x8|i32x4)\./.test(l)).length;
    assert.equal(simdOps(scalarWasm), 0);
    assert.ok(simdOps(simdWasm) > 0);
  });
});
