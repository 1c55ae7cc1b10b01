// Strict UTF-8 decoding for console lines and MQTT strings: TextDecoder is not a global in XS,
// and a line with broken bytes must be refused, never guessed at.

/** Returns the text of bytes[start, end), or undefined if they are not valid UTF-8 (overlong forms, surrogates and values above U+10FFFF are not). */
export function decodeUtf8Range(bytes: Uint8Array, start: number, end: number): string | undefined {
  let out = "";
  let i = start;
  while (i < end) {
    const b = bytes[i];
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b < 0x80) { out += String.fromCharCode(b); i++; continue; }
    else if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; cp = b & 0x0f; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; cp = b & 0x07; min = 0x10000; }
    else return undefined;
    if (i + need >= end) return undefined;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return undefined;
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

/** Returns the decoded text of the first `length` bytes, or undefined if they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array, length = bytes.length): string | undefined {
  return decodeUtf8Range(bytes, 0, length);
}

/** Index where the code point ending at `end` (exclusive) starts. */
export function lastCodePointStart(bytes: Uint8Array, end: number): number {
  let i = end - 1;
  while (i > 0 && (bytes[i] & 0xc0) === 0x80) i--;
  return Math.max(i, 0);
}
