// A small driver for xsnap-worker (the XS engine built by @agoric/xsnap).
// Protocol: netstrings on fd 3 (to the worker) and fd 4 (from the worker).
//   e<source>  evaluate a script   → .<meter json>\x01<result bytes>  or  !<error>
//   ?<bytes>   call globalThis.handleCommand(ArrayBuffer)
// While a request runs, the worker may send ?<bytes> (its issueCommand); we answer /<bytes>.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Readable, Writable } from "node:stream";

export interface Meter {
  compute: number;
  allocate: number;
  currentHeapCount: number;
}

export interface Reply {
  result: Uint8Array;
  meter: Meter;
}

/** Answers a synchronous issueCommand() from inside XS. */
export type CommandHandler = (message: Uint8Array) => Uint8Array | string | void;

export interface XsWorkerOptions {
  /** Computron limit per request; a runaway loop ends the worker with an error. */
  meteringLimit?: number;
  onCommand?: CommandHandler;
  /** Where the worker's stdout/stderr (XS `print`) go; default: this process's stderr. */
  output?: "inherit" | "pipe" | "ignore";
}

const require = createRequire(import.meta.url);

export function xsnapWorkerPath(): string {
  const pkg = path.dirname(require.resolve("@agoric/xsnap/package.json"));
  const bin = path.join(pkg, "xsnap-native/xsnap/build/bin/lin/release/xsnap-worker");
  if (!existsSync(bin)) throw new Error(`xsnap-worker not built at ${bin}: run npm ci`);
  return bin;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EXIT_REASONS: Record<number, string> = {
  17: "computron meter limit exceeded (runaway loop?)",
  11: "XS memory full",
  12: "XS stack overflow",
};

export class XsWorker {
  #child: ChildProcess;
  #toWorker: Writable;
  #pending: Buffer = Buffer.alloc(0);
  #waiter?: { resolve(r: Reply): void; reject(e: Error): void };
  #exit?: Error;
  #onCommand?: CommandHandler;
  readonly output?: Readable | null;

  constructor(options: XsWorkerOptions = {}) {
    const args = ["optgate"];
    if (options.meteringLimit) args.push("-l", String(options.meteringLimit));
    const out = options.output ?? "inherit";
    this.#child = spawn(xsnapWorkerPath(), args, {
      stdio: ["ignore", out === "inherit" ? 2 : out, out === "inherit" ? 2 : out, "pipe", "pipe"],
    });
    this.output = out === "pipe" ? this.#child.stdout : undefined;
    this.#onCommand = options.onCommand;
    this.#toWorker = this.#child.stdio[3] as Writable;
    (this.#child.stdio[4] as Readable).on("data", (chunk: Buffer) => this.#receive(chunk));
    this.#toWorker.on("error", () => {});
    this.#child.on("exit", (code, signal) => {
      const reason = (code !== null && EXIT_REASONS[code]) || `exit ${code ?? signal}`;
      this.#exit = new Error(`xsnap worker stopped: ${reason}`);
      this.#waiter?.reject(this.#exit);
      this.#waiter = undefined;
    });
  }

  /** Evaluate a script; the reply carries the script's ArrayBuffer result (if any) and the meter. */
  evaluate(source: string): Promise<Reply> {
    return this.#request("e", encoder.encode(source));
  }

  /** Deliver bytes to globalThis.handleCommand inside XS. */
  command(message: Uint8Array | string): Promise<Reply> {
    return this.#request("?", typeof message === "string" ? encoder.encode(message) : message);
  }

  set onCommand(handler: CommandHandler | undefined) {
    this.#onCommand = handler;
  }

  async close(): Promise<void> {
    if (this.#exit) return;
    const exited = new Promise((resolve) => this.#child.once("exit", resolve));
    this.#toWorker.end();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(timer);
  }

  #request(kind: string, body: Uint8Array): Promise<Reply> {
    if (this.#exit) return Promise.reject(this.#exit);
    if (this.#waiter) return Promise.reject(new Error("xsnap worker is busy"));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#send(kind, body);
    });
  }

  #send(kind: string, body: Uint8Array): void {
    const payload = Buffer.concat([Buffer.from(kind), body]);
    this.#toWorker.write(Buffer.concat([Buffer.from(`${payload.length}:`), payload, Buffer.from(",")]));
  }

  #receive(chunk: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    for (;;) {
      const colon = this.#pending.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.#pending.subarray(0, colon).toString("latin1"));
      if (this.#pending.length < colon + 1 + length + 1) return;
      const message = this.#pending.subarray(colon + 1, colon + 1 + length);
      this.#pending = this.#pending.subarray(colon + 1 + length + 1);
      this.#dispatch(Buffer.from(message));
    }
  }

  #dispatch(message: Buffer): void {
    const kind = String.fromCharCode(message[0]);
    const body = message.subarray(1);
    if (kind === "?") {
      let answer: Uint8Array | string | void = undefined;
      try {
        answer = this.#onCommand?.(new Uint8Array(body));
      } catch (error) {
        answer = JSON.stringify({ hostError: String(error) });
      }
      this.#send("/", typeof answer === "string" ? encoder.encode(answer) : (answer ?? new Uint8Array(0)));
      return;
    }
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (!waiter) return;
    if (kind === ".") {
      const split = body.indexOf(1);
      const meter = JSON.parse(body.subarray(0, split).toString("utf8")) as Meter;
      waiter.resolve({ meter, result: new Uint8Array(body.subarray(split + 1)) });
    } else {
      waiter.reject(new Error(`XS: ${decoder.decode(body)}`));
    }
  }
}
