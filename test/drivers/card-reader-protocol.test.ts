// The card reader as an adversary sees it: exact timing of polls, retries and
// resets (the step at nowMs == nextAt, not one ms early), bit-exact
// anticollision frames at all three cascade levels, cards and chips that
// answer with the wrong length, bits, CRC or collision position, and the
// exact error codes, sentences and counters that come out. Everything runs
// against the register-level MFRC522 model with ISO 14443-3 cards; a fault is
// either a card that misbehaves on air (Rogue) or a chip register that reads
// wrong (the transport's faults), never a stand-in for the chip.
import assert from "node:assert/strict";
import { CardReader } from "../../src/drivers/card-reader";
import { bitsToBytes, bytesToBits } from "../models/bits";
import { crcA } from "../models/crc-a";
import { VirtualCard } from "../models/iso14443a-card";
import { hex, makeReaderRig } from "../models/reader-rig";

const REG_COMMAND = 0x01, REG_COM_IRQ = 0x04, REG_DIV_IRQ = 0x05, REG_BIT_FRAMING = 0x0d, REG_COLL = 0x0e;
const CMD_CALC_CRC = 0x03;
const UID4 = [0x3a, 0x91, 0x07, 0xc4];
const UID7 = [0x04, 0x5e, 0x21, 0x8a, 0x33, 0x6b, 0x80];

const SENTENCE: Record<string, string> = {
  E_RFID_NO_RESPONSE: "E_RFID_NO_RESPONSE: the MFRC522 stopped answering on SPI; check the reader cable and its 3.3 V supply",
  E_RFID_FRAME: "E_RFID_FRAME: a garbled frame came from the card reader (noise on the cable or a card moving); try again",
  E_RFID_BCC: "E_RFID_BCC: a card UID failed its BCC check (noise or a moving card); the read was discarded",
  E_RFID_CRC: "E_RFID_CRC: a card answer failed its CRC_A check (noise or a moving card); the read was discarded",
  E_RFID_COLLISION: "E_RFID_COLLISION: several cards answered and could not be told apart; present one card at a time",
  E_RFID_CARD_LOST: "E_RFID_CARD_LOST: the card left the field or stopped answering during selection; present it again",
  E_RFID_RESET: "E_RFID_RESET: the card reader was reset after repeated errors",
  E_RFID_NOT_FOUND: "E_RFID_NOT_FOUND: the MFRC522 did not come back after a reset; check the reader wiring",
};

/** A card (or a card emulator) that answers on air with what `tamper` makes of its correct answer. */
class Rogue extends VirtualCard {
  tamper: ((frame: Uint8Array, response: Uint8Array | undefined) => Uint8Array | undefined) | undefined;
  override receive(frame: Uint8Array): Uint8Array | undefined {
    const response = super.receive(frame);
    return this.tamper ? this.tamper(frame, response) : response;
  }
}

const isSelect = (frame: Uint8Array) => frame.length === 72 && bitsToBytes(frame)[1] === 0x70;
const isAnticollision = (frame: Uint8Array) => frame.length >= 16 && frame.length < 72 && bitsToBytes(frame)[1] !== 0x70;
/** A SAK frame on air: the byte, its CRC_A, `bits` of it sent. */
function sakBits(sak: number, bits = 24, crc = crcA([sak])): Uint8Array {
  return bytesToBits([sak, crc & 0xff, crc >> 8], bits);
}

/** Every frame a card hears, as hex/bit count ("9320/16"). */
function listen(card: VirtualCard): string[] {
  const heard: string[] = [];
  const receive = card.receive.bind(card);
  card.receive = (frame) => {
    heard.push(`${hex(bitsToBytes(frame))}/${frame.length}`);
    return receive(frame);
  };
  return heard;
}

/** A card that answers every WUPA with one byte instead of a two-byte ATQA, whatever its state. */
function badAtqa(uid: number[]): Rogue {
  const card = new Rogue(uid);
  card.tamper = (frame, response) => (frame.length === 7 ? bytesToBits([0x04], 8) : response);
  return card;
}

type RigOptions = Parameters<typeof makeReaderRig>[0];

/**
 * A rig whose clock the test moves to exact times, with a log of every frame
 * start (StartSend) and of every error with its time, and chip faults: status
 * bits that never come, a forced CollReg, CalcCRC runs that never finish.
 */
function bench(options: RigOptions = {}) {
  const rig = makeReaderRig({ resetAfterErrors: 1000, ...options });
  const transport = rig.reader.chip.transport;
  const sends: number[] = [];
  const errorsAt: string[] = [];
  const faults = {
    comIrqMask: 0xff,
    divIrqMask: 0xff,
    collReg: -1,
    /** CalcCRC runs (0-based, counted from the bench's start) whose CRCIRq never comes. */
    crcHangs: new Set<number>(),
    onSend: (_index: number) => {},
  };
  let crcRuns = 0;
  const read = transport.readRegister.bind(transport), write = transport.writeRegister.bind(transport);
  transport.readRegister = (reg) => {
    let value = read(reg);
    if (reg === REG_COM_IRQ) value &= faults.comIrqMask;
    if (reg === REG_DIV_IRQ) value &= faults.divIrqMask;
    if (reg === REG_COLL && faults.collReg >= 0) value = faults.collReg;
    return value;
  };
  transport.writeRegister = (reg, value) => {
    if (reg === REG_COMMAND) faults.divIrqMask = (value & 0x0f) === CMD_CALC_CRC && faults.crcHangs.has(crcRuns++) ? ~0x04 : 0xff;
    write(reg, value);
    if (reg === REG_BIT_FRAMING && value & 0x80) {
      sends.push(rig.hw.clock.now);
      faults.onSend(sends.length - 1);
    }
  };
  const errors = rig.errors.length;
  const seen = () => rig.errors.slice(errors);
  let last = rig.hw.clock.now - 1;
  const tick = (t: number) => {
    last = t;
    rig.hw.clock.advance(t - rig.hw.clock.now);
    const before = rig.errors.length;
    rig.reader.tick(t);
    for (const code of rig.errors.slice(before)) errorsAt.push(`${t} ${code}`);
  };
  /** Tick every ms from the last tick (exclusive) to `until`. */
  const runTo = (until: number) => {
    for (let t = last + 1; t <= until; t++) tick(t);
  };
  /** Tick every ms until the first error (at most `limit` ms). */
  const untilError = (limit = 2000) => {
    const n = rig.errors.length, end = rig.hw.clock.now + limit;
    while (rig.errors.length === n && rig.hw.clock.now < end) tick(rig.hw.clock.now + 1);
    return rig.errors[n];
  };
  return { ...rig, sends, faults, tick, runTo, untilError, errorsAt, seen };
}

describe("CardReader timing (exact)", () => {
  it("polls exactly every pollIntervalMs after a silent WUPA, not one ms early", () => {
    const b = bench({ pollIntervalMs: 100 });
    b.tick(0);
    assert.deepEqual(b.sends, [0], "the first tick sends WUPA");
    b.tick(5); // the chip timer has run out: no card
    b.tick(104);
    assert.deepEqual(b.sends, [0]);
    b.tick(105);
    assert.deepEqual(b.sends, [0, 105]);
    assert.deepEqual(b.removed, [], "no card was ever there: nothing to remove");
    assert.equal(b.reader.tagPresent, false);
  });

  it("after a read: HLTA ends at TxIRq (not at a 5 ms guess), the next WUPA comes presenceIntervalMs after the read", () => {
    const b = bench({ presenceIntervalMs: 1 });
    const card = new VirtualCard(UID4);
    const heard = listen(card);
    b.model.enter(card);
    b.runTo(3);
    assert.deepEqual(b.sends, [0, 1, 2, 3], "WUPA, ANTICOLLISION, SELECT, HLTA");
    assert.deepEqual(b.tags, [hex(UID4)]);
    assert.equal(b.reader.tagPresent, true);
    b.tick(3); // a second timer tick in the same ms: HLTA is still on air, it must not be cut off
    b.tick(4);
    assert.equal(card.state, "HALT", "the whole HLTA frame reached the card");
    assert.equal(heard[3], "500057cd/32", "HLTA with its CRC_A");
    b.runTo(5);
    assert.deepEqual(b.sends, [0, 1, 2, 3, 5]);
    assert.deepEqual(b.reader.stats, { reads: 1, errors: 0, resets: 0 });
  });

  it("HLTA whose TxIRq never comes is stopped after exactly 5 ms", () => {
    const b = bench({ presenceIntervalMs: 1 });
    b.model.enter(new VirtualCard(UID4));
    b.faults.onSend = (i) => {
      if (i === 3) b.faults.comIrqMask = ~0x40; // TxIRq stuck low from the HLTA on
    };
    b.runTo(9);
    assert.deepEqual(b.sends, [0, 1, 2, 3, 9], "HLTA at 3, stopped at 8, WUPA at 9");
  });

  it("retries a failed read exactly retryMs later", () => {
    const b = bench({ retryMs: 20 });
    b.model.enter(badAtqa(UID4));
    b.runTo(42);
    assert.deepEqual(b.sends, [0, 21, 42]);
    assert.deepEqual(b.errorsAt, ["1 E_RFID_FRAME", "22 E_RFID_FRAME"]);
  });

  it("soft reset after exactly resetAfterErrors failures; counters, sentences; polls again exactly resetDelayMs later", () => {
    const b = bench({ retryMs: 20, resetAfterErrors: 3, resetDelayMs: 50 });
    const card = badAtqa(UID4);
    b.model.enter(card);
    b.runTo(92);
    assert.deepEqual(b.errorsAt, ["1 E_RFID_FRAME", "22 E_RFID_FRAME", "43 E_RFID_FRAME", "43 E_RFID_RESET"]);
    assert.deepEqual(b.reader.stats, { reads: 0, errors: 3, resets: 1 });
    assert.equal(b.model.softResets, 1);
    assert.deepEqual(b.sends, [0, 21, 42], "nothing on air while the chip restarts");
    card.tamper = undefined;
    b.runTo(94);
    assert.deepEqual(b.sends.slice(3), [94], "chip checked at 93, WUPA on the next tick");
    assert.equal(b.messages.get("E_RFID_FRAME"), SENTENCE.E_RFID_FRAME);
    assert.equal(b.messages.get("E_RFID_RESET"), SENTENCE.E_RFID_RESET);
    b.runTo(300); // the card fell back to IDLE on that WUPA (it was READY): read on the poll after
    assert.deepEqual(b.tags, [hex(UID4)]);
    assert.deepEqual(b.reader.stats, { reads: 1, errors: 3, resets: 1 });
  });

  it("hard reset: NRSTPD low at the failure, high on the next tick, chip checked exactly resetDelayMs after the rising edge", () => {
    const b = bench({ withReset: true, resetAfterErrors: 1, resetDelayMs: 50 });
    const transport = b.reader.chip.transport;
    const line: string[] = [];
    const set = transport.setResetLine!.bind(transport);
    transport.setResetLine = (level) => {
      line.push(`${b.hw.clock.now}:${level}`);
      return set(level);
    };
    const hard = b.model.hardResets;
    const card = badAtqa(UID4);
    b.model.enter(card);
    b.runTo(51);
    assert.deepEqual(line, ["1:0", "2:1"]);
    assert.equal(b.model.hardResets - hard, 1);
    assert.equal(b.model.softResets, 0, "a wired reset line replaces the soft reset");
    assert.deepEqual(b.sends, [0]);
    card.tamper = undefined;
    b.runTo(53);
    assert.deepEqual(b.sends, [0, 53], "checked at 52, WUPA at 53");
    b.runTo(300);
    assert.deepEqual(b.tags, [hex(UID4)]);
  });

  it("a transport without a reset line gets a soft reset", () => {
    const b = bench({ resetAfterErrors: 1 });
    (b.reader.chip.transport as { setResetLine?: unknown }).setResetLine = undefined;
    b.model.enter(badAtqa(UID4));
    b.runTo(10);
    assert.equal(b.model.softResets, 1);
    assert.deepEqual(b.seen(), ["E_RFID_FRAME", "E_RFID_RESET"]);
  });

  it("a chip that never answers: NoChip after 30 ms, reset, NOT_FOUND after resetDelayMs, next reset exactly retryResetMs later", () => {
    const b = bench({ resetAfterErrors: 1, resetDelayMs: 50, retryResetMs: 300 });
    b.model.responsive = false;
    b.runTo(430);
    assert.deepEqual(b.errorsAt, ["31 E_RFID_NO_RESPONSE", "31 E_RFID_RESET", "81 E_RFID_NOT_FOUND", "381 E_RFID_RESET"]);
    b.runTo(431);
    assert.deepEqual(b.errorsAt.slice(4), ["431 E_RFID_NOT_FOUND"]);
    assert.deepEqual(b.reader.stats, { reads: 0, errors: 1, resets: 2 });
    assert.equal(b.messages.get("E_RFID_NO_RESPONSE"), SENTENCE.E_RFID_NO_RESPONSE);
    assert.equal(b.messages.get("E_RFID_NOT_FOUND"), SENTENCE.E_RFID_NOT_FOUND);
    b.model.responsive = true;
    b.runTo(740);
    assert.deepEqual(b.errorsAt.slice(5), ["731 E_RFID_RESET"]);
    b.runTo(782);
    assert.deepEqual(b.sends.slice(-1), [782], "chip back at 781, WUPA at 782");
  });
});

describe("CardReader presence and callbacks", () => {
  it("reports removal with the exact UID after exactly removeAfterMisses silent polls, once", () => {
    const b = bench({ presenceIntervalMs: 100, removeAfterMisses: 3 });
    const card = new VirtualCard(UID7);
    b.model.enter(card);
    b.runTo(50);
    assert.deepEqual(b.tags, [hex(UID7)]);
    b.model.leave(card);
    const left = b.sends.length;
    let removedAt = -1;
    while (removedAt < 0 && b.hw.clock.now < 2000) {
      b.runTo(b.hw.clock.now + 1);
      if (b.removed.length) removedAt = b.sends.length;
    }
    assert.equal(removedAt - left, 3, "removed on the third silent WUPA, not before, not after");
    assert.equal(b.reader.tagPresent, false);
    b.runTo(b.hw.clock.now + 1000);
    assert.deepEqual(b.removed, [hex(UID7)]);
    assert.deepEqual(b.errors, []);
  });

  it("works without onTagRemoved and onError: failures, resets, a dead chip and a removal raise nothing", () => {
    const rig = makeReaderRig();
    const tags: string[] = [];
    const reader = new CardReader({ transport: rig.reader.chip.transport, onTag: (uid) => tags.push(hex(uid)), resetAfterErrors: 1, retryResetMs: 100 });
    const run = (ms: number) => {
      for (let t = 0; t < ms; t++) reader.tick(rig.hw.clock.advance(1));
    };
    const card = new VirtualCard(UID4);
    rig.model.enter(card);
    run(200);
    assert.deepEqual(tags, [hex(UID4)]);
    rig.model.leave(card);
    run(1000);
    assert.equal(reader.tagPresent, false);
    rig.model.enter(badAtqa(UID7));
    run(300);
    rig.model.responsive = false;
    run(500);
    assert.ok(reader.stats.resets >= 2, `resets: ${reader.stats.resets}`);
  });

  it("a second close() touches neither the chip nor the transport", () => {
    const rig = makeReaderRig();
    const transport = rig.reader.chip.transport;
    let accesses = 0, closes = 0;
    const read = transport.readRegister.bind(transport), write = transport.writeRegister.bind(transport), close = transport.close.bind(transport);
    transport.readRegister = (reg) => (accesses++, read(reg));
    transport.writeRegister = (reg, value) => (accesses++, write(reg, value));
    transport.close = () => (closes++, close());
    rig.reader.close();
    assert.equal(closes, 1);
    const after = accesses;
    rig.reader.close();
    assert.equal(accesses, after);
    assert.equal(closes, 1);
  });

  it("a setup register hit by a bit flip (timer prescaler, antenna) is written again before the next poll", () => {
    const b = bench({ pollIntervalMs: 10 });
    b.runTo(5);
    b.model.regs[0x2b] = 0x00; // TPrescaler: the timer now ends before any card can answer
    b.model.regs[0x14] &= ~0x03; // TxControl: antenna drivers off
    b.model.enter(new VirtualCard(UID4));
    b.runTo(40);
    assert.deepEqual(b.tags, [hex(UID4)]);
  });

  it("the self test failure says what to do", () => {
    const rig = makeReaderRig();
    const transport = rig.reader.chip.transport;
    const readFifo = transport.readFifo.bind(transport);
    transport.readFifo = (into, offset, length) => {
      readFifo(into, offset, length);
      if (length === 64) into[offset + 5] ^= 1;
    };
    assert.throws(() => new CardReader({ transport, onTag: () => {}, selfTest: true }), { code: "E_RFID_SELF_TEST", message: "E_RFID_SELF_TEST: the MFRC522 failed its datasheet self test; replace the reader module" });
  });
});

/** A rogue card whose answers to one kind of frame are replaced. */
function rogue(uid: number[], on: (frame: Uint8Array) => boolean, answer: (response: Uint8Array | undefined, frame: Uint8Array) => Uint8Array | undefined): Rogue {
  const card = new Rogue(uid);
  card.tamper = (frame, response) => (on(frame) ? answer(response, frame) : response);
  return card;
}

/** One read attempt: the first error, with how many frames went on air before it, and no UID. */
function firstError(card: VirtualCard, setup: (b: ReturnType<typeof bench>) => void = () => {}) {
  const b = bench();
  setup(b);
  b.model.enter(card);
  const code = b.untilError();
  assert.deepEqual(b.tags, [], "no UID from a failed read");
  assert.equal(b.messages.get(code), SENTENCE[code], "the code leads its sentence");
  return { code, frames: b.sends.length, b };
}

/** From the n-th frame on, the card's answer arrives with a parity error (a flipped bit). */
function parityFrom(n: number) {
  return (b: ReturnType<typeof bench>) => {
    b.model.rfRandom = () => 0.25;
    b.faults.onSend = (i) => {
      b.model.rfNoise = i === n ? 1 : 0;
    };
  };
}

/** From the n-th frame on, the chip stops answering on SPI. */
function deadFrom(n: number) {
  return (b: ReturnType<typeof bench>) => {
    b.faults.onSend = (i) => {
      if (i === n) b.model.responsive = false;
    };
  };
}

/** The first error of a read is `code`, after exactly `frames` frames on air. */
function expectFirst(card: VirtualCard, code: string, frames: number, setup?: (b: ReturnType<typeof bench>) => void) {
  const got = firstError(card, setup);
  assert.deepEqual([got.code, got.frames], [code, frames]);
  return got.b;
}

const wupa = (f: Uint8Array) => f.length === 7;
const select = isSelect;
const anticoll = isAnticollision;

describe("CardReader against wrong answers (exact error per step)", () => {
  it("ATQA: one byte, 15 bits or a parity error is E_RFID_FRAME before any anticollision; a dead chip is E_RFID_NO_RESPONSE", () => {
    expectFirst(rogue(UID4, wupa, () => bytesToBits([0x04], 8)), "E_RFID_FRAME", 1);
    expectFirst(rogue(UID4, wupa, (r) => r!.subarray(0, 15)), "E_RFID_FRAME", 1);
    expectFirst(new VirtualCard(UID4), "E_RFID_FRAME", 1, parityFrom(0));
    expectFirst(new VirtualCard(UID4), "E_RFID_NO_RESPONSE", 1, deadFrom(0));
  });

  it("ANTICOLLISION: silence is E_RFID_CARD_LOST, a parity error or a wrong length E_RFID_FRAME, a dead chip E_RFID_NO_RESPONSE", () => {
    const card = new VirtualCard(UID4);
    expectFirst(card, "E_RFID_CARD_LOST", 2, (b) => {
      b.faults.onSend = (i) => {
        if (i === 1) b.model.leave(card); // gone while the ANTICOLLISION is still on air
      };
    });
    expectFirst(new VirtualCard(UID4), "E_RFID_FRAME", 2, parityFrom(1));
    expectFirst(new VirtualCard(UID4), "E_RFID_NO_RESPONSE", 2, deadFrom(1));
    // 39 of the 40 bits: the missing one is the top bit of the BCC, a 0 here.
    assert.equal(new VirtualCard(UID4).levelField(0)[4] & 0x80, 0);
    expectFirst(rogue(UID4, anticoll, (r) => r!.subarray(0, 39)), "E_RFID_FRAME", 2);
    expectFirst(rogue(UID4, anticoll, (r) => r!.subarray(0, 32)), "E_RFID_FRAME", 2);
    expectFirst(rogue(UID4, anticoll, (r) => Uint8Array.from([...r!, 0, 0, 0, 0, 0, 0, 0, 0])), "E_RFID_FRAME", 2);
    expectFirst(rogue(UID4, anticoll, (r) => r!.subarray(0, 0)), "E_RFID_FRAME", 2);
  });

  it("ANTICOLLISION: two answers 48 bits long that collide are E_RFID_FRAME, not another round", () => {
    const long = (uid: number[]) => rogue(uid, anticoll, (r) => r && Uint8Array.from([...r, 1, 0, 1, 0, 1, 0, 1, 0]));
    const b = bench();
    b.model.enter(long([0x12, 0x34, 0x56, 0x78]));
    b.model.enter(long([0x13, 0x34, 0x56, 0x78]));
    assert.equal(b.untilError(), "E_RFID_FRAME");
    assert.equal(b.sends.length, 2);
  });

  it("SELECT: a short or long SAK, a parity error, a collision in the SAK are E_RFID_FRAME; silence E_RFID_CARD_LOST; a dead chip E_RFID_NO_RESPONSE", () => {
    // 23 bits: the missing one is the top bit of the CRC; one SAK where it is 1, one where it is 0 (the CRC would still match).
    assert.equal(crcA([0x08]) >> 15, 1);
    expectFirst(rogue(UID4, select, () => sakBits(0x08, 23)), "E_RFID_FRAME", 3);
    const sak = [...Array(256).keys()].find((s) => (crcA([s]) & 0x8000) === 0 && !(s & 0x04))!;
    expectFirst(rogue(UID4, select, () => sakBits(sak, 23)), "E_RFID_FRAME", 3);
    expectFirst(rogue(UID4, select, () => sakBits(0x08, 16)), "E_RFID_FRAME", 3);
    expectFirst(rogue(UID4, select, () => bytesToBits([0x08, 0xb6, 0xdd, 0x00], 25)), "E_RFID_FRAME", 3);
    expectFirst(new VirtualCard(UID4), "E_RFID_FRAME", 3, parityFrom(2));
    expectFirst(new VirtualCard(UID4), "E_RFID_NO_RESPONSE", 3, deadFrom(2));
    expectFirst(rogue(UID4, select, () => undefined), "E_RFID_CARD_LOST", 3);
    const b = bench();
    b.model.enter(new VirtualCard(UID4, { sak: 0x08 }));
    b.model.enter(new VirtualCard(UID4, { sak: 0x20 }));
    assert.equal(b.untilError(), "E_RFID_FRAME");
    assert.equal(b.sends.length, 3);
  });

  it("SELECT: a wrong CRC_A low byte alone or high byte alone is E_RFID_CRC", () => {
    for (const bit of [8, 15, 16, 23]) {
      const card = new VirtualCard(UID4);
      card.corrupt = (bits) => {
        if (bits.length === 24) bits[bit] ^= 1;
      };
      expectFirst(card, "E_RFID_CRC", 3);
    }
  });

  it("SAK: 'UID not complete' without a cascade tag, at the third level, or 'complete' with a cascade tag is E_RFID_FRAME", () => {
    expectFirst(rogue(UID4, select, () => sakBits(0x04)), "E_RFID_FRAME", 3);
    const uid10 = [0x04, 0x10, 0x20, 0x30, 0x40, 0x50, 0x88, 0x70, 0x80, 0x90];
    const third = rogue(uid10, (f) => select(f) && bitsToBytes(f)[0] === 0x97, () => sakBits(0x04));
    expectFirst(third, "E_RFID_FRAME", 7);
    expectFirst(new VirtualCard([0x88, 0x01, 0x02, 0x03]), "E_RFID_FRAME", 3);
  });

  it("CalcCRC that never finishes: for the SELECT or for the SAK it is E_RFID_NO_RESPONSE; for the HLTA the read stands and no HLTA goes out", () => {
    expectFirst(new VirtualCard(UID4), "E_RFID_NO_RESPONSE", 2, (b) => b.faults.crcHangs.add(0));
    expectFirst(new VirtualCard(UID4), "E_RFID_NO_RESPONSE", 3, (b) => b.faults.crcHangs.add(1));
    const b = bench();
    b.faults.crcHangs.add(2);
    const card = new VirtualCard(UID4);
    const heard = listen(card);
    b.model.enter(card);
    b.runTo(20);
    assert.deepEqual(b.tags, [hex(UID4)]);
    assert.deepEqual(b.errors, []);
    assert.equal(heard.length, 3, `no HLTA on air: ${heard.join(" ")}`);
    assert.equal(card.state, "ACTIVE");
    b.runTo(400);
    assert.deepEqual(b.tags, [hex(UID4)], "still the same presentation");
  });
});

/** A card emulator with the same UID that answers every ANTICOLLISION with its lowest 1 bit of UID CLn cleared: a collision each round. */
function jammer(uid: number[]): Rogue {
  return rogue(uid, anticoll, (r, frame) => {
    if (!r) return r;
    const known = frame.length - 16;
    const out = r.slice();
    for (let i = 0; known + i < 32 && i < out.length; i++) {
      if (out[i]) {
        out[i] = 0;
        break;
      }
    }
    return out;
  });
}

describe("CardReader anticollision (bit-exact)", () => {
  it("three rounds in one level, the last one in the fourth byte: exact frames, the card with 1s is chosen", () => {
    const a = new VirtualCard([0x3e, 0x55, 0x1e, 0x99]);
    const others = [new VirtualCard([0x3e, 0x55, 0x0e, 0x99]), new VirtualCard([0x1e, 0x55, 0x1e, 0x99]), new VirtualCard([0x3e, 0x55, 0x1e, 0x89])];
    const heard = listen(a);
    const b = bench();
    b.model.enter(a);
    for (const card of others) b.model.enter(card);
    b.runTo(10);
    assert.deepEqual(b.errors, []);
    assert.deepEqual(b.tags, [hex(a.uid)]);
    const field = a.levelField(0), crc = crcA([0x93, 0x70, ...field]);
    assert.deepEqual(heard.slice(0, 6), ["52/7", "9320/16", "93263e/22", "93453e551e/37", "93553e551e19/45", `${hex([0x93, 0x70, ...field, crc & 0xff, crc >> 8])}/72`]);
  });

  it("a collision in the very first bit is resolved, not refused", () => {
    const one = new VirtualCard([0x13, 0x34, 0x56, 0x78]);
    const heard = listen(one);
    const b = bench();
    b.model.enter(new VirtualCard([0x12, 0x34, 0x56, 0x78]));
    b.model.enter(one);
    b.runTo(10);
    assert.deepEqual(b.tags, [hex(one.uid)]);
    assert.deepEqual(heard.slice(1, 3), ["9320/16", "932101/17"]);
  });

  it("7- and 10-byte UIDs that differ only in the last level: exact frames at cascade levels 2 and 3", () => {
    const seven = [new VirtualCard([0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66]), new VirtualCard([0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x67])];
    const heard7 = listen(seven[1]);
    const b7 = bench();
    for (const card of seven) b7.model.enter(card);
    b7.runTo(20);
    assert.deepEqual(b7.tags, [hex(seven[1].uid)]);
    assert.deepEqual(heard7.filter((f) => f.startsWith("95")).slice(0, 2), ["9520/16", "955133445501/41"]);
    const ten = [new VirtualCard([0x04, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90]), new VirtualCard([0x04, 0x10, 0x20, 0x30, 0x40, 0x50, 0x61, 0x70, 0x80, 0x90])];
    const heard10 = listen(ten[1]);
    const b10 = bench();
    for (const card of ten) b10.model.enter(card);
    b10.runTo(20);
    assert.deepEqual(b10.tags, [hex(ten[1].uid)]);
    assert.deepEqual(heard10.filter((f) => f.startsWith("97")).slice(0, 2), ["9720/16", "972101/17"]);
    assert.deepEqual(b10.reader.stats, { reads: 1, errors: 0, resets: 0 });
  });

  it("a collision inside the BCC (bit 32 and later) is E_RFID_COLLISION", () => {
    for (const bccBit of [0, 3]) {
      // x and the rogue differ only in their BCC; y makes the first round stop at bit 7, so the BCC comes in round two.
      const x = [0x80, 0x01, 0x02, 0x03];
      const b = bench();
      b.model.enter(new VirtualCard(x));
      b.model.enter(new VirtualCard([0x00, 0x01, 0x02, 0x03]));
      b.model.enter(rogue(x, anticoll, (r) => {
        const out = r!.slice();
        out[out.length - 8 + bccBit] ^= 1;
        return out;
      }));
      assert.equal(b.untilError(), "E_RFID_COLLISION");
      assert.equal(b.sends.length, 3);
      assert.equal(b.messages.get("E_RFID_COLLISION"), SENTENCE.E_RFID_COLLISION);
    }
  });

  it("a CollPos before the bits already known (a confused chip) is E_RFID_COLLISION", () => {
    const b = bench();
    b.model.enter(new VirtualCard([0x3e, 0x55, 0x1e, 0x99]));
    b.model.enter(new VirtualCard([0x3e, 0x55, 0x0e, 0x99]));
    b.model.enter(new VirtualCard([0x1e, 0x55, 0x1e, 0x99]));
    b.faults.onSend = (i) => {
      b.faults.collReg = i === 2 ? 1 : -1; // round two starts at bit 6; CollPos 1 would be bit 0
    };
    assert.equal(b.untilError(), "E_RFID_COLLISION");
    assert.equal(b.sends.length, 3);
  });

  it("the guard against endless rounds: 32 collisions in one presentation resolve, the 33rd is E_RFID_COLLISION", () => {
    // CL1 = 88 04 FF FF: 19 ones; CL2 = FF 1F 00 00: 13 ones (32 rounds) or FF 3F 00 00: 14 (33 rounds).
    for (const [last, expected] of [[0x1f, "tag"], [0x3f, "E_RFID_COLLISION"]] as const) {
      const uid = [0x04, 0xff, 0xff, 0xff, last, 0x00, 0x00];
      const b = bench();
      b.model.enter(new VirtualCard(uid));
      b.model.enter(jammer(uid));
      b.runTo(200);
      if (expected === "tag") {
        assert.deepEqual(b.tags, [hex(uid)]);
        assert.deepEqual(b.errors, []);
      } else {
        assert.deepEqual(b.tags, []);
        assert.equal(b.errors[0], expected);
      }
    }
  });
});

describe("CardReader presentations", () => {
  it("a failed read of a longer card in between does not make the present card look new", () => {
    const b = bench({ presenceIntervalMs: 20, removeAfterMisses: 3 });
    const small = new VirtualCard(UID4);
    b.model.enter(small);
    b.runTo(10);
    assert.deepEqual(b.tags, [hex(UID4)]);
    b.model.leave(small);
    // A 10-byte card whose third level always fails: levels 1 and 2 leave its bytes behind.
    const big = new VirtualCard([0x04, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90]);
    big.corrupt = (bits) => {
      if (bits.length === 24 && bits[3]) bits[8] ^= 1; // the final SAK (08), not the cascade SAKs (04)
    };
    b.model.enter(big);
    b.runTo(b.hw.clock.now + 30);
    assert.ok(b.errors.includes("E_RFID_CRC"), b.errors.join());
    assert.ok(big.received >= 7, "levels 1 and 2 were selected");
    b.model.leave(big);
    b.model.enter(small);
    b.runTo(b.hw.clock.now + 60);
    assert.deepEqual(b.tags, [hex(UID4)]);
    assert.deepEqual(b.removed, []);
  });
});
