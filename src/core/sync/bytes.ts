// Bounded big-endian byte writing and reading for the sync messages. Every
// read is checked against the end, so a short or lying message is a clear
// E_SYNC_MALFORMED, never an out-of-range read or a half-built value.
import { OptgateError } from "../errors";

export function malformed(why: string): OptgateError {
  return new OptgateError("E_SYNC_MALFORMED", `The sync message cannot be read: ${why}.`);
}

/** The bytes a signature covers: the kind's domain tag, a NUL, the body (so one kind's signature never passes for another's). */
export function taggedBytes(tag: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(tag.length + 1 + body.length);
  out.set(tag);
  out.set(body, tag.length + 1);
  return out;
}

/** Checks of the values a message is built from: E_SYNC_BAD_VALUE naming the message ("A sync message cannot carry ..."). */
export function valueChecks(message: string) {
  const badValue = (what: string) => new OptgateError("E_SYNC_BAD_VALUE", `${message} cannot carry ${what}.`);
  return {
    badValue,
    checkU32(v: number, what: string): void {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw badValue(`${what} ${v} (0..2^32-1)`);
    },
    checkBytes(b: Uint8Array, length: number, what: string): void {
      if (!(b instanceof Uint8Array) || b.length !== length) throw badValue(`a ${what} that is not ${length} bytes`);
    },
  };
}

/** 2^53: the largest millisecond time both sides represent exactly. */
const SAFE_LIMIT = 2 ** 53;

export class ByteWriter {
  readonly #out: Uint8Array;
  readonly #view: DataView;
  #at = 0;

  constructor(length: number) {
    this.#out = new Uint8Array(length);
    this.#view = new DataView(this.#out.buffer);
  }

  u8(v: number): void { this.#view.setUint8(this.#at, v); this.#at += 1; }
  u16(v: number): void { this.#view.setUint16(this.#at, v); this.#at += 2; }
  u32(v: number): void { this.#view.setUint32(this.#at, v); this.#at += 4; }
  /** Milliseconds as an unsigned 64-bit integer (exact below 2^53). */
  time(ms: number): void {
    if (!Number.isInteger(ms) || ms < 0 || ms >= SAFE_LIMIT) throw new OptgateError("E_SYNC_BAD_TIME", "A sync time must be a whole, non-negative number of milliseconds.");
    this.u32(Math.floor(ms / 0x100000000));
    this.u32(ms >>> 0);
  }
  /** A float64 as is (the signed audit head's time is one). */
  f64(v: number): void { this.#view.setFloat64(this.#at, v); this.#at += 8; }
  raw(b: Uint8Array): void { this.#out.set(b, this.#at); this.#at += b.length; }
  done(): Uint8Array {
    if (this.#at !== this.#out.length) throw new OptgateError("E_SYNC_INTERNAL", "A sync message was sized wrongly.");
    return this.#out;
  }
}

export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  #need(n: number, what: string): number {
    if (this.#at + n > this.#bytes.length) throw malformed(`it ends inside the ${what}`);
    const at = this.#at;
    this.#at += n;
    return at;
  }
  u8(what: string): number { return this.#view.getUint8(this.#need(1, what)); }
  u16(what: string): number { return this.#view.getUint16(this.#need(2, what)); }
  u32(what: string): number { return this.#view.getUint32(this.#need(4, what)); }
  time(what: string): number {
    const hi = this.u32(what), lo = this.u32(what);
    if (hi >= 0x200000) throw malformed(`the ${what} is past 2^53 ms`);
    return hi * 0x100000000 + lo;
  }
  f64(what: string): number { return this.#view.getFloat64(this.#need(8, what)); }
  /** A copy, so the message buffer can be reused or wiped. */
  raw(n: number, what: string): Uint8Array { const at = this.#need(n, what); return this.#bytes.slice(at, at + n); }
  end(): void { if (this.#at !== this.#bytes.length) throw malformed(`${this.#bytes.length - this.#at} byte(s) follow its end`); }
}
