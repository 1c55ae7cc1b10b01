// What the MFRC522 protocol code needs from a bus: single registers and FIFO
// bursts. The SPI class below supplies them on the board; tests may supply
// them straight from the register model. (ESPHome splits rc522 / rc522_spi
// the same way.)

export interface Mfrc522Transport {
  readRegister(reg: number): number;
  writeRegister(reg: number, value: number): void;
  /** Writes bytes [0, length) of `bytes` to FIFODataReg in one burst. */
  writeFifo(bytes: Uint8Array, length: number): void;
  /** Reads `length` bytes from FIFODataReg into `into` starting at `offset`. */
  readFifo(into: Uint8Array, offset: number, length: number): void;
  /**
   * Drives the NRSTPD line (0 = hard power-down, rising edge = hard reset).
   * Returns false when no reset line is wired, so the caller soft-resets instead.
   */
  setResetLine?(level: 0 | 1): boolean;
  close(): void;
}
