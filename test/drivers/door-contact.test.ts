import assert from "node:assert/strict";
import { createHostHardware } from "../../boards/host/io/index";
import { DoorContact, type DoorAlarm } from "../../src/drivers/door-contact";
import { ExitButton } from "../../src/drivers/exit-button";
import { Relay } from "../../src/drivers/relay";

const DOOR = 5, RELAY = 4, BUTTON = 6;

function door() {
  const hw = createHostHardware();
  const relay = new Relay({ relay: { io: hw.io.Digital, pin: RELAY }, failMode: "fail-secure" });
  const events: string[] = [];
  hw.gpio.pin(DOOR).drive(0); // shut: reed closed to GND
  const contact = new DoorContact({
    contact: { io: hw.io.Digital, pin: DOOR },
    isReleased: (now) => relay.releasedWithin(now, 2000),
    heldOpenMs: 10_000,
    onOpen: () => events.push("open"),
    onClose: () => events.push("close"),
    onAlarm: (a: DoorAlarm) => events.push(a),
  });
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      hw.clock.advance(10);
      relay.tick(hw.clock.now);
      contact.tick(hw.clock.now);
    }
  };
  return { hw, relay, contact, events, run, pin: hw.gpio.pin(DOOR) };
}

describe("DoorContact", () => {
  it("an opening during an unlock pulse is no alarm", () => {
    const d = door();
    d.run(100);
    d.relay.unlock(3000, d.hw.clock.now);
    d.run(500);
    d.pin.drive(1);
    d.run(4000);
    d.pin.drive(0);
    d.run(200);
    assert.deepEqual(d.events, ["open", "close"]);
  });

  it("an opening while locked is a forced-open alarm", () => {
    const d = door();
    d.run(100);
    d.pin.drive(1);
    d.run(200);
    assert.deepEqual(d.events, ["open", "forced-open"]);
  });

  it("a door held open past the limit raises held-open once", () => {
    const d = door();
    d.relay.unlock(3000, d.hw.clock.now);
    d.pin.drive(1);
    d.run(25_000);
    assert.deepEqual(d.events, ["open", "held-open"]);
  });

  it("contact bounce shorter than the debounce is ignored", () => {
    const d = door();
    d.run(100);
    for (let i = 0; i < 5; i++) {
      d.pin.drive(1);
      d.run(20);
      d.pin.drive(0);
      d.run(10);
    }
    d.run(200);
    assert.deepEqual(d.events, []);
  });
});

describe("ExitButton", () => {
  it("one press per press, through bounce and a long hold", () => {
    const hw = createHostHardware();
    let presses = 0;
    const button = new ExitButton({ button: { io: hw.io.Digital, pin: BUTTON }, onPress: () => presses++ });
    const pin = hw.gpio.pin(BUTTON);
    const run = (ms: number) => {
      for (let t = 0; t < ms; t += 5) {
        hw.clock.advance(5);
        button.tick(hw.clock.now);
      }
    };
    run(50);
    for (let i = 0; i < 4; i++) {
      pin.drive(i % 2 ? 1 : 0);
      run(5);
    }
    pin.drive(0);
    run(5000);
    assert.equal(presses, 1);
    assert.equal(button.pressed, true);
    pin.drive(undefined); // released: pull-up
    run(100);
    pin.drive(0);
    run(100);
    assert.equal(presses, 2);
    button.close();
    button.close();
  });
});

describe("DoorContact at boot", () => {
  it("a door already open at boot raises held-open after the limit, not forced-open", () => {
    const hw = createHostHardware();
    hw.gpio.pin(DOOR).drive(1);
    const events: string[] = [];
    const contact = new DoorContact({ contact: { io: hw.io.Digital, pin: DOOR }, isReleased: () => false, heldOpenMs: 1000, onAlarm: (a) => events.push(a) });
    for (let t = 0; t < 1500; t += 10) contact.tick(hw.clock.advance(10));
    assert.deepEqual(events, ["held-open"]);
  });
});
