// Limits on guessing, shaped so an attacker gains little and residents lose little.
//
// Throttle (one per keypad, one per card reader): a failure score that leaks
// away at one failure per `leakMs`. While the score is above `free`, every
// attempt first waits min(maxWaitMs, baseWaitMs * 2^(score - free - 1)), so a
// patient attacker is held to one try per maxWaitMs (plus typing) while a
// resident who arrives during the attack waits at most maxWaitMs. Nothing but
// time lowers the score: no success (a resident's own PIN, a visitor code)
// resets it, or a guesser could reset it with a code they know.
//
// Per-resident limits live in the registry's columns (ResidentTable
// pinFailures/pinFailedAt), one for every resident, leaking one failure per
// residentLeakMs; only the resident's own correct PIN clears them.
//
// Both are rebuilt after a reboot from the audit log (AccessCore.restoreLimits),
// so a power cut hands out no fresh attempts. A clock that jumps back never
// makes a wait longer than maxWaitMs from now, and leaks nothing while it
// reads before the last failure.
import type { LockoutSettings } from "./policy";

interface ThrottleState {
  score: number;
  /** ms of the last failure (when the score was last brought up to date). */
  at: number;
  /** ms before which the next attempt waits. */
  until: number;
  /** The alarm was raised for this engagement (re-armed once the score leaks to 0). */
  alarmed: boolean;
}

/** The score a throttle can hold beyond `free`: enough to stay at the cap, little enough to clear in minutes. */
const SCORE_HEADROOM = 16;
/** Keypads and readers are hardware: a handful per gate. The bound only guards against a caller bug. */
const THROTTLE_KEYS_MAX = 64;

export class Throttle {
  readonly #states = new Map<number, ThrottleState>();

  constructor(private readonly free: () => number, private readonly settings: () => LockoutSettings) {}

  /** ms until `key` may try again (0 when not waiting). */
  remaining(key: number, now: number): number {
    const state = this.#states.get(key);
    if (!state || state.until <= now) return 0;
    const max = this.settings().maxDelayMs;
    if (state.until - now > max) state.until = now + max; // the clock went back
    return state.until - now;
  }

  /** The failure score now (after leaking). */
  score(key: number, now: number): number {
    const state = this.#states.get(key);
    return state ? this.#level(state, now) : 0;
  }

  /** Whether the throttle holds attempts back now (the score is above `free`). */
  engaged(key: number, now: number): boolean {
    return this.score(key, now) > this.free();
  }

  /**
   * Counts a failure at `now`; returns true when this failure engaged the
   * throttle (the moment to raise the alarm, once per engagement).
   */
  fail(key: number, now: number): boolean {
    let state = this.#states.get(key);
    if (!state) {
      if (this.#states.size >= THROTTLE_KEYS_MAX) this.#states.delete(this.#states.keys().next().value as number);
      state = { score: 0, at: now, until: 0, alarmed: false };
      this.#states.set(key, state);
    }
    const free = this.free();
    const level = this.#level(state, now);
    if (level === 0) state.alarmed = false;
    state.score = Math.min(level + 1, free + SCORE_HEADROOM);
    state.at = Math.max(state.at, now);
    // Whole failures over the free ones (a partly leaked one still counts), so waits step 1, 2, 4 … s.
    const over = Math.ceil(state.score - free - 1e-9);
    if (over > 0) {
      const { baseDelayMs, maxDelayMs } = this.settings();
      state.until = now + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(over - 1, 30));
      if (!state.alarmed) {
        state.alarmed = true;
        return true;
      }
    }
    return false;
  }

  #level(state: ThrottleState, now: number): number {
    const elapsed = now - state.at;
    if (!(elapsed > 0)) return state.score; // clock at or before the last failure: nothing leaks
    const level = state.score - elapsed / this.settings().leakMs;
    return level > 0 ? level : 0;
  }
}

/** Failures still counted for a resident: stored count less what leaked since the last failure. */
export function residentLevel(failures: number, failedAtS: number, nowMs: number, leakMs: number): number {
  if (failures === 0) return 0;
  const elapsed = nowMs - failedAtS * 1000;
  if (!(elapsed > 0)) return failures;
  const leaked = Math.floor(elapsed / leakMs);
  return leaked >= failures ? 0 : failures - leaked;
}

/** ms until a resident at `level` failures drops below `threshold` (0 when already below). */
export function residentWait(failures: number, failedAtS: number, nowMs: number, settings: LockoutSettings): number {
  const level = residentLevel(failures, failedAtS, nowMs, settings.residentLeakMs);
  if (level < settings.residentThreshold) return 0;
  const elapsed = Math.max(0, nowMs - failedAtS * 1000);
  const leaksNeeded = failures - settings.residentThreshold + 1;
  const wait = leaksNeeded * settings.residentLeakMs - elapsed;
  // A clock that went back never stretches the wait past what the count itself needs.
  return Math.max(1, Math.min(wait, leaksNeeded * settings.residentLeakMs));
}
