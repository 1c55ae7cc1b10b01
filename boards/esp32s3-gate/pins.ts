// Pin map of the optgate gate board: a Seeed XIAO ESP32S3 Sense (Moddable
// target `esp32/xiao_esp32s3_sense`, 8 MB PSRAM, OV2640 on the Sense board)
// plus an MFRC522 module, a keypad, a relay module, door contact, exit
// button, LEDs and a buzzer. Shaped like Moddable's
// build/devices/esp32/targets/*/host/provider.js: one `device` object with
// the IO classes, buses and pin numbers; openGateDevice() turns it into the
// IO descriptors the drivers take (src/app/board.ts GateDevice).
//
// GPIO budget. The camera takes its own pins (XCLK 10, SIOD 40, SIOC 39,
// Y2-Y9 15 17 18 16 14 12 11 48, VSYNC 38, HREF 47, PCLK 13), PSRAM and flash
// take 26-37, USB-Serial-JTAG (flashing, xsbug) 19/20, the Sense mic 41/42. What is left
// for us is the 11 header pins D0-D10:
//   D0 GPIO1, D1 GPIO2, D2 GPIO3, D3 GPIO4, D4 GPIO5, D5 GPIO6, D6 GPIO43,
//   D7 GPIO44, D8 GPIO7, D9 GPIO8, D10 GPIO9   (microSD shares D8-D10: leave the slot empty)
// Needed with every part on a GPIO: MFRC522 5 (SCK MOSI MISO SDA/CS RST) +
// relay, door, exit 3 + camera power and privacy LED 2 + green, red, buzzer 3
// + keypad 7 (3x4) or 8 (4x4) + the console UART 2 = 22-23. That does not fit
// in 11. The common way out: two PCF8574 I2C expanders on one I2C bus (2 pins)
// — 0x20 carries the keypad (4 rows + 4 columns), 0x21 the green/red LEDs, the
// buzzer, the MFRC522 reset, the camera power switch and the privacy LED —
// which leaves direct GPIOs for what must be fast or must not depend on a bus:
// SPI + chip select (4), relay, door, exit (3), and the console UART (2).
// Total 11 of 11.
//
// The console is UART0 on its own pins, GPIO43 (U0TXD) / GPIO44 (U0RXD), to a
// USB-UART adapter: Moddable's embedded:io/serial drives the S3's UARTs only,
// not the USB-Serial-JTAG on the USB-C socket (flashing and xsbug use that).
// The ROM boot log appears on the console too, which is harmless.
//
// Boot-time levels:
// - Camera power (0x21 P4) through a P-MOSFET high-side switch with a gate
//   pull-up, and the privacy LED (0x21 P5), both active LOW: the PCF8574
//   powers up with every pin high, so the camera and its LED stay off
//   through reset. Both depend on the same bus, so a dead bus cannot leave
//   the camera switchable with its LED dark.
// - GPIO2 = relay input: the relay module needs a pull-down (most have one),
//   so the strike stays locked through reset.
// - GPIO3 is a strapping pin (JTAG source) only when an eFuse selects it:
//   safe as the door contact input.
// On the XIAO Sense the camera rail is fixed on the board; there the power
// switch feeds an external camera on a carrier board, and with the on-board
// camera the driver's stop()/close() (XCLK off, sensor standby) is the
// power-down while the same pin still drives the LED logic.
//
// Other ESP32-S3 camera boards (Freenove ESP32-S3-WROOM CAM: free GPIO 1, 2,
// 14, 21, 38-42, 47 with the SD slot empty) give the same count: 10-12 free
// pins, so the same two-expander layout applies with other numbers.
import Digital from "embedded:io/digital";
import I2C from "embedded:io/i2c";
import SPI from "embedded:io/spi";
import Serial from "embedded:io/serial";
import Camera from "embedded:io/image/in/camera";
import type { GateDevice } from "../../src/app/board";
import type { DigitalClass, SpiClass } from "../../src/drivers/io";
import type { I2cSpec } from "../../src/drivers/pcf8574";
import { Pcf8574 } from "../../src/drivers/pcf8574";
import type { SerialClass, SerialSpec } from "../../src/drivers/serial-console";
import { PIN_MAP } from "./pin-map";

// @moddable/typings 5.6 leave close() out of SPI and I2C; the runtime has it.
const SpiIo = SPI as unknown as SpiClass;
const I2cIo = I2C as unknown as I2cSpec["io"];
const DigitalIo = Digital as unknown as DigitalClass;
// The typings' read() overloads do not name the buffer form's count as a plain number.
const SerialIo = Serial as unknown as SerialClass;

const device = {
  io: { Digital: DigitalIo, SPI: SpiIo, I2C: I2cIo, Serial: SerialIo, Camera },
  SPI: {
    /** MFRC522 on the XIAO's SPI pins (Moddable's device.SPI.default). 4 MHz: the reader sits on a cable in the gate post. */
    rfid: { io: SpiIo, ...PIN_MAP.spi, hz: 4_000_000, mode: 0 },
  },
  I2C: {
    /** Both PCF8574s (Moddable's device.I2C.default pins). */
    expanders: { io: I2cIo, ...PIN_MAP.i2c, hz: 100_000 },
  },
  serial: {
    /** The technician console (src/drivers/serial-console.ts). */
    console: { io: SerialIo, ...PIN_MAP.console } as SerialSpec,
  },
  pin: PIN_MAP.pin,
  expander: PIN_MAP.expander,
  /** QVGA RGB565 (little-endian, as the camera module delivers it): what the face kernel reads directly. */
  camera: { width: 320, height: 240, format: "rgb565" as const },
  lock: { failMode: "fail-secure" as const },
};

export default device;

export interface OpenedGateDevice {
  device: GateDevice;
  /** Releases the expanders (the drivers close their own pins). */
  close(): void;
}

/** Opens the expanders and returns the IO descriptors for src/app/hardware.ts. */
export function openGateDevice(): OpenedGateDevice {
  const { expanders } = device.I2C;
  const keypadChip = new Pcf8574({ i2c: { ...expanders, address: device.expander.keypad.address } });
  const outputChip = new Pcf8574({ i2c: { ...expanders, address: device.expander.outputs.address } });
  const pin = (n: number) => ({ io: DigitalIo, pin: n });
  const kp = device.expander.keypad, out = device.expander.outputs;
  return {
    device: {
      rfid: {
        spi: device.SPI.rfid,
        select: pin(device.pin.rfidSelect),
        reset: { io: outputChip.Digital, pin: out.rfidReset },
      },
      keypad: {
        rows: kp.rows.map((n) => ({ io: keypadChip.Digital, pin: n })),
        columns: kp.columns.map((n) => ({ io: keypadChip.Digital, pin: n })),
        keys: kp.keys,
      },
      lock: { relay: pin(device.pin.relay), failMode: device.lock.failMode },
      door: { ...pin(device.pin.door), activeLevel: 1 },
      exit: pin(device.pin.exit),
      indicator: {
        green: { io: outputChip.Digital, pin: out.green, activeLevel: 0 },
        red: { io: outputChip.Digital, pin: out.red, activeLevel: 0 },
        buzzer: { io: outputChip.Digital, pin: out.buzzer, activeLevel: 0 },
      },
      camera: {
        camera: { io: Camera },
        power: { io: outputChip.Digital, pin: out.cameraPower, activeLevel: 0 },
        indicator: { io: outputChip.Digital, pin: out.cameraIndicator, activeLevel: 0 },
        ...device.camera,
      },
      rtc: { i2c: { ...expanders, address: PIN_MAP.rtc.address } },
    },
    close() {
      keypadChip.close();
      outputChip.close();
    },
  };
}
