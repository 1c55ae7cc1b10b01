/*
 * The face kernel's algorithm written directly in C, for the benchmark's
 * yardsticks (tools/bench/suites/42-face-kernel.ts): the same warp, the same
 * layer loops (four output channels per pass sharing each input byte, four
 * accumulators in the dot product, four channels per depthwise step, the same
 * window clipping) and the same fixed-point requantisation as
 * wasm/face-kernel.ts, over plain pointers with no bounds checks. Where the
 * kernel loads a word and sign-extends its bytes (WebAssembly has no cheaper
 * way), this C indexes bytes and leaves the loads to the compiler. It trusts
 * the image: the benchmark has the kernel check it first, and compares this
 * code's output with the kernel's byte for byte before it times anything.
 * Little-endian host only. KERNEL_NAME is set by the build, so the same file
 * is compiled at -O2 and at -O3 -march=native into one binary.
 */
#include <stdint.h>
#include <string.h>

#ifndef KERNEL_NAME
#define KERNEL_NAME face_c_run
#endif

#define H_INPUT_W 52
#define H_INPUT_H 54
#define H_LAYERS 60
#define H_TENSOR_TABLE 64
#define H_LAYER_TABLE 68
#define H_PRE_MUL 72
#define H_PRE_ADD 76
#define H_PRE_SHIFT 80
#define H_PRE_ORDER 84
#define H_BORDER 92
#define TENSOR_BYTES 16
#define LAYER_BYTES 40

static inline uint32_t u8at(const uint8_t *p, uint32_t o) { return p[o]; }
static inline uint32_t u16at(const uint8_t *p, uint32_t o) { uint16_t v; memcpy(&v, p + o, 2); return v; }
static inline uint32_t u32at(const uint8_t *p, uint32_t o) { uint32_t v; memcpy(&v, p + o, 4); return v; }
static inline int32_t i32at(const uint8_t *p, uint32_t o) { int32_t v; memcpy(&v, p + o, 4); return v; }

static const uint8_t *tensor(const uint8_t *image, uint32_t index) { return image + u32at(image, H_TENSOR_TABLE) + index * TENSOR_BYTES; }

static inline int64_t round_shift(int64_t x, int32_t shift) {
  int64_t half;
  if (shift == 0) return x;
  half = (int64_t)1 << (shift - 1);
  return x >= 0 ? (x + half) >> shift : -((half - x) >> shift);
}

static inline int32_t clamp_to(int64_t x, int32_t lo, int32_t hi) { return x < lo ? lo : x > hi ? hi : (int32_t)x; }
static inline int32_t clamp8(int64_t x) { return x < -128 ? -128 : x > 127 ? 127 : (int32_t)x; }

static inline int32_t requantise(int32_t acc, const uint8_t *q, int32_t lo, int32_t hi) {
  int32_t m = acc >= 0 ? i32at(q, 0) : i32at(q, 4);
  return clamp_to(round_shift((int64_t)acc * m, i32at(q, 8)), lo, hi);
}

static inline void put(uint8_t *dst, int32_t value, int wide) {
  if (wide) memcpy(dst, &value, 4);
  else *(int8_t *)dst = (int8_t)value;
}

static inline uint32_t read_pixel(const uint8_t *p, int32_t format) {
  uint32_t v, r, g, b;
  if (format == 0) return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
  if (format == 1) return (uint32_t)p[0] * 0x010101u;
  v = format == 2 ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) : ((uint32_t)p[0] << 8) | p[1];
  r = (v >> 11) & 31; g = (v >> 5) & 63; b = v & 31;
  return (((r << 3) | (r >> 2)) << 16) | (((g << 2) | (g >> 4)) << 8) | ((b << 3) | (b >> 2));
}

static inline void quantise_pixel(int8_t *dst, uint32_t rgb, int32_t mul, int32_t bias, int32_t shift, int bgr) {
  int32_t r = (int32_t)(rgb >> 16), g = (int32_t)((rgb >> 8) & 0xff), b = (int32_t)(rgb & 0xff), t;
  if (bgr) { t = r; r = b; b = t; }
  dst[0] = (int8_t)clamp8(round_shift((int64_t)(r * mul + bias), shift));
  dst[1] = (int8_t)clamp8(round_shift((int64_t)(g * mul + bias), shift));
  dst[2] = (int8_t)clamp8(round_shift((int64_t)(b * mul + bias), shift));
}

static inline uint32_t bilinear(uint32_t p00, uint32_t p01, uint32_t p10, uint32_t p11, uint64_t fx, uint64_t fy) {
  uint32_t out = 0, s;
  for (s = 0; s <= 16; s += 8) {
    uint64_t top = (uint64_t)((p00 >> s) & 0xff) * (65536 - fx) + (uint64_t)((p01 >> s) & 0xff) * fx;
    uint64_t bottom = (uint64_t)((p10 >> s) & 0xff) * (65536 - fx) + (uint64_t)((p11 >> s) & 0xff) * fx;
    out |= (uint32_t)((top * (65536 - fy) + bottom * fy + 0x80000000u) >> 32) << s;
  }
  return out;
}

static void warp(const uint8_t *image, uint8_t *arena, const uint8_t *frame, int32_t fw, int32_t fh, int32_t format, const int32_t *m) {
  int32_t mul = i32at(image, H_PRE_MUL), bias = i32at(image, H_PRE_ADD), shift = i32at(image, H_PRE_SHIFT);
  int bgr = u32at(image, H_PRE_ORDER) == 1;
  int32_t w = (int32_t)u16at(image, H_INPUT_W), h = (int32_t)u16at(image, H_INPUT_H), u, v;
  uint32_t bpp = format == 0 ? 3 : format == 1 ? 1 : 2;
  size_t row = (size_t)fw * bpp;
  uint32_t outside = u32at(image, H_BORDER) & 0xffffff;
  int8_t *dst = (int8_t *)(arena + u32at(tensor(image, 0), 0));
  for (v = 0; v < h; v++) {
    int64_t sx = (int64_t)m[1] * v + m[2], sy = (int64_t)m[4] * v + m[5];
    for (u = 0; u < w; u++) {
      int64_t x0 = sx >> 16, y0 = sy >> 16;
      uint32_t rgb = outside;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < fw && y0 + 1 < fh) {
        const uint8_t *p = frame + (size_t)y0 * row + (size_t)x0 * bpp;
        rgb = bilinear(read_pixel(p, format), read_pixel(p + bpp, format), read_pixel(p + row, format), read_pixel(p + row + bpp, format), (uint64_t)(sx & 0xffff), (uint64_t)(sy & 0xffff));
      }
      quantise_pixel(dst, rgb, mul, bias, shift, bgr);
      dst += 3;
      sx += m[0];
      sy += m[3];
    }
  }
}

static inline int32_t dot(const int8_t *a, const int8_t *b, int32_t n) {
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const int8_t *end4 = a + (n & ~3), *end;
  while (a < end4) {
    s0 += a[0] * b[0];
    s1 += a[1] * b[1];
    s2 += a[2] * b[2];
    s3 += a[3] * b[3];
    a += 4;
    b += 4;
  }
  end = end4 + (n & 3);
  while (a < end) s0 += *a++ * *b++;
  return (s0 + s1) + (s2 + s3);
}

static void conv(const uint8_t *image, uint8_t *arena, const uint8_t *l) {
  const uint8_t *a = tensor(image, u16at(l, 8)), *o = tensor(image, u16at(l, 12));
  const int8_t *src = (const int8_t *)(arena + u32at(a, 0));
  uint8_t *dst = arena + u32at(o, 0);
  int32_t ih = (int32_t)u16at(a, 4), iw = (int32_t)u16at(a, 6), ic = (int32_t)u16at(a, 8);
  int32_t oh = (int32_t)u16at(o, 4), ow = (int32_t)u16at(o, 6), oc = (int32_t)u16at(o, 8);
  int wide = u8at(o, 10) == 4;
  size_t esize = wide ? 4 : 1;
  int32_t kh = (int32_t)u8at(l, 2), kw = (int32_t)u8at(l, 3), sh = (int32_t)u8at(l, 4), sw = (int32_t)u8at(l, 5);
  int32_t pt = (int32_t)u8at(l, 6), pl = (int32_t)u8at(l, 7);
  const int8_t *weights = (const int8_t *)(image + u32at(l, 16));
  const uint8_t *bias = image + u32at(l, 20), *quant = image + u32at(l, 24);
  int32_t lo = i32at(l, 32), hi = i32at(l, 36);
  size_t per_channel = (size_t)(kh * kw * ic), row_bytes = (size_t)(kw * ic), in_stride = (size_t)(iw * ic);
  int32_t oy, ox;
  for (oy = 0; oy < oh; oy++) {
    int32_t y0 = oy * sh - pt;
    for (ox = 0; ox < ow; ox++) {
      int32_t x0 = ox * sw - pl;
      int32_t ky0 = y0 < 0 ? -y0 : 0, ky1 = y0 + kh > ih ? ih - y0 : kh;
      int32_t kx0 = x0 < 0 ? -x0 : 0, kx1 = x0 + kw > iw ? iw - x0 : kw;
      int32_t span = (kx1 - kx0) * ic, c = 0, r;
      const int8_t *in_start = src + ((y0 + ky0) * iw + x0 + kx0) * ic;
      size_t w_start = (size_t)((ky0 * kw + kx0) * ic);
      if ((oc & 3) == 0) {
        for (; c < oc; c += 4) {
          const int8_t *in = in_start, *k = weights + (size_t)c * per_channel + w_start;
          int32_t s0 = i32at(bias, c * 4), s1 = i32at(bias, c * 4 + 4), s2 = i32at(bias, c * 4 + 8), s3 = i32at(bias, c * 4 + 12);
          const uint8_t *q = quant + c * 12;
          for (r = ky0; r < ky1; r++) {
            int32_t i;
            for (i = 0; i < span; i++) {
              int32_t x = in[i];
              s0 += x * k[i];
              s1 += x * k[i + per_channel];
              s2 += x * k[i + 2 * per_channel];
              s3 += x * k[i + 3 * per_channel];
            }
            in += in_stride;
            k += row_bytes;
          }
          put(dst, requantise(s0, q, lo, hi), wide);
          put(dst + esize, requantise(s1, q + 12, lo, hi), wide);
          put(dst + 2 * esize, requantise(s2, q + 24, lo, hi), wide);
          put(dst + 3 * esize, requantise(s3, q + 36, lo, hi), wide);
          dst += 4 * esize;
        }
      }
      for (; c < oc; c++) {
        int32_t acc = i32at(bias, c * 4);
        const int8_t *in = in_start, *k = weights + (size_t)c * per_channel + w_start;
        for (r = ky0; r < ky1; r++) {
          acc += dot(in, k, span);
          in += in_stride;
          k += row_bytes;
        }
        put(dst, requantise(acc, quant + c * 12, lo, hi), wide);
        dst += esize;
      }
    }
  }
}

static void depthwise(const uint8_t *image, uint8_t *arena, const uint8_t *l) {
  const uint8_t *a = tensor(image, u16at(l, 8)), *o = tensor(image, u16at(l, 12));
  const int8_t *src = (const int8_t *)(arena + u32at(a, 0));
  uint8_t *dst = arena + u32at(o, 0);
  int32_t ih = (int32_t)u16at(a, 4), iw = (int32_t)u16at(a, 6), ch = (int32_t)u16at(a, 8);
  int32_t oh = (int32_t)u16at(o, 4), ow = (int32_t)u16at(o, 6);
  int wide = u8at(o, 10) == 4;
  size_t esize = wide ? 4 : 1;
  int32_t kh = (int32_t)u8at(l, 2), kw = (int32_t)u8at(l, 3), sh = (int32_t)u8at(l, 4), sw = (int32_t)u8at(l, 5);
  int32_t pt = (int32_t)u8at(l, 6), pl = (int32_t)u8at(l, 7);
  const int8_t *weights = (const int8_t *)(image + u32at(l, 16));
  const uint8_t *bias = image + u32at(l, 20), *quant = image + u32at(l, 24);
  int32_t lo = i32at(l, 32), hi = i32at(l, 36), oy, ox;
  for (oy = 0; oy < oh; oy++) {
    int32_t y0 = oy * sh - pt;
    int32_t ky0 = y0 < 0 ? -y0 : 0, ky1 = y0 + kh > ih ? ih - y0 : kh;
    for (ox = 0; ox < ow; ox++) {
      int32_t x0 = ox * sw - pl;
      int32_t kx0 = x0 < 0 ? -x0 : 0, kx1 = x0 + kw > iw ? iw - x0 : kw;
      int32_t c = 0, ky, kx;
      if ((ch & 3) == 0) {
        for (; c < ch; c += 4) {
          int32_t a0 = i32at(bias, c * 4), a1 = i32at(bias, c * 4 + 4), a2 = i32at(bias, c * 4 + 8), a3 = i32at(bias, c * 4 + 12);
          const uint8_t *q = quant + c * 12;
          for (ky = ky0; ky < ky1; ky++) {
            const int8_t *p = src + ((y0 + ky) * iw + x0 + kx0) * ch + c;
            const int8_t *w = weights + (ky * kw + kx0) * ch + c;
            for (kx = kx0; kx < kx1; kx++) {
              a0 += p[0] * w[0];
              a1 += p[1] * w[1];
              a2 += p[2] * w[2];
              a3 += p[3] * w[3];
              p += ch;
              w += ch;
            }
          }
          put(dst, requantise(a0, q, lo, hi), wide);
          put(dst + esize, requantise(a1, q + 12, lo, hi), wide);
          put(dst + 2 * esize, requantise(a2, q + 24, lo, hi), wide);
          put(dst + 3 * esize, requantise(a3, q + 36, lo, hi), wide);
          dst += 4 * esize;
        }
      }
      for (; c < ch; c++) {
        int32_t acc = i32at(bias, c * 4);
        for (ky = ky0; ky < ky1; ky++) {
          const int8_t *p = src + ((y0 + ky) * iw + x0 + kx0) * ch + c;
          const int8_t *w = weights + (ky * kw + kx0) * ch + c;
          for (kx = kx0; kx < kx1; kx++) {
            acc += *p * *w;
            p += ch;
            w += ch;
          }
        }
        put(dst, requantise(acc, quant + c * 12, lo, hi), wide);
        dst += esize;
      }
    }
  }
}

static void add(const uint8_t *image, uint8_t *arena, const uint8_t *l) {
  const uint8_t *a = tensor(image, u16at(l, 8)), *b = tensor(image, u16at(l, 10)), *o = tensor(image, u16at(l, 12));
  const int8_t *pa = (const int8_t *)(arena + u32at(a, 0)), *pb = (const int8_t *)(arena + u32at(b, 0));
  uint8_t *po = arena + u32at(o, 0);
  int wide = u8at(o, 10) == 4;
  size_t esize = wide ? 4 : 1;
  int32_t pixels = (int32_t)(u16at(a, 4) * u16at(a, 6)), ca = (int32_t)u16at(a, 8), cb = (int32_t)u16at(b, 8), i, c;
  const uint8_t *q = image + u32at(l, 24);
  int64_t ma = i32at(q, 0), mb = i32at(q, 4);
  int32_t shift = i32at(q, 8), lo = i32at(l, 32), hi = i32at(l, 36);
  for (i = 0; i < pixels; i++) {
    for (c = 0; c < cb; c++) {
      put(po, clamp_to(round_shift(*pa++ * ma + *pb++ * mb, shift), lo, hi), wide);
      po += esize;
    }
    for (c = cb; c < ca; c++) {
      put(po, clamp_to(round_shift(*pa++ * ma, shift), lo, hi), wide);
      po += esize;
    }
  }
}

static void maxpool(const uint8_t *image, uint8_t *arena, const uint8_t *l) {
  const uint8_t *a = tensor(image, u16at(l, 8)), *o = tensor(image, u16at(l, 12));
  const int8_t *src = (const int8_t *)(arena + u32at(a, 0));
  int8_t *dst = (int8_t *)(arena + u32at(o, 0));
  int32_t ih = (int32_t)u16at(a, 4), iw = (int32_t)u16at(a, 6), ch = (int32_t)u16at(a, 8);
  int32_t oh = (int32_t)u16at(o, 4), ow = (int32_t)u16at(o, 6);
  int32_t kh = (int32_t)u8at(l, 2), kw = (int32_t)u8at(l, 3), sh = (int32_t)u8at(l, 4), sw = (int32_t)u8at(l, 5);
  int32_t pt = (int32_t)u8at(l, 6), pl = (int32_t)u8at(l, 7), oy, ox, c, ky, kx;
  for (oy = 0; oy < oh; oy++) {
    int32_t y0 = oy * sh - pt;
    int32_t ky0 = y0 < 0 ? -y0 : 0, ky1 = y0 + kh > ih ? ih - y0 : kh;
    for (ox = 0; ox < ow; ox++) {
      int32_t x0 = ox * sw - pl;
      int32_t kx0 = x0 < 0 ? -x0 : 0, kx1 = x0 + kw > iw ? iw - x0 : kw;
      for (c = 0; c < ch; c++) {
        int32_t best = -128;
        for (ky = ky0; ky < ky1; ky++) {
          const int8_t *p = src + ((y0 + ky) * iw + x0 + kx0) * ch + c;
          for (kx = kx0; kx < kx1; kx++) {
            if (*p > best) best = *p;
            p += ch;
          }
        }
        *dst++ = (int8_t)best;
      }
    }
  }
}

/* Warps the face out of the frame through m (Q16, as embedWarped) and runs every layer; outputs land in the arena. */
void KERNEL_NAME(const uint8_t *image, uint8_t *arena, const uint8_t *frame, int32_t fw, int32_t fh, int32_t format, const int32_t *m) {
  uint32_t layers = u16at(image, H_LAYERS), i;
  warp(image, arena, frame, fw, fh, format, m);
  for (i = 0; i < layers; i++) {
    const uint8_t *l = image + u32at(image, H_LAYER_TABLE) + i * LAYER_BYTES;
    switch (l[0]) {
      case 1: conv(image, arena, l); break;
      case 2: depthwise(image, arena, l); break;
      case 4: maxpool(image, arena, l); break;
      default: add(image, arena, l); break;
    }
  }
}
