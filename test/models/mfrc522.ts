// Register-level model of the NXP MFRC522 contactless reader IC, enough of
// the datasheet (Rev. 3.9) for a driver to be tested against it: SPI framing
// (address byte (reg << 1) | 0x80 for read, bursts), the 64-byte FIFO, the
// CommandReg commands Idle/Mem/CalcCRC/Transceive/SoftReset, ComIrq/DivIrq
// bits with set/clear semantics, ErrorReg, ControlReg RxLastBits,
// BitFramingReg (StartSend, RxAlign, TxLastBits), CollReg (CollPos,
// ValuesAfterColl), the timer (TAuto, prescaler, reload) against the model
// clock, frame timing at 106 kbit/s, collisions between several cards, the
// self-test and the hard reset pin. Cards act on a frame only once it has
// left the antenna: a command written while it is still on air (Idle after
// StartSend) cuts it off and no card hears it.
//
// Modelling choice (the datasheet is terse here): CollPos counts bit
// positions in the received frame as laid out in the FIFO, i.e. starting at
// RxAlign of the first byte, 1-based, 0 meaning position 32.
import type { ModelClock } from "./clock";
import { bytesToBits } from "./bits";
import { crcA } from "./crc-a";
import type { GpioBank } from "./gpio";
import type { VirtualCard } from "./iso14443a-card";

export const Reg = {
  Command: 0x01, ComIEn: 0x02, DivIEn: 0x03, ComIrq: 0x04, DivIrq: 0x05, Error: 0x06, Status1: 0x07,
  Status2: 0x08, FIFOData: 0x09, FIFOLevel: 0x0a, WaterLevel: 0x0b, Control: 0x0c, BitFraming: 0x0d,
  Coll: 0x0e, Mode: 0x11, TxMode: 0x12, RxMode: 0x13, TxControl: 0x14, TxASK: 0x15, CRCResultH: 0x21,
  CRCResultL: 0x22, ModWidth: 0x24, RFCfg: 0x26, TMode: 0x2a, TPrescaler: 0x2b, TReloadH: 0x2c,
  TReloadL: 0x2d, TCounterValH: 0x2e, TCounterValL: 0x2f, AutoTest: 0x36, Version: 0x37,
} as const;

const CMD_IDLE = 0x0, CMD_MEM = 0x1, CMD_CALC_CRC = 0x3, CMD_TRANSCEIVE = 0xc, CMD_SOFT_RESET = 0xf;
const IRQ_TX = 0x40, IRQ_RX = 0x20, IRQ_IDLE = 0x10, IRQ_ERR = 0x02, IRQ_TIMER = 0x01, DIV_CRC = 0x04;
const ERR_BUFFER_OVFL = 0x10, ERR_COLL = 0x08, ERR_PARITY = 0x02;

/** 106 kbit/s bit time and the frame delay time of a PICC, in ms. */
const BIT_MS = 128 / 13560;
const FDT_MS = 1172 / 13560;
/** Soft/hard reset: oscillator start-up before the chip answers again. */
const STARTUP_MS = 1;

const SELF_TEST_V2 = [
  0x00, 0xeb, 0x66, 0xba, 0x57, 0xbf, 0x23, 0x95, 0xd0, 0xe3, 0x0d, 0x3d, 0x27, 0x89, 0x5c, 0xde,
  0x9d, 0x3b, 0xa7, 0x00, 0x21, 0x5b, 0x89, 0x82, 0x51, 0x3a, 0xeb, 0x02, 0x0c, 0xa5, 0x00, 0x49,
  0x7c, 0x84, 0x4d, 0xb3, 0xcc, 0xd2, 0x1b, 0x81, 0x5d, 0x48, 0x76, 0xd5, 0x71, 0x61, 0x21, 0xa9,
  0x86, 0x96, 0x83, 0x38, 0xcf, 0x9d, 0x5b, 0x6d, 0xdc, 0x15, 0xba, 0x3e, 0x7d, 0x95, 0x3b, 0x2f,
];
const SELF_TEST_V1 = [
  0x00, 0xc6, 0x37, 0xd5, 0x32, 0xb7, 0x57, 0x5c, 0xc2, 0xd8, 0x7c, 0x4d, 0xd9, 0x70, 0xc7, 0x73,
  0x10, 0xe6, 0xd2, 0xaa, 0x5e, 0xa1, 0x3e, 0x5a, 0x14, 0xaf, 0x30, 0x61, 0xc9, 0x70, 0xdb, 0x2e,
  0x64, 0x22, 0x72, 0xb5, 0xbd, 0x65, 0xf4, 0xec, 0x22, 0xbc, 0xd3, 0x72, 0x35, 0xcd, 0xaa, 0x41,
  0x1f, 0xa7, 0xf3, 0x53, 0x14, 0xde, 0x7e, 0x02, 0xd9, 0x0f, 0xb5, 0x5e, 0x25, 0x1d, 0x29, 0x79,
];

const RESET_VALUES: Record<number, number> = {
  [Reg.Command]: 0x20, [Reg.ComIEn]: 0x80, [Reg.ComIrq]: 0x14, [Reg.Status1]: 0x21, [Reg.WaterLevel]: 0x08,
  [Reg.Control]: 0x10, [Reg.Coll]: 0xa0, [Reg.Mode]: 0x3f, [Reg.TxControl]: 0x80, [Reg.CRCResultH]: 0xff,
  [Reg.CRCResultL]: 0xff, [Reg.ModWidth]: 0x26, [Reg.RFCfg]: 0x48, [Reg.AutoTest]: 0x40,
};

export interface Mfrc522ModelOptions {
  clock: ModelClock;
  /** VersionReg: 0x91 (v1.0) or 0x92 (v2.0); clones report other values. */
  version?: number;
  /** Wire the chip select and reset lines to GPIO pins (CS falling starts an SPI frame). */
  gpio?: GpioBank;
  selectPin?: number;
  resetPin?: number;
}

/** One frame in flight on the RF side. */
interface Flight {
  txEnd: number;
  rxEnd: number; // -1: nobody answers
  timerAt: number; // -1: timer not running
  response: Uint8Array | undefined;
  collisionAt: number; // index of the first collided bit, -1 none
  rxAlign: number;
  txIrqDone: boolean;
  /** The frame's bits, handed to the cards when it has been sent (txEnd). */
  frame: Uint8Array;
}

export class Mfrc522Model {
  readonly clock: ModelClock;
  readonly version: number;
  readonly regs = new Uint8Array(64);
  readonly field: VirtualCard[] = [];
  /** false: the chip ignores MOSI and leaves MISO low (unpowered, broken wire). */
  responsive = true;
  /** Probability that a card response arrives with a flipped bit and a parity error. */
  rfNoise = 0;
  rfRandom: () => number = Math.random;
  /** Frames sent on air (StartSend), a measure of reader transactions. */
  transmissions = 0;
  softResets = 0;
  hardResets = 0;
  readonly #fifo: number[] = [];
  readonly #memBuffer = new Uint8Array(25);
  #flight: Flight | undefined;
  #readyAt = 0;
  #powerDown = false;
  // SPI framing
  #spiFirst = true;
  #spiRead = false;
  #spiReg = 0;

  constructor(options: Mfrc522ModelOptions) {
    this.clock = options.clock;
    this.version = options.version ?? 0x92;
    this.#reset();
    const { gpio, selectPin, resetPin } = options;
    if (gpio && selectPin !== undefined) {
      gpio.pin(selectPin).onEdge((level) => (level ? this.spiEnd() : this.spiBegin()));
    }
    if (gpio && resetPin !== undefined) {
      const pin = gpio.pin(resetPin);
      pin.onEdge((level) => {
        // NRSTPD low: hard power-down; rising edge: hard reset.
        this.#powerDown = level === 0;
        if (level) {
          this.hardResets++;
          this.#reset();
          this.#readyAt = this.clock.now + STARTUP_MS;
        }
      });
    }
  }

  // --- RF field -------------------------------------------------------------

  enter(card: VirtualCard): void {
    this.#sync(); // a frame that ended before the card came is not heard by it
    if (this.field.includes(card)) return;
    card.powerOn();
    this.field.push(card);
  }

  leave(card: VirtualCard): void {
    this.#sync(); // a frame that ended while the card was there is heard by it
    const i = this.field.indexOf(card);
    if (i >= 0) this.field.splice(i, 1);
  }

  get antennaOn(): boolean {
    return (this.regs[Reg.TxControl] & 0x03) === 0x03;
  }

  // --- SPI side ---------------------------------------------------------------

  spiBegin(): void {
    this.#spiFirst = true;
  }

  spiEnd(): void {
    this.#spiFirst = true;
  }

  /** One full-duplex SPI byte while selected: MOSI in, MISO out. */
  exchange(mosi: number): number {
    if (!this.responsive || this.#powerDown) return 0x00;
    if (this.#spiFirst) {
      this.#spiFirst = false;
      this.#spiRead = (mosi & 0x80) !== 0;
      this.#spiReg = (mosi >> 1) & 0x3f;
      return 0x00;
    }
    if (!this.#spiRead) {
      this.writeRegister(this.#spiReg, mosi);
      return 0x00;
    }
    const value = this.readRegister(this.#spiReg);
    // In a read burst every MOSI byte is the next address; 0x00 ends the burst.
    this.#spiReg = (mosi >> 1) & 0x3f;
    return value;
  }

  // --- register side ------------------------------------------------------------

  readRegister(reg: number): number {
    this.#sync();
    switch (reg) {
      case Reg.FIFOData:
        return this.#fifo.length ? this.#fifo.shift()! : 0x00;
      case Reg.FIFOLevel:
        return this.#fifo.length;
      case Reg.Version:
        return this.version;
      case Reg.Command:
        return (this.regs[Reg.Command] & ~0x10) | (this.clock.now < this.#readyAt ? 0x10 : 0);
      case Reg.Status1: {
        const irq = (this.regs[Reg.ComIrq] & this.regs[Reg.ComIEn] & 0x7f) || (this.regs[Reg.DivIrq] & this.regs[Reg.DivIEn] & 0x14);
        const running = this.#flight && this.#flight.timerAt >= 0 ? 0x08 : 0;
        return (this.regs[Reg.Status1] & 0x60) | (irq ? 0x10 : 0) | running | (this.#fifo.length <= 64 - this.regs[Reg.WaterLevel] ? 0 : 0x02) | (this.#fifo.length <= this.regs[Reg.WaterLevel] ? 0x01 : 0);
      }
      default:
        return this.regs[reg & 0x3f];
    }
  }

  writeRegister(reg: number, value: number): void {
    this.#sync();
    value &= 0xff;
    switch (reg) {
      case Reg.Command:
        return this.#command(value);
      case Reg.ComIrq:
        this.regs[Reg.ComIrq] = value & 0x80 ? this.regs[Reg.ComIrq] | (value & 0x7f) : this.regs[Reg.ComIrq] & ~value & 0x7f;
        return;
      case Reg.DivIrq:
        this.regs[Reg.DivIrq] = value & 0x80 ? this.regs[Reg.DivIrq] | (value & 0x14) : this.regs[Reg.DivIrq] & ~value & 0x14;
        return;
      case Reg.FIFOData:
        if (this.#fifo.length >= 64) this.regs[Reg.Error] |= ERR_BUFFER_OVFL;
        else this.#fifo.push(value);
        return;
      case Reg.FIFOLevel:
        if (value & 0x80) {
          this.#fifo.length = 0;
          this.regs[Reg.Error] &= ~ERR_BUFFER_OVFL;
        }
        return;
      case Reg.BitFraming:
        this.regs[Reg.BitFraming] = value & 0x7f;
        if (value & 0x80 && (this.regs[Reg.Command] & 0x0f) === CMD_TRANSCEIVE) this.#startSend();
        return;
      case Reg.Error: case Reg.Version: case Reg.CRCResultH: case Reg.CRCResultL:
        return; // read-only
      case Reg.Control:
        this.regs[Reg.Control] = (this.regs[Reg.Control] & 0x3f) | 0x10;
        return;
      default:
        this.regs[reg & 0x3f] = value;
    }
  }

  #reset(): void {
    this.regs.fill(0);
    for (const [reg, value] of Object.entries(RESET_VALUES)) this.regs[Number(reg)] = value;
    this.#fifo.length = 0;
    this.#flight = undefined;
  }

  #command(value: number): void {
    const cmd = value & 0x0f;
    if (cmd === CMD_SOFT_RESET) {
      this.softResets++;
      this.#reset();
      this.#readyAt = this.clock.now + STARTUP_MS;
      return;
    }
    this.regs[Reg.Command] = (this.regs[Reg.Command] & 0x20) | (value & 0x1f);
    if (cmd === CMD_IDLE) {
      this.#flight = undefined;
      return;
    }
    if (cmd === 0x7) return; // NoCmdChange
    this.#flight = undefined;
    if (cmd === CMD_MEM) {
      if (this.#fifo.length === 0) this.#fifo.push(...this.#memBuffer);
      else this.#memBuffer.set(this.#fifo.splice(0, 25));
      this.#toIdle();
    } else if (cmd === CMD_CALC_CRC) {
      if ((this.regs[Reg.AutoTest] & 0x0f) === 0x09) return this.#selfTest();
      const data = this.#fifo.splice(0, this.#fifo.length);
      const preset = [0x0000, 0x6363, 0xa671, 0xffff][this.regs[Reg.Mode] & 0x03];
      const crc = crcA(data, data.length, preset);
      this.regs[Reg.CRCResultH] = crc >> 8;
      this.regs[Reg.CRCResultL] = crc & 0xff;
      this.regs[Reg.Status1] |= 0x20;
      this.regs[Reg.DivIrq] |= DIV_CRC;
    } else if (cmd === CMD_TRANSCEIVE) {
      this.regs[Reg.Error] = 0;
    }
  }

  #selfTest(): void {
    const memZero = this.#memBuffer.every((b) => b === 0);
    this.#fifo.length = 0;
    const table = this.version === 0x91 ? SELF_TEST_V1 : SELF_TEST_V2;
    for (let i = 0; i < 64; i++) this.#fifo.push(memZero ? table[i] : table[i] ^ 0x5a);
    this.regs[Reg.DivIrq] |= DIV_CRC;
    this.#toIdle();
  }

  #toIdle(): void {
    this.regs[Reg.Command] = (this.regs[Reg.Command] & 0x30) | CMD_IDLE;
    this.regs[Reg.ComIrq] |= IRQ_IDLE;
  }

  #startSend(): void {
    const now = this.clock.now;
    const txLast = this.regs[Reg.BitFraming] & 0x07;
    const rxAlign = (this.regs[Reg.BitFraming] >> 4) & 0x07;
    const bytes = this.#fifo.splice(0, this.#fifo.length);
    const bitCount = bytes.length === 0 ? 0 : (bytes.length - 1) * 8 + (txLast || 8);
    this.transmissions++;
    this.regs[Reg.Error] = 0;
    const frame = bytesToBits(bytes, bitCount);
    const txEnd = now + bitCount * BIT_MS;
    const reload = (this.regs[Reg.TReloadH] << 8) | this.regs[Reg.TReloadL];
    const prescaler = ((this.regs[Reg.TMode] & 0x0f) << 8) | this.regs[Reg.TPrescaler];
    const timerMs = ((2 * prescaler + 1) * (reload + 1)) / 13560;
    const tAuto = (this.regs[Reg.TMode] & 0x80) !== 0;
    const flight: Flight = { txEnd, rxEnd: -1, timerAt: tAuto ? txEnd + timerMs : -1, response: undefined, collisionAt: -1, rxAlign, txIrqDone: false, frame };
    this.#flight = flight;
  }

  /** Apply everything the model clock has reached. */
  #sync(): void {
    const f = this.#flight;
    if (!f) return;
    const now = this.clock.now;
    if (!f.txIrqDone && now >= f.txEnd) {
      f.txIrqDone = true;
      this.regs[Reg.ComIrq] |= IRQ_TX;
      this.#aired(f);
    }
    if (f.rxEnd >= 0 && now >= f.rxEnd) {
      f.rxEnd = -1;
      this.#deliver(f);
    }
    if (f.timerAt >= 0 && now >= f.timerAt) {
      f.timerAt = -1;
      this.regs[Reg.ComIrq] |= IRQ_TIMER;
    }
  }

  /** The frame has been sent: every card in the field hears it (only if the antenna drivers are on). */
  #aired(flight: Flight): void {
    const frame = flight.frame;
    const responses: Uint8Array[] = [];
    if (this.antennaOn && frame.length > 0) {
      for (const card of this.field) {
        const r = card.receive(frame);
        if (r) responses.push(r);
      }
    }
    if (responses.length) {
      const length = Math.max(...responses.map((r) => r.length));
      const merged = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        let ones = 0, zeros = 0;
        for (const r of responses) {
          if (i >= r.length) continue;
          if (r[i]) ones++;
          else zeros++;
        }
        merged[i] = ones ? 1 : 0;
        if (ones && zeros && flight.collisionAt < 0) flight.collisionAt = i;
      }
      flight.response = merged;
      const rxStart = flight.txEnd + FDT_MS;
      // TAuto: the timer stops when the receiver detects the start of a frame.
      if (flight.timerAt < 0 || rxStart < flight.timerAt) {
        flight.timerAt = -1;
        flight.rxEnd = rxStart + length * BIT_MS;
      } else flight.response = undefined;
    }
  }

  #deliver(f: Flight): void {
    const bits = f.response!;
    let parity = false;
    if (this.rfNoise > 0 && this.rfRandom() < this.rfNoise) {
      bits[Math.floor(this.rfRandom() * bits.length)] ^= 1;
      parity = this.rfRandom() < 0.5;
    }
    const coll = f.collisionAt;
    const valuesAfterColl = (this.regs[Reg.Coll] & 0x80) !== 0;
    const total = f.rxAlign + bits.length;
    const out = new Uint8Array((total + 7) >> 3);
    for (let j = 0; j < bits.length; j++) {
      if (coll >= 0 && j > coll && !valuesAfterColl) break;
      if (bits[j]) out[(f.rxAlign + j) >> 3] |= 1 << ((f.rxAlign + j) & 7);
    }
    for (const b of out) {
      if (this.#fifo.length >= 64) {
        this.regs[Reg.Error] |= ERR_BUFFER_OVFL;
        break;
      }
      this.#fifo.push(b);
    }
    this.regs[Reg.Control] = (this.regs[Reg.Control] & 0xf8) | (total & 0x07);
    if (coll >= 0) {
      this.regs[Reg.Error] |= ERR_COLL;
      const pos = f.rxAlign + coll + 1;
      this.regs[Reg.Coll] = (this.regs[Reg.Coll] & 0x80) | (pos > 32 ? 0x20 : pos & 0x1f);
    } else this.regs[Reg.Coll] = (this.regs[Reg.Coll] & 0x80) | 0x20;
    if (parity) this.regs[Reg.Error] |= ERR_PARITY;
    this.regs[Reg.ComIrq] |= IRQ_RX | (this.regs[Reg.Error] ? IRQ_ERR : 0);
  }
}
