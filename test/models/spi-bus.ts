// An SPI bus between the MCU and its chips, with the faults a long ribbon
// cable to a gate-post reader produces: random bit noise on MISO and MOSI, a
// MISO line stuck at 0x00 or 0xFF. A device takes part in a byte only while
// its chip select (a GPIO pin the device model watches) is low.
import type { GpioBank } from "./gpio";
import type { Rng } from "./rng";

export interface SpiDeviceModel {
  exchange(mosi: number): number;
}

export type SpiFault =
  | { kind: "none" }
  | { kind: "noise"; probability: number; rng: Rng }
  | { kind: "stuck"; value: 0x00 | 0xff };

export class SpiBusModel {
  readonly #gpio: GpioBank;
  readonly #devices: { selectPin: number; device: SpiDeviceModel }[] = [];
  fault: SpiFault = { kind: "none" };
  bytes = 0;

  constructor(gpio: GpioBank) {
    this.#gpio = gpio;
  }

  attach(selectPin: number, device: SpiDeviceModel): void {
    this.#devices.push({ selectPin, device });
  }

  /** Clock one byte out and one in. */
  exchange(mosi: number): number {
    this.bytes++;
    const fault = this.fault;
    if (fault.kind === "noise" && fault.rng.chance(fault.probability)) mosi ^= 1 << fault.rng.int(8);
    let miso = 0xff; // idle MISO is pulled up
    for (const { selectPin, device } of this.#devices) {
      if (this.#gpio.pin(selectPin).level === 0) miso &= device.exchange(mosi);
    }
    if (fault.kind === "stuck") return fault.value;
    if (fault.kind === "noise" && fault.rng.chance(fault.probability)) miso ^= 1 << fault.rng.int(8);
    return miso;
  }
}
