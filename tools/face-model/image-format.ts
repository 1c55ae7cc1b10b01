// The face model image: what wasm/face-kernel.ts reads, on Node and (through
// wasm2c) on the board. Little-endian throughout; offsets are from the start
// of the image. Keep in step with the constants at the top of the kernel.
//
//   0  u32 magic "OGFK"        4  u32 format version     8  u32 total length
//  12  u32 CRC-32 of [16, length)
//  16  char[16] model id (ASCII, zero-padded)
//  32  u32 model version      36  u32 quantisation version
//  40  u32 MACs per inference 44  u32 reserved
//  48  u32 arena bytes        52  u16 input width, 54 height, 56 channels (3)
//  58  u16 tensors            60  u16 layers             62  u16 output tensor
//  64  u32 tensor table       68  u32 layer table
//  72  i32 pre mul, 76 pre add, 80 pre shift: q = round((pixel·mul + add) / 2^shift)
//  84  u32 channel order (0 RGB, 1 BGR)
//  88  f32 output scale (informative: embedding = value · scale; unused by the kernel)
//  92  u32 border colour 0x00RRGGBB (what the warp reads outside the frame)
//  96  tensor table: u32 arena offset, u16 h, w, c, u8 element bytes (4 = an output),
//      u8 0, f32 scale (informative)                                           (16 B each)
//      layer table: u8 op, act, kh, kw, sh, sw, padTop, padLeft; u16 inA, inB, out, 0;
//                   u32 weights, bias, quant; i32 clampMin, clampMax              (40 B each)
//      then int8 weights, int32 biases, requantisation triples (i32 mPos, mNeg, shift).
export const MAGIC = 0x4b46474f;
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 96;
export const TENSOR_BYTES = 16;
export const LAYER_BYTES = 40;
export const OP = { conv: 1, dwconv: 2, add: 3, maxpool: 4 } as const;
export const ID_BYTES = 16;

export const FORMAT_RGB888 = 0;
export const FORMAT_GREY8 = 1;

export interface ImageTensor {
  offset: number;
  h: number;
  w: number;
  c: number;
  elementBytes: 1 | 4;
  scale: number;
}

export interface ImageLayer {
  op: keyof typeof OP;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
  inA: number;
  inB: number;
  out: number;
  /** conv/dwconv only. */
  weights: Int8Array;
  bias: Int32Array;
  /** Triples (mPos, mNeg, shift) per output channel; for add: (ma, mb, shift). */
  quant: Int32Array;
  clampMin: number;
  clampMax: number;
}

export interface ImageSpec {
  id: string;
  modelVersion: number;
  quantVersion: number;
  macs: number;
  arenaBytes: number;
  inputWidth: number;
  inputHeight: number;
  tensors: ImageTensor[];
  layers: ImageLayer[];
  output: number;
  preMul: number;
  preAdd: number;
  preShift: number;
  bgr: boolean;
  outputScale: number;
  /** 0x00RRGGBB the warp reads outside the frame. */
  border: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;

export function writeImage(spec: ImageSpec): Uint8Array {
  if (spec.id.length > ID_BYTES || !/^[\x20-\x7e]+$/.test(spec.id)) throw new Error(`model id "${spec.id}" must be 1–16 printable ASCII characters`);
  const tensorTable = HEADER_BYTES;
  const layerTable = tensorTable + spec.tensors.length * TENSOR_BYTES;
  let at = align(layerTable + spec.layers.length * LAYER_BYTES, 4);
  const placed = spec.layers.map((l) => {
    const weights = at;
    at = align(at + l.weights.length, 4);
    const bias = at;
    at += 4 * l.bias.length;
    const quant = at;
    at += 4 * l.quant.length;
    return { weights, bias, quant };
  });
  const length = at;
  const bytes = new Uint8Array(length);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, MAGIC, true);
  v.setUint32(4, FORMAT_VERSION, true);
  v.setUint32(8, length, true);
  for (let i = 0; i < spec.id.length; i++) bytes[16 + i] = spec.id.charCodeAt(i);
  v.setUint32(32, spec.modelVersion, true);
  v.setUint32(36, spec.quantVersion, true);
  v.setUint32(40, spec.macs, true);
  v.setUint32(48, spec.arenaBytes, true);
  v.setUint16(52, spec.inputWidth, true);
  v.setUint16(54, spec.inputHeight, true);
  v.setUint16(56, 3, true);
  v.setUint16(58, spec.tensors.length, true);
  v.setUint16(60, spec.layers.length, true);
  v.setUint16(62, spec.output, true);
  v.setUint32(64, tensorTable, true);
  v.setUint32(68, layerTable, true);
  v.setInt32(72, spec.preMul, true);
  v.setInt32(76, spec.preAdd, true);
  v.setInt32(80, spec.preShift, true);
  v.setUint32(84, spec.bgr ? 1 : 0, true);
  v.setFloat32(88, spec.outputScale, true);
  v.setUint32(92, spec.border, true);
  spec.tensors.forEach((t, i) => {
    const o = tensorTable + i * TENSOR_BYTES;
    v.setUint32(o, t.offset, true);
    v.setUint16(o + 4, t.h, true);
    v.setUint16(o + 6, t.w, true);
    v.setUint16(o + 8, t.c, true);
    v.setUint8(o + 10, t.elementBytes);
    v.setFloat32(o + 12, t.scale, true);
  });
  spec.layers.forEach((l, i) => {
    const o = layerTable + i * LAYER_BYTES;
    [OP[l.op], 0, l.kh, l.kw, l.sh, l.sw, l.padTop, l.padLeft].forEach((b, k) => v.setUint8(o + k, b));
    v.setUint16(o + 8, l.inA, true);
    v.setUint16(o + 10, l.inB, true);
    v.setUint16(o + 12, l.out, true);
    const p = placed[i];
    v.setUint32(o + 16, l.weights.length ? p.weights : 0, true);
    v.setUint32(o + 20, l.bias.length ? p.bias : 0, true);
    v.setUint32(o + 24, l.quant.length ? p.quant : 0, true);
    v.setInt32(o + 32, l.clampMin, true);
    v.setInt32(o + 36, l.clampMax, true);
    bytes.set(new Uint8Array(l.weights.buffer, l.weights.byteOffset, l.weights.byteLength), p.weights);
    bytes.set(new Uint8Array(l.bias.buffer, l.bias.byteOffset, l.bias.byteLength), p.bias);
    bytes.set(new Uint8Array(l.quant.buffer, l.quant.byteOffset, l.quant.byteLength), p.quant);
  });
  v.setUint32(12, crc32(bytes.subarray(16)), true);
  return bytes;
}

export interface ImageHeader {
  id: string;
  modelVersion: number;
  quantVersion: number;
  length: number;
  crc: number;
  macs: number;
  arenaBytes: number;
  inputWidth: number;
  inputHeight: number;
  layers: number;
  tensors: number;
  outputDim: number;
  outputScale: number;
  /** Every output (int32 tensor) in table order: element count and scale. */
  outputs: { length: number; scale: number }[];
}

/** The header fields a host needs (the kernel does the full check). */
export function readHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < HEADER_BYTES) throw new Error("face model image shorter than its header");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== MAGIC) throw new Error("not a face model image (magic)");
  const idBytes = bytes.subarray(16, 32);
  const end = idBytes.indexOf(0);
  const tensorTable = v.getUint32(64, true);
  const output = v.getUint16(62, true);
  const outRecord = tensorTable + output * TENSOR_BYTES;
  const outputs: ImageHeader["outputs"] = [];
  const tensors = v.getUint16(58, true);
  for (let i = 0; i < tensors && tensorTable + (i + 1) * TENSOR_BYTES <= bytes.length; i++) {
    const o = tensorTable + i * TENSOR_BYTES;
    if (v.getUint8(o + 10) === 4) outputs.push({ length: v.getUint16(o + 4, true) * v.getUint16(o + 6, true) * v.getUint16(o + 8, true), scale: v.getFloat32(o + 12, true) });
  }
  return {
    id: String.fromCharCode(...idBytes.subarray(0, end < 0 ? 16 : end)),
    modelVersion: v.getUint32(32, true),
    quantVersion: v.getUint32(36, true),
    length: v.getUint32(8, true),
    crc: v.getUint32(12, true),
    macs: v.getUint32(40, true),
    arenaBytes: v.getUint32(48, true),
    inputWidth: v.getUint16(52, true),
    inputHeight: v.getUint16(54, true),
    tensors: v.getUint16(58, true),
    layers: v.getUint16(60, true),
    outputDim: outRecord + TENSOR_BYTES <= bytes.length ? v.getUint16(outRecord + 4, true) * v.getUint16(outRecord + 6, true) * v.getUint16(outRecord + 8, true) : 0,
    outputScale: v.getFloat32(88, true),
    outputs,
  };
}
