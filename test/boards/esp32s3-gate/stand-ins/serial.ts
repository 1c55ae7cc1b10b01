// Moddable's ESP32 embedded:io/serial: a 128-byte TX FIFO that throws when a
// write does not fit, read(buffer) → count, callbacks from "interrupts" that
// the test delivers with drain() and type().
import { world } from "./rig";

const FIFO = 128;

export default class Serial {
  static current: Serial | undefined;
  #room = FIFO;
  readonly #options: any;

  constructor(options: any) {
    if (Serial.current) throw new Error("port in use");
    this.#options = options;
    world.uartOptions = options;
    Serial.current = this;
  }

  read(buffer: Uint8Array): number | undefined {
    if (!world.uartIn.length) return undefined;
    const n = Math.min(buffer.length, world.uartIn.length);
    for (let i = 0; i < n; i++) buffer[i] = world.uartIn.shift()!;
    return n;
  }

  write(buffer: Uint8Array): void {
    if (buffer.length > this.#room) throw new Error("output full");
    this.#room -= buffer.length;
    for (let i = 0; i < buffer.length; i++) world.uartOut.push(buffer[i]);
  }

  close(): void {
    Serial.current = undefined;
  }

  /** The FIFO emptied: the TX interrupt reports the room. */
  drain(): void {
    this.#room = FIFO;
    this.#options.onWritable.call(this, FIFO);
  }

  type(text: string): void {
    for (let i = 0; i < text.length; i++) world.uartIn.push(text.charCodeAt(i));
    this.#options.onReadable.call(this, world.uartIn.length);
  }
}
