// The kernel's arithmetic written out the plainest way, from the image bytes
// alone: loops over every tap with explicit bounds tests, BigInt for the
// requantisation product, rounding half away from zero spelled out. The
// kernel (WebAssembly and C) must give exactly these integers.
const OPS = { 1: "conv", 2: "dwconv", 3: "add", 4: "maxpool" } as const;

function roundShift(x: bigint, shift: number): bigint {
  if (shift === 0) return x;
  const d = 1n << BigInt(shift);
  const mag = x < 0n ? -x : x;
  const q = (mag + d / 2n) / d; // half away from zero
  return x < 0n ? -q : q;
}

const clamp = (x: bigint, lo: number, hi: number) => Number(x < BigInt(lo) ? BigInt(lo) : x > BigInt(hi) ? BigInt(hi) : x);

/** The primary output (the embedding). */
export function referenceEmbed(image: Uint8Array, pixels: Uint8Array, grey: boolean): Int32Array {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const primary = v.getUint16(62, true);
  const tensorTable = v.getUint32(64, true);
  let k = 0;
  for (let i = 0; i < primary; i++) if (v.getUint8(tensorTable + 16 * i + 10) === 4) k++;
  return referenceOutputs(image, pixels, grey)[k];
}

/** Every output (int32 tensor), in table order, as the kernel's outputAt(k). */
export function referenceOutputs(image: Uint8Array, pixels: Uint8Array, grey: boolean): Int32Array[] {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const u8 = (o: number) => v.getUint8(o), i8 = (o: number) => v.getInt8(o), u16 = (o: number) => v.getUint16(o, true), u32 = (o: number) => v.getUint32(o, true), i32 = (o: number) => v.getInt32(o, true);
  const tensorTable = u32(64), layerTable = u32(68);
  const tensor = (i: number) => { const o = tensorTable + 16 * i; return { h: u16(o + 4), w: u16(o + 6), c: u16(o + 8) }; };
  const values: number[][] = [];
  const t0 = tensor(0);
  const [mul, add, shift] = [i32(72), i32(76), i32(80)];
  values[0] = [];
  for (let p = 0; p < t0.h * t0.w; p++) for (let c = 0; c < 3; c++) {
    const px = grey ? pixels[p] : pixels[3 * p + c];
    values[0].push(clamp(roundShift(BigInt(px * mul + add), shift), -128, 127));
  }
  for (let li = 0; li < u16(60); li++) {
    const l = layerTable + 40 * li;
    const op = OPS[u8(l) as 1 | 2 | 3 | 4];
    const [kh, kw, sh, sw, pt, pl] = [u8(l + 2), u8(l + 3), u8(l + 4), u8(l + 5), u8(l + 6), u8(l + 7)];
    const [inA, inB, out] = [u16(l + 8), u16(l + 10), u16(l + 12)];
    const [weights, bias, quant] = [u32(l + 16), u32(l + 20), u32(l + 24)];
    const [lo, hi] = [i32(l + 32), i32(l + 36)];
    const a = tensor(inA), o = tensor(out);
    const x = values[inA];
    const y: number[] = [];
    if (op === "add") {
      const b = values[inB];
      const cb = tensor(inB).c;
      for (let i = 0; i < x.length; i++) {
        const c = i % a.c;
        const bi = c < cb ? BigInt(b[Math.floor(i / a.c) * cb + c]) : 0n;
        y.push(clamp(roundShift(BigInt(x[i]) * BigInt(i32(quant)) + bi * BigInt(i32(quant + 4)), i32(quant + 8)), lo, hi));
      }
    } else if (op === "maxpool") {
      for (let oy = 0; oy < o.h; oy++) for (let ox = 0; ox < o.w; ox++) for (let c = 0; c < o.c; c++) {
        let best = -128;
        for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
          const iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
          if (iy >= 0 && iy < a.h && ix >= 0 && ix < a.w) best = Math.max(best, x[(iy * a.w + ix) * a.c + c]);
        }
        y.push(best);
      }
    } else {
      for (let oy = 0; oy < o.h; oy++) for (let ox = 0; ox < o.w; ox++) for (let c = 0; c < o.c; c++) {
        let acc = i32(bias + 4 * c);
        for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
          const iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
          if (iy < 0 || iy >= a.h || ix < 0 || ix >= a.w) continue;
          if (op === "dwconv") acc += x[(iy * a.w + ix) * a.c + c] * i8(weights + (ky * kw + kx) * a.c + c);
          else for (let i = 0; i < a.c; i++) acc += x[(iy * a.w + ix) * a.c + i] * i8(weights + ((c * kh + ky) * kw + kx) * a.c + i);
        }
        const q = quant + 12 * c;
        const m = acc >= 0 ? i32(q) : i32(q + 4);
        y.push(clamp(roundShift(BigInt(acc) * BigInt(m), i32(q + 8)), lo, hi));
      }
    }
    values[out] = y;
  }
  const outputs: Int32Array[] = [];
  for (let i = 0; i < u16(58); i++) if (u8(tensorTable + 16 * i + 10) === 4) outputs.push(Int32Array.from(values[i]));
  return outputs;
}

/**
 * The kernel's crop-and-warp written out with BigInt: crop pixel (u, v)
 * samples the RGB888 frame at ((m0·u + m1·v + m2), (m3·u + m4·v + m5)) / 2^16,
 * bilinearly with 16-bit fractions, half up; mid-grey where the 2×2
 * neighbourhood leaves the frame.
 */
export function referenceWarp(frame: Uint8Array, width: number, height: number, m: number[], size: number): Uint8Array {
  const p = m.map(BigInt);
  const crop = new Uint8Array(size * size * 3);
  for (let v = 0; v < size; v++) for (let u = 0; u < size; u++) {
    const sx = p[0] * BigInt(u) + p[1] * BigInt(v) + p[2], sy = p[3] * BigInt(u) + p[4] * BigInt(v) + p[5];
    const x0 = Number(sx >> 16n), y0 = Number(sy >> 16n);
    const fx = sx & 0xffffn, fy = sy & 0xffffn;
    for (let c = 0; c < 3; c++) {
      let value = 128n;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
        const at = (x: number, y: number) => BigInt(frame[(y * width + x) * 3 + c]);
        const top = at(x0, y0) * (65536n - fx) + at(x0 + 1, y0) * fx;
        const bottom = at(x0, y0 + 1) * (65536n - fx) + at(x0 + 1, y0 + 1) * fx;
        value = (top * (65536n - fy) + bottom * fy + 0x80000000n) >> 32n;
      }
      crop[(v * size + u) * 3 + c] = Number(value);
    }
  }
  return crop;
}
