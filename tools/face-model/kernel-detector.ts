// BlazeFace through the int8 kernel: the photo goes in whole; the kernel pads
// it to a square with black and scales it to 128×128 in its warp (what
// tools/face/detector.ts does with tf.pad + resizeBilinear), runs the network
// and leaves four int32 heads; decoding is the float detector's own.
import { detectorWarp } from "../../src/app/kernel-embedder";
import { decodeBlazeFace, type Detection } from "../face/detector";
import type { RgbImage } from "../face/image-file";
import { FaceKernel } from "./face-kernel";
import { FORMAT_RGB888 } from "./image-format";
import { checkFaceStatus } from "../../src/app/face-kernel-status";

export class KernelDetector {
  readonly kernel: FaceKernel;

  constructor(kernel: FaceKernel = FaceKernel.forModel("blazeface-front", { frameBytes: 1 << 22 })) {
    this.kernel = kernel;
  }

  /** The kernel's warp parameters for a photo: resize of the black-padded square, as tf.image.resizeBilinear (no half-pixel centres). */
  static warpFor(width: number, height: number): number[] {
    return detectorWarp(width, height);
  }

  /** The most confident face at or above `minScore`, or null. */
  detect(image: RgbImage, minScore = 0.5): Detection | null {
    return this.detectFrame(image.data, image.width, image.height, FORMAT_RGB888, minScore);
  }

  /** As detect(), on a frame in any of the kernel's pixel formats (the board hands over the camera's frame as it is). */
  detectFrame(pixels: Uint8Array, width: number, height: number, format: number, minScore = 0.5): Detection | null {
    checkFaceStatus(this.kernel.tryEmbedWarped(pixels, width, height, format, KernelDetector.warpFor(width, height)), "detecting a face");
    const scales = this.kernel.header.outputs.map((o) => o.scale);
    const heads = this.kernel.outputs().map((v, i) => Float32Array.from(v, (x) => x * scales[i]));
    // As the float detector: scores for the 512 stride-8 anchors, then the 384 stride-16 ones; boxes likewise.
    const bySize = [...heads].sort((p, q) => p.length - q.length);
    const concat = (a: Float32Array, b: Float32Array) => { const c = new Float32Array(a.length + b.length); c.set(a); c.set(b, a.length); return c; };
    return decodeBlazeFace(concat(bySize[1], bySize[0]), concat(bySize[3], bySize[2]), width, height, minScore);
  }
}
