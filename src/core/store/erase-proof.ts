// Verified erasure: after a withdrawal, scan the raw partition image for any
// piece of the deleted bytes. A partial copy (a torn write, the tail of a
// record) counts too: we look for every `window`-byte slice of each secret that
// starts at a multiple of `window`, so any surviving run of 2 × window bytes or
// more is found. For tests, tools and the technician's self-check.

/**
 * Offsets in `image` where a piece of `secret` (or of any of several secrets)
 * survives; an empty list is the proof that it is gone.
 */
export function eraseProof(image: Uint8Array, secret: Uint8Array | Uint8Array[], window = 16): number[] {
  const secrets = Array.isArray(secret) ? secret : [secret];
  // Windows indexed by their first two bytes: one pass over the image checks every secret.
  const byPrefix = new Map<number, { bytes: Uint8Array; start: number; w: number }[]>();
  let shortest = Infinity;
  for (const bytes of secrets) {
    const w = Math.min(window, bytes.length);
    if (w < 2) continue;
    shortest = Math.min(shortest, w);
    const starts: number[] = [];
    for (let i = 0; i + w <= bytes.length; i += w) starts.push(i);
    if (starts[starts.length - 1] + w < bytes.length) starts.push(bytes.length - w);
    for (const start of starts) {
      const prefix = bytes[start] | (bytes[start + 1] << 8);
      const list = byPrefix.get(prefix);
      if (list) list.push({ bytes, start, w });
      else byPrefix.set(prefix, [{ bytes, start, w }]);
    }
  }
  const found: number[] = [];
  for (let at = 0; at + shortest <= image.length; at++) {
    const candidates = byPrefix.get(image[at] | (image[at + 1] << 8));
    if (!candidates) continue;
    for (const { bytes, start, w } of candidates) {
      if (at + w > image.length) continue;
      let k = 2;
      while (k < w && image[at + k] === bytes[start + k]) k++;
      if (k === w) {
        found.push(at);
        break;
      }
    }
  }
  return found;
}
