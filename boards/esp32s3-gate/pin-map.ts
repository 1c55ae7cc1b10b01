// The gate board's pin numbers as plain data (see pins.ts for the reasoning),
// kept apart from the embedded:io imports so host tools and tests can check
// the map and print the wiring table.

/** XIAO ESP32S3 Sense header pins: label → GPIO. The only GPIOs the camera board leaves free. */
export const XIAO_HEADER: Readonly<Record<string, number>> = {
  D0: 1, D1: 2, D2: 3, D3: 4, D4: 5, D5: 6, D6: 43, D7: 44, D8: 7, D9: 8, D10: 9,
};

export const PIN_MAP = {
  spi: { port: 1, clock: 7, in: 8, out: 9 },
  i2c: { port: 1, data: 5, clock: 6 },
  pin: {
    rfidSelect: 1,
    relay: 2,
    door: 3,
    exit: 4,
  },
  /**
   * Technician console: UART0 on its own pins (U0TXD GPIO43, U0RXD GPIO44), to a
   * 3.3 V USB-UART adapter. Moddable's embedded:io/serial drives UARTs only, not
   * the S3's USB-Serial-JTAG on the USB-C socket (xsbug and flashing use that).
   */
  console: { port: 0, transmit: 43, receive: 44, baud: 115200 },
  expander: {
    keypad: { address: 0x20, rows: [0, 1, 2, 3], columns: [4, 5, 6, 7], keys: "123A456B789C*0#D" },
    /**
     * LEDs and buzzer wired active-low (the PCF8574 sinks 25 mA, sources ~0.1 mA).
     * The camera power switch (P-MOSFET, gate pull-up) and the privacy LED are
     * active-low too: the PCF8574 powers up with every pin high, so both stay
     * off through reset, and both hang on the same bus, so the LED cannot fail
     * dark while the camera can still be switched on.
     */
    outputs: { address: 0x21, green: 0, red: 1, buzzer: 2, rfidReset: 3, cameraPower: 4, cameraIndicator: 5 },
  },
  /** PCF8563 battery-backed clock on the expanders' bus (0x51: no clash with 0x20/0x21 or a PCF8574A's 0x38-0x3F). */
  rtc: { address: 0x51 },
} as const;

export interface WiringRow {
  part: string;
  signal: string;
  connection: string;
}

/** The wiring table (docs/wiring.md), generated from the map so the two cannot drift. */
export function wiringTable(): WiringRow[] {
  const header = (gpio: number) => {
    const label = Object.keys(XIAO_HEADER).find((k) => XIAO_HEADER[k] === gpio);
    return `${label} (GPIO${gpio})`;
  };
  const { spi, i2c, pin, expander, rtc, console: uart } = PIN_MAP;
  const kp = expander.keypad, out = expander.outputs;
  return [
    { part: "MFRC522", signal: "SCK", connection: header(spi.clock) },
    { part: "MFRC522", signal: "MISO", connection: header(spi.in) },
    { part: "MFRC522", signal: "MOSI", connection: header(spi.out) },
    { part: "MFRC522", signal: "SDA (chip select)", connection: header(pin.rfidSelect) },
    { part: "MFRC522", signal: "RST", connection: `PCF8574 0x${out.address.toString(16)} P${out.rfidReset}` },
    { part: "MFRC522", signal: "3.3V, GND (IRQ unused)", connection: "3V3, GND" },
    { part: "PCF8574 ×2", signal: "SDA, SCL", connection: `${header(i2c.data)}, ${header(i2c.clock)} (4.7 kΩ pull-ups to 3V3)` },
    { part: `PCF8563 RTC (0x${rtc.address.toString(16)}, CR2032 on VBAT)`, signal: "SDA, SCL", connection: `${header(i2c.data)}, ${header(i2c.clock)} (same bus as the PCF8574s)` },
    { part: "Keypad 4x4", signal: "rows 1-4", connection: `PCF8574 0x${kp.address.toString(16)} P${kp.rows.join(", P")}` },
    { part: "Keypad 4x4", signal: "columns 1-4", connection: `PCF8574 0x${kp.address.toString(16)} P${kp.columns.join(", P")}` },
    { part: "Relay module (strike)", signal: "IN (active high, module pull-down)", connection: header(pin.relay) },
    { part: "Door contact (reed)", signal: "to GND when shut", connection: header(pin.door) },
    { part: "Exit button", signal: "to GND when pressed", connection: header(pin.exit) },
    { part: "Camera power switch", signal: "P-MOSFET gate (active low, pull-up)", connection: `PCF8574 0x${out.address.toString(16)} P${out.cameraPower}` },
    { part: "Camera privacy LED", signal: "cathode via 330 Ω (active low)", connection: `PCF8574 0x${out.address.toString(16)} P${out.cameraIndicator}` },
    { part: "Console (USB-UART adapter, 3.3 V)", signal: `adapter RX, TX (${uart.baud} 8N1)`, connection: `${header(uart.transmit)}, ${header(uart.receive)}` },
    { part: "Green LED", signal: "cathode (active low)", connection: `PCF8574 0x${out.address.toString(16)} P${out.green}` },
    { part: "Red LED", signal: "cathode (active low)", connection: `PCF8574 0x${out.address.toString(16)} P${out.red}` },
    { part: "Buzzer (active, via PNP)", signal: "active low", connection: `PCF8574 0x${out.address.toString(16)} P${out.buzzer}` },
  ];
}
