import assert from "node:assert/strict";
import { createHostHardware } from "../../boards/host/io/index";
import { Indicator } from "../../src/drivers/indicator";
import { Keypad } from "../../src/drivers/keypad";
import { Pcf8574 } from "../../src/drivers/pcf8574";
import { KeypadMatrix, LAYOUT_4X4 } from "../models/keypad-matrix";
import { Pcf8574Model } from "../models/pcf8574";

const I2C_PINS = { data: 41, clock: 42 };

function rig(address = 0x20) {
  const hw = createHostHardware();
  const chip = new Pcf8574Model();
  hw.i2c.attach(address, chip);
  const expander = new Pcf8574({ i2c: { io: hw.io.I2C, ...I2C_PINS, address } });
  return { hw, chip, expander };
}

describe("PCF8574 expander", () => {
  it("drives outputs open-drain and reads inputs with the weak pull-up", () => {
    const { chip, expander } = rig();
    const led = new expander.Digital({ pin: 3, mode: expander.Digital.Output });
    const input = new expander.Digital({ pin: 6, mode: expander.Digital.InputPullUp });
    led.write(0);
    assert.equal(chip.pins.pin(3).level, 0);
    led.write(1);
    assert.equal(chip.pins.pin(3).level, 1);
    assert.equal(input.read(), 1);
    chip.pins.pin(6).drive(0);
    assert.equal(input.read(), 0, "a repeated read of the same pin takes a fresh sample");
    assert.throws(() => new expander.Digital({ pin: 6, mode: expander.Digital.Input }), /in use/);
    assert.throws(() => new expander.Digital({ pin: 8, mode: expander.Digital.Input }), RangeError);
    input.close();
    new expander.Digital({ pin: 6, mode: expander.Digital.Input }).close();
  });

  it("a missing expander fails at construction (I2C NACK)", () => {
    const hw = createHostHardware();
    assert.throws(() => new Pcf8574({ i2c: { io: hw.io.I2C, ...I2C_PINS, address: 0x20 } }), /NACK/);
  });

  it("runs the matrix keypad driver unchanged, at one I2C read per row", () => {
    const { hw, chip, expander } = rig();
    const matrix = new KeypadMatrix({ gpio: chip.pins, clock: hw.clock, rows: [0, 1, 2, 3], columns: [4, 5, 6, 7], layout: LAYOUT_4X4 });
    const keys: string[] = [];
    const keypad = new Keypad({
      rows: [0, 1, 2, 3].map((pin) => ({ io: expander.Digital, pin })),
      columns: [4, 5, 6, 7].map((pin) => ({ io: expander.Digital, pin })),
      onKey: (k) => keys.push(k),
    });
    const run = (ms: number) => {
      for (let t = 0; t < ms; t += 10) {
        hw.clock.advance(10);
        keypad.tick(hw.clock.now);
      }
    };
    const readsBefore = chip.reads;
    keypad.tick(hw.clock.now);
    assert.equal(chip.reads - readsBefore, 4, "one port sample per row");
    for (const key of "1A*D5") {
      matrix.press(key);
      run(100);
      matrix.release(key);
      run(100);
    }
    assert.deepEqual(keys, ["1", "A", "*", "D", "5"]);
  });

  it("drives active-low indicator LEDs on a second expander", () => {
    const { hw, chip, expander } = rig(0x21);
    const ind = new Indicator({ green: { io: expander.Digital, pin: 0, activeLevel: 0 }, buzzer: { io: expander.Digital, pin: 2, activeLevel: 0 } });
    assert.equal(chip.pins.pin(0).level, 1, "off = released");
    ind.show("granted", hw.clock.now);
    assert.equal(chip.pins.pin(0).level, 0);
    assert.equal(chip.pins.pin(2).level, 0);
    ind.close();
    expander.close();
    expander.close();
    assert.equal(chip.latch, 0xff);
  });
});
