// The face kernel under Node's WebAssembly: the same steps the board's C glue
// will take (init once with image, frame and arena sizes; copy the model image
// in and have the kernel check it; per face: pixels in, embed, int32 out).
// FaceKernel throws an OptgateError for every kernel status; KernelNetwork
// puts it behind the float pipeline's crop-embedding interface, so
// tools/face's detection + alignment feed it the same crops as the float net.
import { readFileSync } from "node:fs";
import { warpParameters } from "../../src/app/face-alignment";
import { OptgateError } from "../../src/core/errors";
import type { Similarity } from "../face/alignment";
import type { EmbeddingModelSpec } from "../face/embedding-models";
import { webAssembly, type WasmMemory, type WasmModule } from "../wasm/webassembly";
import { FORMAT_RGB888, readHeader, type ImageHeader } from "./image-format";
import { checkFaceStatus, FACE_E_CROP_SIZE } from "../../src/app/face-kernel-status";
import { imageFile } from "./models";
import { faceKernelWasm } from "./paths";

/** The kernel's exports (wasm/face-kernel.ts). */
export interface FaceKernelExports {
  memory: WasmMemory;
  init(imageBytes: number, frameBytes: number, arenaBytes: number): number;
  imagePtr(): number;
  framePtr(): number;
  outputPtr(): number;
  outputDim(): number;
  arenaNeeded(): number;
  wipe(): void;
  loadModel(length: number): number;
  embed(width: number, height: number, format: number): number;
  embedWarped(frameWidth: number, frameHeight: number, format: number, m0: number, m1: number, m2: number, m3: number, m4: number, m5: number): number;
  outputCount(): number;
  outputAt(k: number): number;
  outputLength(k: number): number;
}

export { warpParameters };

let module: WasmModule | undefined;

/** A fresh instance (own memory) of the kernel; compiled once per process. */
export function faceKernelInstance(): FaceKernelExports {
  if (!module) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(faceKernelWasm);
    } catch {
      throw new OptgateError("E_FACE_KERNEL_NOT_BUILT", `${faceKernelWasm} is missing; run npm run build first.`);
    }
    module = new webAssembly.Module(bytes);
  }
  return new webAssembly.Instance(module, {}).exports as unknown as FaceKernelExports;
}

export function readModelImage(id: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(imageFile(id)));
  } catch {
    throw new OptgateError("E_FACE_MODEL_NOT_BUILT", `${imageFile(id)} is missing; run npm run build first.`);
  }
}

export interface FaceKernelOptions {
  /** Default: what the image asks for. */
  arenaBytes?: number;
  /** Default: an RGB frame of the model's input size. */
  frameBytes?: number;
}

export class FaceKernel {
  readonly kernel: FaceKernelExports;
  readonly header: ImageHeader;
  #frameCap: number;

  constructor(image: Uint8Array, options: FaceKernelOptions = {}) {
    this.kernel = faceKernelInstance();
    this.header = readHeader(image);
    const frameBytes = options.frameBytes ?? this.header.inputWidth * this.header.inputHeight * 3;
    checkFaceStatus(this.kernel.init(image.length, frameBytes, options.arenaBytes ?? this.header.arenaBytes), "init");
    this.#frameCap = frameBytes;
    new Uint8Array(this.kernel.memory.buffer, this.kernel.imagePtr(), image.length).set(image);
    checkFaceStatus(this.kernel.loadModel(image.length), "loading the model image");
  }

  static forModel(id: string, options?: FaceKernelOptions): FaceKernel {
    return new FaceKernel(readModelImage(id), options);
  }

  /** Runs the network on one crop; returns the status (FACE_OK or a FACE_E_*). */
  tryEmbed(pixels: Uint8Array, width: number, height: number, format = FORMAT_RGB888): number {
    // Never copy past the frame area; the kernel checks width × height against it too.
    if (pixels.length > this.#frameCap) return FACE_E_CROP_SIZE;
    new Uint8Array(this.kernel.memory.buffer, this.kernel.framePtr(), pixels.length).set(pixels);
    return this.kernel.embed(width, height, format);
  }

  /** Crop, warp and embed in the kernel from a whole frame; the status. */
  tryEmbedWarped(frame: Uint8Array, width: number, height: number, format: number, params: number[]): number {
    if (frame.length > this.#frameCap) return FACE_E_CROP_SIZE;
    new Uint8Array(this.kernel.memory.buffer, this.kernel.framePtr(), frame.length).set(frame);
    const [m0, m1, m2, m3, m4, m5] = params;
    return this.kernel.embedWarped(width, height, format, m0, m1, m2, m3, m4, m5);
  }

  /** The embedding of the face `m` aligns in a whole frame (int32, as embed()). */
  embedWarped(frame: Uint8Array, width: number, height: number, format: number, m: Similarity, mirror = false): Int32Array {
    checkFaceStatus(this.tryEmbedWarped(frame, width, height, format, warpParameters(m, this.header.inputWidth, mirror)), "embedding a face from a frame");
    return this.output();
  }

  /** Every output of the last run concatenated in table order (what the C host returns); frame and arena are wiped. */
  concatenatedOutputs(): Int32Array {
    const parts = this.outputs();
    const all = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { all.set(p, at); at += p.length; }
    return all;
  }

  /** Every output of the last run (int32, table order), read out; frame and arena are wiped. */
  outputs(): Int32Array[] {
    const k = this.kernel;
    const out = Array.from({ length: k.outputCount() }, (_, i) => new Int32Array(k.memory.buffer, k.outputAt(i), k.outputLength(i)).slice());
    k.wipe();
    return out;
  }

  /** The last embedding (int32), read out; frame and arena are wiped. */
  output(): Int32Array {
    const out = new Int32Array(this.kernel.memory.buffer, this.kernel.outputPtr(), this.kernel.outputDim()).slice();
    this.kernel.wipe();
    return out;
  }

  /** The embedding of one crop as int32 (real value = v · header.outputScale). */
  embed(pixels: Uint8Array, width: number, height: number, format = FORMAT_RGB888): Int32Array {
    checkFaceStatus(this.tryEmbed(pixels, width, height, format), "embedding a face crop");
    return this.output();
  }
}

/** The kernel behind the float pipeline's network interface (FacePipeline's `network`). */
export class KernelNetwork {
  readonly spec: EmbeddingModelSpec;
  readonly kernel: FaceKernel;

  constructor(spec: EmbeddingModelSpec, kernel: FaceKernel = FaceKernel.forModel(spec.id)) {
    if (kernel.header.id !== spec.id || kernel.header.modelVersion !== spec.version) {
      throw new OptgateError("E_FACE_MODEL_MISMATCH", `The face model image is ${kernel.header.id} v${kernel.header.modelVersion}, the pipeline expects ${spec.id} v${spec.version}.`);
    }
    this.spec = spec;
    this.kernel = kernel;
  }

  /** Embeds size×size RGB crops; raw vectors (the pipeline normalises). */
  embedCrops(crops: Uint8Array[]): Float32Array[] {
    const { size } = this.spec;
    return crops.map((crop) => Float32Array.from(this.kernel.embed(crop, size, size), (v) => v * this.kernel.header.outputScale));
  }
}
