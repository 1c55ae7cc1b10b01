// Installation mode: how a board with no technician account gets its first
// one, and how a gate whose technician records were lost (flash damage, a lost
// PIN key) gets one back. It needs someone physically at the gate: after
// `install <id>` at the console, the exit button (inside the compound, next to
// the strike) must be held for INSTALL_HOLD_MS within INSTALL_WINDOW_MS; only
// then does the console ask for the new account's password. The account is
// audited ("technician-installed"). Once any technician account exists the
// flow refuses (E_INSTALL_CLOSED): further accounts come from "tech add" by a
// logged-in technician. Holding the button also opens the strike, as any exit
// press does: the installer is standing at it.
import { OptgateError } from "../core/errors";

export const INSTALL_HOLD_MS = 5000;
export const INSTALL_WINDOW_MS = 120_000;

export interface InstallationOptions {
  /** True while at least one technician account exists. */
  hasTechnician(): boolean;
  /** The exit button's debounced state. */
  exitPressed(): boolean;
  /** Monotonic milliseconds. */
  ticks(): number;
}

export class Installation {
  readonly #o: InstallationOptions;
  /** When `install` was typed, or -1 when no installation is under way. */
  #startedAt = -1;
  #heldSince = -1;
  #proved = false;

  constructor(o: InstallationOptions) {
    this.#o = o;
  }

  /** Open while the gate has no technician account. */
  get open(): boolean {
    return !this.#o.hasTechnician();
  }

  /** Begins the physical step; refused once a technician exists. */
  start(): { holdSeconds: number; windowSeconds: number } {
    this.#requireOpen();
    this.#startedAt = this.#o.ticks();
    this.#heldSince = -1;
    this.#proved = false;
    return { holdSeconds: INSTALL_HOLD_MS / 1000, windowSeconds: INSTALL_WINDOW_MS / 1000 };
  }

  /** Every firmware tick: watches the exit button while an installation waits for it. */
  tick(): void {
    if (this.#startedAt < 0 || this.#proved) return;
    const now = this.#o.ticks();
    if (now - this.#startedAt > INSTALL_WINDOW_MS) return;
    if (!this.#o.exitPressed()) {
      this.#heldSince = -1;
      return;
    }
    if (this.#heldSince < 0) this.#heldSince = now;
    if (now - this.#heldSince >= INSTALL_HOLD_MS) this.#proved = true;
  }

  /** After the physical step: throws unless the button was held long enough in time. Single use. */
  confirm(): void {
    this.#requireOpen();
    const proved = this.#proved && this.#startedAt >= 0;
    this.#startedAt = -1;
    this.#proved = false;
    if (!proved) {
      throw new OptgateError("E_INSTALL_NO_PRESENCE", `The exit button was not held for ${INSTALL_HOLD_MS / 1000} s within ${INSTALL_WINDOW_MS / 1000} s of install; start again with install.`);
    }
  }

  #requireOpen(): void {
    if (!this.open) {
      this.#startedAt = -1;
      throw new OptgateError("E_INSTALL_CLOSED", "This gate already has a technician account: installation mode is closed. A technician adds accounts with tech add.");
    }
  }
}
