// A console wired to the fake backend, a settable clock, a seeded RNG and a
// port that records what the technician's terminal would show.
import { Console } from "../../../src/core/console/console";
import type { ConsoleAuditEvent } from "../../../src/core/console/audit-sink";
import { makeTechnician, MemoryTechnicianDirectory } from "../../../src/core/console/technicians";
import { FakeBackend } from "./fake-backend";

export const START = Date.UTC(2026, 10, 25, 9, 0, 0);
export const PASSWORD = "correct horse 42";

/** xorshift32: deterministic "randomness" so a failing fuzz run can be replayed. */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

export class Rig {
  now = START;
  output = "";
  readonly audit: ConsoleAuditEvent[] = [];
  readonly backend = new FakeBackend(START);
  readonly technicians = new MemoryTechnicianDirectory();
  readonly deviceKey = new Uint8Array(32).fill(7);
  readonly console: Console;

  constructor(policy?: ConstructorParameters<typeof Console>[0]["policy"]) {
    const next = seeded(99);
    const random = { fill: (bytes: Uint8Array) => { for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff; } };
    this.technicians.save(makeTechnician(this.deviceKey, random, "tech1", PASSWORD, "installer"));
    this.console = new Console({
      port: { write: (data) => { this.output += typeof data === "string" ? data : String.fromCharCode(...data); } },
      clock: { now: () => this.now },
      random,
      deviceKey: this.deviceKey,
      backend: this.backend,
      audit: { record: (e) => { this.audit.push(e); } },
      technicians: this.technicians,
      policy,
    });
    this.console.start();
  }

  /** Types a line (CR-terminated, as picocom sends Enter) and returns what appeared. */
  type(line: string): string {
    this.output = "";
    this.console.receive(`${line}\r`);
    return this.output;
  }

  send(bytes: Uint8Array | string): string {
    this.output = "";
    this.console.receive(bytes);
    return this.output;
  }

  login(): void {
    this.type("login tech1");
    const out = this.type(PASSWORD);
    if (!out.includes("Logged in as tech1")) throw new Error(`login failed: ${out}`);
  }

  /** Runs a command with --json and returns the parsed reply. */
  json(line: string): { ok: boolean; data?: any; error?: { code: string; message: string } } {
    const out = this.type(`${line} --json`);
    const jsonLine = out.split("\r\n").find((l) => l.startsWith("{"));
    if (!jsonLine) throw new Error(`no JSON in: ${out}`);
    return JSON.parse(jsonLine);
  }
}
