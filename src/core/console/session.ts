// Who is logged in on the console, failed-attempt lockout and the inactivity
// timeout. Time comes from the Clock port; nothing here runs on a timer.
// Lockout counts failures for the console as a whole (not per id), so trying
// many ids does not multiply the guesses an attacker gets.
import { OptgateError } from "../errors";
import type { Clock } from "../ports";
import type { Role } from "./roles";
import { checkPassword, type TechnicianDirectory } from "./technicians";

export interface SessionPolicy {
  /** Failed logins allowed before the first lockout. */
  freeAttempts: number;
  /** First lockout; each further failure doubles it. */
  baseLockMs: number;
  maxLockMs: number;
  /** A logged-in console with no input for this long logs out. */
  idleMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  freeAttempts: 3,
  baseLockMs: 30_000,
  maxLockMs: 30 * 60_000,
  idleMs: 5 * 60_000,
};

export class Session {
  readonly #clock: Clock;
  readonly #deviceKey: Uint8Array;
  readonly #directory: TechnicianDirectory;
  readonly policy: SessionPolicy;
  #technician: string | undefined;
  #role: Role | undefined;
  #lastActivity = 0;
  #failures = 0;
  #lockedUntil = 0;

  constructor(options: { clock: Clock; deviceKey: Uint8Array; directory: TechnicianDirectory; policy?: Partial<SessionPolicy> }) {
    this.#clock = options.clock;
    this.#deviceKey = options.deviceKey;
    this.#directory = options.directory;
    this.policy = { ...DEFAULT_SESSION_POLICY, ...options.policy };
  }

  get technician(): string | undefined {
    return this.#technician;
  }

  /** The logged-in technician's role, as their account held it at login. */
  get role(): Role | undefined {
    return this.#technician === undefined ? undefined : this.#role;
  }

  get failures(): number {
    return this.#failures;
  }

  /** Remaining lockout in ms (0 when a login may be tried). */
  lockRemaining(): number {
    return Math.max(0, this.#lockedUntil - this.#clock.now());
  }

  /** Throws E_LOCKED_OUT while locked, so the password prompt is not even shown. */
  assertNotLocked(): void {
    const remaining = this.lockRemaining();
    if (remaining > 0) {
      throw new OptgateError("E_LOCKED_OUT", `Too many failed logins; try again in ${Math.ceil(remaining / 1000)} s.`);
    }
  }

  login(id: string, password: string): void {
    this.assertNotLocked();
    const record = this.#directory.find(id);
    if (!checkPassword(this.#deviceKey, record, password) || record === undefined) {
      this.#failures++;
      const over = this.#failures - this.policy.freeAttempts;
      if (over >= 0) {
        const lock = Math.min(this.policy.baseLockMs * 2 ** Math.min(over, 30), this.policy.maxLockMs);
        this.#lockedUntil = this.#clock.now() + lock;
        throw new OptgateError("E_BAD_LOGIN", `Wrong technician id or password; logins are locked for ${Math.ceil(lock / 1000)} s.`);
      }
      throw new OptgateError("E_BAD_LOGIN", "Wrong technician id or password.");
    }
    this.#failures = 0;
    this.#lockedUntil = 0;
    this.#technician = id;
    this.#role = record.role;
    this.#lastActivity = this.#clock.now();
  }

  logout(): void {
    this.#technician = undefined;
  }

  /** Input arrived: restart the inactivity timer. */
  touch(): void {
    this.#lastActivity = this.#clock.now();
  }

  /**
   * Logs out if idle too long; returns true when it just did. A clock set
   * backwards makes the idle time negative, which must not keep a session alive
   * forever, so any jump back also counts as expiry.
   */
  expireIfIdle(): boolean {
    if (this.#technician === undefined) return false;
    const idle = this.#clock.now() - this.#lastActivity;
    if (idle >= this.policy.idleMs || idle < 0) {
      this.#technician = undefined;
      return true;
    }
    return false;
  }
}
