// A contact input (button, reed switch) with debounce: the level must hold
// for debounceMs before it counts. Polled in tick(nowMs) rather than by edge
// interrupts, so a chattering contact cannot flood the XS thread.
import type { DigitalInstance, DigitalSpec } from "./io";
import { openInput } from "./io";

export interface InputSpec extends DigitalSpec {
  /** Level meaning "active" (pressed / open) [OPTIONAL, default 0: contact to GND with pull-up]. */
  activeLevel?: 0 | 1;
}

export class DebouncedInput {
  #pin: DigitalInstance | undefined;
  readonly #activeLevel: number;
  readonly #debounceMs: number;
  #raw: boolean;
  #rawSince = -Infinity;
  #active: boolean;
  #since = -Infinity;

  constructor(spec: InputSpec, debounceMs: number) {
    this.#pin = openInput(spec);
    this.#activeLevel = spec.activeLevel ?? 0;
    this.#debounceMs = debounceMs;
    this.#raw = this.#pin.read() === this.#activeLevel;
    this.#active = this.#raw;
  }

  get active(): boolean {
    return this.#active;
  }

  /** When the debounced state last changed. */
  get since(): number {
    return this.#since;
  }

  /** Returns true when the debounced state changed in this tick. */
  tick(nowMs: number): boolean {
    if (!this.#pin) return false;
    const raw = this.#pin.read() === this.#activeLevel;
    if (raw !== this.#raw) {
      this.#raw = raw;
      this.#rawSince = nowMs;
    }
    if (raw !== this.#active && nowMs - this.#rawSince >= this.#debounceMs) {
      this.#active = raw;
      this.#since = nowMs;
      return true;
    }
    return false;
  }

  close(): void {
    this.#pin?.close();
    this.#pin = undefined;
  }
}
