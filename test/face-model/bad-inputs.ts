// Bad inputs for the face kernel, the same for Node's WebAssembly and the C
// path: each case is a model image (possibly damaged), the kernel's sizes and
// a frame, with the statuses init / load / embed must give. A damaged image
// that keeps a valid checksum (a converter bug, or a deliberate forgery) must
// be caught by the layout check, not by a trap.
import { crc32, HEADER_BYTES, LAYER_BYTES, TENSOR_BYTES, FORMAT_RGB888 } from "../../tools/face-model/image-format";
import * as S from "../../src/app/face-kernel-status";

export interface BadCase {
  name: string;
  image: Uint8Array;
  imageCap: number;
  frameCap: number;
  arena: number;
  width: number;
  height: number;
  format: number;
  frame: Uint8Array;
  expect: { init: number; load: number; embed: number };
}

function resealed(image: Uint8Array, edit: (v: DataView) => void): Uint8Array {
  const copy = image.slice();
  const v = new DataView(copy.buffer);
  edit(v);
  v.setUint32(12, crc32(copy.subarray(16)), true);
  return copy;
}

export function badCases(image: Uint8Array): BadCase[] {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const arena = v.getUint32(48, true);
  const side = v.getUint16(52, true);
  const frame = new Uint8Array(side * side * 3).fill(128);
  const tensorTable = v.getUint32(64, true), layerTable = v.getUint32(68, true);
  const ok = { name: "", image, imageCap: image.length, frameCap: frame.length, arena, width: side, height: side, format: FORMAT_RGB888, frame };
  const loadFails = (load: number) => ({ init: S.FACE_OK, load, embed: S.FACE_E_NOT_READY });
  const flipped = image.slice();
  flipped[Math.floor(image.length / 2)] ^= 0x10;
  return [
    { ...ok, name: "good", expect: { init: S.FACE_OK, load: S.FACE_OK, embed: S.FACE_OK } },
    { ...ok, name: "truncated", image: image.subarray(0, image.length - 1000), expect: loadFails(S.FACE_E_IMAGE_TRUNCATED) },
    { ...ok, name: "shorter-than-header", image: image.subarray(0, 50), expect: loadFails(S.FACE_E_IMAGE_TRUNCATED) },
    { ...ok, name: "empty", image: new Uint8Array(0), expect: loadFails(S.FACE_E_IMAGE_TRUNCATED) },
    { ...ok, name: "one-bit-flipped", image: flipped, expect: loadFails(S.FACE_E_IMAGE_CHECKSUM) },
    { ...ok, name: "not-an-image", image: new Uint8Array(image.length).fill(0xff), expect: loadFails(S.FACE_E_IMAGE_MAGIC) },
    { ...ok, name: "format-version-2", image: resealed(image, (d) => d.setUint32(4, 2, true)), expect: loadFails(S.FACE_E_IMAGE_VERSION) },
    { ...ok, name: "trailing-bytes", image: Uint8Array.from([...image, 0, 0, 0, 0]), imageCap: image.length + 4, expect: loadFails(S.FACE_E_IMAGE_LAYOUT) },
    { ...ok, name: "resealed-weights-outside-image", image: resealed(image, (d) => d.setUint32(layerTable + 16, image.length - 10, true)), expect: loadFails(S.FACE_E_IMAGE_LAYOUT) },
    { ...ok, name: "resealed-tensor-outside-arena", image: resealed(image, (d) => d.setUint32(tensorTable + TENSOR_BYTES, arena, true)), expect: loadFails(S.FACE_E_IMAGE_LAYOUT) },
    { ...ok, name: "resealed-layer-count-huge", image: resealed(image, (d) => d.setUint16(60, 0xffff, true)), expect: loadFails(S.FACE_E_IMAGE_LAYOUT) },
    { ...ok, name: "resealed-output-overlaps-input", image: resealed(image, (d) => d.setUint16(layerTable + LAYER_BYTES + 12, d.getUint16(layerTable + LAYER_BYTES + 8, true), true)), expect: loadFails(S.FACE_E_IMAGE_LAYOUT) },
    { ...ok, name: "resealed-shift-out-of-range", image: resealed(image, (d) => d.setInt32(d.getUint32(layerTable + 24, true) + 8, 99, true)), expect: loadFails(S.FACE_E_IMAGE_LAYOUT) },
    { ...ok, name: "arena-one-byte-short", arena: arena - 1, expect: loadFails(S.FACE_E_ARENA_TOO_SMALL) },
    { ...ok, name: "crop-100x112", width: 100, expect: { init: S.FACE_OK, load: S.FACE_OK, embed: S.FACE_E_CROP_SIZE } },
    { ...ok, name: "crop-112x113", height: side + 1, expect: { init: S.FACE_OK, load: S.FACE_OK, embed: S.FACE_E_CROP_SIZE } },
    { ...ok, name: "grey-frame-area-too-small-for-rgb", frameCap: side * side, frame: frame.subarray(0, side * side), expect: { init: S.FACE_OK, load: S.FACE_OK, embed: S.FACE_E_CROP_SIZE } },
    { ...ok, name: "pixel-format-7", format: 7, expect: { init: S.FACE_OK, load: S.FACE_OK, embed: S.FACE_E_FORMAT } },
    { ...ok, name: "init-image-smaller-than-header", imageCap: HEADER_BYTES - 1, expect: { init: S.FACE_E_INIT, load: S.FACE_E_NOT_READY, embed: S.FACE_E_NOT_READY } },
    { ...ok, name: "init-no-arena", arena: 0, expect: { init: S.FACE_E_INIT, load: S.FACE_E_NOT_READY, embed: S.FACE_E_NOT_READY } },
    { ...ok, name: "init-beyond-4gb", arena: 0x7fffffff, imageCap: 0x7fffffff, expect: { init: S.FACE_E_MEMORY, load: S.FACE_E_NOT_READY, embed: S.FACE_E_NOT_READY } },
  ];
}
