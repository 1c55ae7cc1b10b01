// Frames on the RF side as arrays of bits (one 0/1 per element, LSB of each
// byte first, as ISO 14443A transmits them). Slow but obviously right, which
// is what a model is for.

export function bytesToBits(bytes: ArrayLike<number>, bitCount: number): Uint8Array {
  const bits = new Uint8Array(bitCount);
  for (let i = 0; i < bitCount; i++) bits[i] = (bytes[i >> 3] >> (i & 7)) & 1;
  return bits;
}

export function bitsToBytes(bits: ArrayLike<number>, bitCount = bits.length): Uint8Array {
  const bytes = new Uint8Array((bitCount + 7) >> 3);
  for (let i = 0; i < bitCount; i++) if (bits[i]) bytes[i >> 3] |= 1 << (i & 7);
  return bytes;
}
