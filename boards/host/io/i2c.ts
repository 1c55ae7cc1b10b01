// Host provider with the shape of ECMA-419 `embedded:io/i2c`, backed by the
// I2C bus model: one instance talks to one device address.
import type { I2cBusModel } from "../../../test/models/i2c-bus";
import { bytesOf, type BufferLike } from "./bytes";

export interface HostI2cOptions {
  data: number;
  clock: number;
  hz: number;
  address: number;
  port?: number;
}

export interface HostI2c {
  read(arg: number | BufferLike, stop?: boolean): ArrayBuffer | undefined;
  write(buffer: BufferLike, stop?: boolean): void;
  close(): void;
}

export interface HostI2cClass {
  new (options: HostI2cOptions): HostI2c;
}

export function makeI2c(bus: I2cBusModel): HostI2cClass {
  return class I2C implements HostI2c {
    readonly #address: number;
    #open = true;

    constructor(options: HostI2cOptions) {
      if (!(options.address >= 0 && options.address < 0x80)) throw new RangeError("7-bit address required");
      if (!(options.hz > 0)) throw new RangeError("hz required");
      this.#address = options.address;
    }

    read(arg: number | BufferLike): ArrayBuffer | undefined {
      if (!this.#open) throw new Error("closed");
      const out = typeof arg === "number" ? new Uint8Array(arg) : bytesOf(arg);
      bus.device(this.#address).read(out);
      return typeof arg === "number" ? (out.buffer as ArrayBuffer) : undefined;
    }

    write(buffer: BufferLike): void {
      if (!this.#open) throw new Error("closed");
      bus.device(this.#address).write(bytesOf(buffer).slice());
    }

    close(): void {
      this.#open = false;
    }
  };
}
