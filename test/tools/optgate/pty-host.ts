// A gate console on a pseudo-terminal, for Node tests of the host tool and
// the picocom-style end-to-end test: the real core (GateCore) behind the
// console, the console's bytes on the PTY master, the slave path for clients.
// Used until/unless the simulator's firmware console is available; the
// console code and backend are the same ones the firmware runs.
import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { createSyntheticFrame, SyntheticEmbedder } from "../../../boards/host/synthetic-embedder";
import { CoreConsoleBackend } from "../../../src/app/console-backend";
import { GateCore } from "../../../src/app/core";
import { LogStore } from "../../../src/core/store/log-store";
import { NorFlash } from "../../../boards/host/nor-flash";
import { openAudit } from "../../app/audit-rig";
import { Console } from "../../../src/core/console/console";
import { makeTechnician } from "../../../src/core/console/technicians";
import { TsMatcher } from "../../../src/core/matcher/ts-matcher";

interface PtyPair {
  _pty: string;
  _master: NodeJS.ReadWriteStream & { destroy(): void };
  _slave: NodeJS.ReadStream & { destroy(): void };
}

export interface PtyGate {
  path: string;
  core: GateCore;
  clock: { now: number };
  close(): void;
}

export const TECH = { id: "tech1", password: "installer-pass-1" };

/**
 * A PTY pair whose slave a terminal program opens. Our own tty stream on the
 * slave would read (steal) what is written to the master, even paused, so it
 * is closed and the slave is kept open by a plain descriptor that never reads.
 */
export function openPty(onInput: (bytes: Uint8Array) => void): { path: string; write(data: string | Uint8Array): void; close(): void } {
  const require = createRequire(import.meta.url);
  const pty = require("node-pty") as { open(options: { encoding: null }): PtyPair };
  const pair = pty.open({ encoding: null });
  pair._slave.setRawMode(true);
  const keep = openSync(pair._pty, "r+");
  pair._slave.destroy();
  pair._master.on("data", (chunk: Buffer) => onInput(new Uint8Array(chunk)));
  pair._master.on("error", () => undefined);
  // Writes to the master block once the PTY buffer is full, and here the
  // reader (the client under test) lives in the same process: write small
  // pieces and yield between them, as a UART drains at its own pace.
  const queue: Buffer[] = [];
  let pumping = false;
  let closed = false;
  const pump = () => {
    const chunk = queue.shift();
    if (!chunk || closed) {
      pumping = false;
      return;
    }
    pair._master.write(chunk.subarray(0, 512));
    if (chunk.length > 512) queue.unshift(chunk.subarray(512));
    setTimeout(pump, 1);
  };
  return {
    path: pair._pty,
    write: (data) => {
      queue.push(typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data));
      if (!pumping) {
        pumping = true;
        setImmediate(pump);
      }
    },
    close() {
      closed = true;
      pair._master.destroy();
      closeSync(keep);
    },
  };
}

/** The gate (real core, console) behind any byte link. */
function hostGate(write: (data: string | Uint8Array) => void): { console: Console; core: GateCore; clock: { now: number } } {
  const clock = { now: Date.UTC(2026, 10, 25, 1, 0) };
  const wall = { now: () => clock.now };
  let counter = 11;
  const random = { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };
  // The audit trail on a store, as on a gate: keyed chains and signed heads for `log export`.
  const auditStore = openAudit(LogStore.open(new NorFlash(512 * 1024), { random }), { now: clock.now });
  const core = new GateCore({
    gateId: 1, clock: wall, random, deviceKey: new Uint8Array(32).fill(4), matcher: new TsMatcher(128, 8), audit: auditStore.trail,
    camera: { powered: false, powerOn() {}, powerOff() {}, capture: () => "error" },
    embedder: new SyntheticEmbedder({ dimension: 128 }), frame: createSyntheticFrame(),
    outputs: { unlock: () => undefined, signal: () => undefined, prompt: () => undefined },
  });
  const backend = new CoreConsoleBackend({ core, clock: wall, random, auditStore });
  const deviceKey = new Uint8Array(32).fill(5);
  backend.technicians.save(makeTechnician(deviceKey, random, TECH.id, TECH.password, "installer"));
  const console = new Console({
    port: { write },
    clock: wall, random, deviceKey, backend, audit: backend.audit, technicians: backend.technicians,
  });
  console.start();
  return { console, core, clock };
}

export function startPtyGate(): PtyGate {
  let console: Console | undefined;
  const link = openPty((bytes) => console?.receive(bytes));
  const gate = hostGate((data) => link.write(data));
  console = gate.console;
  return { path: link.path, core: gate.core, clock: gate.clock, close: () => link.close() };
}

/** The same gate with its console on a TCP port (one connection at a time), like QEMU's -serial tcp:. */
export async function startTcpGate(): Promise<{ address: string; core: GateCore; clock: { now: number }; close(): Promise<void> }> {
  let socket: net.Socket | undefined;
  const gate = hostGate((data) => { socket?.write(data); });
  const server = net.createServer((s) => {
    socket = s;
    s.on("data", (chunk: Buffer) => gate.console.receive(new Uint8Array(chunk)));
    s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`, core: gate.core, clock: gate.clock,
    close: () => new Promise((resolve) => { socket?.destroy(); server.close(() => resolve()); }),
  };
}
