// A membrane/matrix keypad wired to GPIO pins: rows driven by the MCU, columns
// read with pull-ups. A column reads low while some row that is driven low
// is connected to it through a closed key. Contacts bounce: for `bounceMs`
// after a press or release a contact reads open or closed at random
// (deterministic rng), as real domes do for a few ms.
import type { ModelClock } from "./clock";
import type { GpioBank } from "./gpio";
import { Rng } from "./rng";

export const LAYOUT_3X4 = ["123", "456", "789", "*0#"];
export const LAYOUT_4X4 = ["123A", "456B", "789C", "*0#D"];

interface Contact {
  closed: boolean;
  changedAt: number;
}

export interface KeypadMatrixOptions {
  gpio: GpioBank;
  clock: ModelClock;
  rows: number[];
  columns: number[];
  layout: string[];
  bounceMs?: number;
  rng?: Rng;
}

export class KeypadMatrix {
  readonly #gpio: GpioBank;
  readonly #clock: ModelClock;
  readonly #rows: number[];
  readonly #layout: string[];
  readonly #contacts: Contact[][];
  readonly #rng: Rng;
  bounceMs: number;

  constructor(options: KeypadMatrixOptions) {
    this.#gpio = options.gpio;
    this.#clock = options.clock;
    this.#rows = options.rows;
    this.#layout = options.layout;
    this.bounceMs = options.bounceMs ?? 5;
    this.#rng = options.rng ?? new Rng(0x6b6579);
    this.#contacts = options.rows.map(() => options.columns.map(() => ({ closed: false, changedAt: -Infinity })));
    options.columns.forEach((pin, c) => {
      options.gpio.pin(pin).source = () => this.#column(c);
    });
  }

  press(key: string): void {
    this.#set(key, true);
  }

  release(key: string): void {
    this.#set(key, false);
  }

  /** Keys currently held (ignoring bounce). */
  get held(): string[] {
    const keys: string[] = [];
    this.#contacts.forEach((row, r) => row.forEach((contact, c) => contact.closed && keys.push(this.#layout[r][c])));
    return keys;
  }

  #set(key: string, closed: boolean): void {
    const r = this.#layout.findIndex((row) => row.includes(key));
    if (r < 0) throw new RangeError(`no key ${key} on this keypad`);
    const contact = this.#contacts[r][this.#layout[r].indexOf(key)];
    if (contact.closed === closed) return;
    contact.closed = closed;
    contact.changedAt = this.#clock.now;
  }

  #closed(contact: Contact): boolean {
    if (this.#clock.now - contact.changedAt < this.bounceMs) return this.#rng.next() % 2 === 0;
    return contact.closed;
  }

  #column(c: number): 0 | undefined {
    for (let r = 0; r < this.#rows.length; r++) {
      if (this.#gpio.pin(this.#rows[r]).level === 0 && this.#closed(this.#contacts[r][c])) return 0;
    }
    return undefined;
  }
}
