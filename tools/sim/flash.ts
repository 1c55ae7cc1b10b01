// The simulator's flash partition, Node side: the store helper's NOR model
// (boards/host/nor-flash.ts: NOR rules, power cuts with torn writes and
// partial erases), backed by an image file (boards/host/file-flash.ts) or held
// in RAM. The firmware in XS reaches it through the host link, one synchronous
// round trip per read, write or erase, so the image always holds exactly what
// the firmware's completed operations left there: killing the worker is a
// power cut, and a cut injected in the model stops the firmware at once.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FileFlash } from "../../boards/host/file-flash";
import { NorFlash } from "../../boards/host/nor-flash";
import type { Flash } from "../../src/core/store/flash";

export interface SimFlash {
  /** What the firmware's flash operations go to. */
  readonly flash: Flash;
  /** The chip model behind it: the image, operation count, power-cut control. */
  readonly nor: NorFlash;
  /**
   * The board's key root secret, kept with the image (a key file beside it,
   * owner-only): the host stand-in for the S3's eFuse key (docs/secrets.md).
   * Lose it and the image's sealed records no longer open, as on a board.
   */
  readonly keyRoot: Uint8Array | undefined;
  close(): void;
}

/** Key roots of RAM images, per chip model: restarts over the same model keep theirs. */
const RAM_ROOTS = new WeakMap<NorFlash, Uint8Array>();

export const SIM_FLASH_SIZE = 1024 * 1024;

/** A RAM-only flash (tests), optionally shared between boots to model restarts. */
export function ramFlash(nor = new NorFlash(SIM_FLASH_SIZE)): SimFlash {
  let keyRoot = RAM_ROOTS.get(nor);
  if (!keyRoot) RAM_ROOTS.set(nor, (keyRoot = new Uint8Array(randomBytes(32))));
  return { flash: nor, nor, keyRoot, close: () => undefined };
}

/** Open the image file (created erased when missing, erased again with `fresh`), or RAM for null. */
export function openSimFlash(file: string | null, fresh: boolean, size = SIM_FLASH_SIZE): SimFlash {
  if (file === null) return ramFlash(new NorFlash(size));
  mkdirSync(path.dirname(file), { recursive: true });
  const keyFile = `${file}.key`;
  if (fresh && existsSync(file)) unlinkSync(file);
  if (fresh && existsSync(keyFile)) unlinkSync(keyFile);
  // An image made before key roots has none (its store key is not wrapped): it keeps working; --fresh gives one.
  const legacy = existsSync(file) && !existsSync(keyFile);
  const flash = new FileFlash(file, size);
  return { flash, nor: flash.nor, keyRoot: legacy ? undefined : keyFileRoot(keyFile), close: () => flash.close() };
}

/** The key file's 32 bytes, made (owner read/write only) with a new image. */
function keyFileRoot(keyFile: string): Uint8Array {
  if (existsSync(keyFile)) {
    const bytes = readFileSync(keyFile);
    if (bytes.length !== 32) throw new Error(`${keyFile} is not a 32-byte key root; restore it from backup or start over with --fresh.`);
    return new Uint8Array(bytes);
  }
  const root = randomBytes(32);
  writeFileSync(keyFile, root, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return new Uint8Array(root);
}
