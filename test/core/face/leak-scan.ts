// Searches output bytes for any stretch of secret bytes (templates, probes,
// embeddings, frames). Windows of 8 bytes; low-entropy windows (fewer than 5
// distinct byte values, e.g. runs of zeros) are skipped because they identify
// nothing and would match innocent padding.
export const WINDOW = 8;

/** The 8 bytes as one number (about 53 bits survive the float: a false hit is ~1e-5 per million windows). */
function key(bytes: Uint8Array, at: number): number {
  const lo = (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
  const hi = (bytes[at + 4] | (bytes[at + 5] << 8) | (bytes[at + 6] << 16) | (bytes[at + 7] << 24)) >>> 0;
  return hi * 4294967296 + lo;
}

function informative(bytes: Uint8Array, at: number): boolean {
  let distinct = 0;
  outer: for (let i = 0; i < WINDOW; i++) {
    for (let j = 0; j < i; j++) if (bytes[at + j] === bytes[at + i]) continue outer;
    distinct++;
  }
  return distinct >= 5;
}

export class LeakScanner {
  #windows = new Set<number>();
  bytesIndexed = 0;

  /** Indexes everything that left the core (store writes, log records, console text). */
  indexOutput(bytes: Uint8Array): void {
    this.bytesIndexed += bytes.length;
    for (let i = 0; i + WINDOW <= bytes.length; i++) this.#windows.add(key(bytes, i));
  }

  /** Counts windows of `secret` (every `stride`-th) that appear in the output. */
  hits(secret: Uint8Array, stride = 1): number {
    let found = 0;
    for (let i = 0; i + WINDOW <= secret.length; i += stride) {
      if (informative(secret, i) && this.#windows.has(key(secret, i))) found++;
    }
    return found;
  }
}
