// A virtual ISO/IEC 14443-3 type A card (PICC): the state machine a real
// MIFARE card runs (IDLE, READY, ACTIVE, HALT), single/double/triple UIDs over
// cascade levels 1-3, bit-oriented anticollision frames, SELECT with CRC_A
// and HLTA. The MFRC522 model hands it every reader frame as bits.
import { bitsToBytes, bytesToBits } from "./bits";
import { crcA } from "./crc-a";

export type CardState = "IDLE" | "READY" | "ACTIVE" | "HALT";

const REQA = 0x26;
const WUPA = 0x52;
const HLTA = 0x50;
const CASCADE_TAG = 0x88;
const SEL = [0x93, 0x95, 0x97];

export interface VirtualCardOptions {
  /** SAK of the final cascade level (0x08 MIFARE Classic 1K, 0x00 Ultralight). */
  sak?: number;
  /** ATQA low byte bits 0-4 (bit-frame anticollision); the UID size bits are derived from the UID. */
  atqaAnticollisionBits?: number;
}

export class VirtualCard {
  readonly uid: Uint8Array;
  readonly sak: number;
  readonly atqa: Uint8Array;
  state: CardState = "IDLE";
  /** Cascade level (0-based) the card is at while READY. */
  level = 0;
  /** Halted before its last wake-up: invalid frames send it back to HALT, not IDLE. */
  #fromHalt = false;
  /** Fault hook: may flip bits of a response before it goes on air (tests: CRC errors). */
  corrupt: ((bits: Uint8Array) => void) | undefined;
  /** Frames received and responses sent, for tests. */
  received = 0;
  answered = 0;

  constructor(uid: ArrayLike<number>, options: VirtualCardOptions = {}) {
    if (uid.length !== 4 && uid.length !== 7 && uid.length !== 10) throw new RangeError("a UID has 4, 7 or 10 bytes");
    this.uid = Uint8Array.from(uid);
    this.sak = options.sak ?? 0x08;
    const sizeBits = uid.length === 4 ? 0x00 : uid.length === 7 ? 0x40 : 0x80;
    this.atqa = Uint8Array.of(sizeBits | ((options.atqaAnticollisionBits ?? 0x04) & 0x1f), 0x00);
  }

  get levels(): number {
    return this.uid.length === 4 ? 1 : this.uid.length === 7 ? 2 : 3;
  }

  /** UID CLn field of a cascade level: four bytes then BCC. */
  levelField(level: number): Uint8Array {
    const f = new Uint8Array(5);
    const last = level === this.levels - 1;
    if (last) f.set(this.uid.subarray(level * 3, level * 3 + 4));
    else f.set([CASCADE_TAG, ...this.uid.subarray(level * 3, level * 3 + 3)]);
    f[4] = f[0] ^ f[1] ^ f[2] ^ f[3];
    return f;
  }

  /** Power-up or re-entry in the field. */
  powerOn(): void {
    this.state = "IDLE";
    this.level = 0;
    this.#fromHalt = false;
  }

  /**
   * One frame from the reader (bits, LSB first). Returns the response bits, or
   * undefined when the card stays silent.
   */
  receive(frame: Uint8Array): Uint8Array | undefined {
    this.received++;
    const response = this.#respond(frame);
    if (response) {
      this.answered++;
      this.corrupt?.(response);
    }
    return response;
  }

  #respond(frame: Uint8Array): Uint8Array | undefined {
    const n = frame.length;
    const bytes = bitsToBytes(frame);
    if (n === 7) {
      const cmd = bytes[0];
      if ((cmd === REQA && this.state === "IDLE") || (cmd === WUPA && (this.state === "IDLE" || this.state === "HALT"))) {
        this.#fromHalt = this.state === "HALT";
        this.state = "READY";
        this.level = 0;
        return bytesToBits(this.atqa, 16);
      }
      return this.#invalid();
    }
    if (this.state === "READY" && n >= 16 && bytes[0] === SEL[this.level]) return this.#selectOrAnticollision(frame, bytes);
    if (this.state === "ACTIVE" && n === 32 && bytes[0] === HLTA && bytes[1] === 0 && crcA(bytes, 2) === (bytes[2] | (bytes[3] << 8))) {
      this.state = "HALT";
      this.#fromHalt = true;
      return undefined;
    }
    return this.#invalid();
  }

  #selectOrAnticollision(frame: Uint8Array, bytes: Uint8Array): Uint8Array | undefined {
    const n = frame.length;
    const nvb = bytes[1];
    const field = this.levelField(this.level);
    if (nvb === 0x70) {
      if (n !== 72 || crcA(bytes, 7) !== (bytes[7] | (bytes[8] << 8))) return this.#invalid();
      for (let i = 0; i < 5; i++) if (bytes[2 + i] !== field[i]) return this.#invalid();
      const last = this.level === this.levels - 1;
      const sak = last ? this.sak & ~0x04 : 0x04;
      if (last) this.state = "ACTIVE";
      else this.level++;
      const crc = crcA([sak], 1);
      return bytesToBits([sak, crc & 0xff, crc >> 8], 24);
    }
    const declared = (nvb >> 4) * 8 + (nvb & 0x07);
    const known = n - 16;
    if (declared !== n || known > 32 || (nvb >> 4) < 2) return this.#invalid();
    const fieldBits = bytesToBits(field, 40);
    for (let i = 0; i < known; i++) if (frame[16 + i] !== fieldBits[i]) return undefined; // not addressed: stay silent, stay READY
    return fieldBits.slice(known);
  }

  #invalid(): undefined {
    this.state = this.#fromHalt ? "HALT" : "IDLE";
    this.level = 0;
    return undefined;
  }
}
