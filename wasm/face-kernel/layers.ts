// The network's layers over the arena: convolution, depthwise convolution,
// add, max-pooling. loadModel() has checked every layer's reach, so the loops
// load unchecked.
import { clampTo, put, requantise, roundShift } from "./fixed-point";
import { H_LAYERS, OP_CONV, OP_DWCONV, OP_MAXPOOL, layerRecordIn, tensorRecordIn } from "./layout";

/** Runs every layer of the checked image at `image` over the arena at `arena`. */
export function runLayers(image: usize, arena: usize): void {
  const layers = <u32>load<u16>(image + H_LAYERS);
  for (let i: u32 = 0; i < layers; i++) {
    const l = layerRecordIn(image, i);
    const op = <u32>load<u8>(l);
    if (op == OP_CONV) conv(image, arena, l);
    else if (op == OP_DWCONV) depthwise(image, arena, l);
    else if (op == OP_MAXPOOL) maxpool(image, arena, l);
    else add(image, arena, l);
  }
}

/** Full convolution, weights [cout][kh][kw][cin], input and output HWC. */
function conv(imageAt: usize, arenaAt: usize, l: usize): void {
  const a = tensorRecordIn(imageAt, <u32>load<u16>(l, 8)), o = tensorRecordIn(imageAt, <u32>load<u16>(l, 12));
  const src = arenaAt + <usize>load<u32>(a), dst0 = arenaAt + <usize>load<u32>(o);
  const ih = <i32>load<u16>(a, 4), iw = <i32>load<u16>(a, 6), ic = <i32>load<u16>(a, 8);
  const oh = <i32>load<u16>(o, 4), ow = <i32>load<u16>(o, 6), oc = <i32>load<u16>(o, 8);
  const wide = load<u8>(o, 10) == 4;
  const esize: usize = wide ? 4 : 1;
  const kh = <i32>load<u8>(l, 2), kw = <i32>load<u8>(l, 3), sh = <i32>load<u8>(l, 4), sw = <i32>load<u8>(l, 5);
  const pt = <i32>load<u8>(l, 6), pl = <i32>load<u8>(l, 7);
  const weights = imageAt + <usize>load<u32>(l, 16), bias = imageAt + <usize>load<u32>(l, 20), quant = imageAt + <usize>load<u32>(l, 24);
  const lo = load<i32>(l, 32), hi = load<i32>(l, 36);
  const perChannel = <usize>(kh * kw * ic);
  const rowBytes = <usize>(kw * ic);
  let dst = dst0;
  for (let oy = 0; oy < oh; oy++) {
    const y0 = oy * sh - pt;
    for (let ox = 0; ox < ow; ox++) {
      const x0 = ox * sw - pl;
      // Clip the window to the input once per pixel: padding is zero, so it adds nothing.
      const ky0 = y0 < 0 ? -y0 : 0, ky1 = y0 + kh > ih ? ih - y0 : kh;
      const kx0 = x0 < 0 ? -x0 : 0, kx1 = x0 + kw > iw ? iw - x0 : kw;
      const span = (kx1 - kx0) * ic;
      const inStart = src + <usize>(((y0 + ky0) * iw + x0 + kx0) * ic);
      const wStart = <usize>((ky0 * kw + kx0) * ic);
      let c = 0;
      // Four output channels per pass where the count allows: each input word
      // is loaded and sign-extended once for four weight rows.
      if ((oc & 3) == 0) {
        for (; c < oc; c += 4) {
          dot4(inStart, weights + <usize>c * perChannel + wStart, perChannel, span, ky1 - ky0, <usize>(iw * ic), rowBytes, bias + <usize>(c << 2));
          const q = quant + <usize>(c * 12);
          put(dst, requantise(<i32>acc0, q, lo, hi), wide);
          put(dst + esize, requantise(<i32>acc1, q + 12, lo, hi), wide);
          put(dst + 2 * esize, requantise(<i32>acc2, q + 24, lo, hi), wide);
          put(dst + 3 * esize, requantise(<i32>acc3, q + 36, lo, hi), wide);
          dst += 4 * esize;
        }
      }
      for (; c < oc; c++) {
        let acc = load<i32>(bias + <usize>(c << 2));
        let inRow = inStart;
        let wRow = weights + <usize>c * perChannel + wStart;
        for (let ky = ky0; ky < ky1; ky++) {
          acc += dot(inRow, wRow, span);
          inRow += <usize>(iw * ic);
          wRow += rowBytes;
        }
        put(dst, requantise(acc, quant + <usize>(c * 12), lo, hi), wide);
        dst += esize;
      }
    }
  }
}

// dot4 leaves its four sums here (globals: AssemblyScript has no multi-value
// returns under --runtime stub without allocation).
let acc0: i32 = 0;
let acc1: i32 = 0;
let acc2: i32 = 0;
let acc3: i32 = 0;

/**
 * Four output channels of one output pixel: `rows` rows of `span` bytes of input
 * (stride inStride) against four weight rows `perChannel` apart (row stride
 * wStride), plus their biases. Tails of span not divisible by 4 go bytewise.
 */
function dot4(input: usize, w: usize, perChannel: usize, span: i32, rows: i32, inStride: usize, wStride: usize, bias: usize): void {
  let s0 = load<i32>(bias), s1 = load<i32>(bias, 4), s2 = load<i32>(bias, 8), s3 = load<i32>(bias, 12);
  const w1 = perChannel, w2 = perChannel << 1, w3 = perChannel * 3;
  const words = <usize>(span & ~3);
  const tail = <usize>(span & 3);
  for (let r = 0; r < rows; r++) {
    let p = input, k = w;
    const end = input + words;
    while (p < end) {
      const x = load<i32>(p);
      const x0 = (x << 24) >> 24, x1 = (x << 16) >> 24, x2 = (x << 8) >> 24, x3 = x >> 24;
      let y = load<i32>(k);
      s0 += x0 * ((y << 24) >> 24) + x1 * ((y << 16) >> 24) + x2 * ((y << 8) >> 24) + x3 * (y >> 24);
      y = load<i32>(k + w1);
      s1 += x0 * ((y << 24) >> 24) + x1 * ((y << 16) >> 24) + x2 * ((y << 8) >> 24) + x3 * (y >> 24);
      y = load<i32>(k + w2);
      s2 += x0 * ((y << 24) >> 24) + x1 * ((y << 16) >> 24) + x2 * ((y << 8) >> 24) + x3 * (y >> 24);
      y = load<i32>(k + w3);
      s3 += x0 * ((y << 24) >> 24) + x1 * ((y << 16) >> 24) + x2 * ((y << 8) >> 24) + x3 * (y >> 24);
      p += 4;
      k += 4;
    }
    const stop = p + tail;
    while (p < stop) {
      const x = <i32>load<i8>(p);
      s0 += x * <i32>load<i8>(k);
      s1 += x * <i32>load<i8>(k + w1);
      s2 += x * <i32>load<i8>(k + w2);
      s3 += x * <i32>load<i8>(k + w3);
      p += 1;
      k += 1;
    }
    input += inStride;
    w += wStride;
  }
  acc0 = s0;
  acc1 = s1;
  acc2 = s2;
  acc3 = s3;
}

/** Depthwise convolution (multiplier 1), weights [kh][kw][c]. */
function depthwise(imageAt: usize, arenaAt: usize, l: usize): void {
  const a = tensorRecordIn(imageAt, <u32>load<u16>(l, 8)), o = tensorRecordIn(imageAt, <u32>load<u16>(l, 12));
  const src = arenaAt + <usize>load<u32>(a), dst0 = arenaAt + <usize>load<u32>(o);
  const ih = <i32>load<u16>(a, 4), iw = <i32>load<u16>(a, 6), ch = <i32>load<u16>(a, 8);
  const oh = <i32>load<u16>(o, 4), ow = <i32>load<u16>(o, 6);
  const wide = load<u8>(o, 10) == 4;
  const esize: usize = wide ? 4 : 1;
  const kh = <i32>load<u8>(l, 2), kw = <i32>load<u8>(l, 3), sh = <i32>load<u8>(l, 4), sw = <i32>load<u8>(l, 5);
  const pt = <i32>load<u8>(l, 6), pl = <i32>load<u8>(l, 7);
  const weights = imageAt + <usize>load<u32>(l, 16), bias = imageAt + <usize>load<u32>(l, 20), quant = imageAt + <usize>load<u32>(l, 24);
  const lo = load<i32>(l, 32), hi = load<i32>(l, 36);
  let dst = dst0;
  for (let oy = 0; oy < oh; oy++) {
    const y0 = oy * sh - pt;
    const ky0 = y0 < 0 ? -y0 : 0, ky1 = y0 + kh > ih ? ih - y0 : kh;
    for (let ox = 0; ox < ow; ox++) {
      const x0 = ox * sw - pl;
      const kx0 = x0 < 0 ? -x0 : 0, kx1 = x0 + kw > iw ? iw - x0 : kw;
      // Four channels per step where the channel count allows: one i32 load
      // gives four neighbouring channels of a tap (HWC), as for the weights.
      let c = 0;
      if ((ch & 3) == 0) {
        for (; c < ch; c += 4) {
          let a0 = load<i32>(bias + <usize>(c << 2)), a1 = load<i32>(bias + <usize>(c << 2), 4);
          let a2 = load<i32>(bias + <usize>(c << 2), 8), a3 = load<i32>(bias + <usize>(c << 2), 12);
          for (let ky = ky0; ky < ky1; ky++) {
            let p = src + <usize>(((y0 + ky) * iw + x0 + kx0) * ch + c);
            let w = weights + <usize>((ky * kw + kx0) * ch + c);
            for (let kx = kx0; kx < kx1; kx++) {
              const x = load<i32>(p);
              const k = load<i32>(w);
              a0 += ((x << 24) >> 24) * ((k << 24) >> 24);
              a1 += ((x << 16) >> 24) * ((k << 16) >> 24);
              a2 += ((x << 8) >> 24) * ((k << 8) >> 24);
              a3 += (x >> 24) * (k >> 24);
              p += <usize>ch;
              w += <usize>ch;
            }
          }
          const q = quant + <usize>(c * 12);
          put(dst, requantise(a0, q, lo, hi), wide);
          put(dst + esize, requantise(a1, q + 12, lo, hi), wide);
          put(dst + 2 * esize, requantise(a2, q + 24, lo, hi), wide);
          put(dst + 3 * esize, requantise(a3, q + 36, lo, hi), wide);
          dst += 4 * esize;
        }
      }
      for (; c < ch; c++) {
        let acc = load<i32>(bias + <usize>(c << 2));
        for (let ky = ky0; ky < ky1; ky++) {
          let p = src + <usize>(((y0 + ky) * iw + x0 + kx0) * ch + c);
          let w = weights + <usize>((ky * kw + kx0) * ch + c);
          for (let kx = kx0; kx < kx1; kx++) {
            acc += <i32>load<i8>(p) * <i32>load<i8>(w);
            p += <usize>ch;
            w += <usize>ch;
          }
        }
        put(dst, requantise(acc, quant + <usize>(c * 12), lo, hi), wide);
        dst += esize;
      }
    }
  }
}

/** Elementwise a·ma + b·mb, one shared shift. */
function add(imageAt: usize, arenaAt: usize, l: usize): void {
  const a = tensorRecordIn(imageAt, <u32>load<u16>(l, 8)), b = tensorRecordIn(imageAt, <u32>load<u16>(l, 10)), o = tensorRecordIn(imageAt, <u32>load<u16>(l, 12));
  let pa = arenaAt + <usize>load<u32>(a), pb = arenaAt + <usize>load<u32>(b), po = arenaAt + <usize>load<u32>(o);
  const wide = load<u8>(o, 10) == 4;
  const esize: usize = wide ? 4 : 1;
  const pixels = <i32>load<u16>(a, 4) * <i32>load<u16>(a, 6);
  const ca = <i32>load<u16>(a, 8), cb = <i32>load<u16>(b, 8);
  const q = imageAt + <usize>load<u32>(l, 24);
  const ma = <i64>load<i32>(q), mb = <i64>load<i32>(q, 4), shift = load<i32>(q, 8);
  const lo = load<i32>(l, 32), hi = load<i32>(l, 36);
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < cb; c++) {
      const v = <i64>load<i8>(pa) * ma + <i64>load<i8>(pb) * mb;
      put(po, clampTo(roundShift(v, shift), lo, hi), wide);
      pa += 1;
      pb += 1;
      po += esize;
    }
    for (let c = cb; c < ca; c++) {
      put(po, clampTo(roundShift(<i64>load<i8>(pa) * ma, shift), lo, hi), wide);
      pa += 1;
      po += esize;
    }
  }
}

/** Max over each window; padding never wins (it is skipped, not zero). */
function maxpool(imageAt: usize, arenaAt: usize, l: usize): void {
  const a = tensorRecordIn(imageAt, <u32>load<u16>(l, 8)), o = tensorRecordIn(imageAt, <u32>load<u16>(l, 12));
  const src = arenaAt + <usize>load<u32>(a);
  let dst = arenaAt + <usize>load<u32>(o);
  const ih = <i32>load<u16>(a, 4), iw = <i32>load<u16>(a, 6), ch = <i32>load<u16>(a, 8);
  const oh = <i32>load<u16>(o, 4), ow = <i32>load<u16>(o, 6);
  const kh = <i32>load<u8>(l, 2), kw = <i32>load<u8>(l, 3), sh = <i32>load<u8>(l, 4), sw = <i32>load<u8>(l, 5);
  const pt = <i32>load<u8>(l, 6), pl = <i32>load<u8>(l, 7);
  for (let oy = 0; oy < oh; oy++) {
    const y0 = oy * sh - pt;
    const ky0 = y0 < 0 ? -y0 : 0, ky1 = y0 + kh > ih ? ih - y0 : kh;
    for (let ox = 0; ox < ow; ox++) {
      const x0 = ox * sw - pl;
      const kx0 = x0 < 0 ? -x0 : 0, kx1 = x0 + kw > iw ? iw - x0 : kw;
      for (let c = 0; c < ch; c++) {
        let best: i32 = -128;
        for (let ky = ky0; ky < ky1; ky++) {
          let p = src + <usize>(((y0 + ky) * iw + x0 + kx0) * ch + c);
          for (let kx = kx0; kx < kx1; kx++) {
            const v = <i32>load<i8>(p);
            if (v > best) best = v;
            p += <usize>ch;
          }
        }
        store<i8>(dst, <i8>best);
        dst += 1;
      }
    }
  }
}

// Sum of n int8 products. Four bytes per i32 load where n allows (as in
// wasm/matcher.ts: under wasm2c on the S3 every load is bounds-checked), the
// tail a byte at a time. Unaligned i32 loads are fine in WebAssembly.
// @ts-ignore: decorator
@inline
function dot(a: usize, b: usize, n: i32): i32 {
  let s0: i32 = 0, s1: i32 = 0, s2: i32 = 0, s3: i32 = 0;
  const end4 = a + <usize>(n & ~3);
  while (a < end4) {
    const x = load<i32>(a);
    const y = load<i32>(b);
    s0 += ((x << 24) >> 24) * ((y << 24) >> 24);
    s1 += ((x << 16) >> 24) * ((y << 16) >> 24);
    s2 += ((x << 8) >> 24) * ((y << 8) >> 24);
    s3 += (x >> 24) * (y >> 24);
    a += 4;
    b += 4;
  }
  const end = end4 + <usize>(n & 3);
  while (a < end) {
    s0 += <i32>load<i8>(a) * <i32>load<i8>(b);
    a += 1;
    b += 1;
  }
  return (s0 + s1) + (s2 + s3);
}
