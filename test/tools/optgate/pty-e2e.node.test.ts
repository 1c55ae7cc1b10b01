// Done-when test for the technician console (issue 8): a technician who never
// saw the project, using nothing but `help`, adds a renter with a card valid
// for six months, sets a PIN and reads the log. It runs the way a real
// installation runs: the firmware inside the XS engine (the simulator, as
// `npm start` starts it), its console UART on a pseudo-terminal, and the
// technician's terminal program opening that PTY raw at 115200 baud, as
// picocom does, typing key by key (with a typo fixed by Backspace and a
// stray arrow key). Every command typed is read off the screen, not known in advance.
import assert from "node:assert/strict";
import { SerialPort } from "serialport";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEMO_TECHNICIAN } from "../../../boards/host/demo-compound";
import { startSimulator, type Simulator } from "../../../tools/sim/simulator";
import { main, type Io } from "../../../tools/optgate/main";
import { openPty } from "./pty-host";

const T0 = Date.UTC(2026, 10, 25, 1, 0); // 09:00 in Shanghai
const CARD = "04C0FFEE";
const PIN = "482913";
const PROMPT = /optgate(?::\S+#|>) $/;

/** A terminal program on the PTY: what the technician sees, and their keyboard. */
class Terminal {
  screen = "";
  #port: SerialPort;
  #seen = 0;

  constructor(port: SerialPort) {
    this.#port = port;
    port.on("data", (chunk: Buffer) => { this.screen += chunk.toString("utf8"); });
  }

  static open(path: string): Promise<Terminal> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
      port.open((error) => (error ? reject(error) : resolve(new Terminal(port))));
    });
  }

  /** Keys as a terminal sends them, a few bytes at a time. */
  async keys(text: string): Promise<void> {
    for (let i = 0; i < text.length; i += 3) {
      this.#port.write(text.slice(i, i + 3));
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Types a line and Enter (picocom sends CR), then waits for the screen to end with `until`. */
  async line(text: string, until: RegExp = PROMPT): Promise<string> {
    this.#seen = this.screen.length;
    await this.keys(`${text}\r`);
    return this.wait(until);
  }

  /** What appeared since the last line was typed, once it ends with `until`. */
  async wait(until: RegExp, timeoutMs = 20_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    const anchored = new RegExp(`(?:${until.source})$`);
    while (Date.now() < end) {
      const fresh = this.screen.slice(this.#seen);
      if (anchored.test(fresh)) return fresh;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`screen never ended with ${until}: ${JSON.stringify(this.screen.slice(-300))}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#port.close(() => resolve()));
  }
}

describe("technician console end to end (firmware in XS, PTY, picocom-style)", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let pty: ReturnType<typeof openPty>;
  let term: Terminal;

  before(async () => {
    // Wired as `npm start` wires it (tools/sim/cli.ts): firmware console bytes ⇄ PTY master.
    // (Our own PTY pair rather than tools/sim/pty-console.ts: see openPty on the slave-side read.)
    // Time runs only when the test moves it, so each keystroke batch is followed by a few ticks
    // (the host board flushes console output on ticks, as a UART drains its FIFO).
    let ready: Simulator | undefined;
    let queue = Promise.resolve();
    pty = openPty((bytes) => {
      queue = queue.then(async () => { await ready?.serial(bytes); await ready?.advance(20); }).catch(() => undefined);
    });
    sim = await startSimulator({ image: null, fresh: true, startTime: T0, onSerial: (bytes) => pty.write(bytes) });
    ready = sim;
    term = await Terminal.open(pty.path);
  });

  after(async () => {
    await term?.close();
    await sim?.close();
    pty?.close();
  });

  it("from help alone: renter with a card valid six months, a PIN, and the log", async () => {
    // Enter wakes the console up.
    let screen = await term.line("");
    assert.match(screen, /optgate> $/);

    // help says how to log in.
    screen = await term.line("help");
    const login = /\((login <technician-id>)\)/.exec(screen);
    assert.ok(login, "help explains how to log in");
    screen = await term.line(login[1].replace("<technician-id>", DEMO_TECHNICIAN.id), /Password: $/);
    screen = await term.line(DEMO_TECHNICIAN.password);
    assert.ok(!screen.includes(DEMO_TECHNICIAN.password), "the password is not echoed");
    assert.match(screen, /Logged in as tech\./);

    // The command list shows which command registers a resident...
    screen = await term.line("help");
    const addRow = /^(\S+ \S+)\s+Register a resident/m.exec(screen);
    assert.ok(addRow, "help lists a command to register a resident");
    // ...and its help gives an example for a renter valid six months.
    screen = await term.line(`help ${addRow[1]}`);
    assert.match(screen, /\+6m means six months from now/);
    const example = /^ {2}(\S+ \S+ .*--role renter .*--until \+6m.*)$/m.exec(screen);
    assert.ok(example, "help shows a renter example");
    const command = example[1].replace(/--card \S+/, `--card ${CARD}`);
    assert.notEqual(command, example[1]);
    // Typed with a typo fixed by Backspace (DEL, as picocom sends it) and a stray Up arrow.
    const typo = `${command.slice(0, 12)}x\x7f\x1b[A${command.slice(12)}`;
    screen = await term.line(typo);
    assert.doesNotMatch(screen, /error:/, screen);
    const added = /Added as (R\d+)\./.exec(screen);
    assert.ok(added, screen);
    const id = added[1];
    assert.match(screen, /role: +renter/);
    assert.match(screen, new RegExp(`cards: +${CARD}`));
    assert.match(screen, /valid: +until 2027-05-25 08:59:59 \+08:00\r\n/);

    // The reply says what to do next: set a PIN.
    const next = /Next: (pin set \S+)/.exec(screen);
    assert.ok(next, "the reply suggests the next step");
    screen = await term.line(next[1], /\(4-12 digits, hidden\): $/);
    screen = await term.line(PIN, /Repeat the PIN: $/);
    screen = await term.line(PIN);
    assert.match(screen, new RegExp(`PIN set for ${id}\\.`));
    assert.ok(!term.screen.includes(PIN), "the PIN never appears on the screen");

    // help names the log command; the log shows what was done, by whom.
    screen = await term.line("help");
    const logRow = /^(\S+ \S+)\s+Show the latest audit log entries/m.exec(screen);
    assert.ok(logRow, "help lists the log command");
    screen = await term.line(logRow[1]);
    assert.match(screen, /tech\s+technician-login/);
    assert.match(screen, /tech\s+resident-added/);
    assert.match(screen, /tech\s+pin-set/);
    assert.ok(!screen.includes(PIN));

    // The gate itself (firmware in XS) now opens for the card and for the PIN...
    await sim.presentCard(CARD);
    const number = String(Number(id.slice(1)));
    await sim.type(`${number}#${PIN}#`);
    await sim.advance(500);
    const decisions = sim.decisions.filter((d) => d.resident === id);
    assert.deepEqual(decisions.map((d) => [d.via, d.grant, d.reason]), [["card", true, "granted"], ["pin", true, "granted"]]);
    // ...and stops opening for the card once the six months are over.
    await sim.jump(Date.UTC(2027, 4, 26, 1) - sim.now);
    await sim.presentCard(CARD);
    const last = sim.decisions.filter((d) => d.resident === id).at(-1)!;
    assert.deepEqual([last.via, last.grant, last.reason], ["card", false, "expired"]);
    await term.close();
  });

  it("the optgate tool, on the same PTY: exports residents and verifies the firmware's audit chain", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = {
      out: (t) => { out.push(t); }, err: (t) => { err.push(t); },
      env: { OPTGATE_USER: DEMO_TECHNICIAN.id, OPTGATE_PASSWORD: DEMO_TECHNICIAN.password },
      askPassword: () => Promise.reject(new Error("no terminal")), now: () => sim.now,
    };
    assert.equal(await main(["export", "residents", "--port", pty.path], io), 0, err.join(""));
    const csv = out.join("");
    assert.match(csv, /^id,unit,role,valid_from,valid_until,groups,cards,pin\r\n/);
    assert.match(csv, new RegExp(`\\r\\nR\\d+,[^,]+,renter,[^,]*,2027-05-25 08:59:59 \\+08:00,[^,]*,${CARD},set\\r\\n`));
    out.length = 0;
    const witnessFile = path.join(mkdtempSync(path.join(tmpdir(), "optgate-")), "witness.json");
    assert.equal(await main(["log", "--port", pty.path, "--witness", witnessFile], io), 0, err.join(""));
    assert.match(err.join(""), /security: \d+ records after seq 0 to head \d+, signed by the pinned key, consistent/);
    // A second download is checked against what the first one kept.
    assert.equal(await main(["log", "--port", pty.path, "--witness", witnessFile], io), 0, err.join(""));
    const kinds = out.join("").trim().split("\n").map((l) => JSON.parse(l).kind);
    for (const kind of ["technician-login", "resident-added", "pin-set", "card"]) assert.ok(kinds.includes(kind), kind);
  });
});
