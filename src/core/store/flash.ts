// The flash port the store writes through. It states NOR flash's real rules so
// the store is written against them, not against a forgiving RAM array:
// erase works on whole sectors and sets every bit to 1; a write can only clear
// bits (programming a byte that is not 0xFF ANDs into it); power may fail in the
// middle of any write or erase. Adapters: src/drivers/flash-partition.ts on the
// board, boards/host/nor-flash.ts (RAM model with power-cut injection) on hosts.

/** Every NOR part we target (ESP32-S3 SPI flash) erases 4 KiB sectors. */
export const SECTOR_SIZE = 4096;

export interface Flash {
  /** Partition size in bytes, a whole number of sectors. */
  readonly size: number;
  /** Erase granularity in bytes (SECTOR_SIZE). */
  readonly sectorSize: number;
  /** A copy of `length` bytes from `offset`. */
  read(offset: number, length: number): Uint8Array;
  /** Programs `bytes` at `offset`: each byte is ANDed into what is there. */
  write(offset: number, bytes: Uint8Array): void;
  /** Sets sector `sector` (index, not byte offset) to 0xFF. */
  erase(sector: number): void;
}
