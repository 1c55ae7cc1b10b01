// The network's input from the frame: pixel formats, the input affine, and
// the warp (crop, rotate, scale, mirror) of the face out of a whole frame.
import { clamp8, roundShift } from "./fixed-point";
import { H_BORDER, H_INPUT_H, H_INPUT_W, H_PRE_ADD, H_PRE_MUL, H_PRE_ORDER, H_PRE_SHIFT, tensorRecordIn } from "./layout";

// Pixel formats of the frame handed to embed() and embedWarped(). RGB565 as
// camera drivers deliver it, in either byte order.
const FORMAT_RGB888: i32 = 0;
const FORMAT_GREY8: i32 = 1;
const FORMAT_RGB565LE: i32 = 2;
const FORMAT_RGB565BE: i32 = 3;
export const MAX_FRAME_SIDE: i32 = 4096;

// @ts-ignore: decorator
@inline
export function bytesPerPixel(format: i32): u32 {
  if (format == FORMAT_RGB888) return 3;
  if (format == FORMAT_GREY8) return 1;
  if (format == FORMAT_RGB565LE || format == FORMAT_RGB565BE) return 2;
  return 0;
}

/** One pixel as 0x00RRGGBB; 5/6-bit RGB565 fields widened by repeating their top bits. */
// @ts-ignore: decorator
@inline
function readPixel(at: usize, format: i32): u32 {
  if (format == FORMAT_RGB888) return (<u32>load<u8>(at) << 16) | (<u32>load<u8>(at, 1) << 8) | <u32>load<u8>(at, 2);
  if (format == FORMAT_GREY8) return <u32>load<u8>(at) * 0x010101;
  const v: u32 = format == FORMAT_RGB565LE ? <u32>load<u8>(at) | (<u32>load<u8>(at, 1) << 8) : (<u32>load<u8>(at) << 8) | <u32>load<u8>(at, 1);
  const r = (v >> 11) & 31, g = (v >> 5) & 63, b = v & 31;
  return (((r << 3) | (r >> 2)) << 16) | (((g << 2) | (g >> 4)) << 8) | ((b << 3) | (b >> 2));
}

/** Writes one RGB pixel (0x00RRGGBB) to the int8 input through the image's affine. */
// @ts-ignore: decorator
@inline
function quantisePixel(dst: usize, rgb: u32, mul: i32, bias: i32, shift: i32, bgr: bool): void {
  let r = <i32>(rgb >> 16), g = <i32>((rgb >> 8) & 0xff), b = <i32>(rgb & 0xff);
  if (bgr) { const t = r; r = b; b = t; }
  store<i8>(dst, <i8>clamp8(roundShift(<i64>(r * mul + bias), shift)));
  store<i8>(dst, <i8>clamp8(roundShift(<i64>(g * mul + bias), shift)), 1);
  store<i8>(dst, <i8>clamp8(roundShift(<i64>(b * mul + bias), shift)), 2);
}

export function preprocess(at: usize, frameAt: usize, arenaAt: usize, pixels: u32, bpp: u32, format: i32): void {
  const mul = load<i32>(at + H_PRE_MUL), bias = load<i32>(at + H_PRE_ADD), shift = load<i32>(at + H_PRE_SHIFT);
  const bgr = load<u32>(at + H_PRE_ORDER) == 1;
  let src = frameAt;
  let dst = arenaAt + <usize>load<u32>(tensorRecordIn(at, 0));
  for (let i: u32 = 0; i < pixels; i++) {
    quantisePixel(dst, readPixel(src, format), mul, bias, shift, bgr);
    src += <usize>bpp;
    dst += 3;
  }
}

export function warp(at: usize, frameAt: usize, arenaAt: usize, fw: i32, fh: i32, bpp: u32, format: i32, m0: i32, m1: i32, m2: i32, m3: i32, m4: i32, m5: i32): void {
  const mul = load<i32>(at + H_PRE_MUL), bias = load<i32>(at + H_PRE_ADD), shift = load<i32>(at + H_PRE_SHIFT);
  const bgr = load<u32>(at + H_PRE_ORDER) == 1;
  const w = <i32>load<u16>(at + H_INPUT_W), h = <i32>load<u16>(at + H_INPUT_H);
  const row = <usize>fw * <usize>bpp;
  const outside = load<u32>(at + H_BORDER) & 0xffffff;
  let dst = arenaAt + <usize>load<u32>(tensorRecordIn(at, 0));
  for (let v = 0; v < h; v++) {
    // i64: the Q16 products cannot wrap whatever the host passes.
    let sx = <i64>m1 * <i64>v + <i64>m2, sy = <i64>m4 * <i64>v + <i64>m5;
    for (let u = 0; u < w; u++) {
      const x0 = sx >> 16, y0 = sy >> 16;
      let rgb = outside;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < <i64>fw && y0 + 1 < <i64>fh) {
        const fx = <u64>(sx & 0xffff), fy = <u64>(sy & 0xffff);
        const p = frameAt + <usize>y0 * row + <usize>x0 * <usize>bpp;
        rgb = bilinear(readPixel(p, format), readPixel(p + <usize>bpp, format), readPixel(p + row, format), readPixel(p + row + <usize>bpp, format), fx, fy);
      }
      quantisePixel(dst, rgb, mul, bias, shift, bgr);
      dst += 3;
      sx += <i64>m0;
      sy += <i64>m3;
    }
  }
}

/** Bilinear blend of four 0x00RRGGBB pixels with 16-bit fractions, rounded half up. */
function bilinear(p00: u32, p01: u32, p10: u32, p11: u32, fx: u64, fy: u64): u32 {
  let out: u32 = 0;
  for (let s: u32 = 0; s <= 16; s += 8) {
    const top = <u64>((p00 >> s) & 0xff) * (65536 - fx) + <u64>((p01 >> s) & 0xff) * fx;
    const bottom = <u64>((p10 >> s) & 0xff) * (65536 - fx) + <u64>((p11 >> s) & 0xff) * fx;
    out |= <u32>((top * (65536 - fy) + bottom * fy + 0x80000000) >> 32) << s;
  }
  return out;
}
