// Card reader: a non-blocking ISO/IEC 14443-3 type A state machine over the
// MFRC522 protocol class, advanced by tick(nowMs) from a timer (ESPHome's rc522
// state machine, without its blocking waits). Each tick does at most one
// register exchange burst: collect the answer of the frame in flight, then
// start the next one, so no tick waits for the air interface.
//
//   Idle ─WUPA─▶ Request ─ATQA─▶ Anticoll(level) ⇄ (collisions)
//                                  │ UID CLn + BCC ok
//                                  ▼
//                                Select(level) ─SAK cascade─▶ Anticoll(level+1)
//                                  │ SAK complete, CRC_A ok
//                                  ▼
//                                onTag (once per presentation), HLTA ─▶ Idle
//
// Safety: a UID is reported only after the card acknowledged a SELECT that
// carried exactly those bytes (with BCC and CRC_A), so noise on SPI or RF
// turns into an error or nothing, never into another card's UID. WUPA (not
// REQA) is used so a halted card is seen again on the next poll: that is how
// presence is tracked and onTagRemoved is detected.
import { OptgateError } from "../core/errors";
import { Mfrc522, type Mfrc522Options, Status } from "./mfrc522";
import { Picc } from "./mfrc522-registers";
import type { Mfrc522Transport } from "./mfrc522-transport";

export interface CardReaderOptions extends Mfrc522Options {
  /** Register transport, e.g. new Mfrc522Spi({spi, select, reset}) [REQUIRED]. */
  transport: Mfrc522Transport;
  /** Called once per presentation with a fresh copy of the UID (4, 7 or 10 bytes) [REQUIRED]. */
  onTag: (uid: Uint8Array) => void;
  /** Called when the reported card is no longer in the field [OPTIONAL]. */
  onTagRemoved?: (uid: Uint8Array) => void;
  /** Called for failed reads, resets and a missing chip (never with UID bytes) [OPTIONAL]. */
  onError?: (error: OptgateError) => void;
  /** Run the datasheet self test in the constructor; throws E_RFID_SELF_TEST on failure. Default false. */
  selfTest?: boolean;
  /** Between WUPA polls while no card is present. Default 100 ms. */
  pollIntervalMs?: number;
  /** Between presence checks while a card is present. Default 100 ms. */
  presenceIntervalMs?: number;
  /** Retry delay after a failed read. Default 20 ms. */
  retryMs?: number;
  /** Silent polls before a present card counts as removed. Default 3. */
  removeAfterMisses?: number;
  /** Consecutive failures before the chip is reset. Default 5. */
  resetAfterErrors?: number;
  /** Wait after a reset before the chip is checked (oscillator start-up). Default 50 ms. */
  resetDelayMs?: number;
  /** Wait before resetting again when the chip did not come back. Default 1000 ms. */
  retryResetMs?: number;
}

const enum Step {
  Idle,
  Request,
  Anticoll,
  Select,
  Halt,
  ResetLow,
  ResetWait,
  ResetBackoff,
  Closed,
}

const SENTENCES: Record<string, string> = {
  E_RFID_NO_RESPONSE: "the MFRC522 stopped answering on SPI; check the reader cable and its 3.3 V supply",
  E_RFID_FRAME: "a garbled frame came from the card reader (noise on the cable or a card moving); try again",
  E_RFID_BCC: "a card UID failed its BCC check (noise or a moving card); the read was discarded",
  E_RFID_CRC: "a card answer failed its CRC_A check (noise or a moving card); the read was discarded",
  E_RFID_COLLISION: "several cards answered and could not be told apart; present one card at a time",
  E_RFID_CARD_LOST: "the card left the field or stopped answering during selection; present it again",
  E_RFID_RESET: "the card reader was reset after repeated errors",
  E_RFID_NOT_FOUND: "the MFRC522 did not come back after a reset; check the reader wiring",
};

const SEL = [Picc.SEL_CL1, Picc.SEL_CL2, Picc.SEL_CL3];

export interface CardReaderStats {
  reads: number;
  errors: number;
  resets: number;
}

export class CardReader {
  readonly #chip: Mfrc522;
  readonly #transport: Mfrc522Transport;
  readonly #onTag: (uid: Uint8Array) => void;
  readonly #onTagRemoved: ((uid: Uint8Array) => void) | undefined;
  readonly #onError: ((error: OptgateError) => void) | undefined;
  readonly #pollMs: number;
  readonly #presenceMs: number;
  readonly #retryMs: number;
  readonly #removeAfter: number;
  readonly #resetAfter: number;
  readonly #resetDelayMs: number;
  readonly #retryResetMs: number;
  readonly #frame = new Uint8Array(9);
  /** UID CLn (4 bytes) + BCC of the cascade level being resolved. */
  readonly #levelBytes = new Uint8Array(5);
  readonly #uid = new Uint8Array(10);
  readonly #present = new Uint8Array(10);
  readonly stats: CardReaderStats = { reads: 0, errors: 0, resets: 0 };
  #step = Step.Idle;
  #nextAt = -Infinity;
  #uidLength = 0;
  #presentLength = 0;
  #level = 0;
  /** Bits of the level's 32-bit UID CLn already known (bitwise anticollision). */
  #known = 0;
  #anticollRounds = 0;
  #misses = 0;
  #failures = 0;
  /** VersionReg at start: after a reset the same chip must answer. */
  readonly #version: number;

  constructor(options: CardReaderOptions) {
    this.#transport = options.transport;
    this.#chip = new Mfrc522(options.transport, options);
    this.#onTag = options.onTag;
    this.#onTagRemoved = options.onTagRemoved;
    this.#onError = options.onError;
    this.#pollMs = options.pollIntervalMs ?? 100;
    this.#presenceMs = options.presenceIntervalMs ?? 100;
    this.#retryMs = options.retryMs ?? 20;
    this.#removeAfter = options.removeAfterMisses ?? 3;
    this.#resetAfter = options.resetAfterErrors ?? 5;
    this.#resetDelayMs = options.resetDelayMs ?? 50;
    this.#retryResetMs = options.retryResetMs ?? 1000;
    if (options.selfTest && !this.#chip.selfTest()) {
      throw new OptgateError("E_RFID_SELF_TEST", "the MFRC522 failed its datasheet self test; replace the reader module");
    }
    this.#version = this.#chip.version();
    this.#chip.init();
    this.#chip.antennaOn();
  }

  /** The protocol object, for diagnostics (version, antenna). */
  get chip(): Mfrc522 {
    return this.#chip;
  }

  /** A card is currently reported as present. */
  get tagPresent(): boolean {
    return this.#presentLength > 0;
  }

  /** Advance the state machine; call from a timer every few ms with a monotonic time. */
  tick(nowMs: number): void {
    switch (this.#step) {
      case Step.Idle:
        if (nowMs >= this.#nextAt) this.#startRequest(nowMs);
        return;
      case Step.Request:
      case Step.Anticoll:
      case Step.Select: {
        const status = this.#chip.poll(nowMs);
        if (status === Status.Pending) return;
        if (this.#step === Step.Request) this.#onRequest(status, nowMs);
        else if (this.#step === Step.Anticoll) this.#onAnticoll(status, nowMs);
        else this.#onSelect(status, nowMs);
        return;
      }
      case Step.Halt:
        // HLTA has no answer: once it is on air, stop the Transceive instead of waiting for the timer.
        if (!this.#chip.transmitted() && this.#chip.elapsed(nowMs) < 5) return;
        this.#chip.cancel();
        this.#step = Step.Idle;
        return;
      case Step.ResetLow:
        this.#transport.setResetLine?.(1);
        this.#step = Step.ResetWait;
        this.#nextAt = nowMs + this.#resetDelayMs;
        return;
      case Step.ResetWait:
        if (nowMs >= this.#nextAt) this.#afterReset(nowMs);
        return;
      case Step.ResetBackoff:
        if (nowMs >= this.#nextAt) this.#startReset(nowMs);
        return;
      case Step.Closed:
        return;
    }
  }

  /** Antenna off, chip idle, pins released. Safe to call twice. */
  close(): void {
    if (this.#step === Step.Closed) return;
    this.#step = Step.Closed;
    try {
      this.#chip.cancel();
      this.#chip.antennaOff();
    } catch {
      // the bus may already be gone; closing must still release the pins
    }
    this.#transport.close();
  }

  // --- REQA/WUPA ----------------------------------------------------------

  #startRequest(now: number): void {
    // A bit flipped on MOSI can land in a setup register (a timer that ends
    // before any card can answer, the antenna off) and leave the reader deaf
    // without a single error: every poll is then a clean "no card". So the
    // setup is written again before every poll (about 24 bytes on the bus).
    this.#chip.init();
    this.#chip.antennaOn();
    const frame = this.#frame;
    frame[0] = Picc.WUPA;
    this.#chip.start(frame, 1, 7, 0, true, now); // short frame: 7 bits
    this.#step = Step.Request;
  }

  #onRequest(status: Status, now: number): void {
    const chip = this.#chip;
    if (status === Status.Timeout) return this.#noCard(now);
    // A collision in the ATQA only says that several cards are there.
    if (status === Status.Ok && (chip.rxLength !== 2 || chip.rxLastBits !== 0)) return this.#fail("E_RFID_FRAME", now);
    if (status !== Status.Ok && status !== Status.Collision) return this.#fail(status === Status.NoChip ? "E_RFID_NO_RESPONSE" : "E_RFID_FRAME", now);
    this.#uidLength = 0;
    this.#level = 0;
    this.#anticollRounds = 0;
    this.#startLevel(now);
  }

  // --- anticollision ------------------------------------------------------

  #startLevel(now: number): void {
    this.#known = 0;
    this.#levelBytes.fill(0);
    this.#startAnticoll(now);
  }

  #startAnticoll(now: number): void {
    const frame = this.#frame, level = this.#levelBytes;
    const known = this.#known, whole = known >> 3, extra = known & 7;
    frame[0] = SEL[this.#level];
    frame[1] = ((2 + whole) << 4) | extra; // NVB: bytes and bits sent, SEL and NVB included
    for (let i = 0; i < whole; i++) frame[2 + i] = level[i];
    if (extra) frame[2 + whole] = level[whole] & ((1 << extra) - 1);
    // The card answers with the rest of UID CLn + BCC, starting exactly after the bits we sent.
    this.#chip.start(frame, 2 + whole + (extra ? 1 : 0), extra, extra, false, now);
    this.#step = Step.Anticoll;
  }

  #onAnticoll(status: Status, now: number): void {
    const chip = this.#chip;
    if (status === Status.Timeout) return this.#fail("E_RFID_CARD_LOST", now);
    if (status !== Status.Ok && status !== Status.Collision) return this.#fail(status === Status.NoChip ? "E_RFID_NO_RESPONSE" : "E_RFID_FRAME", now);
    const known = this.#known, whole = known >> 3, extra = known & 7;
    const rx = chip.rx, n = chip.rxLength, level = this.#levelBytes;
    if (n === 0 || whole + n > 5) return this.#fail("E_RFID_FRAME", now);
    // rx[0] continues the partially known byte: keep our low `extra` bits.
    const keep = (1 << extra) - 1;
    level[whole] = (level[whole] & keep) | (rx[0] & ~keep & 0xff);
    for (let i = 1; i < n; i++) level[whole + i] = rx[i];
    if (status === Status.Collision) {
      // First collided bit in UID CLn coordinates; choose the card with a 1 there.
      const pos = whole * 8 + chip.collisionPos - 1;
      if (pos < known || pos >= 32 || ++this.#anticollRounds > 32) return this.#fail("E_RFID_COLLISION", now);
      const mask = (1 << ((pos & 7) + 1)) - 1;
      level[pos >> 3] = (level[pos >> 3] & mask) | (1 << (pos & 7));
      for (let i = (pos >> 3) + 1; i < 5; i++) level[i] = 0;
      this.#known = pos + 1;
      return this.#startAnticoll(now);
    }
    const received = n * 8 - extra - (chip.rxLastBits ? 8 - chip.rxLastBits : 0);
    if (received !== 40 - known) return this.#fail("E_RFID_FRAME", now);
    if ((level[0] ^ level[1] ^ level[2] ^ level[3]) !== level[4]) return this.#fail("E_RFID_BCC", now);
    this.#startSelect(now);
  }

  // --- SELECT -------------------------------------------------------------

  #startSelect(now: number): void {
    const frame = this.#frame, level = this.#levelBytes;
    frame[0] = SEL[this.#level];
    frame[1] = 0x70; // NVB: all 40 bits of UID CLn + BCC
    for (let i = 0; i < 5; i++) frame[2 + i] = level[i];
    const crc = this.#chip.calcCrc(frame, 7);
    if (crc < 0) return this.#fail("E_RFID_NO_RESPONSE", now);
    frame[7] = crc & 0xff;
    frame[8] = crc >> 8;
    this.#chip.start(frame, 9, 0, 0, true, now);
    this.#step = Step.Select;
  }

  #onSelect(status: Status, now: number): void {
    const chip = this.#chip;
    // Silence here also covers a UID corrupted on the way in: no card owns it.
    if (status === Status.Timeout) return this.#fail("E_RFID_CARD_LOST", now);
    if (status !== Status.Ok) return this.#fail(status === Status.NoChip ? "E_RFID_NO_RESPONSE" : "E_RFID_FRAME", now);
    const rx = chip.rx;
    if (chip.rxLength !== 3 || chip.rxLastBits !== 0) return this.#fail("E_RFID_FRAME", now);
    const sak = rx[0], crcLo = rx[1], crcHi = rx[2];
    const crc = chip.calcCrc(rx, 1);
    if (crc < 0) return this.#fail("E_RFID_NO_RESPONSE", now);
    if ((crc & 0xff) !== crcLo || crc >> 8 !== crcHi) return this.#fail("E_RFID_CRC", now);
    const level = this.#levelBytes, uid = this.#uid;
    const cascadeTag = level[0] === Picc.CASCADE_TAG;
    if (sak & 0x04) {
      // UID not complete: this level was CT + three UID bytes.
      if (!cascadeTag || this.#level >= 2) return this.#fail("E_RFID_FRAME", now);
      for (let i = 1; i < 4; i++) uid[this.#uidLength++] = level[i];
      this.#level++;
      return this.#startLevel(now);
    }
    if (cascadeTag) return this.#fail("E_RFID_FRAME", now);
    for (let i = 0; i < 4; i++) uid[this.#uidLength++] = level[i];
    this.#halt(now);
    this.#report(now);
  }

  #halt(now: number): void {
    const frame = this.#frame;
    frame[0] = Picc.HLTA;
    frame[1] = 0;
    const crc = this.#chip.calcCrc(frame, 2);
    if (crc < 0) {
      this.#step = Step.Idle;
      return;
    }
    frame[2] = crc & 0xff;
    frame[3] = crc >> 8;
    this.#chip.start(frame, 4, 0, 0, true, now);
    this.#step = Step.Halt;
  }

  // --- events ---------------------------------------------------------------

  #report(now: number): void {
    this.stats.reads++;
    this.#failures = 0;
    this.#misses = 0;
    this.#nextAt = now + this.#presenceMs;
    const uid = this.#uid, n = this.#uidLength, present = this.#present;
    if (this.#presentLength === n) {
      let same = true;
      for (let i = 0; i < n; i++) if (present[i] !== uid[i]) same = false;
      if (same) return;
    }
    if (this.#presentLength) this.#removed();
    present.set(uid.subarray(0, n));
    this.#presentLength = n;
    this.#onTag(present.slice(0, n));
  }

  #noCard(now: number): void {
    this.#step = Step.Idle;
    this.#failures = 0; // a clean timer timeout proves the chip works
    if (this.#presentLength && ++this.#misses >= this.#removeAfter) this.#removed();
    this.#nextAt = now + (this.#presentLength ? this.#presenceMs : this.#pollMs);
  }

  #removed(): void {
    const n = this.#presentLength;
    this.#presentLength = 0;
    this.#misses = 0;
    this.#onTagRemoved?.(this.#present.slice(0, n));
  }

  #fail(code: string, now: number): void {
    this.stats.errors++;
    this.#step = Step.Idle;
    this.#nextAt = now + this.#retryMs;
    this.#onError?.(new OptgateError(code, SENTENCES[code]));
    if (++this.#failures >= this.#resetAfter) this.#startReset(now);
  }

  // --- reset ----------------------------------------------------------------

  #startReset(now: number): void {
    this.stats.resets++;
    this.#failures = 0;
    // While the chip is being reset nobody knows what is in the field.
    if (this.#presentLength) this.#removed();
    this.#onError?.(new OptgateError("E_RFID_RESET", SENTENCES.E_RFID_RESET));
    try {
      if (this.#transport.setResetLine?.(0)) {
        this.#step = Step.ResetLow;
        return;
      }
      this.#chip.softReset();
    } catch {
      // a dead bus is judged after the delay like a dead chip
    }
    this.#step = Step.ResetWait;
    this.#nextAt = now + this.#resetDelayMs;
  }

  #afterReset(now: number): void {
    const chip = this.#chip;
    if (chip.ready() && chip.version() === this.#version) {
      chip.init();
      chip.antennaOn();
      this.#step = Step.Idle;
      this.#nextAt = now;
      return;
    }
    this.#onError?.(new OptgateError("E_RFID_NOT_FOUND", SENTENCES.E_RFID_NOT_FOUND));
    this.#step = Step.ResetBackoff;
    this.#nextAt = now + this.#retryResetMs;
  }
}
