// Deterministic PRNG (xorshift32) for fault injection: a failing fuzz run can
// be replayed from its seed, in Node and in XS alike.
export class Rng {
  #state: number;

  constructor(seed = 0x9e3779b9) {
    this.#state = (seed >>> 0) || 1;
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  byte(): number {
    return this.next() & 0xff;
  }

  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }
}

/** A seeded uniform source in [0, 1) (Rng.float), for code that takes a `() => number`: the same seed replays the same run. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.float();
}
