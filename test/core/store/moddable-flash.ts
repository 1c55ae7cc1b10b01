// Stands in for Moddable's `flash` module (the API @moddable/typings declares:
// new Flash(partition), byteLength, blockSize, read → ArrayBuffer,
// write(offset, byteLength, buffer), erase(sector), map()) over the NOR model, so the
// board adapter src/drivers/flash-partition.ts runs unchanged inside XS.
import { NorFlash } from "../../../boards/host/nor-flash";

const partitions = new Map<string, NorFlash>();

export default class Flash {
  readonly #nor: NorFlash;

  constructor(partition = "storage") {
    let nor = partitions.get(partition);
    if (!nor) partitions.set(partition, (nor = new NorFlash(16 * 4096)));
    this.#nor = nor;
  }

  get byteLength(): number {
    return this.#nor.size;
  }

  get blockSize(): number {
    return this.#nor.sectorSize;
  }

  read(offset: number, byteLength: number): ArrayBuffer {
    return this.#nor.read(offset, byteLength).buffer as ArrayBuffer;
  }

  write(offset: number, byteLength: number, buffer: ArrayBuffer | ArrayBufferView): void {
    const view = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
    this.#nor.write(offset, view.subarray(0, byteLength));
  }

  erase(sector: number): void {
    this.#nor.erase(sector);
  }

  /** The whole partition, read-only in Moddable (a host buffer over the flash map); here a copy. */
  map(): ArrayBuffer {
    return this.#nor.read(0, this.#nor.size).buffer as ArrayBuffer;
  }

  /** For the test: the chip behind a partition. */
  static chip(partition = "storage"): NorFlash | undefined {
    return partitions.get(partition);
  }
}
