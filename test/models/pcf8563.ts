// PCF8563 model at register level: a register pointer set by the first byte
// of a write, auto-increment on reads and writes, time kept in BCD registers
// that follow a time source while the chip has power (main or battery). The
// VL bit is set when both supplies are gone; faults for tests: a dead battery,
// a bus that stops answering, a crystal that runs fast or slow.
import type { I2cDeviceModel } from "./i2c-bus";

const bcd = (n: number) => ((n / 10) | 0) * 16 + (n % 10);
const unbcd = (b: number) => (b >> 4) * 10 + (b & 0x0f);

export class Pcf8563Model implements I2cDeviceModel {
  readonly regs = new Uint8Array(16);
  #pointer = 0;
  /** Time source (ms) the crystal follows. */
  readonly #now: () => number;
  /** What the registers held when they were last written, and when. */
  #base = 0;
  #loadedAt = 0;
  /** The oscillator runs from a write until both supplies are gone. */
  #running = false;
  /** The second the registers show: they change only when it passes (a glitch poked into regs stays until then). */
  #shown = NaN;
  /** Crystal error in parts per million (positive runs fast). */
  ppm = 0;
  /** While true every transaction fails, as a NACK or a stuck bus does. */
  failing = false;
  battery = true;
  reads = 0;
  writes = 0;

  constructor(now: () => number) {
    this.#now = now;
    this.regs[2] = 0x80; // from the factory: VL set, time invalid
    this.regs[5] = 0x01;
    this.regs[7] = 0x01;
  }

  /** Main power goes; without a battery the oscillator stops and VL is set. */
  powerCut(): void {
    if (this.battery) return;
    this.#tick();
    this.#running = false;
    this.regs[2] |= 0x80;
  }

  read(into: Uint8Array): void {
    if (this.failing) throw new Error("I2C NACK from 0x51");
    this.reads++;
    this.#tick();
    for (let i = 0; i < into.length; i++) into[i] = this.regs[(this.#pointer + i) & 0x0f];
    this.#pointer = (this.#pointer + into.length) & 0x0f;
  }

  write(bytes: Uint8Array): void {
    if (this.failing) throw new Error("I2C NACK from 0x51");
    this.writes++;
    if (bytes.length === 0) return;
    this.#tick();
    this.#pointer = bytes[0] & 0x0f;
    for (let i = 1; i < bytes.length; i++) {
      this.regs[this.#pointer] = bytes[i];
      this.#pointer = (this.#pointer + 1) & 0x0f;
    }
    if (bytes.length > 1 && bytes[0] <= 8) this.#load();
  }

  #registersMs(): number {
    const r = this.regs;
    return Date.UTC(2000 + unbcd(r[8]), unbcd(r[7] & 0x1f) - 1, unbcd(r[5] & 0x3f), unbcd(r[4] & 0x3f), unbcd(r[3] & 0x7f), unbcd(r[2] & 0x7f));
  }

  /** Registers were written: the oscillator restarts from them. */
  #load(): void {
    this.#loadedAt = this.#now();
    this.#base = this.#registersMs();
    this.#shown = Math.floor(this.#base / 1000);
    this.#running = true;
  }

  /** Brings the registers up to the source time (with the crystal's error). */
  #tick(): void {
    if (!this.#running) return;
    const elapsed = this.#now() - this.#loadedAt;
    const ms = this.#base + elapsed + Math.trunc((elapsed * this.ppm) / 1e6);
    const second = Math.floor(ms / 1000);
    if (second === this.#shown) return;
    this.#shown = second;
    const d = new Date(second * 1000);
    const r = this.regs;
    r[2] = (r[2] & 0x80) | bcd(d.getUTCSeconds());
    r[3] = bcd(d.getUTCMinutes());
    r[4] = bcd(d.getUTCHours());
    r[5] = bcd(d.getUTCDate());
    r[6] = d.getUTCDay();
    r[7] = (r[7] & 0x80) | bcd(d.getUTCMonth() + 1);
    r[8] = bcd(d.getUTCFullYear() % 100);
  }
}
