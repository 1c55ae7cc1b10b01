// What runs the gate: boots the firmware (src/app/firmware.ts) under a
// supervisor that never lets an exception out, and falls back to the safe mode
// (src/app/safe-mode.ts: exit button, door alarms, console) when
//   - the firmware cannot start (store refused, hardware missing, a bug);
//   - a part of it throws on every tick for FAILING_TICKS_LIMIT ticks: the
//     board restarts cleanly when it can (board.restart), else safe mode;
//   - the gate is in a restart loop: more than MAX_UNSTABLE_BOOTS boots in a
//     row that never served for STABLE_MS (board.nvs "boots"; a hang ends in the
//     board's watchdog reset, which counts the same way).
//
//   const gate = new Supervisor(board);   // boots (src/app/start.ts adds the tick timer)
//   gate.tick() every TICK_MS; gate.mode / gate.firmware / gate.safeMode / gate.receiveConsole(bytes)
import type { Board } from "./board";
import { Firmware } from "./firmware";
import { SafeMode } from "./safe-mode";

/** Ticks in a row a part may throw in before the firmware is given up (5 s). */
export const FAILING_TICKS_LIMIT = 500;
/** Serving this long makes a boot count as good (the restart-loop count goes back to 0). */
export const STABLE_MS = 60_000;
/** Boots in a row without STABLE_MS of service before the gate stays in safe mode. */
export const MAX_UNSTABLE_BOOTS = 3;
/** board.nvs key of the restart-loop count. */
export const BOOTS = "boots";

export class Supervisor {
  readonly board: Board;
  #firmware: Firmware | undefined;
  #safe: SafeMode | undefined;
  readonly #bootedAt: number;
  #stable = false;

  constructor(board: Board) {
    this.board = board;
    this.#bootedAt = board.ticks();
    const boots = this.#countBoot();
    if (boots > MAX_UNSTABLE_BOOTS) {
      this.#enterSafeMode(`restart loop: ${boots} boots in a row without a minute of service`);
      return;
    }
    try {
      this.#firmware = new Firmware(board);
    } catch (error) {
      this.#enterSafeMode(`startup failed: ${describe(error)}`);
    }
  }

  get mode(): "serving" | "safe" {
    return this.#firmware ? "serving" : "safe";
  }

  /** The running firmware (undefined in safe mode). */
  get firmware(): Firmware | undefined {
    return this.#firmware;
  }

  get safeMode(): SafeMode | undefined {
    return this.#safe;
  }

  tick(): void {
    try {
      const firmware = this.#firmware;
      if (firmware) {
        firmware.tick();
        if (firmware.failingTicks >= FAILING_TICKS_LIMIT) this.#giveUp(firmware);
        else if (!this.#stable && this.board.ticks() - this.#bootedAt >= STABLE_MS) this.#markStable();
      } else this.#safe?.tick();
    } catch (error) {
      this.board.log(`supervisor: ${describe(error)}`);
    }
  }

  receiveConsole(bytes: Uint8Array): void {
    try {
      if (this.#firmware) this.#firmware.receiveConsole(bytes);
      else this.#safe?.receiveConsole(bytes);
    } catch (error) {
      this.board.log(`console: ${describe(error)}`);
    }
  }

  #giveUp(firmware: Firmware): void {
    const why = `a part of the firmware threw on ${firmware.failingTicks} ticks in a row`;
    if (this.board.restart) {
      this.board.log(`${why}: restarting`);
      this.board.restart();
      return;
    }
    this.#firmware = undefined;
    try {
      firmware.close();
    } catch (error) {
      this.board.log(`supervisor: ${describe(error)}`);
    }
    this.#enterSafeMode(why);
  }

  #enterSafeMode(reason: string): void {
    const board = this.board;
    this.#safe = new SafeMode({
      device: board.device, log: (line) => board.log(line), ticks: () => board.ticks(), console: board.console, reason,
      restart: board.restart ? () => {
        this.#writeBoots(0);
        board.restart!();
      } : undefined,
    });
  }

  #countBoot(): number {
    try {
      const boots = (this.board.nvs?.get(BOOTS) ?? 0) + 1;
      this.#writeBoots(boots);
      return Number.isFinite(boots) ? boots : 1;
    } catch {
      return 1;
    }
  }

  #markStable(): void {
    this.#stable = true;
    this.#writeBoots(0);
  }

  #writeBoots(count: number): void {
    try {
      this.board.nvs?.set(BOOTS, count);
    } catch (error) {
      this.board.log(`boot count: ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
