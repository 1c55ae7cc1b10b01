// The simulator's flash partition, Node side: the store helper's NOR model
// (boards/host/nor-flash.ts: NOR rules, power cuts with torn writes and
// partial erases), backed by an image file (boards/host/file-flash.ts) or held
// in RAM. The firmware in XS reaches it through the host link, one synchronous
// round trip per read, write or erase, so the image always holds exactly what
// the firmware's completed operations left there: killing the worker is a
// power cut, and a cut injected in the model stops the firmware at once.
import { existsSync, mkdirSync, unlinkSync } from "node:fs";
import path from "node:path";
import { FileFlash } from "../../boards/host/file-flash";
import { NorFlash } from "../../boards/host/nor-flash";
import type { Flash } from "../../src/core/store/flash";

export interface SimFlash {
  /** What the firmware's flash operations go to. */
  readonly flash: Flash;
  /** The chip model behind it: the image, operation count, power-cut control. */
  readonly nor: NorFlash;
  close(): void;
}

export const SIM_FLASH_SIZE = 1024 * 1024;

/** A RAM-only flash (tests), optionally shared between boots to model restarts. */
export function ramFlash(nor = new NorFlash(SIM_FLASH_SIZE)): SimFlash {
  return { flash: nor, nor, close: () => undefined };
}

/** Open the image file (created erased when missing, erased again with `fresh`), or RAM for null. */
export function openSimFlash(file: string | null, fresh: boolean, size = SIM_FLASH_SIZE): SimFlash {
  if (file === null) return ramFlash(new NorFlash(size));
  mkdirSync(path.dirname(file), { recursive: true });
  if (fresh && existsSync(file)) unlinkSync(file);
  const flash = new FileFlash(file, size);
  return { flash, nor: flash.nor, close: () => flash.close() };
}
