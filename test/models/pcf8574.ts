// PCF8574 model: eight quasi-bidirectional pins. Each is a GpioPin of the
// expander's own GpioBank (so the keypad matrix model works on expander pins
// exactly as on MCU pins): latch 0 sinks the pin low, latch 1 leaves it to the
// outside world with a weak pull-up.
import { GpioBank } from "./gpio";
import type { I2cDeviceModel } from "./i2c-bus";

export class Pcf8574Model implements I2cDeviceModel {
  readonly pins = new GpioBank();
  writes = 0;
  reads = 0;

  constructor() {
    for (let p = 0; p < 8; p++) {
      const pin = this.pins.pin(p);
      pin.mode = "open-drain";
      pin.write(1);
    }
  }

  get latch(): number {
    let v = 0;
    for (let p = 0; p < 8; p++) v |= this.pins.pin(p).latch << p;
    return v;
  }

  read(into: Uint8Array): void {
    this.reads++;
    let v = 0;
    for (let p = 0; p < 8; p++) v |= this.pins.pin(p).level << p;
    into.fill(v);
  }

  write(bytes: Uint8Array): void {
    for (const b of bytes) {
      this.writes++;
      for (let p = 0; p < 8; p++) this.pins.pin(p).write(((b >> p) & 1) as 0 | 1);
    }
  }
}
