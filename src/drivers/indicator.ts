// Indicator LEDs (green, red) and an active buzzer, playing one short
// pattern per gate signal (src/core/gate/ports.ts Signal). Patterns are
// constant tables of (duration, outputs) steps advanced by tick(nowMs); a new
// signal replaces the current one. The camera's privacy LED is NOT here: it is
// switched together with camera power by the camera adapter, so no pattern can
// hide that the camera is on.
//
// Options: green, red, buzzer: IO descriptors {io, pin, activeLevel?} [each OPTIONAL]
import type { Signal } from "../core/gate/ports";
import { Switch, type SwitchSpec } from "./outputs";

const GREEN = 1, RED = 2, BUZZ = 4;

interface Pattern {
  /** [ms, outputs, ms, outputs, ...]; ms 0 = hold forever. */
  steps: readonly number[];
  repeat: boolean;
}

const PATTERNS: Record<Signal, Pattern> = {
  idle: { steps: [0, 0], repeat: false },
  granted: { steps: [150, GREEN | BUZZ, 2850, GREEN], repeat: false },
  denied: { steps: [100, RED | BUZZ, 100, RED, 100, RED | BUZZ, 100, RED, 100, RED | BUZZ, 1500, RED], repeat: false },
  waiting: { steps: [500, GREEN, 500, 0], repeat: true },
  face: { steps: [250, GREEN | RED, 250, 0], repeat: true },
  alarm: { steps: [500, RED | BUZZ, 500, RED], repeat: true },
};

export interface IndicatorOptions {
  green?: SwitchSpec;
  red?: SwitchSpec;
  buzzer?: SwitchSpec;
}

export class Indicator {
  readonly #green: Switch | undefined;
  readonly #red: Switch | undefined;
  readonly #buzzer: Switch | undefined;
  #pattern: Pattern = PATTERNS.idle;
  #signal: Signal = "idle";
  #step = 0;
  #stepEnds = 0;

  constructor(options: IndicatorOptions) {
    this.#green = options.green && new Switch(options.green);
    this.#red = options.red && new Switch(options.red);
    this.#buzzer = options.buzzer && new Switch(options.buzzer);
  }

  get signal(): Signal {
    return this.#signal;
  }

  /** Current outputs, for tests and the simulator console. */
  get lit(): { green: boolean; red: boolean; buzzer: boolean } {
    return { green: !!this.#green?.on, red: !!this.#red?.on, buzzer: !!this.#buzzer?.on };
  }

  show(signal: Signal, nowMs: number): void {
    const pattern = PATTERNS[signal];
    if (!pattern) return;
    this.#signal = signal;
    this.#pattern = pattern;
    this.#enter(0, nowMs);
  }

  tick(nowMs: number): void {
    const steps = this.#pattern.steps;
    while (steps[this.#step] !== 0 && nowMs >= this.#stepEnds) {
      let next = this.#step + 2;
      if (next >= steps.length) {
        if (!this.#pattern.repeat) {
          this.show("idle", nowMs);
          return;
        }
        next = 0;
      }
      this.#enter(next, this.#stepEnds);
    }
  }

  close(): void {
    this.#green?.close();
    this.#red?.close();
    this.#buzzer?.close();
  }

  #enter(step: number, startMs: number): void {
    const steps = this.#pattern.steps;
    this.#step = step;
    this.#stepEnds = startMs + steps[step];
    const out = steps[step + 1];
    this.#green?.set((out & GREEN) !== 0);
    this.#red?.set((out & RED) !== 0);
    this.#buzzer?.set((out & BUZZ) !== 0);
  }
}
