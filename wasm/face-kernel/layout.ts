// The model image's layout as the kernel reads it (little-endian; written by
// tools/face-model/image-format.ts, which holds the exact offsets too).

// Image header, little-endian (tools/face-model/image-format.ts writes it).
export const MAGIC: u32 = 0x4b46474f; // "OGFK"
export const FORMAT_VERSION: u32 = 1;
export const HEADER_BYTES: u32 = 96;
export const H_MAGIC: u32 = 0;
export const H_VERSION: u32 = 4;
export const H_LENGTH: u32 = 8;
export const H_CRC: u32 = 12; // CRC-32 (IEEE) of bytes [16, length)
export const H_ARENA: u32 = 48;
export const H_INPUT_W: u32 = 52;
export const H_INPUT_H: u32 = 54;
export const H_INPUT_C: u32 = 56;
export const H_TENSORS: u32 = 58;
export const H_LAYERS: u32 = 60;
export const H_OUTPUT: u32 = 62; // tensor index of the primary output (the embedding); every int32 tensor is an output
export const H_TENSOR_TABLE: u32 = 64;
export const H_LAYER_TABLE: u32 = 68;
export const H_PRE_MUL: u32 = 72; // input q = round((pixel * mul + add) / 2^shift), per image
export const H_PRE_ADD: u32 = 76;
export const H_PRE_SHIFT: u32 = 80;
export const H_PRE_ORDER: u32 = 84; // 0 RGB, 1 BGR
export const H_BORDER: u32 = 92; // 0x00RRGGBB the warp reads outside the frame

// Tensor record: u32 arena offset, u16 h, w, c, u8 element bytes (1, or 4 for
// an output), u8 0, f32 scale (for the host; the kernel never reads it).
export const TENSOR_BYTES: u32 = 16;
// Layer record (40 bytes): u8 op, act, kh, kw, sh, sw, padTop, padLeft;
// u16 inA, inB, out, 0; u32 weights, bias, quant (image offsets); i32 clampMin, clampMax.
export const LAYER_BYTES: u32 = 40;
export const OP_CONV: u32 = 1;
export const OP_DWCONV: u32 = 2;
export const OP_ADD: u32 = 3;
export const OP_MAXPOOL: u32 = 4;

// @ts-ignore: decorator
@inline
export function tensorRecordIn(image: usize, index: u32): usize {
  return image + <usize>load<u32>(image + H_TENSOR_TABLE) + <usize>(index * TENSOR_BYTES);
}

// @ts-ignore: decorator
@inline
export function layerRecordIn(image: usize, index: u32): usize {
  return image + <usize>load<u32>(image + H_LAYER_TABLE) + <usize>(index * LAYER_BYTES);
}
