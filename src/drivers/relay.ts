// Door strike / magnetic lock relay.
//
// fail-secure (electric strike): energised = unlocked; power loss keeps the
//   door locked.
// fail-safe (maglock, fire code): energised = locked; power loss releases the
//   door.
// The driver speaks "locked"/"unlocked" and maps that to the coil for the
// configured type. unlock(ms, now) opens for a pulse that tick(now) ends; a
// new unlock during a pulse extends it, never shortens it.
// A coil write that throws (GPIO or expander fault) is never taken as done:
// a failed lock keeps the relay "unlocked" and tick() retries the lock every
// tick; a failed unlock is undone towards locked. Both throw E_RELAY_WRITE.
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
    if (this.#unlocked) {
      this.#until = Math.max(this.#until, nowMs + ms);
      return;
    }
    try {
      this.#drive(true);
    } catch (error) {
      // The coil may or may not have moved: drive it back to locked if the
      // pin still takes writes, and report the unlock as failed.
      try {
        this.#coil.set(this.#failSafe);
      } catch {
        // Nothing more to do here; the caller learns of the failure below.
      }
      throw writeFailed("unlock", error);
    }
    this.#until = nowMs + ms;
  }

  /** Lock now, ending any pulse. */
  lock(nowMs: number): void {
    this.#until = 0;
    if (this.#unlocked) {
      try {
        this.#drive(false);
      } catch (error) {
        throw writeFailed("lock", error);
      }
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

  /** Records the new state only once the coil write went through (a throw leaves it as it was). */
  #drive(unlocked: boolean): void {
    this.#coil.set(this.#failSafe ? !unlocked : unlocked);
    const changed = unlocked !== this.#unlocked;
    this.#unlocked = unlocked;
    if (changed) this.#onChange?.(unlocked);
  }
}

function writeFailed(step: "lock" | "unlock", error: unknown): OptgateError {
  const kind = error instanceof Error ? error.name : "a non-error value";
  return new OptgateError(
    "E_RELAY_WRITE",
    step === "lock"
      ? `the lock relay could not be switched to locked (${kind}); retrying every tick, check the relay wiring`
      : `the lock relay could not be switched to unlocked (${kind}); the door stays locked, check the relay wiring`,
  );
}
