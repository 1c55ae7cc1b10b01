// Little-endian byte writer/reader for the face records the store keeps
// (consent records, sealed templates). Fixed field order, a format byte first.
import { OptgateError } from "../errors";
import { utf8 } from "../crypto";

export class ByteWriter {
  #parts: number[] = [];

  u8(value: number): this {
    this.#parts.push(value & 0xff);
    return this;
  }

  u16(value: number): this {
    return this.u8(value).u8(value >>> 8);
  }

  u32(value: number): this {
    return this.u16(value & 0xffff).u16(value >>> 16);
  }

  /** Times are ms since the epoch: exact in a float64. */
  f64(value: number): this {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    return this.bytes(bytes);
  }

  bytes(data: Uint8Array): this {
    for (let i = 0; i < data.length; i++) this.#parts.push(data[i]);
    return this;
  }

  /** A short string: one length byte, then UTF-8. */
  text(value: string): this {
    const data = utf8(value);
    if (data.length > 255) throw new OptgateError("E_FIELD_TOO_LONG", `A text field is ${data.length} bytes; at most 255 fit in a record.`);
    return this.u8(data.length).bytes(data);
  }

  /** A notice-length string: two length bytes, then UTF-8. */
  longText(value: string): this {
    const data = utf8(value);
    if (data.length > 0xffff) throw new OptgateError("E_FIELD_TOO_LONG", `A text is ${data.length} bytes; at most 65,535 fit in a record.`);
    return this.u16(data.length).bytes(data);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}

export class ByteReader {
  #data: Uint8Array;
  #at = 0;
  #what: string;

  constructor(data: Uint8Array, what: string) {
    this.#data = data;
    this.#what = what;
  }

  #need(count: number): void {
    if (this.#at + count > this.#data.length) {
      throw new OptgateError("E_RECORD_CORRUPT", `The ${this.#what} record is truncated; restore it from a good copy.`);
    }
  }

  u8(): number {
    this.#need(1);
    return this.#data[this.#at++];
  }

  u16(): number {
    return this.u8() | (this.u8() << 8);
  }

  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }

  f64(): number {
    this.#need(8);
    const view = new DataView(this.#data.buffer, this.#data.byteOffset + this.#at, 8);
    this.#at += 8;
    return view.getFloat64(0, true);
  }

  bytes(count: number): Uint8Array {
    this.#need(count);
    const out = this.#data.slice(this.#at, this.#at + count);
    this.#at += count;
    return out;
  }

  text(): string {
    return utf8Decode(this.bytes(this.u8()));
  }

  longText(): string {
    return utf8Decode(this.bytes(this.u16()));
  }

  rest(): Uint8Array {
    return this.bytes(this.#data.length - this.#at);
  }

  /** Trailing bytes mean the record is not what we think it is. */
  end(): void {
    if (this.#at !== this.#data.length) {
      throw new OptgateError("E_RECORD_CORRUPT", `The ${this.#what} record has ${this.#data.length - this.#at} unexpected trailing bytes.`);
    }
  }
}

/** The smallest code point each sequence length may carry: anything less is an overlong form. */
const SHORTEST = [0, 0x80, 0x800, 0x10000];

/**
 * TextDecoder is not a global on every XS build; our own strings are short.
 * Strict UTF-8 (no overlong forms, nothing past U+10FFFF), except that a lone
 * surrogate reads back, as `utf8` writes one that a string holds.
 */
export function utf8Decode(bytes: Uint8Array): string {
  const invalid = () => new OptgateError("E_RECORD_CORRUPT", "A text field holds invalid UTF-8.");
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let code: number, extra: number;
    if (b < 0x80) { code = b; extra = 0; }
    // A continuation byte, or C0/C1 (which could only start an overlong form).
    else if (b < 0xc2) throw invalid();
    else if (b < 0xe0) { code = b & 31; extra = 1; }
    else if (b < 0xf0) { code = b & 15; extra = 2; }
    // F5..F7 start only code points past U+10FFFF, refused below.
    else if (b < 0xf8) { code = b & 7; extra = 3; }
    else throw invalid();
    if (i + extra >= bytes.length) {
      throw new OptgateError("E_RECORD_CORRUPT", "A text field ends inside a UTF-8 character.");
    }
    for (let k = 1; k <= extra; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) throw invalid();
      code = (code << 6) | (c & 63);
    }
    // Past U+10FFFF String.fromCodePoint would throw a RangeError, not a record error.
    if (code < SHORTEST[extra] || code > 0x10ffff) throw invalid();
    out += String.fromCodePoint(code);
    i += extra + 1;
  }
  return out;
}
