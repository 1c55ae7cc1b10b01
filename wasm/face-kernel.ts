// Integer-only face embedding kernel (AssemblyScript). The network arrives as a
// model image written by tools/face-model/ (layer table, int8 weights, int32
// biases, fixed-point requantisation); activations are int8 in one arena.
// Only integer arithmetic, so Node's WebAssembly and the wasm2c C give the
// same bytes by construction. Built like wasm/matcher.ts:
// `asc --runtime stub -O3 --noAssert --use abort=`, no imports, no allocator.
//
// Memory is owned by the host. init(imageBytes, frameBytes, arenaBytes) lays
// out [image | frame | arena] after the static data. The host writes the model
// image at imagePtr() and calls loadModel(length): every byte the layer loops will
// touch is checked there, once, so the loops load unchecked. Then per face:
// pixels at framePtr(), embed(width, height, format), int32 output at
// outputPtr() (outputDim() values). Every export returns a status instead of
// trapping; statuses are mirrored in tools/face-model/kernel-status.ts.

const OK: i32 = 0;
const E_INIT: i32 = -1;
const E_MEMORY: i32 = -2;
const E_NOT_READY: i32 = -3;
const E_IMAGE_TRUNCATED: i32 = -4;
const E_IMAGE_MAGIC: i32 = -5;
const E_IMAGE_VERSION: i32 = -6;
const E_IMAGE_CHECKSUM: i32 = -7;
const E_IMAGE_LAYOUT: i32 = -8;
const E_ARENA_TOO_SMALL: i32 = -9;
const E_CROP_SIZE: i32 = -10;
const E_FORMAT: i32 = -11;

// Image header, little-endian (tools/face-model/image-format.ts writes it).
const MAGIC: u32 = 0x4b46474f; // "OGFK"
const FORMAT_VERSION: u32 = 1;
const HEADER_BYTES: u32 = 96;
const H_MAGIC: u32 = 0;
const H_VERSION: u32 = 4;
const H_LENGTH: u32 = 8;
const H_CRC: u32 = 12; // CRC-32 (IEEE) of bytes [16, length)
const H_ARENA: u32 = 48;
const H_INPUT_W: u32 = 52;
const H_INPUT_H: u32 = 54;
const H_INPUT_C: u32 = 56;
const H_TENSORS: u32 = 58;
const H_LAYERS: u32 = 60;
const H_OUTPUT: u32 = 62; // tensor index of the primary output (the embedding); every int32 tensor is an output
const H_TENSOR_TABLE: u32 = 64;
const H_LAYER_TABLE: u32 = 68;
const H_PRE_MUL: u32 = 72; // input q = round((pixel * mul + add) / 2^shift), per image
const H_PRE_ADD: u32 = 76;
const H_PRE_SHIFT: u32 = 80;
const H_PRE_ORDER: u32 = 84; // 0 RGB, 1 BGR
const H_BORDER: u32 = 92; // 0x00RRGGBB the warp reads outside the frame

// Tensor record: u32 arena offset, u16 h, w, c, u8 element bytes (1, or 4 for
// an output), u8 0, f32 scale (for the host; the kernel never reads it).
const TENSOR_BYTES: u32 = 16;
// Layer record (40 bytes): u8 op, act, kh, kw, sh, sw, padTop, padLeft;
// u16 inA, inB, out, 0; u32 weights, bias, quant (image offsets); i32 clampMin, clampMax.
const LAYER_BYTES: u32 = 40;
const OP_CONV: u32 = 1;
const OP_DWCONV: u32 = 2;
const OP_ADD: u32 = 3;
const OP_MAXPOOL: u32 = 4;

// Pixel formats of the frame handed to embed() and embedWarped(). RGB565 as
// camera drivers deliver it, in either byte order.
const FORMAT_RGB888: i32 = 0;
const FORMAT_GREY8: i32 = 1;
const FORMAT_RGB565LE: i32 = 2;
const FORMAT_RGB565BE: i32 = 3;
const MAX_FRAME_SIDE: i32 = 4096;

const MAX_TENSORS: u32 = 1024;
const MAX_LAYERS: u32 = 1024;
const MAX_DIM: u32 = 4096;
const MAX_SHIFT: i32 = 62;

let imageAt: usize = 0;
let imageCap: u32 = 0;
let frameAt: usize = 0;
let frameCap: u32 = 0;
let arenaAt: usize = 0;
let arenaCap: u32 = 0;
let ready: bool = false;

const crcTable = memory.data(256 * 4, 4);
let crcReady: bool = false;

/** Lays out image, frame and arena after the static data and grows memory to fit; forgets any loaded model. */
export function init(imageBytes: i32, frameBytes: i32, arenaBytes: i32): i32 {
  ready = false;
  if (imageBytes < <i32>HEADER_BYTES || frameBytes < 1 || arenaBytes < 1) return E_INIT;
  const base: u64 = (<u64>__heap_base + 15) & ~(<u64>15);
  const image = base;
  const frame = (image + <u64>imageBytes + 15) & ~(<u64>15);
  const arena = (frame + <u64>frameBytes + 15) & ~(<u64>15);
  const end = arena + <u64>arenaBytes;
  if (end > (<u64>1 << 32) - 65536) return E_MEMORY;
  const pagesNeeded = <i32>((end + 0xffff) >> 16);
  const pagesNow = memory.size();
  if (pagesNeeded > pagesNow && memory.grow(pagesNeeded - pagesNow) < 0) return E_MEMORY;
  imageAt = <usize>image;
  imageCap = <u32>imageBytes;
  frameAt = <usize>frame;
  frameCap = <u32>frameBytes;
  arenaAt = <usize>arena;
  arenaCap = <u32>arenaBytes;
  memory.fill(frameAt, 0, <usize>(end - frame));
  return OK;
}

export function imagePtr(): usize { return imageAt; }
export function framePtr(): usize { return frameAt; }

/** Where embed() leaves the embedding (int32 values); 0 before a model is loaded. */
export function outputPtr(): usize {
  if (!ready) return 0;
  return arenaAt + <usize>load<u32>(tensorRecord(<u32>load<u16>(imageAt + H_OUTPUT)));
}

export function outputDim(): i32 {
  if (!ready) return 0;
  return <i32>(tensorElements(tensorRecord(<u32>load<u16>(imageAt + H_OUTPUT))));
}

/** Number of outputs (int32 tensors, in table order): 1 for an embedder, 4 for BlazeFace. */
export function outputCount(): i32 {
  if (!ready) return 0;
  let count = 0;
  const tensors = <u32>load<u16>(imageAt + H_TENSORS);
  for (let i: u32 = 0; i < tensors; i++) if (load<u8>(tensorRecord(i), 10) == 4) count++;
  return count;
}

/** Tensor index of output k, or -1. */
function outputTensor(k: i32): i32 {
  if (!ready || k < 0) return -1;
  const tensors = <u32>load<u16>(imageAt + H_TENSORS);
  for (let i: u32 = 0; i < tensors; i++) {
    if (load<u8>(tensorRecord(i), 10) == 4) {
      if (k == 0) return <i32>i;
      k--;
    }
  }
  return -1;
}

export function outputAt(k: i32): usize {
  const t = outputTensor(k);
  return t < 0 ? 0 : arenaAt + <usize>load<u32>(tensorRecord(<u32>t));
}

export function outputLength(k: i32): i32 {
  const t = outputTensor(k);
  return t < 0 ? 0 : <i32>tensorElements(tensorRecord(<u32>t));
}

function tensorElements(t: usize): u32 {
  return <u32>load<u16>(t, 4) * <u32>load<u16>(t, 6) * <u32>load<u16>(t, 8);
}

/** Arena bytes the loaded (or only header-checked) image asks for; 0 when none. */
export function arenaNeeded(): i32 {
  if (imageCap < HEADER_BYTES) return 0;
  return <i32>load<u32>(imageAt + H_ARENA);
}

/** Zeroes frame and arena: no pixel or activation of a face outlives its embedding. */
export function wipe(): void {
  if (arenaCap == 0) return;
  memory.fill(frameAt, 0, <usize>(arenaAt - frameAt) + <usize>arenaCap);
}

/** Checks the image of `length` bytes at imagePtr(): header, checksum, and every layer's reach. */
export function loadModel(length: i32): i32 {
  ready = false;
  if (imageCap == 0) return E_NOT_READY;
  if (length < <i32>HEADER_BYTES || <u32>length > imageCap) return E_IMAGE_TRUNCATED;
  const n = <u32>length;
  const at = imageAt;
  if (load<u32>(at + H_MAGIC) != MAGIC) return E_IMAGE_MAGIC;
  if (load<u32>(at + H_VERSION) != FORMAT_VERSION) return E_IMAGE_VERSION;
  const declared = load<u32>(at + H_LENGTH);
  if (declared > n) return E_IMAGE_TRUNCATED;
  if (declared < n) return E_IMAGE_LAYOUT;
  if (crc32(at + 16, n - 16) != load<u32>(at + H_CRC)) return E_IMAGE_CHECKSUM;
  if (load<u32>(at + H_ARENA) > arenaCap) return E_ARENA_TOO_SMALL;
  const status = checkLayout(n);
  if (status != OK) return status;
  ready = true;
  return OK;
}

// @ts-ignore: decorator
@inline
function tensorRecord(index: u32): usize {
  return imageAt + <usize>load<u32>(imageAt + H_TENSOR_TABLE) + <usize>(index * TENSOR_BYTES);
}

// @ts-ignore: decorator
@inline
function layerRecord(index: u32): usize {
  return imageAt + <usize>load<u32>(imageAt + H_LAYER_TABLE) + <usize>(index * LAYER_BYTES);
}

// @ts-ignore: decorator
@inline
function within(offset: u64, bytes: u64, limit: u64): bool {
  return offset <= limit && bytes <= limit - offset;
}

function tensorBytes(t: usize): u64 {
  return <u64>load<u16>(t, 4) * <u64>load<u16>(t, 6) * <u64>load<u16>(t, 8) * <u64>load<u8>(t, 10);
}

/** Validates tables, tensors and layers so that embed() cannot reach outside image or arena. */
function checkLayout(n: u32): i32 {
  const at = imageAt;
  const tensors = <u32>load<u16>(at + H_TENSORS);
  const layers = <u32>load<u16>(at + H_LAYERS);
  const tensorTable = load<u32>(at + H_TENSOR_TABLE);
  const layerTable = load<u32>(at + H_LAYER_TABLE);
  if (tensors < 2 || tensors > MAX_TENSORS || layers < 1 || layers > MAX_LAYERS) return E_IMAGE_LAYOUT;
  if (!within(<u64>tensorTable, <u64>tensors * TENSOR_BYTES, <u64>n) || !within(<u64>layerTable, <u64>layers * LAYER_BYTES, <u64>n)) return E_IMAGE_LAYOUT;
  if ((tensorTable & 3) != 0 || (layerTable & 3) != 0) return E_IMAGE_LAYOUT;
  const arena = <u64>load<u32>(at + H_ARENA);
  for (let i: u32 = 0; i < tensors; i++) {
    const t = tensorRecord(i);
    const e = <u32>load<u8>(t, 10);
    if (e != 1 && e != 4) return E_IMAGE_LAYOUT;
    if (load<u16>(t, 4) == 0 || load<u16>(t, 6) == 0 || load<u16>(t, 8) == 0) return E_IMAGE_LAYOUT;
    if ((load<u32>(t) & 3) != 0 || !within(<u64>load<u32>(t), tensorBytes(t), arena)) return E_IMAGE_LAYOUT;
  }
  // Tensor 0 is the network's input, filled from the frame.
  const input = tensorRecord(0);
  const w = <u32>load<u16>(at + H_INPUT_W), h = <u32>load<u16>(at + H_INPUT_H), c = <u32>load<u16>(at + H_INPUT_C);
  if (c != 3 || load<u8>(input, 10) != 1 || <u32>load<u16>(input, 4) != h || <u32>load<u16>(input, 6) != w || <u32>load<u16>(input, 8) != c) return E_IMAGE_LAYOUT;
  const shift = load<i32>(at + H_PRE_SHIFT);
  if (shift < 0 || shift > 24 || load<u32>(at + H_PRE_ORDER) > 1) return E_IMAGE_LAYOUT;
  const mul = load<i32>(at + H_PRE_MUL), add = load<i32>(at + H_PRE_ADD);
  if (mul < -65536 || mul > 65536 || add < -(1 << 28) || add > (1 << 28)) return E_IMAGE_LAYOUT;
  const output = <u32>load<u16>(at + H_OUTPUT);
  if (output >= tensors || load<u8>(tensorRecord(output), 10) != 4) return E_IMAGE_LAYOUT;
  for (let i: u32 = 0; i < layers; i++) {
    const status = checkLayer(layerRecord(i), tensors, n);
    if (status != OK) return status;
  }
  return OK;
}

function checkLayer(l: usize, tensors: u32, n: u32): i32 {
  const op = <u32>load<u8>(l);
  const kh = <u32>load<u8>(l, 2), kw = <u32>load<u8>(l, 3), sh = <u32>load<u8>(l, 4), sw = <u32>load<u8>(l, 5);
  const inA = <u32>load<u16>(l, 8), inB = <u32>load<u16>(l, 10), out = <u32>load<u16>(l, 12);
  if (inA >= tensors || out >= tensors || out == 0 || out == inA) return E_IMAGE_LAYOUT;
  if (load<i32>(l, 32) > load<i32>(l, 36)) return E_IMAGE_LAYOUT;
  const a = tensorRecord(inA), o = tensorRecord(out);
  if (load<u8>(a, 10) != 1) return E_IMAGE_LAYOUT;
  if (overlaps(a, o)) return E_IMAGE_LAYOUT;
  const ih = <u32>load<u16>(a, 4), iw = <u32>load<u16>(a, 6), ic = <u32>load<u16>(a, 8);
  const oh = <u32>load<u16>(o, 4), ow = <u32>load<u16>(o, 6), oc = <u32>load<u16>(o, 8);
  const quant = <u64>load<u32>(l, 24);
  if (op == OP_ADD) {
    if (inB >= tensors) return E_IMAGE_LAYOUT;
    const b = tensorRecord(inB);
    if (load<u8>(b, 10) != 1 || overlaps(b, o)) return E_IMAGE_LAYOUT;
    // b may have fewer channels than a: the rest count as zero (BlazeFace's channel-padded shortcut).
    const bc = <u32>load<u16>(b, 8);
    if (<u32>load<u16>(b, 4) != ih || <u32>load<u16>(b, 6) != iw || bc > ic) return E_IMAGE_LAYOUT;
    if (oh != ih || ow != iw || oc != ic) return E_IMAGE_LAYOUT;
    if ((quant & 3) != 0 || !within(quant, 12, <u64>n)) return E_IMAGE_LAYOUT;
    return checkShift(load<i32>(imageAt + <usize>quant, 8));
  }
  if (op != OP_CONV && op != OP_DWCONV && op != OP_MAXPOOL) return E_IMAGE_LAYOUT;
  if (load<u8>(l, 1) > 0) return E_IMAGE_LAYOUT; // activation is carried by the multipliers; no other kinds yet
  if (kh == 0 || kw == 0 || sh == 0 || sw == 0) return E_IMAGE_LAYOUT;
  const pt = <u32>load<u8>(l, 6), pl = <u32>load<u8>(l, 7);
  if (pt >= kh || pl >= kw) return E_IMAGE_LAYOUT;
  // Every output pixel's window starts inside the padded input.
  if ((oh - 1) * sh >= ih + pt || (ow - 1) * sw >= iw + pl) return E_IMAGE_LAYOUT;
  // Max-pooling keeps the input's scale: no weights, no requantisation, int8 out.
  if (op == OP_MAXPOOL) return oc == ic && load<u8>(o, 10) == 1 ? OK : E_IMAGE_LAYOUT;
  if (op == OP_DWCONV && oc != ic) return E_IMAGE_LAYOUT;
  const weights = <u64>load<u32>(l, 16), bias = <u64>load<u32>(l, 20);
  const perChannel: u64 = op == OP_CONV ? <u64>kh * <u64>kw * <u64>ic : <u64>kh * <u64>kw;
  if (!within(weights, perChannel * <u64>oc, <u64>n)) return E_IMAGE_LAYOUT;
  if ((bias & 3) != 0 || !within(bias, <u64>oc * 4, <u64>n)) return E_IMAGE_LAYOUT;
  if ((quant & 3) != 0 || !within(quant, <u64>oc * 12, <u64>n)) return E_IMAGE_LAYOUT;
  for (let c: u32 = 0; c < oc; c++) {
    const status = checkShift(load<i32>(imageAt + <usize>quant + <usize>(c * 12), 8));
    if (status != OK) return status;
  }
  // int32 accumulators: |sum| ≤ 128·128·taps + |bias| must not wrap.
  if (perChannel > 65536) return E_IMAGE_LAYOUT;
  return OK;
}

// @ts-ignore: decorator
@inline
function checkShift(shift: i32): i32 {
  return shift >= 0 && shift <= MAX_SHIFT ? OK : E_IMAGE_LAYOUT;
}

function overlaps(x: usize, y: usize): bool {
  const x0 = <u64>load<u32>(x), y0 = <u64>load<u32>(y);
  return x0 < y0 + tensorBytes(y) && y0 < x0 + tensorBytes(x);
}

/** Runs the network on the frame, which is already the aligned crop (model size, `format`); the embedding lands at outputPtr(). */
export function embed(width: i32, height: i32, format: i32): i32 {
  if (!ready) return E_NOT_READY;
  const at = imageAt;
  const bpp = bytesPerPixel(format);
  if (bpp == 0) return E_FORMAT;
  if (width != <i32>load<u16>(at + H_INPUT_W) || height != <i32>load<u16>(at + H_INPUT_H)) return E_CROP_SIZE;
  if (<u64>width * <u64>height * <u64>bpp > <u64>frameCap) return E_CROP_SIZE;
  preprocess(<u32>width * <u32>height, bpp, format);
  runLayers();
  return OK;
}

/**
 * Crops, rotates and scales the aligned face out of a whole frame
 * (frameWidth × frameHeight, `format`) and runs the network on it. Output
 * pixel (u, v) samples the frame at x = (m0·u + m1·v + m2) / 2^16,
 * y = (m3·u + m4·v + m5) / 2^16, bilinearly with 16-bit fractions; samples
 * whose 2×2 neighbourhood leaves the frame read the image's border colour
 * (mid-grey for the embedders, as tools/face/alignment.ts). Any m is safe:
 * every sample is checked against the frame before it is read.
 */
export function embedWarped(frameWidth: i32, frameHeight: i32, format: i32, m0: i32, m1: i32, m2: i32, m3: i32, m4: i32, m5: i32): i32 {
  if (!ready) return E_NOT_READY;
  const bpp = bytesPerPixel(format);
  if (bpp == 0) return E_FORMAT;
  if (frameWidth < 2 || frameHeight < 2 || frameWidth > MAX_FRAME_SIDE || frameHeight > MAX_FRAME_SIDE) return E_CROP_SIZE;
  if (<u64>frameWidth * <u64>frameHeight * <u64>bpp > <u64>frameCap) return E_CROP_SIZE;
  warp(frameWidth, frameHeight, bpp, format, m0, m1, m2, m3, m4, m5);
  runLayers();
  return OK;
}

function runLayers(): void {
  const layers = <u32>load<u16>(imageAt + H_LAYERS);
  for (let i: u32 = 0; i < layers; i++) {
    const l = layerRecord(i);
    const op = <u32>load<u8>(l);
    if (op == OP_CONV) conv(l);
    else if (op == OP_DWCONV) depthwise(l);
    else if (op == OP_MAXPOOL) maxpool(l);
    else add(l);
  }
}

// @ts-ignore: decorator
@inline
function bytesPerPixel(format: i32): u32 {
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

function preprocess(pixels: u32, bpp: u32, format: i32): void {
  const at = imageAt;
  const mul = load<i32>(at + H_PRE_MUL), bias = load<i32>(at + H_PRE_ADD), shift = load<i32>(at + H_PRE_SHIFT);
  const bgr = load<u32>(at + H_PRE_ORDER) == 1;
  let src = frameAt;
  let dst = arenaAt + <usize>load<u32>(tensorRecord(0));
  for (let i: u32 = 0; i < pixels; i++) {
    quantisePixel(dst, readPixel(src, format), mul, bias, shift, bgr);
    src += <usize>bpp;
    dst += 3;
  }
}

function warp(fw: i32, fh: i32, bpp: u32, format: i32, m0: i32, m1: i32, m2: i32, m3: i32, m4: i32, m5: i32): void {
  const at = imageAt;
  const mul = load<i32>(at + H_PRE_MUL), bias = load<i32>(at + H_PRE_ADD), shift = load<i32>(at + H_PRE_SHIFT);
  const bgr = load<u32>(at + H_PRE_ORDER) == 1;
  const w = <i32>load<u16>(at + H_INPUT_W), h = <i32>load<u16>(at + H_INPUT_H);
  const row = <usize>fw * <usize>bpp;
  const outside = load<u32>(at + H_BORDER) & 0xffffff;
  let dst = arenaAt + <usize>load<u32>(tensorRecord(0));
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

// Round half away from zero, then shift right: the same on every platform
// (no floating point, no implementation-defined shifts of negatives).
// @ts-ignore: decorator
@inline
function roundShift(x: i64, shift: i32): i64 {
  if (shift == 0) return x;
  const half: i64 = <i64>1 << <i64>(shift - 1);
  return x >= 0 ? (x + half) >> <i64>shift : -((half - x) >> <i64>shift);
}

// @ts-ignore: decorator
@inline
function clamp8(x: i64): i32 {
  return x < -128 ? -128 : x > 127 ? 127 : <i32>x;
}

// @ts-ignore: decorator
@inline
function clampTo(x: i64, lo: i32, hi: i32): i32 {
  return x < <i64>lo ? lo : x > <i64>hi ? hi : <i32>x;
}

// acc ≥ 0 uses the positive multiplier, acc < 0 the negative one: identity,
// ReLU (0) and PReLU (α·positive) are all one multiply. Quant triple per channel.
// @ts-ignore: decorator
@inline
function requantise(acc: i32, q: usize, lo: i32, hi: i32): i32 {
  const m = acc >= 0 ? load<i32>(q) : load<i32>(q, 4);
  return clampTo(roundShift(<i64>acc * <i64>m, load<i32>(q, 8)), lo, hi);
}

// @ts-ignore: decorator
@inline
function put(dst: usize, value: i32, wide: bool): void {
  if (wide) store<i32>(dst, value);
  else store<i8>(dst, <i8>value);
}

/** Full convolution, weights [cout][kh][kw][cin], input and output HWC. */
function conv(l: usize): void {
  const a = tensorRecord(<u32>load<u16>(l, 8)), o = tensorRecord(<u32>load<u16>(l, 12));
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
function depthwise(l: usize): void {
  const a = tensorRecord(<u32>load<u16>(l, 8)), o = tensorRecord(<u32>load<u16>(l, 12));
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
function add(l: usize): void {
  const a = tensorRecord(<u32>load<u16>(l, 8)), b = tensorRecord(<u32>load<u16>(l, 10)), o = tensorRecord(<u32>load<u16>(l, 12));
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
function maxpool(l: usize): void {
  const a = tensorRecord(<u32>load<u16>(l, 8)), o = tensorRecord(<u32>load<u16>(l, 12));
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

/** CRC-32 (IEEE 802.3, reflected, as zlib), table built on first use. */
function crc32(at: usize, n: u32): u32 {
  if (!crcReady) {
    for (let i: u32 = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xedb88320 ^ (c >> 1) : c >> 1;
      store<u32>(crcTable + <usize>(i << 2), c);
    }
    crcReady = true;
  }
  let crc: u32 = 0xffffffff;
  const end = at + <usize>n;
  while (at < end) {
    crc = load<u32>(crcTable + <usize>(((crc ^ <u32>load<u8>(at)) & 0xff) << 2)) ^ (crc >> 8);
    at += 1;
  }
  return crc ^ 0xffffffff;
}
