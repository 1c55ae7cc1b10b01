// Power switch for a peripheral (the camera's supply or PWDN line): off at
// construction and on close(), so a crash or a driver restart leaves the
// peripheral unpowered.
import { Switch, type SwitchSpec } from "./outputs";

export class PowerSwitch {
  readonly #switch: Switch;

  constructor(options: { power: SwitchSpec }) {
    this.#switch = new Switch(options.power);
  }

  get powered(): boolean {
    return this.#switch.on;
  }

  on(): void {
    this.#switch.set(true);
  }

  off(): void {
    this.#switch.set(false);
  }

  close(): void {
    this.#switch.close();
  }
}
