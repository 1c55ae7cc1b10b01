// One set of chip models behind the stand-ins for the Moddable modules the
// device board imports (embedded:io/*, time, mc/config, the native matcher),
// so boards/esp32s3-gate/board.ts and src/app/main.ts run unchanged in XS:
// GPIO, SPI with an MFRC522 on the pin map's chip select, I2C with the two
// PCF8574s at the pin map's addresses, a UART0 whose TX is captured, and the
// Wi-Fi driver with an access point (test/models/moddable-wifi.ts).
import { createHostHardware } from "../../../../boards/host/io/index";
import { PIN_MAP } from "../../../../boards/esp32s3-gate/pin-map";
import { Mfrc522Model } from "../../../models/mfrc522";
import { Pcf8574Model } from "../../../models/pcf8574";
import { WifiWorld } from "../../../models/moddable-wifi";

export const hw = createHostHardware();
export const reader = new Mfrc522Model({ clock: hw.clock, gpio: hw.gpio, selectPin: PIN_MAP.pin.rfidSelect });
hw.spi.attach(PIN_MAP.pin.rfidSelect, reader);
export const keypadChip = new Pcf8574Model();
export const outputChip = new Pcf8574Model();
hw.i2c.attach(PIN_MAP.expander.keypad.address, keypadChip);
hw.i2c.attach(PIN_MAP.expander.outputs.address, outputChip);
// Door shut (reed to ground).
hw.gpio.pin(PIN_MAP.pin.door).drive(0);

/** The Wi-Fi driver and its access point (Moddable's `wifi` and `net` modules run over it). */
export const wifi = new WifiWorld();

/** What the board sees of the outside: raw millisecond counter, wall clock set calls, UART traffic, NVS. */
export const world = {
  rawTicks: 0,
  clockSets: [] as number[],
  uartOptions: undefined as any,
  uartOut: [] as number[],
  uartIn: [] as number[],
  preferences: new Map<string, string | boolean | number | ArrayBuffer>(),
  /** eFuse key block 4 burned for HMAC_UP (provisioning), or undefined on a blank chip. Only the HMAC stand-in reads it. */
  efuseKey4: undefined as Uint8Array | undefined,
  /** Names the `net` stand-in resolves, and the TCP sockets opened (address:port). */
  dns: new Map([["hub.example.org", "10.0.0.5"]]),
  tcpOpens: [] as string[],
};
