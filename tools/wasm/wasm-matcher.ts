// Matcher over the AssemblyScript kernel in Node's WebAssembly (tools, the
// simulator, benchmarks; XS has no WebAssembly). The same BindingMatcher
// wrapper drives the board's native module, so these tests cover it too.
import { BindingMatcher } from "../../src/core/matcher/binding-matcher";
import { WasmBinding, type KernelExports, type KernelFlavour } from "./wasm-binding";

export type { KernelFlavour } from "./wasm-binding";

export class WasmMatcher extends BindingMatcher {
  readonly flavour: KernelFlavour;
  /** The raw kernel, for tests of its own entry checks and for benchmarks. */
  readonly kernel: KernelExports;

  constructor(dimension: number, capacity: number, flavour: KernelFlavour = "scalar") {
    const binding = new WasmBinding(flavour);
    super(dimension, capacity, binding);
    this.flavour = flavour;
    this.kernel = binding.kernel;
  }
}
