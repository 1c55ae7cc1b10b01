// GPIO pins of the model board. A pin's level is resolved from, in order: the
// MCU's output latch (output mode), an external driver (a button, a chip
// output, a test), a dynamic source (e.g. the keypad matrix, which depends on
// other pins), then the pull resistor. Level changes caused by writes or by
// external drives are reported to edge listeners (chip-select framing, host
// Digital onReadable), and counted so tests can assert on glitches.

export type Level = 0 | 1;
export type PinMode = "unclaimed" | "input" | "input-pull-up" | "input-pull-down" | "output" | "open-drain";
export type EdgeListener = (level: Level, pin: GpioPin) => void;

export class GpioPin {
  readonly number: number;
  mode: PinMode = "unclaimed";
  /** Output latch written by the MCU. */
  latch: Level = 0;
  /** Level forced by the outside world, or undefined when nobody drives the pin. */
  external: Level | undefined;
  /** Level computed on demand from other state (matrix keypads); undefined = not driven. */
  source: (() => Level | undefined) | undefined;
  rising = 0;
  falling = 0;
  readonly #listeners: EdgeListener[] = [];
  #last: Level;

  constructor(number: number) {
    this.number = number;
    this.#last = this.level;
  }

  get level(): Level {
    if (this.mode === "output") return this.latch;
    if (this.mode === "open-drain" && this.latch === 0) return 0;
    const driven = this.external ?? this.source?.();
    if (driven !== undefined) return driven;
    if (this.mode === "input-pull-down") return 0;
    // Unclaimed and floating inputs read high: most modules put pull-ups on their lines.
    return 1;
  }

  /** MCU side: write the output latch. */
  write(level: Level): void {
    this.latch = level;
    this.#notify();
  }

  /** Outside world: drive the pin (undefined releases it). */
  drive(level: Level | undefined): void {
    this.external = level;
    this.#notify();
  }

  /** Re-evaluate after the mode or a dynamic source changed. */
  refresh(): void {
    this.#notify();
  }

  onEdge(listener: EdgeListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  #notify(): void {
    const level = this.level;
    if (level === this.#last) return;
    this.#last = level;
    if (level) this.rising++;
    else this.falling++;
    for (const listener of this.#listeners.slice()) listener(level, this);
  }
}

export class GpioBank {
  readonly #pins = new Map<number, GpioPin>();

  pin(number: number): GpioPin {
    let pin = this.#pins.get(number);
    if (!pin) {
      pin = new GpioPin(number);
      this.#pins.set(number, pin);
    }
    return pin;
  }
}
