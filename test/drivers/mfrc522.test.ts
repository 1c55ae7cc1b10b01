// The protocol class straight over the register model (no SPI): the
// transport interface is all it needs, as the ESPHome split intends.
import assert from "node:assert/strict";
import { Mfrc522, Status } from "../../src/drivers/mfrc522";
import type { Mfrc522Transport } from "../../src/drivers/mfrc522-transport";
import { ModelClock } from "../models/clock";
import { VirtualCard } from "../models/iso14443a-card";
import { Mfrc522Model } from "../models/mfrc522";

function direct(model: Mfrc522Model): Mfrc522Transport {
  return {
    readRegister: (reg) => model.readRegister(reg),
    writeRegister: (reg, value) => model.writeRegister(reg, value),
    writeFifo: (bytes, length) => {
      for (let i = 0; i < length; i++) model.writeRegister(0x09, bytes[i]);
    },
    readFifo: (into, offset, length) => {
      for (let i = 0; i < length; i++) into[offset + i] = model.readRegister(0x09);
    },
    close: () => {},
  };
}

function setup() {
  const clock = new ModelClock();
  const model = new Mfrc522Model({ clock });
  const chip = new Mfrc522(direct(model));
  chip.init();
  chip.antennaOn();
  const send = (bytes: number[], txLastBits = 0): Status => {
    chip.start(Uint8Array.from(bytes), bytes.length, txLastBits, 0, true, clock.now);
    let status = chip.poll(clock.now);
    for (let i = 0; i < 50 && status === Status.Pending; i++) status = chip.poll(clock.advance(0.1));
    return status;
  };
  return { clock, model, chip, send };
}

describe("Mfrc522 protocol over a bare register transport", () => {
  it("REQA wakes an idle card only; WUPA also wakes a halted one", () => {
    const { model, chip, send } = setup();
    const card = new VirtualCard([1, 2, 3, 4]);
    model.enter(card);
    assert.equal(send([0x26], 7), Status.Ok, "REQA → ATQA");
    assert.equal(chip.rxLength, 2);
    assert.deepEqual([...chip.rx.subarray(0, 2)], [0x04, 0x00]);
    card.state = "HALT";
    assert.equal(send([0x26], 7), Status.Timeout, "a halted card ignores REQA");
    assert.equal(send([0x52], 7), Status.Ok, "WUPA wakes it");
    assert.equal(card.state, "READY");
  });

  it("times out through the chip timer when the field is empty, after the configured wait", () => {
    const { clock, chip } = setup();
    chip.start(Uint8Array.of(0x52), 1, 7, 0, true, clock.now);
    clock.advance(0.5);
    assert.equal(chip.poll(clock.now), Status.Pending, "not before the 1 ms timer runs out");
    clock.advance(0.6);
    assert.equal(chip.poll(clock.now), Status.Timeout);
  });

  it("reports NoChip when no IRQ ever arrives (chip not responding)", () => {
    const clock = new ModelClock();
    const model = new Mfrc522Model({ clock });
    // A chip whose IRQ register never changes (hung, or a dead MISO line reading 0).
    const hung = { ...direct(model), readRegister: (reg: number) => (reg === 0x04 ? 0 : model.readRegister(reg)) };
    const chip = new Mfrc522(hung, { chipDeadlineMs: 30 });
    chip.init();
    chip.start(Uint8Array.of(0x52), 1, 7, 0, true, clock.now);
    let status = chip.poll(clock.now);
    for (let t = 0; t < 29; t++) status = chip.poll(clock.advance(1));
    assert.equal(status, Status.Pending, "still within the deadline");
    clock.advance(2);
    assert.equal(chip.poll(clock.now), Status.NoChip);
  });

  it("reports a collision with its bit position when two cards answer an anticollision", () => {
    const { model, chip, send } = setup();
    model.enter(new VirtualCard([0x12, 0x34, 0x56, 0x78]));
    model.enter(new VirtualCard([0x12, 0x35, 0x56, 0x78]));
    assert.equal(send([0x52], 7), Status.Ok, "identical ATQAs: no collision");
    assert.equal(send([0x93, 0x20]), Status.Collision);
    // 0x34 vs 0x35 differ in bit 0 of the second byte: bit 9 of UID CL1, CollPos 9.
    assert.equal(chip.collisionPos, 9);
  });

  it("rejects an answer with a parity error", () => {
    const { model, send } = setup();
    model.enter(new VirtualCard([1, 2, 3, 4]));
    model.rfNoise = 1;
    let calls = 0;
    model.rfRandom = () => [0, 0.5, 0.1][calls++ % 3]; // noise on, bit 8 flipped, parity error
    assert.equal(send([0x52], 7), Status.Error);
  });
});
