// Matcher over the AssemblyScript kernel in Node's WebAssembly (tools, the
// simulator and benchmarks; XS has no WebAssembly). The gallery lives in the
// instance's own memory: load() copies a template in once, scans read it there.
import { readFileSync } from "node:fs";
import { OptgateError } from "../../src/core/errors";
import { checkKernelStatus, RESULT_WORDS } from "../../src/core/matcher/kernel-status";
import { checkCount, checkLayout, checkSlot, checkVector } from "../../src/core/matcher/layout";
import { emptyScanResult } from "../../src/core/matcher/scan-result";
import type { Matcher, ScanResult } from "../../src/core/ports";
import { scalarWasm, simdWasm } from "./paths";

/** The kernel's exports (wasm/matcher.ts). */
interface KernelExports {
  memory: WebAssembly.Memory;
  init(dim: number, capacity: number): number;
  resultPtr(): number;
  probePtr(): number;
  galleryPtr(): number;
  clear(slot: number): number;
  verify(slot: number, probeOffset: number): number;
  scan(count: number, probeOffset: number): number;
}

export type KernelFlavour = "scalar" | "simd";

const modules = new Map<KernelFlavour, WebAssembly.Module>();

/** Compiled once per flavour and process; each WasmMatcher gets its own instance and memory. */
function kernelModule(flavour: KernelFlavour): WebAssembly.Module {
  let module = modules.get(flavour);
  if (!module) {
    const file = flavour === "simd" ? simdWasm : scalarWasm;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch {
      throw new OptgateError("E_MATCHER_NOT_BUILT", `${file} is missing; run npm run build first.`);
    }
    module = new WebAssembly.Module(bytes);
    modules.set(flavour, module);
  }
  return module;
}

export class WasmMatcher implements Matcher {
  readonly dimension: number;
  readonly capacity: number;
  readonly flavour: KernelFlavour;
  readonly #kernel: KernelExports;
  readonly #probeAt: number;
  readonly #galleryAt: number;
  readonly #resultAt: number;
  readonly #result: ScanResult = emptyScanResult();

  constructor(dimension: number, capacity: number, flavour: KernelFlavour = "scalar") {
    checkLayout(dimension, capacity);
    this.dimension = dimension;
    this.capacity = capacity;
    this.flavour = flavour;
    this.#kernel = new WebAssembly.Instance(kernelModule(flavour), {}).exports as unknown as KernelExports;
    checkKernelStatus(this.#kernel.init(dimension, capacity), "init");
    this.#probeAt = this.#kernel.probePtr();
    this.#galleryAt = this.#kernel.galleryPtr();
    this.#resultAt = this.#kernel.resultPtr();
  }

  load(slot: number, template: Int8Array): void {
    checkSlot(slot, this.capacity);
    checkVector(template, this.dimension, "template");
    this.#bytes().set(template, this.#galleryAt + slot * this.dimension);
  }

  clear(slot: number): void {
    checkSlot(slot, this.capacity);
    checkKernelStatus(this.#kernel.clear(slot), "clear");
  }

  verify(slot: number, probe: Int8Array): number {
    checkSlot(slot, this.capacity);
    checkVector(probe, this.dimension, "probe");
    this.#bytes().set(probe, this.#probeAt);
    checkKernelStatus(this.#kernel.verify(slot, this.#probeAt), "verify");
    return this.#words()[1];
  }

  scan(probe: Int8Array, count: number): ScanResult {
    checkVector(probe, this.dimension, "probe");
    checkCount(count, this.capacity);
    this.#bytes().set(probe, this.#probeAt);
    checkKernelStatus(this.#kernel.scan(count, this.#probeAt), "scan");
    const words = this.#words();
    const result = this.#result;
    result.bestIndex = words[0];
    result.bestScore = words[1];
    result.secondIndex = words[2];
    result.secondScore = words[3];
    return result;
  }

  /** The raw kernel, for tests of its own entry checks and for benchmarks. */
  get kernel(): KernelExports {
    return this.#kernel;
  }

  // Views are made per call: memory.buffer is replaced if the kernel ever grows memory.
  #bytes(): Int8Array {
    return new Int8Array(this.#kernel.memory.buffer);
  }

  #words(): Int32Array {
    return new Int32Array(this.#kernel.memory.buffer, this.#resultAt, RESULT_WORDS);
  }
}
