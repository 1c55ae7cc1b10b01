// The store's Flash port over Moddable's `flash` module on the board: a raw
// partition (boards/esp32s3-gate/partitions.csv names it "storage"). The SPI
// NOR behind it has the rules the store is written for: 4 KiB erase, writes
// only clear bits, any operation may be cut by a power loss.
//
// Options:
//   partition [OPTIONAL] partition name, default "storage"
import Flash from "flash";
import type { Flash as FlashPort } from "../core/store/flash";

export default class FlashPartition implements FlashPort {
  readonly size: number;
  readonly sectorSize: number;
  #flash: Flash | undefined;

  constructor(options: { partition?: string } = {}) {
    const flash = new Flash(options.partition ?? "storage");
    this.#flash = flash;
    this.size = flash.byteLength;
    this.sectorSize = flash.blockSize;
  }

  read(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.#open().read(offset, length) as ArrayBuffer);
  }

  write(offset: number, bytes: Uint8Array): void {
    this.#open().write(offset, bytes.length, bytes);
  }

  erase(sector: number): void {
    this.#open().erase(sector);
  }

  close(): void {
    this.#flash = undefined;
  }

  #open(): Flash {
    if (!this.#flash) throw new Error("flash partition closed");
    return this.#flash;
  }
}
