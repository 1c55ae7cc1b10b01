// A TCP socket class that also takes a host name. Moddable's ESP32 build of
// embedded:io/socket/tcp (modules/io/socket/lwip/tcp.c) takes only a dotted
// `address` and throws "invalid address" for anything else, while the hub
// link gives the broker's `host` when it is a DNS name (src/app/fleet.ts).
// This class looks the name up first (Moddable's Net.resolve: the answer
// always comes later, from the event loop, with undefined when the name does
// not resolve) and then opens the real socket with the address; until then
// the socket is simply not writable yet, and a name that does not resolve is
// reported through onError like a refused connection.
import { isDottedIpv4 } from "../core/net-address";

/** The part of an ECMA-419 TCP socket's options this class looks at; the rest passes through. */
export interface TcpOptions {
  host?: string;
  address?: string;
  port: number;
  onError?: () => void;
}

export interface TcpSocket {
  read(byteLength: number): ArrayBuffer | number;
  write(bytes: Uint8Array): void;
  close(): void;
}

export type TcpClass<O extends TcpOptions = TcpOptions> = new (options: O) => TcpSocket;

/** Net.resolve(name, callback) as Moddable's `net` module offers it. */
export type Resolve = (name: string, callback: (name: string, address?: string) => void) => void;

export function resolvingTcp<O extends TcpOptions>(io: TcpClass<O>, resolve: Resolve): TcpClass<O> {
  return class ResolvingTcp implements TcpSocket {
    #socket: TcpSocket | undefined;
    #closed = false;

    constructor(options: O) {
      const { host, ...rest } = options;
      if (options.address !== undefined || host === undefined) {
        this.#socket = new io(options);
      } else if (isDottedIpv4(host)) {
        this.#socket = new io({ ...rest, address: host } as O);
      } else {
        resolve(host, (_name, address) => {
          if (this.#closed) return;
          if (address === undefined) {
            this.#closed = true;
            options.onError?.();
            return;
          }
          try {
            this.#socket = new io({ ...rest, address } as O);
          } catch {
            this.#closed = true;
            options.onError?.();
          }
        });
      }
    }

    read(byteLength: number): ArrayBuffer | number {
      if (!this.#socket) throw new Error("tcp: not connected");
      return this.#socket.read(byteLength);
    }

    write(bytes: Uint8Array): void {
      if (!this.#socket) throw new Error("tcp: not connected");
      this.#socket.write(bytes);
    }

    close(): void {
      this.#closed = true;
      this.#socket?.close();
      this.#socket = undefined;
    }
  };
}
