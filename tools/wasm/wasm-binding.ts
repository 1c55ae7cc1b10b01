// MatcherBinding over the kernel in Node's WebAssembly: the same steps as
// src/native/matcher/matcher_host.c does in C on the board (copy in, checked
// against memory size; call; read four i32 results). The gallery stays in
// the instance's memory.
import { readFileSync } from "node:fs";
import { OptgateError } from "../../src/core/errors";
import type { MatcherBinding } from "../../src/core/matcher/binding";
import { KERNEL_E_DIMENSION, KERNEL_E_NOT_READY, KERNEL_E_PROBE, KERNEL_E_SLOT, KERNEL_OK, RESULT_WORDS } from "../../src/core/matcher/kernel-status";
import { scalarWasm, simdWasm } from "./paths";
import { webAssembly, type WasmMemory, type WasmModule } from "./webassembly";

/** The kernel's exports (wasm/matcher.ts). */
export interface KernelExports {
  memory: WasmMemory;
  init(dim: number, capacity: number): number;
  resultPtr(): number;
  probePtr(): number;
  galleryPtr(): number;
  clear(slot: number): number;
  verify(slot: number, probeOffset: number): number;
  scan(count: number, probeOffset: number): number;
}

export type KernelFlavour = "scalar" | "simd";

const modules = new Map<KernelFlavour, WasmModule>();

/** Compiled once per flavour and process; every binding gets its own instance and memory. */
export function kernelInstance(flavour: KernelFlavour): KernelExports {
  let module = modules.get(flavour);
  if (!module) {
    const file = flavour === "simd" ? simdWasm : scalarWasm;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch {
      throw new OptgateError("E_MATCHER_NOT_BUILT", `${file} is missing; run npm run build first.`);
    }
    module = new webAssembly.Module(bytes);
    modules.set(flavour, module);
  }
  return new webAssembly.Instance(module, {}).exports as unknown as KernelExports;
}

export class WasmBinding implements MatcherBinding {
  readonly kernel: KernelExports;
  #dim = 0;
  #capacity = 0;
  #probeAt = 0;
  #galleryAt = 0;
  #resultAt = 0;

  constructor(flavour: KernelFlavour) {
    this.kernel = kernelInstance(flavour);
  }

  init(dimension: number, capacity: number): number {
    const status = this.kernel.init(dimension, capacity);
    if (status !== KERNEL_OK) return status;
    this.#dim = dimension;
    this.#capacity = capacity;
    this.#probeAt = this.kernel.probePtr();
    this.#galleryAt = this.kernel.galleryPtr();
    this.#resultAt = this.kernel.resultPtr();
    return KERNEL_OK;
  }

  load(slot: number, template: Int8Array): number {
    if (!this.#dim) return KERNEL_E_NOT_READY;
    if (template.length !== this.#dim) return KERNEL_E_DIMENSION;
    if (!(slot >= 0 && slot < this.#capacity)) return KERNEL_E_SLOT;
    return this.#copyIn(this.#galleryAt + slot * this.#dim, template);
  }

  clear(slot: number): number {
    return this.kernel.clear(slot);
  }

  verify(slot: number, probe: Int8Array, out: Int32Array): number {
    const status = this.#probe(probe);
    if (status !== KERNEL_OK) return status;
    return this.#finish(this.kernel.verify(slot, this.#probeAt), out);
  }

  scan(probe: Int8Array, count: number, out: Int32Array): number {
    const status = this.#probe(probe);
    if (status !== KERNEL_OK) return status;
    return this.#finish(this.kernel.scan(count, this.#probeAt), out);
  }

  wipe(): void {
    if (this.#dim) new Int8Array(this.kernel.memory.buffer, this.#galleryAt, this.#dim * this.#capacity).fill(0);
  }

  #probe(probe: Int8Array): number {
    if (!this.#dim) return KERNEL_E_NOT_READY;
    if (probe.length !== this.#dim) return KERNEL_E_DIMENSION;
    return this.#copyIn(this.#probeAt, probe);
  }

  // A fresh view per call: memory.buffer is replaced whenever the kernel grows memory.
  #copyIn(at: number, bytes: Int8Array): number {
    const memory = new Int8Array(this.kernel.memory.buffer);
    if (at + bytes.length > memory.length) return KERNEL_E_PROBE;
    memory.set(bytes, at);
    return KERNEL_OK;
  }

  #finish(status: number, out: Int32Array): number {
    if (status === KERNEL_OK) out.set(new Int32Array(this.kernel.memory.buffer, this.#resultAt, RESULT_WORDS));
    return status;
  }
}
