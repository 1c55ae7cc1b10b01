// Host provider with the shape of ECMA-419 `embedded:io/spi`, backed by the
// SPI bus model. Chip select is a separate Digital pin (as in Moddable's
// sx127x driver); the bus routes bytes to whichever device has it low.
import type { SpiBusModel } from "../../../test/models/spi-bus";
import { bytesOf, type BufferLike } from "./bytes";
export interface HostSpiOptions {
  hz: number;
  clock?: number;
  in?: number;
  out?: number;
  mode?: number;
  port?: number;
  active?: 0 | 1;
  target?: unknown;
}


export interface HostSpi {
  read(arg: number | BufferLike): ArrayBuffer | undefined;
  write(buffer: BufferLike): void;
  transfer(buffer: BufferLike): void;
  flush(deselect?: boolean): void;
  close(): void;
}

export interface HostSpiClass {
  new (options: HostSpiOptions): HostSpi;
}

export function makeSpi(bus: SpiBusModel): HostSpiClass {
  return class SPI implements HostSpi {
    #open = true;
    readonly hz: number;

    constructor(options: HostSpiOptions) {
      if (!(options.hz > 0)) throw new RangeError("hz required");
      this.hz = options.hz;
    }

    read(arg: number | BufferLike): ArrayBuffer | undefined {
      this.#check();
      const out = typeof arg === "number" ? new Uint8Array(arg) : bytesOf(arg);
      for (let i = 0; i < out.length; i++) out[i] = bus.exchange(0x00);
      return typeof arg === "number" ? out.buffer as ArrayBuffer : undefined;
    }

    write(buffer: BufferLike): void {
      this.#check();
      const bytes = bytesOf(buffer);
      for (let i = 0; i < bytes.length; i++) bus.exchange(bytes[i]);
    }

    transfer(buffer: BufferLike): void {
      this.#check();
      const bytes = bytesOf(buffer);
      for (let i = 0; i < bytes.length; i++) bytes[i] = bus.exchange(bytes[i]);
    }

    flush(): void {
      this.#check();
    }

    close(): void {
      this.#open = false;
    }

    #check(): void {
      if (!this.#open) throw new Error("closed");
    }
  };
}
