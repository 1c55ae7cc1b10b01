// The technician console's byte link over an ECMA-419 serial IO
// (`embedded:io/serial`, a UART on the ESP32-S3). It is the board's
// ConsolePort: text written by the console goes out through a ring buffer
// in chunks no larger than the room the IO reported (Moddable's ESP32 UART
// throws "output full" when a write exceeds the TX FIFO's free space), and
// bytes typed by the technician arrive through onReadable into one receive
// buffer allocated at construction and are handed to `onReceive`.
//
// Options:
//   serial     [REQUIRED] IO descriptor {io: Serial, port?, transmit, receive, baud, ...}
//   onReceive  [OPTIONAL] called with the bytes read (a view of the receive buffer,
//              valid only during the call); may also be set later
//   receiveBytes [OPTIONAL] receive buffer size, default 128 (the S3's UART RX FIFO)
//   sendBytes  [OPTIONAL] output ring size, default 8192; what does not fit is
//              dropped and counted, and a notice says so once there is room
import type { ConsolePort } from "../core/ports";
import { utf8 } from "../core/crypto";
import type { BufferLike } from "./io";

export interface SerialInstance {
  read(buffer: BufferLike): number | undefined;
  write(buffer: BufferLike): void;
  close(): void;
}

export interface SerialClass {
  new (options: any): SerialInstance;
}

/** `{io: Serial, port?, transmit, receive, baud}` plus anything the IO accepts. */
export interface SerialSpec {
  io: SerialClass;
  baud: number;
  [option: string]: unknown;
}

export interface SerialConsoleOptions {
  serial: SerialSpec;
  onReceive?: (bytes: Uint8Array) => void;
  receiveBytes?: number;
  sendBytes?: number;
}

export interface SerialConsoleStats {
  received: number;
  sent: number;
  /** Output bytes dropped because the ring was full (a stalled or absent terminal). */
  dropped: number;
}

export class SerialConsole implements ConsolePort {
  onReceive: ((bytes: Uint8Array) => void) | undefined;
  readonly stats: SerialConsoleStats = { received: 0, sent: 0, dropped: 0 };
  #serial: SerialInstance | undefined;
  readonly #in: Uint8Array;
  readonly #ring: Uint8Array;
  #head = 0;
  #length = 0;
  /** Bytes the IO last said it can take; writes never exceed it. */
  #room = 0;
  #droppedSinceNotice = 0;

  constructor(options: SerialConsoleOptions) {
    this.onReceive = options.onReceive;
    this.#in = new Uint8Array(options.receiveBytes ?? 128);
    this.#ring = new Uint8Array(options.sendBytes ?? 8192);
    const self = this;
    this.#serial = new options.serial.io({
      ...options.serial,
      format: "buffer",
      onReadable(count: number) {
        self.#readable(count);
      },
      onWritable(count: number) {
        self.#room = count;
        self.#pump();
      },
    });
  }

  write(data: Uint8Array | string): void {
    if (!this.#serial) return;
    const bytes = typeof data === "string" ? utf8(data) : data;
    if (this.#droppedSinceNotice && this.#free() > 64) {
      const count = this.#droppedSinceNotice;
      this.#droppedSinceNotice = 0;
      this.#enqueue(utf8(`\r\n[console output full: ${count} bytes dropped]\r\n`));
    }
    this.#enqueue(bytes);
    this.#pump();
  }

  close(): void {
    const serial = this.#serial;
    this.#serial = undefined;
    this.#length = 0;
    serial?.close();
  }

  #readable(count: number): void {
    const serial = this.#serial;
    if (!serial) return;
    // Read until the IO is drained (it may have more than `count` by now, or less).
    for (let guard = count + this.#in.length; guard > 0; guard -= this.#in.length) {
      const n = serial.read(this.#in) ?? 0;
      if (n <= 0) break;
      this.stats.received += n;
      this.onReceive?.(this.#in.subarray(0, n));
    }
  }

  #free(): number {
    return this.#ring.length - this.#length;
  }

  #enqueue(bytes: Uint8Array): void {
    const take = Math.min(bytes.length, this.#free());
    if (take < bytes.length) {
      this.stats.dropped += bytes.length - take;
      this.#droppedSinceNotice += bytes.length - take;
    }
    const size = this.#ring.length;
    const tail = (this.#head + this.#length) % size;
    const first = Math.min(take, size - tail);
    this.#ring.set(bytes.subarray(0, first), tail);
    if (take > first) this.#ring.set(bytes.subarray(first, take), 0);
    this.#length += take;
  }

  #pump(): void {
    const serial = this.#serial;
    while (serial && this.#room > 0 && this.#length > 0) {
      const n = Math.min(this.#room, this.#length, this.#ring.length - this.#head);
      const chunk = this.#ring.subarray(this.#head, this.#head + n);
      // Room is spent before the call: the IO may report new room from inside write().
      this.#room -= n;
      this.#head = (this.#head + n) % this.#ring.length;
      this.#length -= n;
      this.stats.sent += n;
      serial.write(chunk);
    }
  }
}
