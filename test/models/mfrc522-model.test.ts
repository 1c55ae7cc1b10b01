// The models are test equipment: check them against known values, so a bug
// in a model cannot hide a bug in a driver.
import assert from "node:assert/strict";
import { bitsToBytes, bytesToBits } from "./bits";
import { ModelClock } from "./clock";
import { crcA } from "./crc-a";
import { GpioBank } from "./gpio";
import { VirtualCard } from "./iso14443a-card";
import { Mfrc522Model, Reg } from "./mfrc522";

describe("models", () => {
  it("CRC_A matches ISO/IEC 14443-3 Annex B examples", () => {
    assert.equal(crcA([0x00, 0x00]), 0x1ea0);
    assert.equal(crcA([0x12, 0x34]), 0xcf26);
    assert.equal(crcA([0x50, 0x00]), 0xcd57); // HLTA as sent by every MFRC522 library: 50 00 57 CD
  });

  it("a card walks IDLE → READY → ACTIVE → HALT and answers only when addressed", () => {
    const card = new VirtualCard([0x01, 0x02, 0x03, 0x04], { sak: 0x08 });
    const frame = (bytes: number[], bits = bytes.length * 8) => bytesToBits(bytes, bits);
    assert.deepEqual([...bitsToBytes(card.receive(frame([0x26], 7))!)], [0x04, 0x00]);
    assert.equal(card.state, "READY");
    const field = bitsToBytes(card.receive(frame([0x93, 0x20]))!);
    assert.deepEqual([...field], [1, 2, 3, 4, 1 ^ 2 ^ 3 ^ 4]);
    const select = [0x93, 0x70, ...field];
    const crc = crcA(select);
    const sak = bitsToBytes(card.receive(frame([...select, crc & 0xff, crc >> 8]))!);
    assert.equal(sak[0], 0x08);
    assert.equal(card.state, "ACTIVE");
    const hlta = crcA([0x50, 0x00]);
    assert.equal(card.receive(frame([0x50, 0x00, hlta & 0xff, hlta >> 8])), undefined);
    assert.equal(card.state, "HALT");
    assert.equal(card.receive(frame([0x26], 7)), undefined, "REQA does not wake a halted card");
    assert.ok(card.receive(frame([0x52], 7)), "WUPA does");
  });

  it("a SELECT with a wrong CRC or another UID gets no answer", () => {
    const card = new VirtualCard([0x01, 0x02, 0x03, 0x04]);
    card.receive(bytesToBits([0x52], 7));
    const select = [0x93, 0x70, 1, 2, 3, 5, 1 ^ 2 ^ 3 ^ 5];
    const crc = crcA(select);
    assert.equal(card.receive(bytesToBits([...select, crc & 0xff, crc >> 8], 72)), undefined);
    assert.equal(card.state, "IDLE");
  });

  it("7- and 10-byte UIDs carry the cascade tag on all but the last level", () => {
    const seven = new VirtualCard([0x04, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...seven.levelField(0)].slice(0, 4), [0x88, 0x04, 1, 2]);
    assert.deepEqual([...seven.levelField(1)].slice(0, 4), [3, 4, 5, 6]);
    const ten = new VirtualCard([0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...ten.levelField(1)].slice(0, 4), [0x88, 3, 4, 5]);
    assert.deepEqual([...ten.levelField(2)].slice(0, 4), [6, 7, 8, 9]);
    assert.equal(ten.atqa[0] >> 6, 2, "ATQA says triple size");
  });

  it("the MFRC522 model frames SPI by chip select: reads in bursts, writes to one register", () => {
    const gpio = new GpioBank();
    const clock = new ModelClock();
    const model = new Mfrc522Model({ clock, gpio, selectPin: 5 });
    const cs = gpio.pin(5);
    cs.mode = "output";
    const frame = (bytes: number[]) => {
      cs.write(0);
      const out = bytes.map((b) => model.exchange(b));
      cs.write(1);
      return out;
    };
    frame([Reg.FIFOData << 1, 0xaa, 0xbb, 0xcc]); // burst write into the FIFO
    assert.equal(model.readRegister(Reg.FIFOLevel), 3);
    const fifo = 0x80 | (Reg.FIFOData << 1);
    assert.deepEqual(frame([fifo, fifo, fifo, 0]), [0, 0xaa, 0xbb, 0xcc]);
    assert.deepEqual(frame([0x80 | (Reg.Version << 1), 0]), [0, 0x92]);
  });

  it("GPIO pins report edges and resolve output, external drive and pulls", () => {
    const bank = new GpioBank();
    const pin = bank.pin(3);
    const edges: number[] = [];
    pin.onEdge((level) => edges.push(level));
    pin.mode = "input-pull-up";
    pin.drive(0);
    pin.drive(undefined);
    pin.mode = "output";
    pin.write(0);
    assert.deepEqual(edges, [0, 1, 0]);
    assert.equal(pin.falling, 2);
    assert.equal(pin.rising, 1);
  });
});

describe("MFRC522 model: frames on air", () => {
  const start = (model: Mfrc522Model, bytes: number[]) => {
    model.writeRegister(Reg.Command, 0x00);
    model.writeRegister(Reg.FIFOLevel, 0x80);
    for (const byte of bytes) model.writeRegister(Reg.FIFOData, byte);
    model.writeRegister(Reg.Command, 0x0c); // Transceive
    model.writeRegister(Reg.BitFraming, 0x80 | (bytes.length === 1 ? 7 : 0)); // StartSend
  };

  it("a card acts on a frame once it has left the antenna; Idle while it is on air cuts it off", () => {
    const clock = new ModelClock();
    const model = new Mfrc522Model({ clock });
    model.writeRegister(Reg.TxControl, 0x83);
    const card = new VirtualCard([0x01, 0x02, 0x03, 0x04]);
    model.enter(card);
    start(model, [0x52]); // WUPA, 7 bits: 66 µs on air
    assert.equal(card.received, 0, "not heard before its end");
    model.writeRegister(Reg.Command, 0x00);
    clock.advance(1);
    model.readRegister(Reg.ComIrq);
    assert.equal(card.received, 0, "cut off: never heard");
    assert.equal(card.state, "IDLE");
    start(model, [0x52]);
    clock.advance(1);
    assert.equal(model.readRegister(Reg.ComIrq) & 0x40, 0x40, "TxIRq");
    assert.equal(card.state, "READY");
  });
});
