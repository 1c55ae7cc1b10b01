// SerialConsole over a stand-in for Moddable's ESP32 `embedded:io/serial`:
// the same constructor shape (options bag with baud, pins, port, format and
// the onReadable/onWritable callbacks), a bounded TX FIFO whose write() throws
// "output full" like the ESP32 UART, and read(buffer) returning a count.
import assert from "node:assert/strict";
import { SerialConsole } from "../../src/drivers/serial-console";

class FakeUart {
  static last: FakeUart;
  readonly options: any;
  fifoRoom: number;
  readonly fifoSize: number;
  rx: number[] = [];
  sent: number[] = [];
  writes: number[] = [];
  closed = false;

  constructor(options: any) {
    this.options = options;
    this.fifoSize = options.fifo ?? 16;
    this.fifoRoom = this.fifoSize;
    FakeUart.last = this;
  }

  read(buffer: Uint8Array): number | undefined {
    if (this.rx.length === 0) return undefined;
    const n = Math.min(buffer.length, this.rx.length);
    for (let i = 0; i < n; i++) buffer[i] = this.rx.shift()!;
    return n;
  }

  write(buffer: Uint8Array): void {
    if (buffer.length > this.fifoRoom) throw new Error("output full");
    this.fifoRoom -= buffer.length;
    this.writes.push(buffer.length);
    for (let i = 0; i < buffer.length; i++) this.sent.push(buffer[i]);
  }

  close(): void {
    this.closed = true;
  }

  /** The UART shifted the FIFO out: the IO reports the room (as its TX-empty interrupt does). */
  drain(): void {
    this.fifoRoom = this.fifoSize;
    this.options.onWritable.call(this, this.fifoRoom);
  }

  /** Bytes arrive on RX: the IO tells how many. */
  type(text: string): void {
    for (let i = 0; i < text.length; i++) this.rx.push(text.charCodeAt(i));
    this.options.onReadable.call(this, this.rx.length);
  }
}

const text = (bytes: number[]) => String.fromCharCode(...bytes);

describe("SerialConsole (embedded:io/serial)", () => {
  it("opens the IO with the descriptor, buffer format and both callbacks", () => {
    new SerialConsole({ serial: { io: FakeUart, port: 0, transmit: 43, receive: 44, baud: 115200 } });
    const o = FakeUart.last.options;
    assert.equal(o.baud, 115200);
    assert.equal(o.port, 0);
    assert.equal(o.transmit, 43);
    assert.equal(o.receive, 44);
    assert.equal(o.format, "buffer");
    assert.equal(typeof o.onReadable, "function");
    assert.equal(typeof o.onWritable, "function");
  });

  it("hands typed bytes to onReceive through one receive buffer, draining more than one buffer's worth", () => {
    const got: string[] = [];
    const views = new Set<ArrayBufferLike>();
    const console = new SerialConsole({ serial: { io: FakeUart, baud: 115200, transmit: 1, receive: 2 }, receiveBytes: 4 });
    console.onReceive = (bytes) => {
      views.add(bytes.buffer);
      got.push(text([...bytes]));
    };
    FakeUart.last.type("login alice\r");
    assert.equal(got.join(""), "login alice\r");
    assert.deepEqual(got, ["logi", "n al", "ice\r"]);
    assert.equal(views.size, 1, "every read lands in the same buffer");
    assert.equal(console.stats.received, 12);
  });

  it("writes nothing before the IO reports room, then chunks to the room it reports", () => {
    const console = new SerialConsole({ serial: { io: FakeUart, baud: 115200, transmit: 1, fifo: 16 } });
    const uart = FakeUart.last;
    const message = "optgate technician console. Type help.\r\n> ";
    console.write(message);
    assert.equal(uart.sent.length, 0);
    uart.drain();
    assert.deepEqual(uart.writes, [16]);
    uart.drain();
    uart.drain();
    uart.drain();
    assert.equal(text(uart.sent), message);
    assert.ok(uart.writes.every((n) => n <= 16));
    assert.equal(console.stats.sent, message.length);
  });

  it("sends UTF-8 for strings and raw bytes as given, in order", () => {
    const console = new SerialConsole({ serial: { io: FakeUart, baud: 115200, transmit: 1, fifo: 64 } });
    const uart = FakeUart.last;
    uart.drain();
    console.write("é");
    console.write(new Uint8Array([0x1b, 0x5b, 0x4b]));
    assert.deepEqual(uart.sent, [0xc3, 0xa9, 0x1b, 0x5b, 0x4b]);
  });

  it("keeps order across the ring's wrap", () => {
    const console = new SerialConsole({ serial: { io: FakeUart, baud: 115200, transmit: 1, fifo: 5 }, sendBytes: 12 });
    const uart = FakeUart.last;
    let expected = "";
    for (let i = 0; i < 20; i++) {
      const line = `L${i};`;
      expected += line;
      console.write(line);
      uart.drain();
    }
    for (let i = 0; i < 5; i++) uart.drain();
    assert.equal(text(uart.sent), expected);
    assert.equal(console.stats.dropped, 0);
  });

  it("drops what does not fit while the terminal stalls, counts it, and says so once there is room", () => {
    const console = new SerialConsole({ serial: { io: FakeUart, baud: 115200, transmit: 1, fifo: 256 }, sendBytes: 128 });
    const uart = FakeUart.last;
    console.write("x".repeat(100));
    console.write("y".repeat(100));
    assert.equal(console.stats.dropped, 72);
    uart.drain();
    console.write("z");
    uart.drain();
    const out = text(uart.sent);
    assert.equal(out.slice(0, 128), "x".repeat(100) + "y".repeat(28));
    assert.match(out, /\[console output full: 72 bytes dropped\]/);
    assert.ok(out.endsWith("z"));
  });

  it("after close() neither writes nor reads", () => {
    let received = 0;
    const console = new SerialConsole({ serial: { io: FakeUart, baud: 115200, transmit: 1, receive: 2 }, onReceive: () => received++ });
    const uart = FakeUart.last;
    console.close();
    assert.ok(uart.closed);
    console.write("after");
    uart.fifoRoom = 16;
    uart.options.onWritable.call(uart, 16);
    uart.type("a");
    assert.equal(uart.sent.length, 0);
    assert.equal(received, 0);
  });
});
