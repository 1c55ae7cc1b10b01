// PIN attempt lockout with exponential backoff, per keypad and per resident.
// After `threshold` consecutive failures the key is locked for baseDelay,
// doubling with every further failure up to maxDelay; a success clears it.
// Counters are sparse (only keys that failed) and bounded, so a flood of
// unknown keys cannot exhaust memory: the stalest unlocked entry is evicted.
// If the clock jumps back, a lock never lasts longer than maxDelay from now.
import type { LockoutSettings } from "./policy";

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export const LOCKOUT_ENTRIES_MAX = 512;

export class LockoutCounter {
  readonly #entries = new Map<number, Entry>();

  constructor(private readonly threshold: () => number, private readonly settings: () => LockoutSettings) {}

  get size(): number {
    return this.#entries.size;
  }

  /** ms until `key` may try again (0 when not locked). */
  remaining(key: number, now: number): number {
    const entry = this.#entries.get(key);
    if (!entry || entry.lockedUntil <= now) return 0;
    const max = this.settings().maxDelayMs;
    if (entry.lockedUntil - now > max) entry.lockedUntil = now + max; // clock went back
    return entry.lockedUntil - now;
  }

  failures(key: number): number {
    return this.#entries.get(key)?.failures ?? 0;
  }

  fail(key: number, now: number): void {
    let entry = this.#entries.get(key);
    if (!entry) {
      if (this.#entries.size >= LOCKOUT_ENTRIES_MAX) this.#evict(now);
      entry = { failures: 0, lockedUntil: 0, lastFailure: now };
      this.#entries.set(key, entry);
    }
    entry.failures++;
    entry.lastFailure = now;
    const over = entry.failures - this.threshold();
    if (over >= 0) {
      const { baseDelayMs, maxDelayMs } = this.settings();
      entry.lockedUntil = now + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(over, 30));
    }
  }

  succeed(key: number): void {
    this.#entries.delete(key);
  }

  #evict(now: number): void {
    let victim: number | undefined, oldest = Infinity;
    for (const [key, entry] of this.#entries) {
      if (entry.lockedUntil > now) continue;
      if (entry.lastFailure < oldest) { oldest = entry.lastFailure; victim = key; }
    }
    // All locked: drop the one that unlocks first rather than grow without bound.
    if (victim === undefined) {
      for (const [key, entry] of this.#entries) if (entry.lockedUntil < oldest) { oldest = entry.lockedUntil; victim = key; }
    }
    if (victim !== undefined) this.#entries.delete(victim);
  }
}
