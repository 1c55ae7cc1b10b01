// The firmware's console UART on a pseudo-terminal: the slave path (e.g.
// /dev/pts/4) works with picocom, screen or tools/optgate. Bytes the
// technician types arrive on the master and go to the firmware; the
// firmware's output is written back to the master.
import { createRequire } from "node:module";

interface PtyPair {
  _pty: string;
  _master: NodeJS.ReadWriteStream & { destroy(): void };
  _slave: NodeJS.ReadStream;
}

const require = createRequire(import.meta.url);

export class PtyConsole {
  readonly path: string;
  #pair: PtyPair;

  constructor(onInput: (bytes: Uint8Array) => void) {
    const pty = require("node-pty") as { open(options: { encoding: null }): PtyPair };
    this.#pair = pty.open({ encoding: null });
    this.path = this.#pair._pty;
    // Raw line discipline, so our output is never echoed back to us as input;
    // our own slave handle stays open (the master keeps working when a
    // terminal program disconnects) but never reads: the user's program does.
    this.#pair._slave.setRawMode(true);
    this.#pair._slave.pause();
    this.#pair._master.on("data", (chunk: Buffer) => onInput(new Uint8Array(chunk)));
    this.#pair._master.on("error", () => undefined);
  }

  write(bytes: Uint8Array): void {
    this.#pair._master.write(Buffer.from(bytes));
  }

  close(): void {
    this.#pair._master.destroy();
    (this.#pair._slave as unknown as { destroy(): void }).destroy();
  }
}
