// Decodes a photo file (PNG, JPEG or binary/ASCII PGM) into 8-bit RGB, for the
// host face pipeline, the evaluation tool and the simulator's camera. PNG and
// JPEG go through pngjs and jpeg-js (pure JS, no native build); PGM is simple
// enough to read here.
import { readFileSync } from "node:fs";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";

/** Interleaved 8-bit RGB, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const MAX_PIXELS = 40_000_000;

function fail(name: string, why: string): never {
  throw new Error(`${name}: ${why}`);
}

function checkSize(name: string, width: number, height: number): void {
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) fail(name, `bad image size ${width}x${height}`);
  if (width * height > MAX_PIXELS) fail(name, `image of ${width}x${height} pixels is too large (limit ${MAX_PIXELS})`);
}

/** Netpbm greymap: P5 (binary) or P2 (ASCII), maxval up to 65535. */
export function decodePgm(bytes: Uint8Array, name = "image"): RgbImage {
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (magic !== "P5" && magic !== "P2") fail(name, "not a PGM file (no P5/P2 signature)");
  let at = 2;
  const fields: number[] = [];
  const need = magic === "P5" ? 3 : Infinity;
  const values: number[] = [];
  while (at < bytes.length && fields.length < need) {
    const c = bytes[at];
    if (c === 0x23) { // comment to end of line
      while (at < bytes.length && bytes[at] !== 0x0a) at++;
    } else if (c >= 0x30 && c <= 0x39) {
      let n = 0;
      while (at < bytes.length && bytes[at] >= 0x30 && bytes[at] <= 0x39) n = n * 10 + bytes[at++] - 0x30;
      if (fields.length < 3) fields.push(n); else values.push(n);
      continue;
    } else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      fail(name, `unexpected byte ${c} in the PGM header`);
    }
    at++;
  }
  const [width, height, maxval] = fields;
  if (fields.length < 3) fail(name, "truncated PGM header");
  checkSize(name, width, height);
  if (!(maxval >= 1 && maxval <= 65535)) fail(name, `PGM maxval ${maxval} out of range`);
  const count = width * height;
  const grey = new Uint8Array(count);
  if (magic === "P5") {
    const wide = maxval > 255;
    at++; // the single whitespace byte after maxval
    if (bytes.length - at < count * (wide ? 2 : 1)) fail(name, "PGM pixel data is truncated");
    for (let i = 0; i < count; i++) {
      const v = wide ? (bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1] : bytes[at + i];
      grey[i] = Math.round((v * 255) / maxval);
    }
  } else {
    if (values.length < count) fail(name, "PGM pixel data is truncated");
    for (let i = 0; i < count; i++) grey[i] = Math.round((Math.min(values[i], maxval) * 255) / maxval);
  }
  const data = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = grey[i];
  return { width, height, data };
}

function fromRgba(rgba: Uint8Array, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    data[i] = rgba[j];
    data[i + 1] = rgba[j + 1];
    data[i + 2] = rgba[j + 2];
  }
  return { width, height, data };
}

/** Decodes by content (signature), not by file name. */
export function decodeImage(bytes: Uint8Array, name = "image"): RgbImage {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    } catch (e) {
      fail(name, `unreadable PNG (${(e as Error).message})`);
    }
    checkSize(name, png.width, png.height);
    return fromRgba(png.data, png.width, png.height);
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
    } catch (e) {
      fail(name, `unreadable JPEG (${(e as Error).message})`);
    }
    checkSize(name, img.width, img.height);
    return fromRgba(img.data, img.width, img.height);
  }
  if (bytes[0] === 0x50 && (bytes[1] === 0x35 || bytes[1] === 0x32)) return decodePgm(bytes, name);
  fail(name, "not a PNG, JPEG or PGM image");
}

export function readImageFile(path: string): RgbImage {
  return decodeImage(new Uint8Array(readFileSync(path)), path);
}
