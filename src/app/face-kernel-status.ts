// Status codes of the face kernel (wasm/face-kernel.ts; the same code as C
// through wasm2c on the board). Kept in step by hand with the constants at the
// top of the kernel; test/face-model checks every one. Each becomes an
// OptgateError with a stable code and a sentence; the gate's answer to any of
// them is "use card or PIN", never a grant.
import { OptgateError } from "../core/errors";

export const FACE_OK = 0;
export const FACE_E_INIT = -1;
export const FACE_E_MEMORY = -2;
export const FACE_E_NOT_READY = -3;
export const FACE_E_IMAGE_TRUNCATED = -4;
export const FACE_E_IMAGE_MAGIC = -5;
export const FACE_E_IMAGE_VERSION = -6;
export const FACE_E_IMAGE_CHECKSUM = -7;
export const FACE_E_IMAGE_LAYOUT = -8;
export const FACE_E_ARENA_TOO_SMALL = -9;
export const FACE_E_CROP_SIZE = -10;
export const FACE_E_FORMAT = -11;
/** Not from the kernel: the C host caught a wasm2c trap. */
export const FACE_E_TRAP = -12;

const SENTENCES: Record<number, [string, string]> = {
  [FACE_E_INIT]: ["E_FACE_KERNEL_INIT", "The face kernel was given impossible sizes for image, frame or arena."],
  [FACE_E_MEMORY]: ["E_FACE_KERNEL_MEMORY", "The face kernel could not get memory for the model image, frame and arena."],
  [FACE_E_NOT_READY]: ["E_FACE_KERNEL_NOT_READY", "The face kernel was used before a model image was loaded and checked."],
  [FACE_E_IMAGE_TRUNCATED]: ["E_FACE_MODEL_TRUNCATED", "The face model image is shorter than it says it is; flash it again."],
  [FACE_E_IMAGE_MAGIC]: ["E_FACE_MODEL_MAGIC", "The face model partition does not hold a face model image."],
  [FACE_E_IMAGE_VERSION]: ["E_FACE_MODEL_VERSION", "The face model image is of a format version this firmware does not read."],
  [FACE_E_IMAGE_CHECKSUM]: ["E_FACE_MODEL_CHECKSUM", "The face model image fails its checksum (corrupt flash or an interrupted write); flash it again."],
  [FACE_E_IMAGE_LAYOUT]: ["E_FACE_MODEL_LAYOUT", "The face model image's layer table reaches outside the image or arena; it was not made by this converter."],
  [FACE_E_ARENA_TOO_SMALL]: ["E_FACE_ARENA_TOO_SMALL", "The face model needs a larger activation arena than was given."],
  [FACE_E_CROP_SIZE]: ["E_FACE_CROP_SIZE", "The face crop is not the size the model takes."],
  [FACE_E_FORMAT]: ["E_FACE_PIXEL_FORMAT", "The face crop is in a pixel format the kernel does not read."],
  [FACE_E_TRAP]: ["E_FACE_KERNEL_TRAP", "The face kernel trapped; nothing was read out of bounds, but the firmware has a bug to report."],
};

export function faceKernelError(status: number, operation: string): OptgateError {
  const [code, sentence] = SENTENCES[status] ?? ["E_FACE_KERNEL", `The face kernel returned unknown status ${status}.`];
  return new OptgateError(code, `${sentence} (${operation})`);
}

export function checkFaceStatus(status: number, operation: string): void {
  if (status !== FACE_OK) throw faceKernelError(status, operation);
}
