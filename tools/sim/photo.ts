// A photo in front of the simulator's camera. The file is read and decoded
// here, on the Node side (tools/face/image-file.ts: PNG, JPEG, PGM); the board
// inside XS only learns that a photo is there. While the firmware's camera is
// powered and reading, each frame it reads is rendered from the photo into the
// camera's own format (the host board's frame: width × height gray8 or
// RGB565LE), fitted and centred on a mid-grey background, as a print held up
// to the lens would fill the view. Taking the photo away zeroes its pixels.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { HostFrameSpec } from "../../boards/host/protocol";
import { decodeImage, type RgbImage } from "../face/image-file";

/** Largest photo file read (a 40 MP JPEG is well below this). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const GREY = 128;

/** Reads and decodes a photo file; throws an Error whose message says what is wrong with it. */
export function readPhoto(file: string): RgbImage {
  const shown = file;
  if (!existsSync(file)) throw new Error(`${shown}: no such file`);
  const stat = statSync(file);
  if (!stat.isFile()) throw new Error(`${shown}: not a file`);
  if (stat.size === 0) throw new Error(`${shown}: the file is empty`);
  if (stat.size > MAX_FILE_BYTES) throw new Error(`${shown}: ${stat.size} bytes is too large for a photo (limit ${MAX_FILE_BYTES})`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (error) {
    throw new Error(`${shown}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return decodeImage(bytes, shown);
  } catch (error) {
    // decodeImage names the file itself; a decoder's own exception does not.
    const message = (error as Error).message;
    throw new Error(message.startsWith(shown) ? message : `${shown}: ${message}`);
  } finally {
    bytes.fill(0);
  }
}

/** Writes `image` (or nothing: a blank wall) into `into` as one camera frame. */
export function renderFrame(image: RgbImage | undefined, into: Uint8Array, frame: HostFrameSpec): void {
  const { width, height, format } = frame;
  const bpp = format === "rgb565" ? 2 : 1;
  if (into.length < width * height * bpp) throw new RangeError("frame buffer too small");
  const scale = image ? Math.min(width / image.width, height / image.height) : 1;
  const w = image ? Math.max(1, Math.round(image.width * scale)) : 0;
  const h = image ? Math.max(1, Math.round(image.height * scale)) : 0;
  const x0 = Math.floor((width - w) / 2), y0 = Math.floor((height - h) / 2);
  const rgb = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x - x0, v = y - y0;
      if (image && u >= 0 && v >= 0 && u < w && v < h) sample(image, (u + 0.5) / scale - 0.5, (v + 0.5) / scale - 0.5, 1 / scale, rgb);
      else rgb[0] = rgb[1] = rgb[2] = GREY;
      const o = (y * width + x) * bpp;
      if (bpp === 1) {
        into[o] = Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
      } else {
        const p = ((rgb[0] >> 3) << 11) | ((rgb[1] >> 2) << 5) | (rgb[2] >> 3);
        into[o] = p & 0xff;
        into[o + 1] = p >> 8;
      }
    }
  }
}

/** Bilinear when enlarging; the mean over the footprint when shrinking (no aliasing from big photos). */
function sample(image: RgbImage, sx: number, sy: number, footprint: number, out: number[]): void {
  const { width, height, data } = image;
  if (footprint > 1) {
    const r = footprint / 2;
    const xa = Math.max(0, Math.round(sx - r + 0.5)), xb = Math.min(width - 1, Math.round(sx + r - 0.5));
    const ya = Math.max(0, Math.round(sy - r + 0.5)), yb = Math.min(height - 1, Math.round(sy + r - 0.5));
    let a = 0, b = 0, c = 0, n = 0;
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        const i = 3 * (y * width + x);
        a += data[i]; b += data[i + 1]; c += data[i + 2]; n++;
      }
    }
    out[0] = Math.round(a / n); out[1] = Math.round(b / n); out[2] = Math.round(c / n);
    return;
  }
  const x = Math.min(width - 1, Math.max(0, sx)), y = Math.min(height - 1, Math.max(0, sy));
  const xi = Math.floor(x), yi = Math.floor(y);
  const xj = Math.min(width - 1, xi + 1), yj = Math.min(height - 1, yi + 1);
  const fx = x - xi, fy = y - yi;
  for (let c = 0; c < 3; c++) {
    const p = (xx: number, yy: number) => data[3 * (yy * width + xx) + c];
    const top = p(xi, yi) * (1 - fx) + p(xj, yi) * fx;
    const bottom = p(xi, yj) * (1 - fx) + p(xj, yj) * fx;
    out[c] = Math.round(top * (1 - fy) + bottom * fy);
  }
}

/** A camera frame back to 8-bit RGB, for the face pipeline (the board's frame is what the model sees). */
export function frameToRgb(pixels: Uint8Array, frame: HostFrameSpec): RgbImage {
  const { width, height, format } = frame;
  const count = width * height;
  const data = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    if (format === "gray8") {
      data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = pixels[i];
    } else {
      const p = pixels[2 * i] | (pixels[2 * i + 1] << 8);
      const r = p >> 11, g = (p >> 5) & 0x3f, b = p & 0x1f;
      data[3 * i] = (r << 3) | (r >> 2);
      data[3 * i + 1] = (g << 2) | (g >> 4);
      data[3 * i + 2] = (b << 3) | (b >> 2);
    }
  }
  return { width, height, data };
}

/** What the simulator's camera looks at: one decoded photo, or nothing. */
export class PhotoScene {
  #image: RgbImage | undefined;
  #label = "";
  /** Frames the camera has read of a photo so far (tests: only ever inside a face session). */
  framesServed = 0;

  /** Decodes `file` and puts it in front of the camera; a bad file leaves the scene as it was. */
  show(file: string): string {
    const image = readPhoto(file);
    this.clear();
    this.#image = image;
    this.#label = path.basename(path.dirname(path.resolve(file))) + "/" + path.basename(file);
    return this.#label;
  }

  get showing(): boolean {
    return this.#image !== undefined;
  }

  get label(): string {
    return this.#label;
  }

  /** Takes the photo away (its pixels are zeroed). */
  clear(): void {
    this.#image?.data.fill(0);
    this.#image = undefined;
    this.#label = "";
  }

  /** One frame of what the camera sees, or undefined when nothing is in front of it. */
  frame(spec: HostFrameSpec): Uint8Array | undefined {
    if (!this.#image) return undefined;
    this.framesServed++;
    const out = new Uint8Array(spec.width * spec.height * (spec.format === "rgb565" ? 2 : 1));
    renderFrame(this.#image, out, spec);
    return out;
  }
}
