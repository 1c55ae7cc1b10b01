// The simulator's flash partition, Node side. The firmware in XS reaches it
// through the host link (every read, write and erase is one synchronous
// round trip), so the image file always holds exactly what the firmware's
// acknowledged operations left there: killing the worker is a power cut.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import path from "node:path";

export interface SimFlash {
  readonly size: number;
  readonly sectorSize: number;
  read(offset: number, length: number): Uint8Array;
  write(offset: number, data: Uint8Array): void;
  erase(sector: number): void;
  /** The whole image (tests scan it for bytes that must not be there). */
  image(): Uint8Array;
  /** False once a simulated power cut hit this flash: the board is dead until restarted. */
  readonly powered?: boolean;
  close?(): void;
}

/** Thrown by a flash whose power was cut in the middle of an operation. */
export class PowerCut extends Error {
  constructor() {
    super("power cut");
  }
}

export const SIM_FLASH_SIZE = 1024 * 1024;
export const SIM_SECTOR_SIZE = 4096;

/** NOR semantics: writes can only clear bits (the cell ANDs), erase sets a sector to 0xFF. */
export class NorImage implements SimFlash {
  readonly size: number;
  readonly sectorSize: number;
  readonly bytes: Uint8Array;
  /** Write and erase operations so far (power-cut points are counted in these). */
  ops = 0;
  powered = true;
  #cutAt = -1;
  #fd?: number;

  constructor(bytes: Uint8Array, sectorSize = SIM_SECTOR_SIZE, fd?: number) {
    this.bytes = bytes;
    this.size = bytes.length;
    this.sectorSize = sectorSize;
    this.#fd = fd;
  }

  read(offset: number, length: number): Uint8Array {
    this.#check(offset, length);
    return this.bytes.slice(offset, offset + length);
  }

  write(offset: number, data: Uint8Array): void {
    this.#check(offset, data.length);
    const torn = this.#cutting();
    // A torn write programs only a prefix before the power goes.
    const length = torn ? data.length >> 1 : data.length;
    for (let i = 0; i < length; i++) this.bytes[offset + i] &= data[i];
    this.#sync(offset, length);
    if (torn) throw new PowerCut();
  }

  erase(sector: number): void {
    if (!Number.isInteger(sector) || sector < 0 || sector >= this.size / this.sectorSize) throw new Error(`erase: no sector ${sector}`);
    const torn = this.#cutting();
    // A partial erase leaves the second half of the sector as it was.
    const length = torn ? this.sectorSize >> 1 : this.sectorSize;
    this.bytes.fill(0xff, sector * this.sectorSize, sector * this.sectorSize + length);
    this.#sync(sector * this.sectorSize, length);
    if (torn) throw new PowerCut();
  }

  /** Cut the power during the n-th write or erase from now (1 = the next one). */
  cutPowerAfter(n: number): void {
    this.#cutAt = this.ops + n;
  }

  /** Power back on (the next boot). */
  restorePower(): void {
    this.powered = true;
    this.#cutAt = -1;
  }

  image(): Uint8Array {
    return this.bytes;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #cutting(): boolean {
    if (!this.powered) throw new PowerCut();
    this.ops++;
    if (this.ops !== this.#cutAt) return false;
    this.powered = false;
    return true;
  }

  #check(offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new Error(`flash access out of range: ${offset}+${length} of ${this.size}`);
    }
  }

  #sync(offset: number, length: number): void {
    if (this.#fd !== undefined) writeSync(this.#fd, this.bytes, offset, length, offset);
  }
}

/** Open (or create erased) the image file; null → a RAM-only erased flash. */
export function openSimFlash(file: string | null, fresh: boolean, size = SIM_FLASH_SIZE): NorImage {
  const bytes = new Uint8Array(size).fill(0xff);
  if (file === null) return new NorImage(bytes);
  mkdirSync(path.dirname(file), { recursive: true });
  const reuse = !fresh && existsSync(file);
  const fd = openSync(file, reuse ? "r+" : "w+");
  if (reuse && fstatSync(fd).size === size) readSync(fd, bytes, 0, size, 0);
  else writeSync(fd, bytes, 0, size, 0);
  return new NorImage(bytes, SIM_SECTOR_SIZE, fd);
}
