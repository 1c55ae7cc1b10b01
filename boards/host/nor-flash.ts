// A NOR flash chip in RAM, as strict as the real part and able to lose power
// at any chosen write or erase. Portable (no Node): tests run it in Node and XS,
// the simulator backs it with a file (./file-flash.ts).
//
// Rules modelled: erase sets a whole 4 KiB sector to 0xFF; programming ANDs
// (it can only clear bits); a power cut during a program leaves a torn write
// (a prefix programmed, the rest with random bits cleared or untouched), during
// an erase a partly erased sector (some of it 0xFF, some random, some old).
import type { Flash } from "../../src/core/store/flash";
import { SECTOR_SIZE } from "../../src/core/store/flash";

/** Thrown by the operation the power cut interrupted, and by every access until powerOn(). */
export class PowerCut extends Error {
  constructor(readonly op: number) {
    super(`power cut at flash operation ${op}`);
  }
}
// On the prototype: Moddable freezes Error.prototype, so an instance assignment would throw there.
Object.defineProperty(PowerCut.prototype, "name", { value: "PowerCut", writable: true, configurable: true });

export interface NorFlashOptions {
  /** Seed for the random damage a power cut leaves (deterministic per seed). */
  seed?: number;
  /** Start from this image (copied) instead of a blank chip. */
  image?: Uint8Array;
}

export class NorFlash implements Flash {
  readonly size: number;
  readonly sectorSize = SECTOR_SIZE;
  readonly image: Uint8Array;
  readonly eraseCounts: Uint32Array;
  /** Writes and erases so far: cut points are numbered by this count (1-based). */
  ops = 0;
  /** Cut power when `ops` reaches this number (0: never). */
  cutAt = 0;
  programmedBytes = 0;
  erases = 0;
  /** Bytes a write tried to raise from 0 to 1: NOR cannot, so a correct store never asks. */
  violations = 0;
  #dead = false;
  #rng: number;

  constructor(size = 1024 * 1024, options: NorFlashOptions = {}) {
    if (size <= 0 || size % SECTOR_SIZE !== 0) throw new RangeError(`flash size ${size} is not a whole number of ${SECTOR_SIZE}-byte sectors`);
    this.size = size;
    this.image = new Uint8Array(size).fill(0xff);
    if (options.image) this.image.set(options.image.subarray(0, size));
    this.eraseCounts = new Uint32Array(size / SECTOR_SIZE);
    this.#rng = (options.seed ?? 0x2545f491) >>> 0 || 1;
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** Power returns: the chip keeps whatever the cut left. */
  powerOn(): void {
    this.#dead = false;
    this.cutAt = 0;
  }

  read(offset: number, length: number): Uint8Array {
    this.#check(offset, length);
    return this.image.slice(offset, offset + length);
  }

  write(offset: number, bytes: Uint8Array): void {
    this.#check(offset, bytes.length);
    const op = ++this.ops;
    const img = this.image;
    let n = bytes.length;
    const cut = op === this.cutAt;
    if (cut) n = this.#random(bytes.length + 1);
    for (let i = 0; i < n; i++) {
      const old = img[offset + i], value = bytes[i];
      if (value & ~old & 0xff) this.violations++;
      img[offset + i] = old & value;
    }
    this.programmedBytes += n;
    if (cut) {
      // The byte being programmed and maybe a few after it: some bits made it.
      const tail = Math.min(bytes.length - n, this.#random(8));
      for (let i = n; i < n + tail; i++) img[offset + i] &= bytes[i] | this.#random(256);
      this.#cut(op);
    }
  }

  erase(sector: number): void {
    if (!Number.isInteger(sector) || sector < 0 || sector >= this.eraseCounts.length) throw new RangeError(`no sector ${sector}`);
    this.#check(sector * SECTOR_SIZE, 0);
    const op = ++this.ops;
    const start = sector * SECTOR_SIZE;
    this.eraseCounts[sector]++;
    this.erases++;
    if (op !== this.cutAt) {
      this.image.fill(0xff, start, start + SECTOR_SIZE);
      return;
    }
    // Cells discharge unevenly: per 256-byte page, erased, random, or untouched.
    for (let page = 0; page < SECTOR_SIZE; page += 256) {
      const mode = this.#random(3);
      for (let i = start + page; i < start + page + 256; i++) {
        if (mode === 0) this.image[i] = 0xff;
        else if (mode === 1) this.image[i] |= this.#random(256);
      }
    }
    this.#cut(op);
  }

  #check(offset: number, length: number): void {
    if (this.#dead) throw new PowerCut(this.ops);
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new RangeError(`flash access [${offset}, +${length}) outside the ${this.size}-byte partition`);
    }
  }

  #cut(op: number): never {
    this.#dead = true;
    throw new PowerCut(op);
  }

  /** xorshift32: damage patterns reproducible from the seed. */
  #random(bound: number): number {
    let x = this.#rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#rng = x >>> 0;
    return this.#rng % bound;
  }
}
