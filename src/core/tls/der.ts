// A bounded DER reader: just enough ASN.1 to check an X.509 certificate's
// shape where it is typed at the console (ca-certificate.ts). Every length is
// checked against the bytes that hold it; nothing is allocated but the views.
import { OptgateError } from "../errors";

export interface Tlv {
  tag: number;
  /** The value's bytes (a view into the input). */
  value: Uint8Array;
  /** The whole element, tag and length included. */
  whole: Uint8Array;
}

export const SEQUENCE = 0x30;
export const INTEGER = 0x02;
export const BIT_STRING = 0x03;
export const OCTET_STRING = 0x04;
export const OID = 0x06;
export const BOOLEAN = 0x01;
export const UTC_TIME = 0x17;
export const GENERALIZED_TIME = 0x18;

export function derError(what: string): OptgateError {
  return new OptgateError("E_BAD_CA", `The CA certificate does not decode (${what}); paste the CA's PEM file as it is.`);
}

/** Reads the elements of `bytes` one after another. */
export class DerReader {
  readonly #data: Uint8Array;
  #at = 0;

  constructor(data: Uint8Array) {
    this.#data = data;
  }

  get done(): boolean {
    return this.#at >= this.#data.length;
  }

  peekTag(): number | undefined {
    return this.done ? undefined : this.#data[this.#at];
  }

  /** The next element; `tag` given, it must be that tag. */
  next(tag?: number): Tlv {
    const d = this.#data;
    const start = this.#at;
    if (start + 2 > d.length) throw derError("cut short");
    const t = d[start];
    if ((t & 0x1f) === 0x1f) throw derError("a multi-byte tag");
    if (tag !== undefined && t !== tag) throw derError(`tag 0x${t.toString(16)} where 0x${tag.toString(16)} belongs`);
    let length = d[start + 1];
    let at = start + 2;
    if (length & 0x80) {
      const n = length & 0x7f;
      // DER: the short form below 128, no leading zero, and no certificate part needs more than 3 length bytes.
      if (n === 0 || n > 3 || at + n > d.length || d[at] === 0) throw derError("a bad length");
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + d[at + i];
      at += n;
      if (length < 0x80) throw derError("a bad length");
    }
    if (at + length > d.length) throw derError("a length past the end");
    this.#at = at + length;
    return { tag: t, value: d.subarray(at, at + length), whole: d.subarray(start, at + length) };
  }

  end(): void {
    if (!this.done) throw derError("bytes after the end");
  }
}

/** Dotted text of an OBJECT IDENTIFIER's value bytes. */
export function oidText(value: Uint8Array): string {
  if (value.length === 0 || value.length > 32) throw derError("a bad object identifier");
  const parts: number[] = [];
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    n = n * 128 + (value[i] & 0x7f);
    if (n > 0xffff_ffff) throw derError("a bad object identifier");
    if (!(value[i] & 0x80)) { parts.push(n); n = 0; }
  }
  if (value[value.length - 1] & 0x80) throw derError("a bad object identifier");
  const first = parts.shift()!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join(".");
}

/** UTCTime (YYMMDDhhmmssZ) or GeneralizedTime (YYYYMMDDhhmmssZ) as ms since the epoch. */
export function derTime(t: Tlv): number {
  let text = "";
  for (let i = 0; i < t.value.length; i++) text += String.fromCharCode(t.value[i]);
  const m = t.tag === UTC_TIME ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text) : t.tag === GENERALIZED_TIME ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text) : null;
  if (!m) throw derError("a validity time that is not UTC");
  let year = Number(m[1]);
  if (t.tag === UTC_TIME) year += year < 50 ? 2000 : 1900; // RFC 5280 4.1.2.5.1
  const ms = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (!Number.isFinite(ms)) throw derError("a validity time out of range");
  return ms;
}
