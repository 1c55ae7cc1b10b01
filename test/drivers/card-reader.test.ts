import assert from "node:assert/strict";
import { createHostHardware } from "../../boards/host/io/index";
import { isOptgateError } from "../../src/core/errors";
import { CardReader } from "../../src/drivers/card-reader";
import { Mfrc522Spi } from "../../src/drivers/mfrc522-spi";
import { VirtualCard } from "../models/iso14443a-card";
import { Mfrc522Model } from "../models/mfrc522";
import { hex, makeReaderRig, RIG_PINS } from "../models/reader-rig";

const UID4 = [0x3a, 0x91, 0x07, 0xc4];
const UID7 = [0x04, 0x5e, 0x21, 0x8a, 0x33, 0x6b, 0x80];
const UID10 = [0x04, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90];

/** A card that leaves after WUPA and the first ANTICOLLISION went out. */
function cardLeavesMidAnticollision() {
  const rig = makeReaderRig({ pollIntervalMs: 10 });
  const card = new VirtualCard(UID7);
  rig.model.enter(card);
  const sent = rig.model.transmissions;
  while (rig.model.transmissions < sent + 2) rig.run(1, 1);
  rig.model.leave(card);
  rig.run(300, 1);
  return rig;
}

describe("MFRC522 SPI transport", () => {
  it("finds a v1.0 and a v2.0 chip by VersionReg", () => {
    for (const version of [0x91, 0x92]) {
      const rig = makeReaderRig({ version });
      assert.equal(rig.reader.chip.version(), version);
      rig.reader.close();
    }
  });

  it("throws Error('Not Found') when nothing answers, releasing its pins", () => {
    const hw = createHostHardware();
    const spec = {
      spi: { io: hw.io.SPI, clock: RIG_PINS.clock, in: RIG_PINS.miso, out: RIG_PINS.mosi },
      select: { io: hw.io.Digital, pin: RIG_PINS.select },
    };
    assert.throws(() => new Mfrc522Spi(spec), /Not Found/);
    hw.spi.fault = { kind: "stuck", value: 0x00 };
    assert.throws(() => new Mfrc522Spi(spec), /Not Found/);
    hw.spi.fault = { kind: "none" };
    const model = new Mfrc522Model({ clock: hw.clock, gpio: hw.gpio, selectPin: RIG_PINS.select });
    hw.spi.attach(RIG_PINS.select, model);
    const transport = new Mfrc522Spi(spec); // the select pin was released by the failed attempts
    assert.equal(transport.version, 0x92);
    assert.equal(hw.gpio.pin(RIG_PINS.select).level, 1, "chip select idles high");
    transport.close();
    transport.close();
    assert.throws(() => transport.readRegister(0x37), /closed/);
  });

  it("rejects an unknown chip unless told to accept it", () => {
    const hw = createHostHardware();
    const model = new Mfrc522Model({ clock: hw.clock, gpio: hw.gpio, selectPin: RIG_PINS.select, version: 0x88 });
    hw.spi.attach(RIG_PINS.select, model);
    const spec = { spi: { io: hw.io.SPI }, select: { io: hw.io.Digital, pin: RIG_PINS.select } };
    assert.throws(() => new Mfrc522Spi(spec), /Not Found/);
    const transport = new Mfrc522Spi({ ...spec, versions: [0x88] });
    // A clone has no datasheet self-test reference: the reader refuses to start with selfTest on.
    assert.throws(() => new CardReader({ transport, onTag: () => {}, selfTest: true }), (e) => isOptgateError(e, "E_RFID_SELF_TEST"));
    transport.close();
  });
});

describe("MFRC522 chip functions", () => {
  it("fails the self test when the chip returns other bytes, and the reader refuses to start", () => {
    const hw = createHostHardware();
    const model = new Mfrc522Model({ clock: hw.clock, gpio: hw.gpio, selectPin: RIG_PINS.select });
    hw.spi.attach(RIG_PINS.select, model);
    const spi = new Mfrc522Spi({ spi: { io: hw.io.SPI }, select: { io: hw.io.Digital, pin: RIG_PINS.select } });
    // A damaged chip: one byte of the self-test output differs.
    let fifoReads = 0;
    const damaged = {
      ...spi,
      readRegister: (reg: number) => spi.readRegister(reg),
      writeRegister: (reg: number, value: number) => spi.writeRegister(reg, value),
      writeFifo: (bytes: Uint8Array, length: number) => spi.writeFifo(bytes, length),
      readFifo: (into: Uint8Array, offset: number, length: number) => {
        spi.readFifo(into, offset, length);
        if (length === 64 && fifoReads++ === 0) into[offset + 17] ^= 0x40;
      },
      close: () => spi.close(),
    };
    assert.throws(() => new CardReader({ transport: damaged, onTag: () => {}, selfTest: true }), (e) => isOptgateError(e, "E_RFID_SELF_TEST"));
    assert.equal(fifoReads, 1);
  });

  it("passes the datasheet self test on v1.0 and v2.0 and still reads cards after it", () => {
    for (const version of [0x91, 0x92]) {
      const rig = makeReaderRig({ version, selfTest: true });
      assert.ok(rig.reader.chip.selfTest());
      rig.model.enter(new VirtualCard(UID4));
      rig.run(150);
      assert.deepEqual(rig.tags, [hex(UID4)]);
    }
  });

  it("computes CRC_A with the coprocessor (ISO 14443-3 example: 00 00 → A0 1E)", () => {
    const rig = makeReaderRig();
    assert.equal(rig.reader.chip.calcCrc(Uint8Array.of(0x00, 0x00), 2), 0x1ea0);
    assert.equal(rig.reader.chip.calcCrc(Uint8Array.of(0x50, 0x00), 2), 0xcd57); // HLTA
  });

  it("switches the antenna; with it off no card is seen, and the reader's next poll turns it back on", () => {
    const rig = makeReaderRig();
    assert.equal(rig.reader.chip.antenna, true);
    rig.reader.chip.antennaOff();
    assert.equal(rig.model.antennaOn, false);
    rig.model.enter(new VirtualCard(UID4));
    assert.equal(rig.reader.chip.transport.readRegister(0x14) & 0x03, 0, "TxControl: both drivers off");
    rig.run(150);
    assert.equal(rig.model.antennaOn, true, "a flipped bit in TxControl must not leave the reader deaf");
    assert.deepEqual(rig.tags, [hex(UID4)]);
  });
});

describe("CardReader", () => {
  for (const uid of [UID4, UID7, UID10]) {
    it(`reports a ${uid.length}-byte UID once per presentation, then its removal`, () => {
      const rig = makeReaderRig();
      const card = new VirtualCard(uid);
      rig.run(250);
      assert.deepEqual(rig.tags, []);
      rig.model.enter(card);
      rig.run(120);
      assert.deepEqual(rig.tags, [hex(uid)]);
      rig.run(3000); // held on the reader: no repeats
      assert.deepEqual(rig.tags, [hex(uid)]);
      assert.equal(card.state, "HALT", "the card is halted after each read");
      rig.model.leave(card);
      rig.run(500);
      assert.deepEqual(rig.removed, [hex(uid)]);
      rig.model.enter(card);
      rig.run(150);
      assert.deepEqual(rig.tags, [hex(uid), hex(uid)]);
      assert.deepEqual(rig.errors, []);
    });
  }

  it("reports a card within one poll interval plus a few ticks", () => {
    const rig = makeReaderRig({ pollIntervalMs: 50 });
    rig.run(1000);
    rig.model.enter(new VirtualCard(UID7));
    const start = rig.hw.clock.now;
    while (rig.tags.length === 0 && rig.hw.clock.now - start < 1000) rig.run(1, 1);
    assert.ok(rig.hw.clock.now - start <= 50 + 6 * 1, `took ${rig.hw.clock.now - start} ms`);
  });

  it("reports a swap of cards as removal then the new card", () => {
    const rig = makeReaderRig();
    const a = new VirtualCard(UID4), b = new VirtualCard(UID7);
    rig.model.enter(a);
    rig.run(150);
    rig.model.leave(a);
    rig.model.enter(b);
    rig.run(150);
    assert.deepEqual(rig.tags, [hex(UID4), hex(UID7)]);
    assert.deepEqual(rig.removed, [hex(UID4)]);
  });

  it("resolves collisions bit by bit and selects one card, the same one every time", () => {
    const rig = makeReaderRig();
    // Same first 9 bits, then they differ: anticollision must go bitwise.
    const a = new VirtualCard([0x12, 0x34, 0x56, 0x78]);
    const b = new VirtualCard([0x12, 0x35, 0x56, 0x79]);
    const c = new VirtualCard([0x04, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
    rig.model.enter(a);
    rig.model.enter(b);
    rig.model.enter(c);
    rig.run(2000);
    assert.equal(rig.tags.length, 1);
    assert.ok([hex(a.uid), hex(b.uid), hex(c.uid)].includes(rig.tags[0]));
    assert.deepEqual(rig.errors, []);
    // Remove whichever card was chosen: the next one is resolved and reported.
    const chosen = [a, b, c].find((card) => hex(card.uid) === rig.tags[0])!;
    rig.model.leave(chosen);
    rig.run(600);
    assert.equal(rig.tags.length, 2);
    assert.notEqual(rig.tags[1], rig.tags[0]);
    assert.ok([a, b, c].filter((x) => x !== chosen).some((card) => hex(card.uid) === rig.tags[1]));
  });

  it("a card pulled out mid-anticollision gives an error and no UID", () => {
    const rig = cardLeavesMidAnticollision();
    assert.deepEqual(rig.tags, []);
    assert.ok(rig.errors.includes("E_RFID_CARD_LOST"), rig.errors.join());
  });

  it("CRC errors in the SAK and bit errors in the UID give errors, never a UID", () => {
    const rig = makeReaderRig({ resetAfterErrors: 1000 });
    const card = new VirtualCard(UID4);
    card.corrupt = (bits) => {
      if (bits.length === 24) bits[3] ^= 1; // SAK
      if (bits.length === 40) bits[5] ^= 1; // UID CL1: BCC no longer matches
    };
    rig.model.enter(card);
    rig.run(1000);
    assert.deepEqual(rig.tags, []);
    assert.ok(rig.errors.includes("E_RFID_BCC"), rig.errors.join());
    card.corrupt = (bits) => {
      if (bits.length === 24) bits[3] ^= 1;
    };
    rig.run(500);
    assert.deepEqual(rig.tags, []);
    assert.ok(rig.errors.includes("E_RFID_CRC"), rig.errors.join());
  });

  for (const value of [0x00, 0xff] as const) {
    it(`MISO stuck at 0x${value.toString(16).padStart(2, "0")}: errors, a chip reset, no UID; recovers when the line does`, () => {
      const rig = makeReaderRig({ retryResetMs: 200 });
      const card = new VirtualCard(UID4);
      rig.model.enter(card);
      rig.run(150);
      assert.deepEqual(rig.tags, [hex(UID4)]);
      rig.hw.spi.fault = { kind: "stuck", value };
      rig.run(2000);
      assert.deepEqual(rig.tags, [hex(UID4)], "no UID while the line is stuck");
      assert.ok(rig.errors.includes("E_RFID_RESET"), rig.errors.join());
      assert.ok(rig.errors.includes("E_RFID_NOT_FOUND"), rig.errors.join());
      assert.deepEqual(rig.removed, [hex(UID4)], "presence is unknown while the reader is broken");
      assert.ok(rig.model.softResets >= 1, "the chip received a soft reset over MOSI (only MISO is stuck)");
      rig.hw.spi.fault = { kind: "none" };
      rig.run(1500);
      assert.deepEqual(rig.tags, [hex(UID4), hex(UID4)]);
    });
  }

  it("after a reset only the same chip version is accepted (a clone accepted at boot comes back too)", () => {
    const hw = createHostHardware();
    const model = new Mfrc522Model({ clock: hw.clock, gpio: hw.gpio, selectPin: RIG_PINS.select, version: 0x88 });
    hw.spi.attach(RIG_PINS.select, model);
    const transport = new Mfrc522Spi({ spi: { io: hw.io.SPI }, select: { io: hw.io.Digital, pin: RIG_PINS.select }, versions: [0x88] });
    const errors: string[] = [], tags: string[] = [];
    const reader = new CardReader({ transport, onTag: (u) => tags.push(hex(u)), onError: (e) => errors.push(e.code), retryResetMs: 100 });
    model.enter(new VirtualCard(UID4));
    const run = (ms: number) => {
      for (let t = 0; t < ms; t += 5) reader.tick(hw.clock.advance(5));
    };
    model.responsive = false;
    run(500);
    model.responsive = true;
    run(500);
    assert.ok(errors.includes("E_RFID_RESET"));
    assert.deepEqual(tags, [hex(UID4)]);
  });

  it("a reader that stops answering is hard-reset through NRSTPD and comes back", () => {
    const rig = makeReaderRig({ withReset: true, retryResetMs: 100 });
    rig.model.enter(new VirtualCard(UID10));
    rig.run(150);
    rig.model.responsive = false;
    rig.run(1000);
    assert.ok(rig.errors.includes("E_RFID_NO_RESPONSE"), rig.errors.join());
    assert.ok(rig.errors.includes("E_RFID_RESET"));
    assert.ok(rig.model.hardResets >= 1);
    rig.model.responsive = true;
    rig.run(1000);
    assert.deepEqual(rig.tags, [hex(UID10), hex(UID10)]);
  });

  it("each fault says what happened and what to check, in words (found by mutation testing)", () => {
    const expect = (rig: ReturnType<typeof makeReaderRig>, code: string, words: RegExp) => {
      assert.ok(rig.messages.has(code), `${code} not raised: ${rig.errors.join()}`);
      assert.match(rig.messages.get(code)!, words, code);
      assert.ok(rig.messages.get(code)!.startsWith(`${code}: `), "the code leads the sentence");
    };
    const lost = cardLeavesMidAnticollision();
    expect(lost, "E_RFID_CARD_LOST", /left the field or stopped answering during selection; present it again/);
    const noisy = makeReaderRig({ resetAfterErrors: 1000 });
    const bad = new VirtualCard(UID4);
    bad.corrupt = (bits) => {
      if (bits.length === 24) bits[3] ^= 1;
      if (bits.length === 40) bits[5] ^= 1;
    };
    noisy.model.enter(bad);
    noisy.run(1000);
    expect(noisy, "E_RFID_BCC", /failed its BCC check .*discarded/);
    bad.corrupt = (bits) => { if (bits.length === 24) bits[3] ^= 1; };
    noisy.run(500);
    expect(noisy, "E_RFID_CRC", /failed its CRC_A check .*discarded/);
    const stuck = makeReaderRig({ retryResetMs: 200 });
    stuck.hw.spi.fault = { kind: "stuck", value: 0 };
    stuck.run(2000);
    expect(stuck, "E_RFID_RESET", /reset after repeated errors/);
    expect(stuck, "E_RFID_NOT_FOUND", /did not come back after a reset; check the reader wiring/);
    const silent = makeReaderRig({ withReset: true, retryResetMs: 100 });
    silent.model.responsive = false;
    silent.run(1000);
    expect(silent, "E_RFID_NO_RESPONSE", /stopped answering on SPI; check the reader cable and its 3\.3 V supply/);
  });

  it("never exchanges more than a small burst of SPI bytes in one tick", () => {
    const rig = makeReaderRig({ pollIntervalMs: 10 });
    const cards = [new VirtualCard(UID10), new VirtualCard([0x04, 0x10, 0x20, 0x31, 0x40, 0x50, 0x60, 0x70, 0x80, 0x91])];
    for (const card of cards) rig.model.enter(card);
    let worst = 0;
    for (let i = 0; i < 500; i++) {
      const before = rig.hw.spi.bytes;
      rig.run(1, 1);
      worst = Math.max(worst, rig.hw.spi.bytes - before);
    }
    assert.ok(rig.tags.length === 1);
    // ~100 bytes at 4 MHz is ~0.2 ms of bus time.
    assert.ok(worst <= 120, `worst tick moved ${worst} bytes`);
  });

  it("close() turns the antenna off, is idempotent, and ticks after it do nothing", () => {
    const rig = makeReaderRig();
    rig.reader.close();
    rig.reader.close();
    assert.equal(rig.model.antennaOn, false);
    const before = rig.hw.spi.bytes;
    rig.run(100);
    assert.equal(rig.hw.spi.bytes, before);
  });
});
