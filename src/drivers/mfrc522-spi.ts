// MFRC522 register transport over ECMA-419 SPI, with chip select and the
// optional NRSTPD reset line on digital pins (the shape of Moddable's sx127x
// driver).
//
// Options:
// - spi: IO descriptor for the SPI bus {io, clock, in, out, port, hz?, mode?} [REQUIRED]
//        hz defaults to 4 MHz (the MFRC522 allows 10 MHz; long cables to a gate post do not).
// - select: IO descriptor of the chip select pin {io, pin} [REQUIRED], held high when idle.
// - reset: IO descriptor of the NRSTPD pin {io, pin} [OPTIONAL]; without it the
//          driver uses the SoftReset command.
// - versions: VersionReg values accepted [OPTIONAL, default 0x91 and 0x92].
//
// The constructor reads VersionReg a few times and throws Error("Not Found")
// when no known chip answers, so a miswired reader fails at boot, not later.
import type { DigitalInstance, DigitalSpec, SpiInstance, SpiSpec } from "./io";
import { openOutput } from "./io";
import type { Mfrc522Transport } from "./mfrc522-transport";
import { KNOWN_VERSIONS, Reg } from "./mfrc522-registers";

export interface Mfrc522SpiOptions {
  spi: SpiSpec;
  select: DigitalSpec;
  reset?: DigitalSpec;
  versions?: readonly number[];
}

const VERSION_ATTEMPTS = 5;
const FIFO_SIZE = 64;

export class Mfrc522Spi implements Mfrc522Transport {
  #spi: SpiInstance | undefined;
  #select: DigitalInstance | undefined;
  #reset: DigitalInstance | undefined;
  readonly #pair = new Uint8Array(2);
  readonly #burst = new Uint8Array(FIFO_SIZE + 1);
  /** burst.subarray(0, n + 1), made once per length so bursts do not allocate. */
  readonly #views: (Uint8Array | undefined)[] = [];
  readonly version: number;

  constructor(options: Mfrc522SpiOptions) {
    this.#spi = new options.spi.io({ hz: 4_000_000, mode: 0, ...options.spi });
    this.#select = openOutput(options.select, 1);
    if (options.reset) this.#reset = openOutput(options.reset, 1);
    const versions = options.versions ?? KNOWN_VERSIONS;
    let version = -1;
    for (let i = 0; i < VERSION_ATTEMPTS && !versions.includes(version); i++) version = this.readRegister(Reg.Version);
    if (!versions.includes(version)) {
      this.close();
      throw new Error("Not Found");
    }
    this.version = version;
  }

  readRegister(reg: number): number {
    const pair = this.#pair;
    pair[0] = 0x80 | (reg << 1);
    pair[1] = 0;
    this.#frame(pair, true);
    return pair[1];
  }

  writeRegister(reg: number, value: number): void {
    const pair = this.#pair;
    pair[0] = reg << 1;
    pair[1] = value;
    this.#frame(pair, false);
  }

  writeFifo(bytes: Uint8Array, length: number): void {
    if (length <= 0) return;
    if (length > FIFO_SIZE) throw new RangeError("FIFO holds 64 bytes");
    const burst = this.#burst;
    burst[0] = Reg.FIFOData << 1;
    for (let i = 0; i < length; i++) burst[i + 1] = bytes[i];
    this.#frame(this.#view(length + 1), false);
  }

  readFifo(into: Uint8Array, offset: number, length: number): void {
    if (length <= 0) return;
    if (length > FIFO_SIZE) throw new RangeError("FIFO holds 64 bytes");
    const burst = this.#burst;
    const address = 0x80 | (Reg.FIFOData << 1);
    for (let i = 0; i < length; i++) burst[i] = address;
    burst[length] = 0;
    this.#frame(this.#view(length + 1), true);
    for (let i = 0; i < length; i++) into[offset + i] = burst[i + 1];
  }

  setResetLine(level: 0 | 1): boolean {
    if (!this.#reset) return false;
    this.#reset.write(level);
    return true;
  }

  close(): void {
    this.#spi?.close();
    this.#select?.close();
    this.#reset?.close();
    this.#spi = undefined;
    this.#select = undefined;
    this.#reset = undefined;
  }

  #frame(bytes: Uint8Array, duplex: boolean): void {
    const spi = this.#spi, select = this.#select;
    if (!spi || !select) throw new Error("closed");
    select.write(0);
    if (duplex) spi.transfer(bytes);
    else spi.write(bytes);
    select.write(1);
  }

  #view(length: number): Uint8Array {
    let view = this.#views[length];
    if (!view) {
      view = this.#burst.subarray(0, length);
      this.#views[length] = view;
    }
    return view;
  }
}
