// Door position contact (reed switch) with the two alarms a gate needs:
// - forced open: the door opened while the lock was not released (and not
//   within a short grace after relocking);
// - held open: the door stayed open longer than heldOpenMs (reported once
//   per opening).
//
// Options:
// - contact: IO descriptor {io, pin, activeLevel?}; activeLevel is the level
//   when the door is OPEN [OPTIONAL, default 1: reed closed to GND when shut]
// - isReleased(nowMs): whether the lock is released now (e.g. relay.releasedWithin(now, 2000)) [REQUIRED]
// - heldOpenMs [OPTIONAL, default 30000], debounceMs [OPTIONAL, default 50]
import { DebouncedInput, type InputSpec } from "./debounced-input";

export type DoorAlarm = "forced-open" | "held-open";

export interface DoorContactOptions {
  contact: InputSpec;
  isReleased: (nowMs: number) => boolean;
  heldOpenMs?: number;
  debounceMs?: number;
  onOpen?: () => void;
  onClose?: () => void;
  onAlarm?: (alarm: DoorAlarm) => void;
}

export class DoorContact {
  readonly #input: DebouncedInput;
  readonly #isReleased: (nowMs: number) => boolean;
  readonly #heldOpenMs: number;
  readonly #onOpen: (() => void) | undefined;
  readonly #onClose: (() => void) | undefined;
  readonly #onAlarm: ((alarm: DoorAlarm) => void) | undefined;
  #heldReported = false;
  /** First tick: a door already open at boot counts as opened then. */
  #firstTick = -1;

  constructor(options: DoorContactOptions) {
    this.#input = new DebouncedInput({ activeLevel: 1, ...options.contact }, options.debounceMs ?? 50);
    this.#isReleased = options.isReleased;
    this.#heldOpenMs = options.heldOpenMs ?? 30_000;
    this.#onOpen = options.onOpen;
    this.#onClose = options.onClose;
    this.#onAlarm = options.onAlarm;
  }

  get open(): boolean {
    return this.#input.active;
  }

  tick(nowMs: number): void {
    const input = this.#input;
    if (input.tick(nowMs)) {
      if (input.active) {
        this.#heldReported = false;
        this.#onOpen?.();
        if (!this.#isReleased(nowMs)) this.#onAlarm?.("forced-open");
      } else this.#onClose?.();
    }
    if (this.#firstTick < 0) this.#firstTick = nowMs;
    if (input.active && !this.#heldReported && nowMs - Math.max(input.since, this.#firstTick) >= this.#heldOpenMs) {
      this.#heldReported = true;
      this.#onAlarm?.("held-open");
    }
  }

  close(): void {
    this.#input.close();
  }
}
