// Searches everything a gate wrote (flash writes, the raw flash image, audit
// records, console bytes, log lines) for any 16-byte stretch of a secret it
// handled (templates, probes, embeddings, frames, keys), and for PINs typed as
// ASCII digits. Every output offset is indexed, every secret offset is looked
// up, so any copy of 16 or more consecutive secret bytes is found wherever it
// sits. Portable (Node and XS).
export const WINDOW = 16;

/** 16 bytes folded into one number below 2^53 (a false hit is ~1e-9 over millions of windows). */
function key(bytes: Uint8Array, at: number): number {
  let a = 0x811c9dc5, b = 0x9e3779b9;
  for (let i = 0; i < WINDOW; i++) {
    const v = bytes[at + i];
    a = Math.imul(a ^ v, 0x01000193);
    b = Math.imul(b ^ v, 0x85ebca6b) ^ (b >>> 13);
  }
  return (a >>> 0) * 2097152 + ((b >>> 0) & 0x1fffff);
}

/** A window that names something: at least 6 distinct byte values (runs of 0 or 0xFF identify nothing). Only such windows are looked up. */
function informative(bytes: Uint8Array, at: number): boolean {
  const marks: number[] = [];
  for (let i = 0; i < WINDOW; i++) {
    const v = bytes[at + i];
    if (marks.indexOf(v) < 0 && marks.push(v) >= 6) return true;
  }
  return false;
}

export interface SecretHit {
  what: string;
  offset: number;
}

export class ByteScanner {
  #windows = new Set<number>();
  #digitRuns: Uint8Array[] = [];
  bytesIndexed = 0;
  chunks = 0;

  /** Indexes one chunk of output (store write, image, record, console bytes, log line). */
  add(bytes: Uint8Array): void {
    this.bytesIndexed += bytes.length;
    this.chunks++;
    // A window starting with 12 equal bytes has at most 5 distinct values and so
    // cannot equal an informative secret window: erased flash is skipped fast.
    let run = 0;
    for (let i = bytes.length - 1; i >= 0; i--) {
      run = i + 1 < bytes.length && bytes[i] === bytes[i + 1] ? run + 1 : 1;
      if (i + WINDOW <= bytes.length && run < 12) this.#windows.add(key(bytes, i));
    }
    // PINs are short: keep only the runs of ASCII digits (few and small) for the PIN search.
    let start = -1;
    for (let i = 0; i <= bytes.length; i++) {
      const digit = i < bytes.length && bytes[i] >= 0x30 && bytes[i] <= 0x39;
      if (digit && start < 0) start = i;
      if (!digit && start >= 0) {
        if (i - start >= 4) this.#digitRuns.push(bytes.slice(start, i));
        start = -1;
      }
    }
  }

  /** Windows of `secret` found in the output (every informative offset checked). */
  find(secret: Uint8Array): number[] {
    const hits: number[] = [];
    for (let i = 0; i + WINDOW <= secret.length; i++) {
      if (informative(secret, i) && this.#windows.has(key(secret, i))) hits.push(i);
    }
    return hits;
  }

  /** Whether `digits` (a PIN) appears inside any run of ASCII digits in the output. */
  findDigits(digits: string): boolean {
    const want: number[] = [];
    for (let i = 0; i < digits.length; i++) want.push(digits.charCodeAt(i));
    for (const run of this.#digitRuns) {
      outer: for (let i = 0; i + want.length <= run.length; i++) {
        for (let j = 0; j < want.length; j++) if (run[i + j] !== want[j]) continue outer;
        return true;
      }
    }
    return false;
  }
}

/** Whether `needle` occurs in `image` (a plain scan: for one known secret in one image). */
export function containsBytes(image: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= image.length; i++) {
    for (let j = 0; j < needle.length; j++) if (image[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
