// The Node side of the host board's TCP sockets (boards/host/tcp.ts): for each
// tcp-open event it opens a real connection (node:net), relays the bytes the
// firmware writes, and answers with tcp-connected / tcp-data / tcp-written /
// tcp-error commands, which the simulator queues like any other command.
//
// Like a TCP stack's receive window, the relay stops reading a connection
// while more than RECEIVE_WINDOW of its bytes wait for the board: a board
// busy applying sets then slows the broker down instead of queueing megabytes
// of commands, behind which its writes' tcp-written (and so its pings) waited
// past the broker's keepalive (the fleet bench, 45 s).
import net from "node:net";
import type { HostCommand, HostEvent } from "../../boards/host/protocol";

/** Bytes relayed to the board and not yet taken by it, past which the relay stops reading. */
export const RECEIVE_WINDOW = 32 * 1024;

export class TcpRelay {
  #send: (command: HostCommand) => Promise<unknown> | void;
  #sockets = new Map<number, net.Socket>();

  /**
   * `send` queues a command to the board; it must not wait for the answer. A
   * promise it returns settles when the board has taken the command: until
   * then the bytes of a tcp-data count against the receive window.
   */
  constructor(send: (command: HostCommand) => Promise<unknown> | void) {
    this.#send = send;
  }

  /** Acts on the board's tcp-* events; ignores the others. */
  event(event: HostEvent): void {
    switch (event.e) {
      case "tcp-open": this.#open(event.id, event.host, event.port); return;
      case "tcp-write": {
        const socket = this.#sockets.get(event.id);
        const count = event.data.length;
        socket?.write(Buffer.from(event.data, "latin1"), () => {
          if (this.#sockets.get(event.id) === socket) this.#send({ t: "tcp-written", id: event.id, count });
        });
        return;
      }
      case "tcp-close": {
        const socket = this.#sockets.get(event.id);
        this.#sockets.delete(event.id);
        socket?.destroy();
        return;
      }
    }
  }

  /** Open connections (tests check the relay lets them go). */
  get openCount(): number {
    return this.#sockets.size;
  }

  close(): void {
    for (const socket of this.#sockets.values()) socket.destroy();
    this.#sockets.clear();
  }

  #open(id: number, host: string, port: number): void {
    const socket = net.connect({ host, port, noDelay: true });
    this.#sockets.set(id, socket);
    const mine = () => this.#sockets.get(id) === socket;
    socket.on("connect", () => { if (mine()) this.#send({ t: "tcp-connected", id }); });
    let waiting = 0;
    socket.on("data", (chunk: Buffer) => {
      if (!mine()) return;
      const taken = this.#send({ t: "tcp-data", id, data: chunk.toString("latin1") });
      if (!taken) return;
      waiting += chunk.length;
      if (waiting > RECEIVE_WINDOW) socket.pause();
      const done = () => {
        waiting -= chunk.length;
        if (socket.isPaused() && waiting <= RECEIVE_WINDOW / 2 && mine()) socket.resume();
      };
      taken.then(done, done);
    });
    const lost = () => {
      if (!mine()) return;
      this.#sockets.delete(id);
      socket.destroy();
      this.#send({ t: "tcp-error", id });
    };
    socket.on("error", lost);
    socket.on("close", lost);
  }
}
