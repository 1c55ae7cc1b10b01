// The MQTT client's link over an ECMA-419 TCP socket (embedded:io/socket/tcp
// on the board; a Node-backed class or a model in tests). The socket signals
// the connection by its first onWritable, data by onReadable, loss by
// onError; write() accepts only as many bytes as the last onWritable allowed,
// so outgoing bytes wait in one buffer allocated once. A link that cannot
// keep up (the buffer would overflow) is closed, never grown: the client
// resends what matters after reconnecting.
import type { MqttClient, MqttLink } from "../core/mqtt/client";

/** The part of embedded:io/socket/tcp this link uses. */
export interface TcpSocket {
  read(byteLength: number): ArrayBuffer | number;
  write(bytes: Uint8Array): void;
  close(): void;
}

export interface TcpOptions {
  host?: string;
  address?: string;
  port: number;
  nodelay?: boolean;
  format?: "buffer";
  onReadable?: (count: number) => void;
  onWritable?: (count: number) => void;
  onError?: () => void;
}

export interface TcpLinkSpec {
  /** [REQUIRED] The socket class: embedded:io/socket/tcp on the board. */
  io: new (options: TcpOptions) => TcpSocket;
  /** [REQUIRED] host name or address, and port, of the broker. */
  host?: string;
  address?: string;
  port: number;
  /** [OPTIONAL] Bytes waiting for socket space; at least the client's maxPacket. Default 16 KiB. */
  bufferBytes?: number;
  /** [REQUIRED] Runs `fn` soon, outside the current call (Timer.set(fn, 0) on the board). */
  defer: (fn: () => void) => void;
}

export class TcpMqttLink implements MqttLink {
  #spec: TcpLinkSpec;
  #client: MqttClient | undefined;
  #socket: TcpSocket | undefined;
  #connected = false;
  #writable = 0;
  #out: Uint8Array;
  #waiting = 0;
  /** Counts open() calls, so a deferred report about an old connection is dropped. */
  #opens = 0;

  constructor(spec: TcpLinkSpec) {
    if (!spec?.io || !spec.defer || !(spec.host || spec.address) || !Number.isInteger(spec.port)) {
      throw new Error("TcpMqttLink: io, host or address, port and defer are required");
    }
    this.#spec = spec;
    this.#out = new Uint8Array(spec.bufferBytes ?? 16 * 1024);
  }

  /** The client this link reports to (the client needs the link first, so they meet here). */
  attach(client: MqttClient): void {
    this.#client = client;
  }

  open(): void {
    this.#drop();
    this.#opens++;
    const spec = this.#spec;
    let socket: TcpSocket | undefined;
    const mine = () => socket !== undefined && socket === this.#socket;
    try {
      socket = new spec.io({
        ...(spec.address ? { address: spec.address } : { host: spec.host }),
        port: spec.port,
        nodelay: true,
        format: "buffer",
        onWritable: (count) => { if (mine()) this.#onWritable(count); },
        onReadable: (count) => { if (mine()) this.#onReadable(count); },
        onError: () => { if (mine()) this.#lost(); },
      });
    } catch {
      this.#fail("E_MQTT_LINK_OPEN");
      return;
    }
    this.#socket = socket;
  }

  write(bytes: Uint8Array): void {
    if (!this.#socket) return;
    if (this.#waiting + bytes.length > this.#out.length) {
      this.#fail("E_MQTT_LINK_OVERFLOW");
      return;
    }
    this.#out.set(bytes, this.#waiting);
    this.#waiting += bytes.length;
    this.#flush();
  }

  close(): void {
    this.#drop();
  }

  /** Bytes write() can take now without failing (what the socket has not taken yet waits in the buffer). */
  get room(): number {
    return this.#out.length - this.#waiting;
  }

  #onWritable(count: number): void {
    this.#writable = count;
    if (!this.#connected) {
      this.#connected = true;
      this.#client?.linkUp();
    }
    this.#flush();
  }

  #onReadable(count: number): void {
    const data = this.#socket!.read(count);
    if (typeof data !== "number" && data.byteLength > 0) this.#client?.bytesIn(new Uint8Array(data));
  }

  #flush(): void {
    const n = Math.min(this.#writable, this.#waiting);
    if (n === 0 || !this.#socket || !this.#connected) return;
    try {
      this.#socket.write(this.#out.subarray(0, n));
    } catch {
      this.#fail("E_MQTT_LINK_WRITE");
      return;
    }
    this.#writable -= n;
    this.#out.copyWithin(0, n, this.#waiting);
    this.#waiting -= n;
  }

  /** The socket reported an error or the peer closed it. */
  #lost(): void {
    this.#drop();
    this.#client?.linkDown("E_MQTT_LINK_LOST");
  }

  /** Closes now, tells the client later (it may be inside a call to us), with why. */
  #fail(code: string): void {
    this.#drop();
    const opens = this.#opens;
    this.#spec.defer(() => { if (opens === this.#opens) this.#client?.linkDown(code); });
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connected = false;
    this.#writable = 0;
    this.#waiting = 0;
    try { socket?.close(); } catch { /* already closed by the peer */ }
  }
}
