// Host provider with the shape of ECMA-419 `embedded:io/digital`, backed by
// the GPIO model: drivers construct it from an IO descriptor exactly as on the
// board ({io: Digital, pin, mode, edge, onReadable}).
import type { GpioBank, Level, PinMode } from "../../../test/models/gpio";

export interface HostDigitalOptions {
  pin: number;
  mode: number;
  edge?: number;
  onReadable?: (this: unknown) => void;
  target?: unknown;
}

export interface HostDigital {
  read(): Level;
  write(value: number): void;
  close(): void;
  format: "number";
}

export interface HostDigitalClass {
  new (options: HostDigitalOptions): HostDigital;
  readonly Input: number;
  readonly InputPullUp: number;
  readonly InputPullDown: number;
  readonly InputPullUpDown: number;
  readonly Output: number;
  readonly OutputOpenDrain: number;
  readonly Rising: number;
  readonly Falling: number;
}

const MODES: Record<number, PinMode> = { 0: "input", 1: "input-pull-up", 2: "input-pull-down", 3: "input-pull-up", 8: "output", 9: "open-drain" };

export function makeDigital(gpio: GpioBank): HostDigitalClass {
  const claimed = new Set<number>();
  return class Digital implements HostDigital {
    static readonly Input = 0;
    static readonly InputPullUp = 1;
    static readonly InputPullDown = 2;
    static readonly InputPullUpDown = 3;
    static readonly Output = 8;
    static readonly OutputOpenDrain = 9;
    static readonly Rising = 1;
    static readonly Falling = 2;
    #pin: number | undefined;
    #unlisten: (() => void) | undefined;

    constructor(options: HostDigitalOptions) {
      const mode = MODES[options.mode];
      if (!mode) throw new RangeError("invalid mode");
      if (claimed.has(options.pin)) throw new Error("in use");
      claimed.add(options.pin);
      this.#pin = options.pin;
      const pin = gpio.pin(options.pin);
      pin.mode = mode;
      pin.refresh();
      const { edge, onReadable } = options;
      if (edge && onReadable) {
        const target = options.target;
        this.#unlisten = pin.onEdge((level) => {
          if ((level && edge & Digital.Rising) || (!level && edge & Digital.Falling)) onReadable.call(target ?? this);
        });
      }
    }

    get format(): "number" {
      return "number";
    }

    set format(value: "number") {
      if (value !== "number") throw new RangeError("unsupported format");
    }

    read(): Level {
      return gpio.pin(this.#live()).level;
    }

    write(value: number): void {
      gpio.pin(this.#live()).write(value ? 1 : 0);
    }

    close(): void {
      if (this.#pin === undefined) return;
      this.#unlisten?.();
      const pin = gpio.pin(this.#pin);
      pin.mode = "unclaimed";
      pin.refresh();
      claimed.delete(this.#pin);
      this.#pin = undefined;
    }

    #live(): number {
      if (this.#pin === undefined) throw new Error("closed");
      return this.#pin;
    }
  };
}
