// Verified erasure: after a withdrawal, scan the raw partition image for any
// piece of the deleted bytes. A partial copy (a torn write, the tail of a
// record) counts too: we look for every `window`-byte slice of the secret that
// starts at a multiple of `window`, so any surviving run of 2 × window bytes or
// more is found. For tests, tools and the technician's self-check.

/** Offsets in `image` where a piece of `secret` survives; empty means proven erased. */
export function eraseProof(image: Uint8Array, secret: Uint8Array, window = 16): number[] {
  const w = Math.min(window, secret.length);
  if (w === 0) return [];
  const starts: number[] = [];
  for (let i = 0; i + w <= secret.length; i += w) starts.push(i);
  if (starts[starts.length - 1] + w < secret.length) starts.push(secret.length - w);
  // Index the windows by their first byte, so the scan looks at each image byte once.
  const byFirst: number[][] = [];
  for (const s of starts) (byFirst[secret[s]] ??= []).push(s);
  const found: number[] = [];
  for (let at = 0; at + w <= image.length; at++) {
    const candidates = byFirst[image[at]];
    if (!candidates) continue;
    for (const s of candidates) {
      let k = 1;
      while (k < w && image[at + k] === secret[s + k]) k++;
      if (k === w) {
        found.push(at);
        break;
      }
    }
  }
  return found;
}
