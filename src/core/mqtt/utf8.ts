// UTF-8 for MQTT strings (§1.5.3): TextEncoder/TextDecoder are not globals in
// every XS build, and MQTT adds its own rule (no U+0000), so both ways are here.
import { decodeUtf8Range } from "../console/utf8-decode";
import { OptgateError } from "../errors";

/** Bytes `text` takes in UTF-8; -1 if it holds a lone surrogate or U+0000 (not an MQTT string). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return -1;
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return -1;
      n += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else n += 3;
  }
  return n;
}

/** Writes `text` (checked by utf8Length first) at `at`; returns the offset after it. */
export function writeUtf8(text: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) out[at++] = c;
    else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out[at++] = 0xf0 | (c >> 18);
      out[at++] = 0x80 | ((c >> 12) & 0x3f);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
}

/** The bytes of an MQTT string; refuses text MQTT cannot carry (the caller's mistake, so it throws). */
export function encodeUtf8(text: string): Uint8Array {
  const n = utf8Length(text);
  if (n < 0) throw new OptgateError("E_MQTT_BAD_UTF8", "MQTT: a string holds U+0000 or a lone surrogate.");
  const out = new Uint8Array(n);
  writeUtf8(text, out, 0);
  return out;
}

/** Decodes bytes[start, end) strictly; undefined if malformed, overlong, a surrogate, above U+10FFFF or U+0000. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  const text = decodeUtf8Range(bytes, start, end);
  return text === undefined || text.includes("\u0000") ? undefined : text;
}
