// The gate's peripherals, opened from the board's IO descriptors with the
// real drivers and routed to the gate controller. Every driver is advanced by
// tick(now) from the firmware's one timer, so no step blocks the XS thread.
import { OptgateError } from "../core/errors";
import type { Gate } from "../core/gate/gate";
import type { GateOutputs } from "../core/gate/ports";
import type { Frame } from "../core/ports";
import { GateCamera } from "../drivers/camera";
import { CardReader } from "../drivers/card-reader";
import { DoorContact } from "../drivers/door-contact";
import { ExitButton } from "../drivers/exit-button";
import { Indicator } from "../drivers/indicator";
import { Keypad } from "../drivers/keypad";
import { Mfrc522Spi } from "../drivers/mfrc522-spi";
import { Relay } from "../drivers/relay";
import type { GateDevice } from "./board";
import { EXIT_UNLOCK_MS } from "./safe-mode";

/** A door opened within this long after the strike relocked was opened in time, not forced. */
const RELOCK_GRACE_MS = 2000;

/** A driver that keeps throwing is reported at most this often (its failures are counted between reports). */
const FAULT_REPORT_MS = 60_000;

/** One driver's tick, isolated: it may throw, the others still run. */
interface GuardedTick {
  name: string;
  tick: (now: number) => void;
  failures: number;
  reportedAt: number;
}

export interface HardwareOptions {
  device: GateDevice;
  /** The gate is built after the hardware (its outputs drive the relay), so events look it up late. */
  gate: () => Gate;
  /** Wall-clock time for gate events (decisions are stamped with it). */
  now: () => number;
  /** Monotonic time, the same the drivers are ticked with (relay pulses, debounce). */
  ticks: () => number;
  /** Prompts have no peripheral of their own here; the board shows them if it can. */
  prompt: (text: string) => void;
  /** Driver faults (never with UID bytes or keys). */
  onError?: (error: OptgateError) => void;
}

export class GateHardware {
  readonly reader: CardReader;
  readonly keypad: Keypad;
  readonly relay: Relay;
  readonly door: DoorContact;
  readonly exit: ExitButton;
  readonly indicator: Indicator;
  readonly camera: GateCamera;
  /** The one frame buffer, allocated here for the camera's format. */
  readonly frame: Frame;
  readonly outputs: GateOutputs;
  readonly #ticks: GuardedTick[];
  readonly #onError: ((error: OptgateError) => void) | undefined;

  constructor(o: HardwareOptions) {
    const { device } = o;
    this.relay = new Relay({ relay: device.lock.relay, failMode: device.lock.failMode });
    this.indicator = new Indicator(device.indicator);
    this.camera = new GateCamera(device.camera);
    this.frame = {
      width: this.camera.width,
      height: this.camera.height,
      format: this.camera.format,
      data: new Uint8Array(this.camera.frameBytes),
    };
    this.reader = new CardReader({
      transport: new Mfrc522Spi({ spi: device.rfid.spi, select: device.rfid.select, reset: device.rfid.reset }),
      onTag: (uid) => o.gate().card(uid, o.now()),
      onError: o.onError,
    });
    this.keypad = new Keypad({
      rows: device.keypad.rows,
      columns: device.keypad.columns,
      keys: device.keypad.keys,
      onKey: (key) => o.gate().key(key, o.now()),
      onError: o.onError,
    });
    this.door = new DoorContact({
      contact: device.door,
      isReleased: (now) => this.relay.releasedWithin(now, RELOCK_GRACE_MS),
      onAlarm: (alarm) => o.gate().doorAlarm(alarm, o.now()),
    });
    // Egress first: the strike opens before anything that may fail (the core, its audit write to
    // flash, the clock); the gate then records the exit and signals it.
    this.exit = new ExitButton({
      button: device.exit,
      onPress: () => {
        try {
          this.relay.unlock(EXIT_UNLOCK_MS, o.ticks());
        } finally {
          o.gate().exit(o.now());
        }
      },
    });
    this.outputs = {
      unlock: (ms) => this.relay.unlock(ms, o.ticks()),
      signal: (signal) => this.indicator.show(signal, o.ticks()),
      prompt: o.prompt,
    };
    this.#onError = o.onError;
    // The relay first, then the door contact: a pulse must end on time even if
    // an input driver throws (a PCF8574 that stops acknowledging throws on
    // every transfer), or the door would stay unlocked: fail-open.
    const guarded = (name: string, tick: (now: number) => void): GuardedTick => ({ name, tick, failures: 0, reportedAt: -Infinity });
    this.#ticks = [
      guarded("relay", (now) => this.relay.tick(now)),
      guarded("door contact", (now) => this.door.tick(now)),
      guarded("card reader", (now) => this.reader.tick(now)),
      guarded("keypad", (now) => this.keypad.tick(now)),
      guarded("exit button", (now) => this.exit.tick(now)),
      guarded("indicator", (now) => this.indicator.tick(now)),
    ];
  }

  /**
   * Advance every driver; `now` is monotonic (board.ticks()). Each driver is
   * isolated: one that throws is reported and the rest still run, so this
   * never throws.
   */
  tick(now: number): void {
    for (const driver of this.#ticks) {
      try {
        driver.tick(now);
      } catch (error) {
        this.#fault(driver, error, now);
      }
    }
  }

  /**
   * Reports a driver fault: the first at once, then at most one report per
   * FAULT_REPORT_MS with the count in between (a dead expander throws on every
   * tick). Only the error's code or name is passed on, never a foreign
   * message: a callback inside a driver (a card's UID on its way to the gate)
   * could have put anything into it.
   */
  #fault(driver: GuardedTick, error: unknown, now: number): void {
    driver.failures++;
    if (now - driver.reportedAt < FAULT_REPORT_MS) return;
    const what = error instanceof OptgateError ? error.message : error instanceof Error ? error.name : "a non-error value";
    const times = driver.failures === 1 ? "once" : `${driver.failures} times`;
    driver.failures = 0;
    driver.reportedAt = now;
    this.#onError?.(new OptgateError("E_DRIVER_FAULT", `the ${driver.name} driver failed ${times} (${what}); the other drivers keep running`));
  }

  close(): void {
    this.camera.close();
    this.reader.close();
    this.keypad.close();
    this.exit.close();
    this.door.close();
    this.indicator.close();
    this.relay.close();
  }
}
