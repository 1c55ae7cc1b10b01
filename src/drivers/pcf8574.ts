// PCF8574 / PCF8574A 8-bit I2C port expander, for boards whose camera leaves
// too few GPIOs for a matrix keypad (ESP32-S3 camera boards). It hands out a
// class with the ECMA-419 Digital constructor shape, so the keypad, LED and
// buzzer drivers run on expander pins unchanged: {io: expander.Digital, pin: 0..7}.
//
// The PCF8574 is quasi-bidirectional: writing 1 leaves a pin weakly pulled up
// (usable as input), writing 0 sinks current. So inputs are pins latched at 1,
// outputs are open-drain, and LEDs are wired active-low.
//
// Reads: one I2C read samples all eight pins. A scan reads several columns in
// a row, so a sample is reused until a pin is written or the same pin is read
// again (which asks for a fresh sample): a 4x4 keypad scan costs 4 writes and
// 4 reads, not 4 + 16 transactions.
//
// Options:
// - i2c: IO descriptor {io: I2C, data, clock, port?, hz?, address?} [REQUIRED]
//        address defaults to 0x20 (PCF8574 with A2..A0 low; PCF8574A is 0x38).
import type { BufferLike, DigitalClass, DigitalInstance } from "./io";

export interface I2cInstance {
  read(buffer: BufferLike, stop?: boolean): unknown;
  write(buffer: BufferLike, stop?: boolean): void;
  close(): void;
}

export interface I2cSpec {
  io: new (options: any) => I2cInstance;
  address?: number;
  hz?: number;
  [option: string]: unknown;
}

const INPUT = 1, INPUT_PULL_UP = 2, OUTPUT = 3, OUTPUT_OPEN_DRAIN = 4;

export class Pcf8574 {
  #i2c: I2cInstance | undefined;
  readonly #byte = new Uint8Array(1);
  #latch = 0xff;
  #sample = 0xff;
  /** Pins read since the last sample; reading one again takes a new sample. */
  #readSinceSample = 0xff;
  #claimed = 0;
  readonly Digital: DigitalClass;

  constructor(options: { i2c: I2cSpec }) {
    this.#i2c = new options.i2c.io({ hz: 100_000, address: 0x20, ...options.i2c });
    this.#write(0xff); // all pins released: inputs with weak pull-ups
    const expander = this;
    this.Digital = class ExpanderDigital implements DigitalInstance {
      static readonly Input = INPUT;
      static readonly InputPullUp = INPUT_PULL_UP;
      static readonly Output = OUTPUT;
      static readonly OutputOpenDrain = OUTPUT_OPEN_DRAIN;
      static readonly Rising = 1;
      static readonly Falling = 2;
      #pin: number;

      constructor(o: { pin: number; mode: number; initialValue?: 0 | 1 }) {
        if (!(o.pin >= 0 && o.pin <= 7) || (o.pin | 0) !== o.pin) throw new RangeError("PCF8574 pins are 0-7");
        if (expander.#claimed & (1 << o.pin)) throw new Error("in use");
        expander.#claimed |= 1 << o.pin;
        this.#pin = o.pin;
        const output = o.mode === OUTPUT || o.mode === OUTPUT_OPEN_DRAIN;
        expander.#set(o.pin, output ? (o.initialValue ?? 1) : 1);
      }

      read(): number {
        return expander.#read(this.#pin);
      }

      write(value: 0 | 1): void {
        expander.#set(this.#pin, value);
      }

      close(): void {
        if (this.#pin < 0) return;
        expander.#set(this.#pin, 1);
        expander.#claimed &= ~(1 << this.#pin);
        this.#pin = -1;
      }
    };
  }

  /** All eight pins in one read. */
  readPort(): number {
    const i2c = this.#live();
    i2c.read(this.#byte);
    this.#sample = this.#byte[0];
    this.#readSinceSample = 0;
    return this.#sample;
  }

  close(): void {
    if (!this.#i2c) return;
    try {
      this.#write(0xff);
    } finally {
      this.#i2c.close();
      this.#i2c = undefined;
    }
  }

  #read(pin: number): number {
    const bit = 1 << pin;
    if (this.#readSinceSample & bit) this.readPort();
    this.#readSinceSample |= bit;
    return (this.#sample >> pin) & 1;
  }

  #set(pin: number, value: number): void {
    const latch = value ? this.#latch | (1 << pin) : this.#latch & ~(1 << pin);
    if (latch !== this.#latch) this.#write(latch);
  }

  #write(latch: number): void {
    this.#latch = latch;
    this.#byte[0] = latch;
    this.#live().write(this.#byte);
    this.#readSinceSample = 0xff; // outputs changed: the next read needs a new sample
  }

  #live(): I2cInstance {
    if (!this.#i2c) throw new Error("closed");
    return this.#i2c;
  }
}
