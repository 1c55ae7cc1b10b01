// Door strike / magnetic lock relay.
//
// fail-secure (electric strike): energised = unlocked; power loss keeps the
//   door locked.
// fail-safe (maglock, fire code): energised = locked; power loss releases the
//   door.
// The driver speaks "locked"/"unlocked" and maps that to the coil for the
// configured type. unlock(ms, now) opens for a pulse that tick(now) ends; a
// new unlock during a pulse extends it, never shortens it.
//
// Options:
// - relay: IO descriptor of the relay coil driver {io, pin, activeLevel?} [REQUIRED]
// - failMode: "fail-secure" | "fail-safe" [REQUIRED: it is a safety decision, no default]
// - maxPulseMs: longest pulse accepted [OPTIONAL, default 30000]
import { OptgateError } from "../core/errors";
import { Switch, type SwitchSpec } from "./outputs";

export type FailMode = "fail-secure" | "fail-safe";

export interface RelayOptions {
  relay: SwitchSpec;
  failMode: FailMode;
  maxPulseMs?: number;
  /** Called when the lock state changes (true = unlocked). */
  onChange?: (unlocked: boolean) => void;
}

export class Relay {
  readonly #coil: Switch;
  readonly #failSafe: boolean;
  readonly #maxPulseMs: number;
  readonly #onChange: ((unlocked: boolean) => void) | undefined;
  #unlocked = false;
  #until = 0;
  #lockedAt = -Infinity;
  #closed = false;

  constructor(options: RelayOptions) {
    if (options.failMode !== "fail-secure" && options.failMode !== "fail-safe") {
      throw new OptgateError("E_RELAY_FAIL_MODE", 'relay failMode must be "fail-secure" (strike) or "fail-safe" (maglock)');
    }
    this.#failSafe = options.failMode === "fail-safe";
    this.#maxPulseMs = options.maxPulseMs ?? 30_000;
    this.#onChange = options.onChange;
    this.#coil = new Switch(options.relay);
    this.#drive(false);
  }

  get unlocked(): boolean {
    return this.#unlocked;
  }

  get energised(): boolean {
    return this.#coil.on;
  }

  /** Unlocked now, or relocked no longer than `graceMs` ago (a door opened at the end of a pulse is not forced). */
  releasedWithin(nowMs: number, graceMs: number): boolean {
    return this.#unlocked || nowMs - this.#lockedAt <= graceMs;
  }

  /** Unlock for `ms` from `nowMs`. */
  unlock(ms: number, nowMs: number): void {
    if (this.#closed) return;
    if (!(ms > 0) || ms > this.#maxPulseMs) {
      throw new OptgateError("E_RELAY_PULSE", `an unlock pulse must be between 1 and ${this.#maxPulseMs} ms`);
    }
    this.#until = Math.max(this.#until, nowMs + ms);
    if (!this.#unlocked) this.#drive(true);
  }

  /** Lock now, ending any pulse. */
  lock(nowMs: number): void {
    this.#until = 0;
    if (this.#unlocked) {
      this.#drive(false);
      this.#lockedAt = nowMs;
    }
  }

  tick(nowMs: number): void {
    if (this.#unlocked && nowMs >= this.#until) this.lock(nowMs);
  }

  /** Leaves the door locked and releases the pin. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#drive(false);
    // Releasing the pin lets the relay module's own bias decide; for a fail-safe
    // lock that means unlocked, as it would on power loss.
    this.#coil.close();
  }

  #drive(unlocked: boolean): void {
    const changed = unlocked !== this.#unlocked;
    this.#unlocked = unlocked;
    this.#coil.set(this.#failSafe ? !unlocked : unlocked);
    if (changed) this.#onChange?.(unlocked);
  }
}
