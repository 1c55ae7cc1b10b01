// embedded:io/socket/tcp over a Node net.Socket, for driving board code
// against real servers on the host: the first onWritable means connected,
// write() throws past the space onWritable granted, onError means gone.
import net from "node:net";
import type { TcpOptions, TcpSocket } from "../../src/app/mqtt-tcp-link";

/** Bytes the socket accepts before Node has flushed them (the board's lwIP send buffer is of this order). */
const WINDOW = 5744;

export class NodeTcpSocket implements TcpSocket {
  /** Every socket made, so a test can cut or stall one. */
  static made: NodeTcpSocket[] = [];
  readonly node: net.Socket;
  #options: TcpOptions;
  #chunks: Buffer[] = [];
  #queued = 0;
  #space = WINDOW;
  #failed = false;
  #stalled = false;

  constructor(options: TcpOptions) {
    this.#options = options;
    NodeTcpSocket.made.push(this);
    this.node = net.connect({ host: options.address ?? options.host, port: options.port, noDelay: options.nodelay });
    this.node.on("connect", () => options.onWritable?.(this.#space));
    this.node.on("data", (data) => {
      if (this.#stalled) return;
      this.#chunks.push(data);
      this.#queued += data.length;
      options.onReadable?.(this.#queued);
    });
    const fail = () => {
      if (this.#failed) return;
      this.#failed = true;
      options.onError?.();
    };
    this.node.on("error", fail);
    this.node.on("close", fail);
  }

  read(byteLength: number): ArrayBuffer {
    const all = Buffer.concat(this.#chunks);
    const n = Math.min(byteLength, all.length);
    this.#chunks = n < all.length ? [all.subarray(n)] : [];
    this.#queued -= n;
    return all.buffer.slice(all.byteOffset, all.byteOffset + n) as ArrayBuffer;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length > this.#space) throw new Error("TCP write: more than onWritable allowed");
    this.#space -= bytes.length;
    this.node.write(Buffer.from(bytes), () => {
      this.#space += bytes.length;
      if (!this.#failed) this.#options.onWritable?.(this.#space);
    });
  }

  close(): void {
    this.#failed = true;
    this.node.destroy();
  }

  /** The network drops: reset the connection under the client. */
  cut(): void {
    this.node.resetAndDestroy();
  }

  /** The broker goes silent without closing: incoming bytes are dropped from now on. */
  stall(): void {
    this.#stalled = true;
  }
}
