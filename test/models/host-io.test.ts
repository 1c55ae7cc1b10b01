// The host IO providers behave like ECMA-419 IO where drivers depend on it.
import assert from "node:assert/strict";
import { createHostHardware } from "../../boards/host/io/index";

describe("host IO providers", () => {
  it("Digital: claims a pin once, reports edges through onReadable, releases on close", () => {
    const hw = createHostHardware();
    const { Digital } = hw.io;
    let calls = 0;
    const input = new Digital({ pin: 7, mode: Digital.InputPullUp, edge: Digital.Falling, onReadable() { calls++; } });
    assert.throws(() => new Digital({ pin: 7, mode: Digital.Input }), /in use/);
    assert.equal(input.read(), 1);
    hw.gpio.pin(7).drive(0);
    hw.gpio.pin(7).drive(1);
    hw.gpio.pin(7).drive(0);
    assert.equal(calls, 2, "falling edges only");
    input.close();
    input.close();
    hw.gpio.pin(7).drive(1);
    assert.equal(calls, 2, "no callbacks after close");
    assert.throws(() => input.read(), /closed/);
    new Digital({ pin: 7, mode: Digital.Output }).write(1);
    assert.equal(hw.gpio.pin(7).latch, 1);
  });

  it("SPI: full-duplex transfer in place, idle MISO high, closed after close()", () => {
    const hw = createHostHardware();
    const spi = new hw.io.SPI({ hz: 1_000_000 });
    const buf = Uint8Array.of(1, 2, 3);
    spi.transfer(buf);
    assert.deepEqual([...buf], [0xff, 0xff, 0xff], "no device selected: MISO pulled up");
    spi.close();
    assert.throws(() => spi.write(buf), /closed/);
  });

  it("SPI with MISO stuck reads one value whatever is sent", () => {
    const hw = createHostHardware();
    const spi = new hw.io.SPI({ hz: 1_000_000 });
    hw.spi.fault = { kind: "stuck", value: 0x00 };
    const buf = new Uint8Array(8);
    spi.transfer(buf);
    assert.ok(buf.every((b) => b === 0));
  });
});
