// The host board's TCP socket, shaped like ECMA-419 embedded:io/socket/tcp (the
// part src/app/mqtt-tcp-link.ts uses). Its bytes travel over the simulator
// protocol: the socket emits tcp-open / tcp-write / tcp-close events in
// handleCommand's answers, and the Node side (tools/sim/tcp-relay.ts) opens a
// real connection and answers with tcp-connected / tcp-data / tcp-written /
// tcp-error commands. Nothing here waits for the network: each callback runs
// when its command arrives, so gate decisions never depend on a round trip.
import type { HostEvent } from "./protocol";

/** Bytes a socket may have in flight towards Node before it must wait for tcp-written. */
export const HOST_TCP_WINDOW = 8 * 1024;

export interface HostTcpOptions {
  host?: string;
  address?: string;
  port: number;
  onReadable?: (count: number) => void;
  onWritable?: (count: number) => void;
  onError?: () => void;
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

/** The open sockets of one board, by id; the board's entry routes the tcp-* commands here. */
export class HostTcpNetwork {
  #emit: (event: HostEvent) => void;
  #sockets = new Map<number, HostTcpSocket>();
  #nextId = 1;

  constructor(emit: (event: HostEvent) => void) {
    this.#emit = emit;
  }

  /** The socket class for this board (what `embedded:io/socket/tcp` is on the ESP32-S3). */
  get io(): new (options: HostTcpOptions) => HostTcpSocket {
    const network = this;
    return class extends HostTcpSocket {
      constructor(options: HostTcpOptions) {
        super(network, options);
      }
    };
  }

  /** @internal */ open(socket: HostTcpSocket, options: HostTcpOptions): number {
    const host = options.address ?? options.host;
    if (!host || !Number.isInteger(options.port)) throw new Error("tcp: host or address, and port, are required");
    const id = this.#nextId++;
    this.#sockets.set(id, socket);
    this.#emit({ e: "tcp-open", id, host, port: options.port });
    return id;
  }

  /** @internal */ emit(event: HostEvent): void {
    this.#emit(event);
  }

  /** @internal */ forget(id: number): void {
    this.#sockets.delete(id);
  }

  connected(id: number): void { this.#sockets.get(id)?.connected(); }
  data(id: number, data: string): void { this.#sockets.get(id)?.received(data); }
  written(id: number, count: number): void { this.#sockets.get(id)?.written(count); }
  error(id: number): void { this.#sockets.get(id)?.failed(); }

  /** How many sockets are open (diagnostics and tests). */
  get openCount(): number {
    return this.#sockets.size;
  }
}

export class HostTcpSocket {
  #network: HostTcpNetwork;
  #options: HostTcpOptions;
  #id: number;
  #open = true;
  #connected = false;
  #writable = 0;
  /** Bytes received and not read yet. */
  #incoming: Uint8Array[] = [];
  #incomingBytes = 0;

  constructor(network: HostTcpNetwork, options: HostTcpOptions) {
    this.#network = network;
    this.#options = options;
    this.#id = network.open(this, options);
  }

  read(byteLength: number): ArrayBuffer {
    const n = Math.min(byteLength, this.#incomingBytes);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const chunk = this.#incoming[0];
      const take = Math.min(chunk.length, n - at);
      out.set(chunk.subarray(0, take), at);
      at += take;
      if (take === chunk.length) this.#incoming.shift();
      else this.#incoming[0] = chunk.subarray(take);
    }
    this.#incomingBytes -= n;
    return out.buffer as ArrayBuffer;
  }

  write(bytes: Uint8Array): void {
    if (!this.#open || !this.#connected) throw new Error("tcp: not connected");
    if (bytes.length > this.#writable) throw new Error("tcp: more bytes than onWritable allowed");
    this.#writable -= bytes.length;
    this.#network.emit({ e: "tcp-write", id: this.#id, data: latin1(bytes) });
  }

  close(): void {
    if (!this.#open) return;
    this.#shut();
    this.#network.emit({ e: "tcp-close", id: this.#id });
  }

  /** @internal */ connected(): void {
    if (!this.#open || this.#connected) return;
    this.#connected = true;
    this.#writable = HOST_TCP_WINDOW;
    this.#options.onWritable?.(this.#writable);
  }

  /** @internal */ received(data: string): void {
    if (!this.#open || data.length === 0) return;
    this.#incoming.push(Uint8Array.from(data, (c) => c.charCodeAt(0)));
    this.#incomingBytes += data.length;
    this.#options.onReadable?.(this.#incomingBytes);
  }

  /** @internal */ written(count: number): void {
    if (!this.#open) return;
    this.#writable = Math.min(HOST_TCP_WINDOW, this.#writable + count);
    this.#options.onWritable?.(this.#writable);
  }

  /** @internal */ failed(): void {
    if (!this.#open) return;
    this.#shut();
    this.#options.onError?.();
  }

  #shut(): void {
    this.#open = false;
    this.#connected = false;
    this.#incoming.length = 0;
    this.#incomingBytes = 0;
    this.#network.forget(this.#id);
  }
}
