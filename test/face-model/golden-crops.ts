// Deterministic synthetic crops for the face kernel's golden vectors (no
// photographs of people in the repository): a gradient, noise, a drawn face
// shape, and a grey frame. 112×112, the size of both packaged embedders.
import { FORMAT_GREY8, FORMAT_RGB888 } from "../../tools/face-model/image-format";

export interface GoldenCrop {
  name: string;
  width: number;
  height: number;
  format: number;
  pixels: Uint8Array;
}

function rgb(name: string, pixel: (x: number, y: number, c: number) => number, side: number): GoldenCrop {
  const pixels = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) pixels[(y * side + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(pixel(x, y, c))));
  return { name, width: side, height: side, format: FORMAT_RGB888, pixels };
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s >>> 24; };
}

function face(x: number, y: number): number {
  const inside = ((x - 56) / 40) ** 2 + ((y - 60) / 50) ** 2 < 1;
  const eye = (ex: number) => (x - ex) ** 2 + (y - 52) ** 2 < 36;
  const mouth = Math.abs(y - 90) < 3 && Math.abs(x - 56) < 16;
  if (!inside) return 40;
  if (eye(38) || eye(74) || mouth) return 30;
  return 170 + ((x * 3 + y) % 17);
}

/** The crops at a model's input size (112 for the embedders, 128 for BlazeFace). */
export function goldenCrops(side = 112): GoldenCrop[] {
  const noise = lcg(19);
  const grey = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) grey[y * side + x] = face(x, y) ^ ((x + y) & 7);
  return [
    rgb("gradient", (x, y, c) => (c === 0 ? x * 2.2 : c === 1 ? y * 2.2 : 255 - (x + y)), side),
    rgb("noise", () => noise(), side),
    rgb("drawn-face", (x, y, c) => face(x, y) * (c === 0 ? 1 : c === 1 ? 0.85 : 0.7), side),
    rgb("saturated", (x, y) => ((x >> 3) + (y >> 3)) % 2 ? 255 : 0, side),
    { name: "grey-face", width: side, height: side, format: FORMAT_GREY8, pixels: grey },
  ];
}

/** A whole frame and the kernel's Q16 warp parameters (integers, so every platform sees the same). */
export interface GoldenWarp {
  name: string;
  width: number;
  height: number;
  format: number;
  frame: Uint8Array;
  m: [number, number, number, number, number, number];
}

const Q16 = 65536;

/** The drawn face on a larger frame, offset by (dx, dy), as RGB888. */
export function faceFrame(width: number, height: number, dx: number, dy: number): Uint8Array {
  const frame = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const v = face(x - dx, y - dy);
    frame.set([v, Math.round(v * 0.85), Math.round(v * 0.7)], (y * width + x) * 3);
  }
  return frame;
}

/** RGB888 → RGB565 in either byte order. */
export function toRgb565(rgb: Uint8Array, bigEndian: boolean): Uint8Array {
  const out = new Uint8Array((rgb.length / 3) * 2);
  for (let i = 0; i < rgb.length / 3; i++) {
    const v = ((rgb[3 * i] >> 3) << 11) | ((rgb[3 * i + 1] >> 2) << 5) | (rgb[3 * i + 2] >> 3);
    out[2 * i] = bigEndian ? v >> 8 : v & 0xff;
    out[2 * i + 1] = bigEndian ? v & 0xff : v >> 8;
  }
  return out;
}

export function goldenWarps(): GoldenWarp[] {
  const frame = faceFrame(160, 140, 24, 14);
  // About 10° of rotation at a scale of 1.25 around the face, mirrored in the second case.
  const rotated: GoldenWarp["m"] = [80_675, -14_226, 20 * Q16, 14_226, 80_675, 2 * Q16];
  const mirrored: GoldenWarp["m"] = [-80_675, -14_226, 160 * Q16, -14_226, 80_675, 10 * Q16];
  return [
    { name: "rotated-rgb888", width: 160, height: 140, format: FORMAT_RGB888, frame, m: rotated },
    { name: "mirrored-rgb565be", width: 160, height: 140, format: 3, frame: toRgb565(frame, true), m: mirrored },
    { name: "rotated-rgb565le", width: 160, height: 140, format: 2, frame: toRgb565(frame, false), m: rotated },
    { name: "hostile-parameters", width: 160, height: 140, format: FORMAT_RGB888, frame, m: [0x7fffffff, -0x80000000, 0x7fffffff, -0x80000000, 0x7fffffff, -0x80000000] },
  ];
}
