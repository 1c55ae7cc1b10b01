// A FaceKernelPort (src/app/kernel-embedder.ts) over the board's native face
// kernel (face-kernel-native.js → xs_face.c → face_host.c → wasm2c C). The C
// side holds three instances, slot 0 for the detector, 1 for the embedder and
// 2 for the landmark network (FaceMesh);
// each is laid out and loaded once at boot from the "facemodel" partition's
// flash map, and the kernel checks the image (CRC-32, layout) as it loads.
import { checkFaceStatus } from "../../app/face-kernel-status";
import type { FaceImageInfo, FaceKernelPort } from "../../app/kernel-embedder";
import * as native from "./face-kernel-native";

export const DETECTOR_SLOT = 0;
export const EMBEDDER_SLOT = 1;
export const LANDMARKS_SLOT = 2;

export class NativeFaceKernel implements FaceKernelPort {
  readonly #slot: number;
  readonly #out: ArrayBuffer;
  readonly #words: Int32Array;

  /** Lays out slot `slot` for `image` (a view into `map`, the partition's flash map) and frames of up to `frameBytes`, then loads it. */
  constructor(slot: number, map: ArrayBuffer, image: Uint8Array, info: FaceImageInfo, frameBytes: number) {
    this.#slot = slot;
    const values = info.outputs.reduce((n, o) => n + o.length, 0);
    this.#out = new ArrayBuffer(values * 4);
    this.#words = new Int32Array(this.#out);
    checkFaceStatus(native.init(slot, image.length, frameBytes, info.arenaBytes), `laying out the ${info.id} kernel`);
    checkFaceStatus(native.load(slot, map, image.byteOffset, image.length), `loading ${info.id} from the face model partition`);
  }

  embedWarped(frame: Uint8Array, width: number, height: number, format: number, m: readonly number[]): number {
    return native.embedWarped(this.#slot, frame, width, height, format, m[0], m[1], m[2], m[3], m[4], m[5]);
  }

  readOutputs(into: Int32Array): void {
    const count = native.read(this.#slot, this.#out);
    try {
      into.set(this.#words.subarray(0, count));
    } finally {
      this.#words.fill(0);
    }
  }
}
