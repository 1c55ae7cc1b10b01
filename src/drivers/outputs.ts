// A digital output with a configurable active level: relay modules, LED
// drivers and MOSFET switches come both active-high and active-low, and the
// driver code should say "on", not "write 0".
import type { DigitalInstance, DigitalSpec } from "./io";
import { openOutput } from "./io";

export interface SwitchSpec extends DigitalSpec {
  /** Level that turns the load on [OPTIONAL, default 1]. */
  activeLevel?: 0 | 1;
}

export class Switch {
  #pin: DigitalInstance | undefined;
  readonly #active: 0 | 1;
  #on = false;

  /** Opens the pin with the load off. */
  constructor(spec: SwitchSpec) {
    this.#active = spec.activeLevel ?? 1;
    this.#pin = openOutput(spec, this.#active ? 0 : 1);
  }

  get on(): boolean {
    return this.#on;
  }

  set(on: boolean): void {
    if (!this.#pin) return;
    // Recorded after the write: a write that throws leaves `on` as it was.
    this.#pin.write(on ? this.#active : this.#active ? 0 : 1);
    this.#on = on;
  }

  /** Turns the load off and releases the pin. Safe to call twice. */
  close(): void {
    if (!this.#pin) return;
    this.set(false);
    this.#pin.close();
    this.#pin = undefined;
  }
}
