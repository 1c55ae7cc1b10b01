// Node's WebAssembly, typed locally: the project type-checks without the DOM
// lib, and @types/node does not declare the WebAssembly JS API.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmModule {
  readonly __brand: "WebAssembly.Module";
}

interface WebAssemblyApi {
  Module: (new (bytes: Uint8Array) => WasmModule) & { imports(module: WasmModule): { module: string; name: string; kind: string }[] };
  Instance: new (module: WasmModule, imports: object) => { exports: object };
}

export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
