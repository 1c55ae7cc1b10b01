import assert from "node:assert/strict";
import { createHostHardware } from "../../boards/host/io/index";
import { Indicator } from "../../src/drivers/indicator";

function rig() {
  const hw = createHostHardware();
  const ind = new Indicator({
    green: { io: hw.io.Digital, pin: 21 },
    red: { io: hw.io.Digital, pin: 22, activeLevel: 0 },
    buzzer: { io: hw.io.Digital, pin: 23 },
  });
  /** Buzzer on-time and green on-time over `ms`, sampled every ms. */
  const run = (ms: number) => {
    let buzz = 0, green = 0, red = 0;
    for (let t = 0; t < ms; t++) {
      hw.clock.advance(1);
      ind.tick(hw.clock.now);
      if (hw.gpio.pin(23).level) buzz++;
      if (hw.gpio.pin(21).level) green++;
      if (hw.gpio.pin(22).level === 0) red++;
    }
    return { buzz, green, red };
  };
  return { hw, ind, run };
}

describe("Indicator", () => {
  it("granted: green with one short beep, then back to idle", () => {
    const { hw, ind, run } = rig();
    ind.show("granted", hw.clock.now);
    const a = run(3000);
    assert.equal(a.buzz, 149);
    assert.ok(a.green >= 2990);
    assert.equal(a.red, 0);
    run(10);
    assert.equal(ind.signal, "idle");
    assert.deepEqual(ind.lit, { green: false, red: false, buzzer: false });
  });

  it("denied: red (active-low LED) with three beeps", () => {
    const { hw, ind, run } = rig();
    ind.show("denied", hw.clock.now);
    let beeps = 0, was = false;
    for (let t = 0; t < 2000; t++) {
      run(1);
      const now = ind.lit.buzzer;
      if (now && !was) beeps++;
      was = now;
    }
    assert.equal(beeps, 3);
    assert.equal(ind.signal, "idle");
  });

  it("alarm repeats until another signal replaces it", () => {
    const { hw, ind, run } = rig();
    ind.show("alarm", hw.clock.now);
    const a = run(10_000);
    assert.ok(a.buzz > 4000 && a.buzz < 6000, String(a.buzz));
    assert.equal(ind.signal, "alarm");
    ind.show("idle", hw.clock.now);
    run(10);
    assert.deepEqual(ind.lit, { green: false, red: false, buzzer: false });
  });

  it("keeps time across late ticks (a pattern step is not stretched)", () => {
    const { hw, ind } = rig();
    ind.show("waiting", 0);
    // 500 on / 500 off from t = 0: one late tick at 1250 lands in the third step (on),
    // and the next step still ends at 1500, not 1250 + 500.
    hw.clock.now = 1250;
    ind.tick(1250);
    assert.equal(ind.lit.green, true);
    ind.tick(1500);
    assert.equal(ind.lit.green, false);
    ind.tick(1999);
    assert.equal(ind.lit.green, false);
    ind.tick(2000);
    assert.equal(ind.lit.green, true);
  });
});
