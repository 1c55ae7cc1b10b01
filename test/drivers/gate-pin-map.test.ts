// The gate board's pin map fits the XIAO ESP32S3 Sense: only header GPIOs,
// none used twice, no expander pin used twice.
import assert from "node:assert/strict";
import { PIN_MAP, wiringTable, XIAO_HEADER } from "../../boards/esp32s3-gate/pin-map";

describe("esp32s3-gate pin map", () => {
  const direct = [PIN_MAP.spi.clock, PIN_MAP.spi.in, PIN_MAP.spi.out, PIN_MAP.i2c.data, PIN_MAP.i2c.clock, ...Object.values(PIN_MAP.pin), PIN_MAP.console.transmit, PIN_MAP.console.receive];

  it("uses only the GPIOs the camera board leaves free, each once", () => {
    const free = new Set(Object.values(XIAO_HEADER));
    for (const gpio of direct) assert.ok(free.has(gpio), `GPIO${gpio} is not a free header pin`);
    assert.equal(new Set(direct).size, direct.length, "a GPIO is used twice");
    assert.ok(direct.length <= free.size);
  });

  it("uses each expander pin once, within P0-P7", () => {
    const { keypad, outputs } = PIN_MAP.expander;
    const kp = [...keypad.rows, ...keypad.columns];
    const out = [outputs.green, outputs.red, outputs.buzzer, outputs.rfidReset, outputs.cameraPower, outputs.cameraIndicator];
    for (const list of [kp, out]) {
      assert.equal(new Set(list).size, list.length);
      assert.ok(list.every((p) => p >= 0 && p <= 7));
    }
    assert.notEqual(keypad.address, outputs.address);
    assert.equal(keypad.keys.length, keypad.rows.length * keypad.columns.length);
  });

  it("puts the console on UART0's own pins (U0TXD GPIO43, U0RXD GPIO44)", () => {
    assert.deepEqual([PIN_MAP.console.port, PIN_MAP.console.transmit, PIN_MAP.console.receive], [0, 43, 44]);
  });

  it("lists every direct GPIO in the wiring table", () => {
    const text = wiringTable().map((r) => r.connection).join(" ");
    for (const gpio of direct) assert.ok(text.includes(`(GPIO${gpio})`), `GPIO${gpio} missing from the wiring table`);
  });
});
