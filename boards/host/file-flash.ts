// Node only: the simulator's flash partition, a NOR model (./nor-flash.ts)
// whose image lives in a file, so residents, consents and the audit log
// survive a restart of the simulator exactly as they survive a reboot.
import { closeSync, existsSync, openSync, readSync, writeSync } from "node:fs";
import type { Flash } from "../../src/core/store/flash";
import { NorFlash } from "./nor-flash";

export class FileFlash implements Flash {
  readonly size: number;
  readonly sectorSize: number;
  readonly nor: NorFlash;
  #fd: number;

  /** Opens (or creates, blank) an image file of `size` bytes. */
  constructor(path: string, size = 1024 * 1024) {
    const fresh = !existsSync(path);
    this.#fd = openSync(path, fresh ? "w+" : "r+");
    this.nor = new NorFlash(size);
    if (fresh) writeSync(this.#fd, this.nor.image, 0, size, 0);
    else {
      const got = readSync(this.#fd, this.nor.image, 0, size, 0);
      if (got < size) {
        this.nor.image.fill(0xff, got);
        writeSync(this.#fd, this.nor.image, got, size - got, got);
      }
    }
    this.size = size;
    this.sectorSize = this.nor.sectorSize;
  }

  read(offset: number, length: number): Uint8Array {
    return this.nor.read(offset, length);
  }

  write(offset: number, bytes: Uint8Array): void {
    try {
      this.nor.write(offset, bytes);
    } finally {
      writeSync(this.#fd, this.nor.image, offset, bytes.length, offset);
    }
  }

  erase(sector: number): void {
    try {
      this.nor.erase(sector);
    } finally {
      const start = sector * this.sectorSize;
      writeSync(this.#fd, this.nor.image, start, this.sectorSize, start);
    }
  }

  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }
}
