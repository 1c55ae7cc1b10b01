// A bad-input case through the kernel under Node's WebAssembly, taking the
// same host steps as src/native/face/face_host.c (so the statuses compare).
import { faceKernelInstance } from "../../tools/face-model/face-kernel";
import * as S from "../../src/app/face-kernel-status";
import type { BadCase } from "./bad-inputs";

export function runInWasm(c: Omit<BadCase, "name" | "expect">): { init: number; load: number; embed: number } {
  const k = faceKernelInstance();
  const init = k.init(c.imageCap, c.frameCap, c.arena);
  const ready = init === S.FACE_OK;
  let load: number;
  if (!ready) load = S.FACE_E_NOT_READY;
  else if (c.image.length > c.imageCap) load = S.FACE_E_IMAGE_TRUNCATED;
  else {
    new Uint8Array(k.memory.buffer, k.imagePtr(), c.image.length).set(c.image);
    load = k.loadModel(c.image.length);
  }
  let embed: number;
  if (!ready) embed = S.FACE_E_NOT_READY;
  else if (c.frame.length > c.frameCap) embed = S.FACE_E_CROP_SIZE;
  else {
    new Uint8Array(k.memory.buffer, k.framePtr(), c.frame.length).set(c.frame);
    embed = k.embed(c.width, c.height, c.format);
  }
  return { init, load, embed };
}
