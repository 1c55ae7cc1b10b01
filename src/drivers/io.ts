// Structural types for the ECMA-419 IO descriptors drivers receive in their
// options ({io, pin, ...}). Drivers never import `embedded:io/*` themselves:
// the board (boards/esp32s3-gate/pins.ts) or the host passes the classes in,
// so the same driver runs over the real IO on the ESP32-S3 and over the chip
// models on a laptop.

export type BufferLike = ArrayBuffer | ArrayBufferView;

export interface DigitalInstance {
  read(): number;
  write(value: 0 | 1): void;
  close(): void;
}

export interface DigitalClass {
  new (options: any): DigitalInstance;
  readonly Input: unknown;
  readonly InputPullUp: unknown;
  readonly Output: unknown;
  /** Not every IO has it (the PCF8574 pins are open-drain by nature). */
  readonly OutputOpenDrain?: unknown;
  readonly Rising: number;
  readonly Falling: number;
}

/** `{io: Digital, pin}` plus anything the IO accepts (mode is chosen by the driver). */
export interface DigitalSpec {
  io: DigitalClass;
  pin: number;
  [option: string]: unknown;
}

export interface SpiInstance {
  write(buffer: BufferLike): void;
  transfer(buffer: BufferLike): void;
  close(): void;
}

export interface SpiClass {
  new (options: any): SpiInstance;
}

/** `{io: SPI, clock, in, out, port, hz?, mode?}`. */
export interface SpiSpec {
  io: SpiClass;
  hz?: number;
  [option: string]: unknown;
}

/** Opens an output pin at a defined level (no glitch between construction and first write). */
export function openOutput(spec: DigitalSpec, initialValue: 0 | 1): DigitalInstance {
  const pin = new spec.io({ mode: spec.io.Output, ...spec, initialValue });
  pin.write(initialValue);
  return pin;
}

/** Opens an input pin, with the pull-up unless the descriptor chooses another mode. */
export function openInput(spec: DigitalSpec): DigitalInstance {
  return new spec.io({ mode: spec.io.InputPullUp, ...spec });
}
