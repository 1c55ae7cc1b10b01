// Matrix keypad (3x4 or 4x4) on digital pins: rows are open-drain outputs
// pulled low one at a time, columns are inputs with pull-ups. Scanned in
// tick(nowMs); all state lives on the instance (unlike a function-level
// static debounce, two keypads do not share state).
//
// Events:
// - onKey(key): a single key that became stably pressed after all keys were
//   released (debounce, and no repeat while held).
// - onError(E_KEYPAD_MULTIPLE): two or more keys at once. No key event: a
//   PIN must never be assembled from ambiguous presses (ghosting).
// - onError(E_KEYPAD_STUCK): a key held longer than stuckMs. It is masked
//   out until it reads released, so the rest of the keypad keeps working.
//
// Options:
// - rows: IO descriptors of the row pins, top to bottom [REQUIRED]
// - columns: IO descriptors of the column pins, left to right [REQUIRED]
// - keys: key labels row by row [OPTIONAL, default by size "123456789*0#" or "123A456B789C*0#D"]
// - debounceMs [OPTIONAL, default 30], stuckMs [OPTIONAL, default 10000]
import { OptgateError } from "../core/errors";
import type { DigitalInstance, DigitalSpec } from "./io";
import { openInput } from "./io";

export interface KeypadOptions {
  rows: DigitalSpec[];
  columns: DigitalSpec[];
  keys?: string;
  debounceMs?: number;
  stuckMs?: number;
  onKey: (key: string) => void;
  onError?: (error: OptgateError) => void;
}

const DEFAULT_KEYS: Record<string, string> = { "4x3": "123456789*0#", "4x4": "123A456B789C*0#D" };

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

export class Keypad {
  #rows: DigitalInstance[] = [];
  #columns: DigitalInstance[] = [];
  readonly #keys: string[];
  readonly #debounceMs: number;
  readonly #stuckMs: number;
  readonly #onKey: (key: string) => void;
  readonly #onError: ((error: OptgateError) => void) | undefined;
  #raw = 0;
  #rawSince = 0;
  #stable = 0;
  #stableSince = 0;
  #stuck = 0;
  /** All (non-stuck) keys were released since the last event. */
  #armed = true;
  #multipleReported = false;
  #stuckReported = false;

  constructor(options: KeypadOptions) {
    const nr = options.rows.length, nc = options.columns.length;
    const keys = options.keys ?? DEFAULT_KEYS[`${nr}x${nc}`];
    if (!keys || keys.length !== nr * nc || nr * nc > 30) {
      throw new OptgateError("E_KEYPAD_LAYOUT", `a ${nr}x${nc} keypad needs ${nr * nc} key labels; pass options.keys`);
    }
    this.#keys = keys.split("");
    this.#debounceMs = options.debounceMs ?? 30;
    this.#stuckMs = options.stuckMs ?? 10_000;
    this.#onKey = options.onKey;
    this.#onError = options.onError;
    try {
      for (const spec of options.columns) this.#columns.push(openInput(spec));
      for (const spec of options.rows) {
        // Open-drain rows: two keys in one column cannot short a high row to a low one.
        const mode = spec.io.OutputOpenDrain ?? spec.io.Output;
        const pin = new spec.io({ ...spec, mode });
        pin.write(1);
        this.#rows.push(pin);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Keys masked out as stuck (bit r * columns + c). */
  get stuckMask(): number {
    return this.#stuck;
  }

  tick(nowMs: number): void {
    if (!this.#rows.length) return;
    const mask = this.#scan();
    if (mask !== this.#raw) {
      this.#raw = mask;
      this.#rawSince = nowMs;
    }
    if (this.#raw !== this.#stable && nowMs - this.#rawSince >= this.#debounceMs) {
      this.#stable = this.#raw;
      this.#stableSince = nowMs;
      this.#changed();
    }
    const active = this.#stable & ~this.#stuck;
    if (active && nowMs - this.#stableSince >= this.#stuckMs) {
      // Every active key is now masked, so the rest of the keypad counts as released.
      this.#stuck |= active;
      this.#armed = true;
      if (!this.#stuckReported) {
        this.#stuckReported = true;
        this.#onError?.(new OptgateError("E_KEYPAD_STUCK", "a keypad key has been held down for a long time; check the keypad for a stuck key or short"));
      }
    }
  }

  close(): void {
    for (const pin of this.#rows) pin.close();
    for (const pin of this.#columns) pin.close();
    this.#rows = [];
    this.#columns = [];
  }

  #scan(): number {
    const rows = this.#rows, columns = this.#columns, nc = columns.length;
    let mask = 0;
    for (let r = 0; r < rows.length; r++) {
      rows[r].write(0);
      for (let c = 0; c < nc; c++) if (columns[c].read() === 0) mask |= 1 << (r * nc + c);
      rows[r].write(1);
    }
    return mask;
  }

  #changed(): void {
    // Stuck keys that read released again rejoin the keypad.
    this.#stuck &= this.#stable;
    if (!this.#stuck) this.#stuckReported = false;
    const active = this.#stable & ~this.#stuck;
    if (active === 0) {
      this.#armed = true;
      this.#multipleReported = false;
      return;
    }
    if (popcount(active) > 1) {
      this.#armed = false;
      if (!this.#multipleReported) {
        this.#multipleReported = true;
        this.#onError?.(new OptgateError("E_KEYPAD_MULTIPLE", "two or more keys were pressed at once; the input was ignored, press one key at a time"));
      }
      return;
    }
    if (!this.#armed) return;
    this.#armed = false;
    this.#onKey(this.#keys[31 - Math.clz32(active)]);
  }
}
