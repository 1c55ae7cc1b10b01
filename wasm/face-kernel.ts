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
// The image's layout, the input's pixels and the layers live in face-kernel/.

import { H_ARENA, H_CRC, H_INPUT_C, H_INPUT_H, H_INPUT_W, H_LAYERS, H_LAYER_TABLE, H_LENGTH, H_MAGIC, H_OUTPUT, H_PRE_ADD, H_PRE_MUL, H_PRE_ORDER, H_PRE_SHIFT, H_TENSORS, H_TENSOR_TABLE, H_VERSION, HEADER_BYTES, FORMAT_VERSION, LAYER_BYTES, MAGIC, OP_ADD, OP_CONV, OP_DWCONV, OP_MAXPOOL, TENSOR_BYTES, layerRecordIn, tensorRecordIn } from "./face-kernel/layout";
import { MAX_FRAME_SIDE, bytesPerPixel, preprocess, warp } from "./face-kernel/pixels";
import { runLayers } from "./face-kernel/layers";

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

const MAX_TENSORS: u32 = 1024;
const MAX_LAYERS: u32 = 1024;
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
  return tensorRecordIn(imageAt, index);
}

// @ts-ignore: decorator
@inline
function layerRecord(index: u32): usize {
  return layerRecordIn(imageAt, index);
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
  preprocess(imageAt, frameAt, arenaAt, <u32>width * <u32>height, bpp, format);
  runLayers(imageAt, arenaAt);
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
  warp(imageAt, frameAt, arenaAt, frameWidth, frameHeight, bpp, format, m0, m1, m2, m3, m4, m5);
  runLayers(imageAt, arenaAt);
  return OK;
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
