// Face-template matcher kernel (AssemblyScript). One source, two builds:
// build/wasm/matcher.wasm (scalar; also the input of wasm2c for the board)
// and build/wasm/matcher.simd.wasm (Node only). Compiled with
// `asc --runtime stub -O3 --noAssert --use abort=`: no imports, no allocator.
//
// Memory is owned by the host: after init(dim, capacity) the host writes
// templates at galleryPtr() + slot * dim and the probe at probePtr(), calls
// verify/scan, and reads the results as four i32 at resultPtr():
//   [0] best index  [1] best score  [2] second index  [3] second score
// Every export checks its arguments once at entry and returns a negative
// status instead of touching memory out of range; the loops after that check
// use unchecked loads. Statuses are mirrored in src/core/matcher/kernel-status.ts.

const OK: i32 = 0;
const E_DIMENSION: i32 = -1;
const E_CAPACITY: i32 = -2;
const E_SLOT: i32 = -3;
const E_COUNT: i32 = -4;
const E_PROBE: i32 = -5;
const E_NOT_READY: i32 = -6;
const E_MEMORY: i32 = -7;

/** Absent index/score in a scan result (no second template, for instance). */
const ABSENT_INDEX: i32 = -1;
const ABSENT_SCORE: i32 = i32.MIN_VALUE;

// Dimension is a multiple of 16 so the SIMD build needs no tail loop and the
// scalar build's 4-way unroll never runs past the end of a row.
const DIM_STEP: i32 = 16;
const MAX_DIM: i32 = 4096;
const MAX_CAPACITY: i32 = 1 << 20;
const RESULT_BYTES: i32 = 16;

let dim: i32 = 0;
let capacity: i32 = 0;
let resultAt: usize = 0;
let probeAt: usize = 0;
let galleryAt: usize = 0;

/** Lay out result, probe and gallery after the module's static data; grow memory to fit. */
export function init(dimension: i32, slots: i32): i32 {
  if (dimension < DIM_STEP || dimension > MAX_DIM || dimension % DIM_STEP != 0) return E_DIMENSION;
  if (slots < 1 || slots > MAX_CAPACITY) return E_CAPACITY;
  const base: usize = (__heap_base + 15) & ~(<usize>15);
  const end: u64 = <u64>base + <u64>RESULT_BYTES + <u64>dimension + <u64>dimension * <u64>slots;
  const pagesNeeded = <i32>((end + 0xffff) >> 16);
  const pagesNow = memory.size();
  if (pagesNeeded > pagesNow && memory.grow(pagesNeeded - pagesNow) < 0) return E_MEMORY;
  dim = dimension;
  capacity = slots;
  resultAt = base;
  probeAt = base + RESULT_BYTES;
  galleryAt = probeAt + <usize>dimension;
  memory.fill(resultAt, 0, <usize>(end - <u64>base));
  return OK;
}

export function resultPtr(): usize { return resultAt; }
export function probePtr(): usize { return probeAt; }
export function galleryPtr(): usize { return galleryAt; }

/** Zero one slot so its bytes no longer exist in matcher memory. */
export function clear(slot: i32): i32 {
  if (dim == 0) return E_NOT_READY;
  if (slot < 0 || slot >= capacity) return E_SLOT;
  memory.fill(galleryAt + <usize>slot * <usize>dim, 0, <usize>dim);
  return OK;
}

/** 1:1 score of the probe at probeOffset against one slot; written to result[1]. */
export function verify(slot: i32, probeOffset: usize): i32 {
  if (dim == 0) return E_NOT_READY;
  if (slot < 0 || slot >= capacity) return E_SLOT;
  if (!probeFits(probeOffset)) return E_PROBE;
  const score = dot(galleryAt + <usize>slot * <usize>dim, probeOffset, dim);
  store<i32>(resultAt, slot);
  store<i32>(resultAt, score, 4);
  store<i32>(resultAt, ABSENT_INDEX, 8);
  store<i32>(resultAt, ABSENT_SCORE, 12);
  return OK;
}

/** 1:N scan over slots [0, count): best and second best; ties go to the lower index. */
export function scan(count: i32, probeOffset: usize): i32 {
  if (dim == 0) return E_NOT_READY;
  if (count < 1 || count > capacity) return E_COUNT;
  if (!probeFits(probeOffset)) return E_PROBE;
  const d = dim;
  const stride = <usize>d;
  let row = galleryAt;
  let bestIndex = ABSENT_INDEX;
  let bestScore = ABSENT_SCORE;
  let secondIndex = ABSENT_INDEX;
  let secondScore = ABSENT_SCORE;
  for (let i = 0; i < count; i++) {
    const score = dot(row, probeOffset, d);
    if (score > bestScore) {
      secondIndex = bestIndex;
      secondScore = bestScore;
      bestIndex = i;
      bestScore = score;
    } else if (score > secondScore) {
      secondIndex = i;
      secondScore = score;
    }
    row += stride;
  }
  store<i32>(resultAt, bestIndex);
  store<i32>(resultAt, bestScore, 4);
  store<i32>(resultAt, secondIndex, 8);
  store<i32>(resultAt, secondScore, 12);
  return OK;
}

// The probe may sit anywhere in memory (the host's probe area or a slot), but
// wholly inside it: checked once here so dot() can load unchecked.
// @ts-ignore: decorator
@inline
function probeFits(offset: usize): bool {
  return <u64>offset + <u64>dim <= (<u64>memory.size() << 16);
}

// @ts-ignore: decorator
@inline
function dot(a: usize, b: usize, n: i32): i32 {
  if (ASC_FEATURE_SIMD) return dotSimd(a, b, n);
  return dotScalar(a, b, n);
}

// Four independent i32 accumulators: |score| <= 128 * 128 * 4096 = 2^26, so
// no accumulator can overflow at any supported dimension. One i32 load per
// four bytes, sign-extended by shifts: under wasm2c with explicit bounds
// checks (the ESP32-S3) every load costs a check, and this halves the loads
// and quarters the checks of byte loads (measured: wasm2c-C ≈1.1× the plain C
// baseline instead of ≈1.4×).
function dotScalar(a: usize, b: usize, n: i32): i32 {
  let s0: i32 = 0, s1: i32 = 0, s2: i32 = 0, s3: i32 = 0;
  const end = a + <usize>n;
  while (a < end) {
    const x = load<i32>(a);
    const y = load<i32>(b);
    s0 += ((x << 24) >> 24) * ((y << 24) >> 24);
    s1 += ((x << 16) >> 24) * ((y << 16) >> 24);
    s2 += ((x << 8) >> 24) * ((y << 8) >> 24);
    s3 += (x >> 24) * (y >> 24);
    a += 4;
    b += 4;
  }
  return (s0 + s1) + (s2 + s3);
}

// 16 bytes per step: widen i8 → i16, then i32x4.dot_i16x8_s sums adjacent
// products into four i32 lanes; exact, so identical to the scalar result.
function dotSimd(a: usize, b: usize, n: i32): i32 {
  let acc = i32x4.splat(0);
  const end = a + <usize>n;
  while (a < end) {
    const va = v128.load(a);
    const vb = v128.load(b);
    acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(va), i16x8.extend_low_i8x16_s(vb)));
    acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(va), i16x8.extend_high_i8x16_s(vb)));
    a += 16;
    b += 16;
  }
  return i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
}
