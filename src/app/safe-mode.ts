// Safe mode: what still runs when the firmware cannot start or keeps failing
// (DESIGN.md §8). Only the three things that must work whatever else fails:
// the exit button opens the strike, the door contact raises its alarms on the
// indicator, and the console answers (status, restart). Nothing here touches
// flash, the clock or the core: the drivers run on monotonic ticks only.
//
//   const safe = new SafeMode({ device, log, ticks, console: port, reason, restart });
//   Timer.repeat(() => safe.tick(), TICK_MS); safe.receiveConsole(bytes);
import type { Signal } from "../core/gate/ports";
import type { ConsolePort } from "../core/ports";
import { DoorContact } from "../drivers/door-contact";
import { ExitButton } from "../drivers/exit-button";
import { Indicator } from "../drivers/indicator";
import { Relay } from "../drivers/relay";
import type { GateDevice } from "./board";

/** How long the exit button releases the strike (the gate's usual pulse). */
export const EXIT_UNLOCK_MS = 5000;
/** A door opened within this long after the strike relocked was opened in time, not forced. */
const RELOCK_GRACE_MS = 2000;
const LINE_MAX = 80;

export interface SafeModeOptions {
  device: GateDevice;
  log(line: string): void;
  /** Monotonic milliseconds (never the wall clock: it may be what failed). */
  ticks(): number;
  console?: ConsolePort;
  /** Why the gate is in safe mode, shown on the console. */
  reason: string;
  /** A clean restart into the full firmware (the console's "restart"); absent on boards that cannot. */
  restart?(): void;
}

export class SafeMode {
  readonly mode = "safe";
  readonly reason: string;
  readonly relay: Relay | undefined;
  readonly #o: SafeModeOptions;
  readonly #exit: ExitButton | undefined;
  readonly #door: DoorContact | undefined;
  readonly #indicator: Indicator | undefined;
  #line = "";
  /** Door alarms seen since safe mode began (there is no audit log to put them in). */
  alarms = 0;

  constructor(o: SafeModeOptions) {
    this.#o = o;
    this.reason = o.reason;
    // Each part on its own: a broken indicator must not cost the exit button.
    this.relay = this.#open("relay", () => new Relay({ relay: o.device.lock.relay, failMode: o.device.lock.failMode }));
    this.#indicator = this.#open("indicator", () => new Indicator(o.device.indicator));
    const relay = this.relay;
    this.#exit = this.#open("exit button", () => new ExitButton({ button: o.device.exit, onPress: () => relay?.unlock(EXIT_UNLOCK_MS, o.ticks()) }));
    this.#door = this.#open("door contact", () => new DoorContact({
      contact: o.device.door,
      isReleased: (now) => relay?.releasedWithin(now, RELOCK_GRACE_MS) ?? false,
      onAlarm: (alarm) => {
        this.alarms++;
        this.#signal("alarm");
        o.log(`safe mode: door ${alarm}`);
      },
    }));
    o.log(`SAFE MODE: ${o.reason}`);
    this.#signal("denied");
    this.#write(`\r\nSAFE MODE: ${o.reason}\r\nThe exit button and door alarms work; type status or restart.\r\n> `);
  }

  tick(): void {
    const now = this.#o.ticks();
    // The relay first: a pulse must end on time whatever the inputs do.
    this.#step(() => this.relay?.tick(now));
    this.#step(() => this.#door?.tick(now));
    this.#step(() => this.#exit?.tick(now));
    this.#step(() => this.#indicator?.tick(now));
  }

  status(): { mode: "safe"; reason: string; unlocked: boolean; alarms: number } {
    return { mode: "safe", reason: this.reason, unlocked: this.relay?.unlocked ?? false, alarms: this.alarms };
  }

  /** Console bytes: a line editor just big enough for the two commands. */
  receiveConsole(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === 13 || b === 10) {
        const line = this.#line.trim();
        this.#line = "";
        if (line !== "") this.#command(line);
        else this.#write("\r\n> ");
      } else if (b === 8 || b === 127) {
        this.#line = this.#line.slice(0, -1);
      } else if (b >= 0x20 && b < 0x7f && this.#line.length < LINE_MAX) {
        this.#line += String.fromCharCode(b);
      }
    }
  }

  close(): void {
    for (const part of [this.#exit, this.#door, this.#indicator, this.relay]) this.#step(() => part?.close());
  }

  #command(line: string): void {
    if (line === "status") {
      this.#write(`\r\nmode:        SAFE MODE\r\nDAMAGE:      ${this.reason}\r\ndoor:        ${this.relay?.unlocked ? "unlocked" : "locked"}\r\nalarms:      ${this.alarms}\r\n> `);
    } else if (line === "restart" && this.#o.restart) {
      this.#write("\r\nRestarting.\r\n");
      this.#o.restart();
    } else {
      this.#write(`\r\nSafe mode: only status${this.#o.restart ? " and restart" : ""} work here.\r\n> `);
    }
  }

  #signal(signal: Signal): void {
    this.#step(() => this.#indicator?.show(signal, this.#o.ticks()));
  }

  #write(text: string): void {
    this.#step(() => this.#o.console?.write(text));
  }

  #open<T>(name: string, make: () => T): T | undefined {
    try {
      return make();
    } catch (error) {
      this.#o.log(`safe mode: the ${name} did not open (${error instanceof Error ? error.message : String(error)})`);
      return undefined;
    }
  }

  #step(work: () => void): void {
    try {
      work();
    } catch {
      // Nothing left to fall back to; the next tick tries again.
    }
  }
}
