// PCF8563 battery-backed real-time clock on the gate's I2C bus (address 0x51,
// next to the PCF8574 expanders at 0x20/0x21). ECMA-419 style: a `time`
// property in ms since the epoch (UTC). The chip sets the VL bit (seconds
// register, bit 7) when its supply dropped too low to keep time: then `time`
// reads undefined, never a guess. Writing `time` clears VL.
//
// Registers 0x02-0x08: seconds (VL + BCD), minutes, hours, day, weekday,
// century/month (C + BCD), year (BCD); read in one burst so a carry between
// registers cannot tear the reading. The century bit marks 2100+: years
// 2000-2099 are written with C = 0 and a set C reads as a bad clock.
//
// Options:
// - i2c: IO descriptor {io: I2C, data, clock, port?, hz?, address?} [REQUIRED]
//        address defaults to 0x51.
// I2C errors propagate (the caller treats a failing RTC as a lost clock).
import type { I2cInstance, I2cSpec } from "./pcf8574";

export const PCF8563_ADDRESS = 0x51;
const SECONDS = 0x02;
const VL = 0x80;
const CENTURY = 0x80;

function bcd(byte: number, mask: number): number {
  const v = byte & mask;
  const hi = v >> 4, lo = v & 0x0f;
  return lo > 9 ? NaN : hi * 10 + lo;
}

function toBcd(n: number): number {
  return ((n / 10) | 0) * 16 + (n % 10);
}

export class Pcf8563 {
  #i2c: I2cInstance | undefined;
  readonly #regs = new Uint8Array(7);
  readonly #pointer = Uint8Array.of(SECONDS);

  constructor(options: { i2c: I2cSpec }) {
    this.#i2c = new options.i2c.io({ hz: 100_000, address: PCF8563_ADDRESS, ...options.i2c });
  }

  /** The chip's time in ms, or undefined when it lost time (VL set) or holds no valid date. */
  get time(): number | undefined {
    const i2c = this.#open();
    i2c.write(this.#pointer, false);
    i2c.read(this.#regs);
    const r = this.#regs;
    if (r[0] & VL || r[5] & CENTURY) return undefined;
    const [s, mi, h, d, mo, y] = [bcd(r[0], 0x7f), bcd(r[1], 0x7f), bcd(r[2], 0x3f), bcd(r[3], 0x3f), bcd(r[5], 0x1f), bcd(r[6], 0xff)];
    if (!(s <= 59 && mi <= 59 && h <= 23 && d >= 1 && d <= 31 && mo >= 1 && mo <= 12 && y <= 99)) return undefined;
    const ms = Date.UTC(2000 + y, mo - 1, d, h, mi, s);
    if (new Date(ms).getUTCDate() !== d) return undefined; // 31 February
    return ms;
  }

  /** Sets the chip (whole seconds, years 2000-2099) and clears VL. */
  set time(ms: number) {
    const date = new Date(ms);
    const year = date.getUTCFullYear();
    if (!Number.isFinite(ms) || year < 2000 || year > 2099) throw new RangeError("PCF8563 holds 2000-2099");
    this.#open().write(Uint8Array.of(
      SECONDS,
      toBcd(date.getUTCSeconds()), // VL = 0
      toBcd(date.getUTCMinutes()),
      toBcd(date.getUTCHours()),
      toBcd(date.getUTCDate()),
      date.getUTCDay(),
      toBcd(date.getUTCMonth() + 1), // C = 0: 20xx
      toBcd(year - 2000),
    ));
  }

  close(): void {
    this.#i2c?.close();
    this.#i2c = undefined;
  }

  #open(): I2cInstance {
    if (!this.#i2c) throw new Error("closed");
    return this.#i2c;
  }
}
