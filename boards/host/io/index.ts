// Host IO for the gate board: ECMA-419 shaped classes bound to one set of
// models. The simulator and the tests build a HostHardware, then hand
// `io.Digital` / `io.SPI` / `io.Camera` to the drivers in IO descriptors, as
// boards/esp32s3-gate/pins.ts does with the real embedded:io classes.
import { ModelClock } from "../../../test/models/clock";
import { GpioBank } from "../../../test/models/gpio";
import { I2cBusModel } from "../../../test/models/i2c-bus";
import { SpiBusModel } from "../../../test/models/spi-bus";
import { makeCamera, type FrameSource, type HostCameraClass } from "./camera";
import { makeDigital, type HostDigitalClass } from "./digital";
import { makeI2c, type HostI2cClass } from "./i2c";
import { makeSpi, type HostSpiClass } from "./spi";

export interface HostHardware {
  clock: ModelClock;
  gpio: GpioBank;
  spi: SpiBusModel;
  i2c: I2cBusModel;
  io: { Digital: HostDigitalClass; SPI: HostSpiClass; I2C: HostI2cClass; Camera: HostCameraClass };
}

export function createHostHardware(options: { clock?: ModelClock; frames?: FrameSource } = {}): HostHardware {
  const clock = options.clock ?? new ModelClock();
  const gpio = new GpioBank();
  const spi = new SpiBusModel(gpio);
  const i2c = new I2cBusModel();
  return {
    clock,
    gpio,
    spi,
    i2c,
    io: { Digital: makeDigital(gpio), SPI: makeSpi(spi), I2C: makeI2c(i2c), Camera: makeCamera(options.frames) },
  };
}
