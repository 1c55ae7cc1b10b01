// MFRC522 protocol over any register transport: chip setup, self test,
// antenna, CRC_A through the chip's CalcCRC coprocessor, and Transceive split
// into start() and poll() so that a timer tick never waits for the air
// interface. No allocation after construction.
import { Cmd, Err, Irq, Reg, SELF_TEST_REFERENCE } from "./mfrc522-registers";
import type { Mfrc522Transport } from "./mfrc522-transport";

export const enum Status {
  Pending = 0,
  Ok = 1,
  /** The chip's timer ran out: no card answered. */
  Timeout = 2,
  /** Several cards answered; see collisionPos. */
  Collision = 3,
  /** Parity, protocol or FIFO overflow error, or an impossible FIFO level. */
  Error = 4,
  /** The chip raised no IRQ at all within the deadline: it is not working. */
  NoChip = 5,
}

/** Timer: TPrescaler 0x0A9 → 13.56 MHz / 339 = 40 kHz, one count = 25 µs. */
const TIMER_PRESCALER = 0x0a9;
const TIMER_TICK_US = 25;
/** CalcCRC over ≤ 9 bytes takes microseconds; a few status reads cover it. */
const CRC_POLLS = 10;

export interface Mfrc522Options {
  /** How long the chip waits for a card's answer (ISO 14443-3 FDT is ~0.1 ms). Default 1 ms. */
  responseTimeoutUs?: number;
  /** A Transceive that raises no IRQ within this time means the chip stopped working. Default 30 ms. */
  chipDeadlineMs?: number;
}

export class Mfrc522 {
  readonly #io: Mfrc522Transport;
  readonly #reload: number;
  readonly #deadlineMs: number;
  /** Bytes received by the last Transceive. */
  readonly rx = new Uint8Array(64);
  rxLength = 0;
  /** Valid bits in the last received byte, 0 = all eight. */
  rxLastBits = 0;
  /** CollPos of the last collision (1..32, in FIFO bit positions from RxAlign). */
  collisionPos = 0;
  #startedAt = 0;
  #rxAlign = 0;
  #busy = false;

  constructor(transport: Mfrc522Transport, options: Mfrc522Options = {}) {
    this.#io = transport;
    const ticks = Math.ceil((options.responseTimeoutUs ?? 1000) / TIMER_TICK_US);
    this.#reload = Math.min(0xffff, Math.max(1, ticks));
    this.#deadlineMs = options.chipDeadlineMs ?? 30;
  }

  get transport(): Mfrc522Transport {
    return this.#io;
  }

  version(): number {
    return this.#io.readRegister(Reg.Version);
  }

  /** Register setup after power-up or reset (the settings ESPHome and the NXP notes use). */
  init(): void {
    const io = this.#io;
    io.writeRegister(Reg.Command, Cmd.Idle);
    io.writeRegister(Reg.TxMode, 0x00);
    io.writeRegister(Reg.RxMode, 0x00);
    io.writeRegister(Reg.ModWidth, 0x26);
    // TAuto: the timer starts at the end of every transmission, so a silent field ends in TimerIRq.
    io.writeRegister(Reg.TMode, 0x80 | (TIMER_PRESCALER >> 8));
    io.writeRegister(Reg.TPrescaler, TIMER_PRESCALER & 0xff);
    io.writeRegister(Reg.TReloadH, this.#reload >> 8);
    io.writeRegister(Reg.TReloadL, this.#reload & 0xff);
    io.writeRegister(Reg.TxASK, 0x40); // 100 % ASK, required for type A
    io.writeRegister(Reg.Mode, 0x3d); // CRC preset 0x6363 (CRC_A)
    this.#busy = false;
  }

  antennaOn(): void {
    const value = this.#io.readRegister(Reg.TxControl);
    if ((value & 0x03) !== 0x03) this.#io.writeRegister(Reg.TxControl, value | 0x03);
  }

  antennaOff(): void {
    const value = this.#io.readRegister(Reg.TxControl);
    this.#io.writeRegister(Reg.TxControl, value & ~0x03);
  }

  get antenna(): boolean {
    return (this.#io.readRegister(Reg.TxControl) & 0x03) === 0x03;
  }

  softReset(): void {
    this.#busy = false;
    this.#io.writeRegister(Reg.Command, Cmd.SoftReset);
  }

  /** After a reset the PowerDown bit stays set until the oscillator runs. */
  ready(): boolean {
    return (this.#io.readRegister(Reg.Command) & 0x10) === 0;
  }

  /**
   * Datasheet 16.1.1 digital self test: the FIFO must then hold the
   * version's reference bytes. Leaves the chip soft-reset and initialised,
   * with the antenna as it was. Takes ~70 register accesses (well under 10 ms
   * at 4 MHz).
   */
  selfTest(): boolean {
    const io = this.#io;
    const reference = SELF_TEST_REFERENCE[this.version()];
    if (!reference) return false;
    const antenna = this.antenna;
    this.softReset();
    const zeros = this.rx;
    zeros.fill(0, 0, 25);
    io.writeRegister(Reg.FIFOLevel, 0x80);
    io.writeFifo(zeros, 25);
    io.writeRegister(Reg.Command, Cmd.Mem);
    io.writeRegister(Reg.AutoTest, 0x09);
    io.writeRegister(Reg.FIFOData, 0x00);
    io.writeRegister(Reg.Command, Cmd.CalcCRC);
    let level = 0;
    for (let i = 0; i < 20 && level < 64; i++) level = io.readRegister(Reg.FIFOLevel);
    let ok = level === 64;
    if (ok) {
      io.readFifo(this.rx, 0, 64);
      for (let i = 0; i < 64; i++) if (this.rx[i] !== reference[i]) ok = false;
    }
    io.writeRegister(Reg.AutoTest, 0x00);
    this.softReset();
    this.init();
    if (antenna) this.antennaOn();
    return ok;
  }

  /**
   * CRC_A of bytes [0, length) computed by the chip. Returns the CRC (low byte
   * first on air) or -1 when the coprocessor does not finish.
   */
  calcCrc(data: Uint8Array, length: number): number {
    const io = this.#io;
    io.writeRegister(Reg.Command, Cmd.Idle);
    io.writeRegister(Reg.DivIrq, Irq.Crc); // clear CRCIRq
    io.writeRegister(Reg.FIFOLevel, 0x80);
    io.writeFifo(data, length);
    io.writeRegister(Reg.Command, Cmd.CalcCRC);
    for (let i = 0; i < CRC_POLLS; i++) {
      if (io.readRegister(Reg.DivIrq) & Irq.Crc) {
        io.writeRegister(Reg.Command, Cmd.Idle);
        return io.readRegister(Reg.CRCResultL) | (io.readRegister(Reg.CRCResultH) << 8);
      }
    }
    io.writeRegister(Reg.Command, Cmd.Idle);
    return -1;
  }

  /**
   * Sends bytes [0, length) (the last one only `txLastBits` bits, 0 = 8) and
   * arms the receiver; received bits start at bit `rxAlign` of rx[0].
   * `valuesAfterColl` false clears bits after a collision (bitwise anticollision).
   */
  start(data: Uint8Array, length: number, txLastBits: number, rxAlign: number, valuesAfterColl: boolean, nowMs: number): void {
    const io = this.#io;
    io.writeRegister(Reg.Command, Cmd.Idle);
    io.writeRegister(Reg.ComIrq, 0x7f);
    io.writeRegister(Reg.FIFOLevel, 0x80);
    io.writeRegister(Reg.Coll, valuesAfterColl ? 0x80 : 0x00);
    io.writeFifo(data, length);
    io.writeRegister(Reg.Command, Cmd.Transceive);
    io.writeRegister(Reg.BitFraming, 0x80 | (rxAlign << 4) | txLastBits); // StartSend
    this.#rxAlign = rxAlign;
    this.#startedAt = nowMs;
    this.#busy = true;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** One look at the chip: Pending until the answer (or the timer) is in. */
  poll(nowMs: number): Status {
    if (!this.#busy) return Status.Error;
    const io = this.#io;
    const irq = io.readRegister(Reg.ComIrq);
    if (!(irq & (Irq.Rx | Irq.Idle))) {
      if (irq & Irq.Timer) return this.#end(Status.Timeout);
      if (nowMs - this.#startedAt > this.#deadlineMs) return this.#end(Status.NoChip);
      return Status.Pending;
    }
    const error = io.readRegister(Reg.Error);
    if (error & (Err.BufferOvfl | Err.Parity | Err.Protocol)) return this.#end(Status.Error);
    const level = io.readRegister(Reg.FIFOLevel);
    if (level > 64) return this.#end(Status.Error);
    this.rxLength = level;
    io.readFifo(this.rx, 0, level);
    this.rxLastBits = io.readRegister(Reg.Control) & 0x07;
    if (error & Err.Coll) {
      const coll = io.readRegister(Reg.Coll);
      if (coll & 0x20) return this.#end(Status.Error); // CollPosNotValid
      this.collisionPos = coll & 0x1f || 32;
      return this.#end(Status.Collision);
    }
    return this.#end(Status.Ok);
  }

  /** The frame in flight has left the antenna (TxIRq). */
  transmitted(): boolean {
    return (this.#io.readRegister(Reg.ComIrq) & Irq.Tx) !== 0;
  }

  /** Milliseconds since the last start(). */
  elapsed(nowMs: number): number {
    return nowMs - this.#startedAt;
  }

  /** Stop whatever the chip is doing (e.g. after HLTA, which has no answer). */
  cancel(): void {
    this.#io.writeRegister(Reg.Command, Cmd.Idle);
    this.#busy = false;
  }

  /** The RxAlign the last frame was received with. */
  get rxAlign(): number {
    return this.#rxAlign;
  }

  #end(status: Status): Status {
    this.#busy = false;
    return status;
  }
}
