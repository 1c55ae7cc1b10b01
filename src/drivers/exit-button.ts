// Request-to-exit button inside the compound: one onPress per press, however
// long it is held or however much it bounces.
import { DebouncedInput, type InputSpec } from "./debounced-input";

export interface ExitButtonOptions {
  button: InputSpec;
  debounceMs?: number;
  onPress: () => void;
}

export class ExitButton {
  readonly #input: DebouncedInput;
  readonly #onPress: () => void;

  constructor(options: ExitButtonOptions) {
    this.#input = new DebouncedInput(options.button, options.debounceMs ?? 30);
    this.#onPress = options.onPress;
  }

  get pressed(): boolean {
    return this.#input.active;
  }

  tick(nowMs: number): void {
    if (this.#input.tick(nowMs) && this.#input.active) this.#onPress();
  }

  close(): void {
    this.#input.close();
  }
}
