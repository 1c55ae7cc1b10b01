// PCF8563 driver against the register-level chip model on the host I2C bus.
import assert from "node:assert/strict";
import { createHostHardware } from "../../boards/host/io/index";
import { PCF8563_ADDRESS, Pcf8563 } from "../../src/drivers/pcf8563";
import { Pcf8563Model } from "../models/pcf8563";

const T = Date.UTC(2026, 5, 30, 15, 59, 58);

function rig() {
  const hw = createHostHardware();
  hw.clock.now = T;
  const chip = new Pcf8563Model(() => hw.clock.now);
  hw.i2c.attach(PCF8563_ADDRESS, chip);
  const rtc = new Pcf8563({ i2c: { io: hw.io.I2C, data: 8, clock: 9 } });
  return { hw, chip, rtc };
}

describe("PCF8563 real-time clock", () => {
  it("a chip fresh from the factory has VL set: no time until one is written", () => {
    const { chip, rtc } = rig();
    assert.equal(rtc.time, undefined);
    rtc.time = T;
    assert.equal(chip.regs[2] & 0x80, 0, "writing the time clears VL");
    assert.equal(rtc.time, T);
  });

  it("keeps time in BCD across seconds, days and months, read in one burst", () => {
    const { hw, chip, rtc } = rig();
    rtc.time = T;
    assert.deepEqual([...chip.regs.subarray(2, 9)], [0x58, 0x59, 0x15, 0x30, 2, 0x06, 0x26]);
    hw.clock.now += 2_000; // 16:00:00 on 30 June → carries into minutes and hours
    assert.equal(rtc.time, Date.UTC(2026, 5, 30, 16, 0, 0));
    hw.clock.now += 8 * 3_600_000; // into July
    assert.equal(rtc.time, Date.UTC(2026, 6, 1, 0, 0, 0));
    const before = chip.reads;
    void rtc.time;
    assert.equal(chip.reads - before, 1, "seven registers in one read");
  });

  it("keeps time through a power cut on its battery; loses it (VL) without one", () => {
    const { hw, chip, rtc } = rig();
    rtc.time = T;
    chip.powerCut();
    hw.clock.now += 3_600_000;
    assert.equal(rtc.time, T + 3_600_000);
    chip.battery = false;
    chip.powerCut();
    hw.clock.now += 3_600_000;
    assert.equal(rtc.time, undefined, "VL set: the reading is not trusted");
  });

  it("I2C errors reach the caller (a failing RTC is never read as a time)", () => {
    const { chip, rtc } = rig();
    rtc.time = T;
    chip.failing = true;
    assert.throws(() => rtc.time, /NACK/);
    assert.throws(() => { rtc.time = T; }, /NACK/);
    chip.failing = false;
    assert.equal(rtc.time, T);
  });

  it("registers that hold no real date (a glitch, the century bit) read as no time", () => {
    const { chip, rtc } = rig();
    rtc.time = T;
    // Registers disturbed in place (the counters show them until the next second).
    chip.regs[5] = 0x31; chip.regs[7] = 0x02; // 31 February
    assert.equal(rtc.time, undefined);
    rtc.time = T;
    chip.regs[2] = 0x5a; // seconds 5A is not BCD
    assert.equal(rtc.time, undefined);
    rtc.time = T;
    chip.regs[7] = 0x86; // century bit: 21xx
    assert.equal(rtc.time, undefined);
    assert.throws(() => { rtc.time = Date.UTC(1999, 0, 1); }, RangeError);
  });

  it("a crystal running fast drifts away from the source time", () => {
    const { hw, chip, rtc } = rig();
    chip.ppm = 100;
    rtc.time = T;
    hw.clock.now += 86_400_000;
    assert.equal(rtc.time, T + 86_400_000 + 8_000); // 8.64 s a day, whole seconds
  });
});
