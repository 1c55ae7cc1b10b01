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

const SIDE = 112;

function rgb(name: string, pixel: (x: number, y: number, c: number) => number): GoldenCrop {
  const pixels = new Uint8Array(SIDE * SIDE * 3);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) for (let c = 0; c < 3; c++) pixels[(y * SIDE + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(pixel(x, y, c))));
  return { name, width: SIDE, height: SIDE, format: FORMAT_RGB888, pixels };
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

export function goldenCrops(): GoldenCrop[] {
  const noise = lcg(19);
  const grey = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) grey[y * SIDE + x] = face(x, y) ^ ((x + y) & 7);
  return [
    rgb("gradient", (x, y, c) => (c === 0 ? x * 2.2 : c === 1 ? y * 2.2 : 255 - (x + y))),
    rgb("noise", () => noise()),
    rgb("drawn-face", (x, y, c) => face(x, y) * (c === 0 ? 1 : c === 1 ? 0.85 : 0.7)),
    rgb("saturated", (x, y) => ((x >> 3) + (y >> 3)) % 2 ? 255 : 0),
    { name: "grey-face", width: SIDE, height: SIDE, format: FORMAT_GREY8, pixels: grey },
  ];
}
