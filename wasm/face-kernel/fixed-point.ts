// Fixed-point arithmetic shared by the preprocessing and the layers: the same
// integers on every target (no floating point, no implementation-defined shifts).

// Round half away from zero, then shift right: the same on every platform
// (no floating point, no implementation-defined shifts of negatives).
// @ts-ignore: decorator
@inline
export function roundShift(x: i64, shift: i32): i64 {
  if (shift == 0) return x;
  const half: i64 = <i64>1 << <i64>(shift - 1);
  return x >= 0 ? (x + half) >> <i64>shift : -((half - x) >> <i64>shift);
}

// @ts-ignore: decorator
@inline
export function clamp8(x: i64): i32 {
  return x < -128 ? -128 : x > 127 ? 127 : <i32>x;
}

// @ts-ignore: decorator
@inline
export function clampTo(x: i64, lo: i32, hi: i32): i32 {
  return x < <i64>lo ? lo : x > <i64>hi ? hi : <i32>x;
}

// acc ≥ 0 uses the positive multiplier, acc < 0 the negative one: identity,
// ReLU (0) and PReLU (α·positive) are all one multiply. Quant triple per channel.
// @ts-ignore: decorator
@inline
export function requantise(acc: i32, q: usize, lo: i32, hi: i32): i32 {
  const m = acc >= 0 ? load<i32>(q) : load<i32>(q, 4);
  return clampTo(roundShift(<i64>acc * <i64>m, load<i32>(q, 8)), lo, hi);
}

// @ts-ignore: decorator
@inline
export function put(dst: usize, value: i32, wide: bool): void {
  if (wide) store<i32>(dst, value);
  else store<i8>(dst, <i8>value);
}
