import assert from "node:assert/strict";
import { createHostHardware, type HostHardware } from "../../boards/host/io/index";
import type { GateDevice } from "../../src/app/board";
import { GateHardware } from "../../src/app/hardware";
import type { OptgateError } from "../../src/core/errors";
import type { Gate } from "../../src/core/gate/gate";
import { Mfrc522Model } from "../models/mfrc522";

// Pin numbers as on the host board; this test builds its own device so that
// one peripheral's IO can be made to fail like a PCF8574 that stops answering.
const PINS = { rfidSelect: 10, rfidReset: 9, rows: [4, 5, 6, 7], columns: [15, 16, 17, 18], relay: 21, door: 38, exit: 39, green: 40, red: 41, buzzer: 42, cameraPower: 47, cameraLed: 48 };

interface Faults {
  keypad: boolean;
  /** Strike writes throw before they reach the pin. */
  relay: boolean;
  /** This many strike writes reach the pin (the coil moves) and then throw, as a lost acknowledge. */
  relayLandsThenThrows: number;
}

function rig() {
  const hw: HostHardware = createHostHardware();
  const { io, gpio } = hw;
  const faults: Faults = { keypad: false, relay: false, relayLandsThenThrows: 0 };
  // The keypad expander: every transfer fails while faults.keypad is set (an I2C NACK throws).
  class ExpanderDigital extends io.Digital {
    override read() {
      if (faults.keypad) throw new Error("I2C NACK");
      return super.read();
    }
    override write(value: number) {
      if (faults.keypad) throw new Error("I2C NACK");
      super.write(value);
    }
  }
  // The strike's GPIO: writes fail while faults.relay is set.
  class RelayDigital extends io.Digital {
    override write(value: number) {
      if (faults.relay) throw new Error("GPIO write failed");
      super.write(value);
      if (faults.relayLandsThenThrows > 0) {
        faults.relayLandsThenThrows--;
        throw new Error("GPIO write reported failure after it landed");
      }
    }
  }
  hw.spi.attach(PINS.rfidSelect, new Mfrc522Model({ clock: hw.clock, gpio, selectPin: PINS.rfidSelect, resetPin: PINS.rfidReset }));
  gpio.pin(PINS.door).drive(0);
  const pin = (n: number) => ({ io: io.Digital, pin: n });
  const device: GateDevice = {
    rfid: {
      spi: { io: io.SPI, clock: 12, in: 13, out: 11, port: 2 },
      select: pin(PINS.rfidSelect),
      reset: pin(PINS.rfidReset),
    },
    keypad: { rows: PINS.rows.map((n) => ({ io: ExpanderDigital, pin: n })), columns: PINS.columns.map((n) => ({ io: ExpanderDigital, pin: n })) },
    lock: { relay: { io: RelayDigital, pin: PINS.relay }, failMode: "fail-secure" },
    door: { ...pin(PINS.door), activeLevel: 1 },
    exit: pin(PINS.exit),
    indicator: { green: pin(PINS.green), red: pin(PINS.red), buzzer: pin(PINS.buzzer) },
    camera: { camera: { io: io.Camera }, power: pin(PINS.cameraPower), indicator: pin(PINS.cameraLed), width: 32, height: 32, format: "gray8" },
  };
  const errors: OptgateError[] = [];
  const gate = { card() {}, key() {}, exit() {}, doorAlarm() {} } as unknown as Gate;
  const hardware = new GateHardware({
    device,
    gate: () => gate,
    now: () => 0,
    ticks: () => 0,
    prompt: () => {},
    onError: (e) => errors.push(e),
  });
  return { hardware, faults, errors, coil: () => gpio.pin(PINS.relay).level };
}

describe("GateHardware", () => {
  it("relocks the strike at the end of a pulse while the keypad expander throws on every tick", () => {
    const { hardware, faults, errors, coil } = rig();
    hardware.relay.unlock(3000, 1000);
    assert.equal(coil(), 1);
    faults.keypad = true;
    for (let now = 1000; now < 4000; now += 50) hardware.tick(now);
    assert.equal(coil(), 1, "still inside the pulse");
    hardware.tick(4000);
    assert.equal(coil(), 0, "the strike relocked although the keypad threw");
    assert.equal(hardware.relay.unlocked, false);
    const keypad = errors.filter((e) => e.code === "E_DRIVER_FAULT");
    assert.ok(keypad.length >= 1, "the fault was reported");
    assert.ok(keypad.length <= 2, `reports are rate-limited, not one per tick (${keypad.length})`);
    assert.match(keypad[0].message, /keypad/);
  });

  it("the other drivers keep running and the relay is ticked even when every input driver throws", () => {
    const { hardware, faults, coil } = rig();
    faults.keypad = true;
    // Make the remaining input drivers throw too.
    for (const part of [hardware.reader, hardware.exit, hardware.door, hardware.indicator]) {
      (part as { tick(now: number): void }).tick = () => {
        throw new Error("boom");
      };
    }
    hardware.relay.unlock(500, 0);
    assert.doesNotThrow(() => hardware.tick(600));
    assert.equal(coil(), 0);
  });

  it("a failing strike write is reported and retried towards locked on every tick", () => {
    const { hardware, faults, errors, coil } = rig();
    hardware.relay.unlock(1000, 0);
    assert.equal(coil(), 1);
    faults.relay = true;
    hardware.tick(1000);
    assert.equal(coil(), 1, "the write failed");
    assert.equal(hardware.relay.unlocked, true, "the relay does not claim to be locked when it could not lock");
    assert.ok(errors.some((e) => e.code === "E_RELAY_WRITE" || (e.code === "E_DRIVER_FAULT" && /relay/.test(e.message))), "the relay fault is reported");
    faults.relay = false;
    hardware.tick(1050);
    assert.equal(coil(), 0, "locked as soon as the write succeeds");
    assert.equal(hardware.relay.unlocked, false);
  });

  it("an unlock whose write lands and then throws leaves the strike locked (coil off), and says so", () => {
    const { hardware, faults, coil } = rig();
    faults.relayLandsThenThrows = 1;
    assert.throws(() => hardware.relay.unlock(1000, 0), (e: unknown) => (e as OptgateError).code === "E_RELAY_WRITE");
    assert.deepEqual([hardware.relay.unlocked, coil()], [false, 0]);
    hardware.tick(50);
    assert.equal(coil(), 0);
  });

  it("an unlock whose write fails leaves the strike locked and says so", () => {
    const { hardware, faults, coil } = rig();
    faults.relay = true;
    assert.throws(() => hardware.relay.unlock(1000, 0), (e: unknown) => (e as OptgateError).code === "E_RELAY_WRITE");
    assert.equal(hardware.relay.unlocked, false);
    faults.relay = false;
    hardware.tick(10);
    assert.equal(coil(), 0);
    assert.equal(hardware.relay.unlocked, false);
  });
});
