// The simulator itself: command line, scripts, flash image, power cuts, PTY console.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { ReadStream } from "node:tty";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../../tools/xs/bundle";
import { parseArgs, USAGE } from "../../tools/sim/cli";
import { openSimFlash } from "../../tools/sim/flash";
import { parseDuration, runScript } from "../../tools/sim/script";
import { startSimulator } from "../../tools/sim/simulator";

describe("simulator: command line and scripts", () => {
  it("parses the documented options and refuses unknown ones", () => {
    const options = parseArgs(["--fresh", "--console", "stdio", "--time", "2026-03-02T08:00:00Z", "--no-ui"]);
    assert.ok(typeof options !== "string");
    assert.equal(options.fresh, true);
    assert.equal(options.console, "stdio");
    assert.equal(options.time, Date.UTC(2026, 2, 2, 8));
    assert.equal(options.ui, false);
    assert.match(parseArgs(["--console", "tcp"]) as string, /pty or stdio/);
    assert.match(parseArgs(["--bogus"]) as string, /unknown option --bogus/);
    assert.equal(parseArgs(["--help"]), USAGE);
  });

  it("reads durations", () => {
    assert.equal(parseDuration("250"), 250);
    assert.equal(parseDuration("3s"), 3000);
    assert.equal(parseDuration("12h"), 43_200_000);
    assert.throws(() => parseDuration("soon"), /not a duration/);
  });

  it("a script with a bad line fails with its line number and nothing after it runs", async () => {
    const sim = await startSimulator({ image: null, demo: false });
    try {
      const before = sim.now;
      await assert.rejects(runScript(sim, "wait 1s\ncard xyz\nwait 5s"), /line 2: card takes/);
      assert.equal(sim.now, before + 1000);
    } finally {
      await sim.close();
    }
  });

  it("npm start -- --help prints the usage and exits 0", () => {
    const run = spawnSync(process.execPath, ["--import=tsx", "tools/sim/main.ts", "--help"], { cwd: repoRoot, encoding: "utf8" });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /--console stdio/);
  });
});

describe("simulator: in real time (npm start)", () => {
  it("advance fast-forwards and the wall clock carries on from there, never back, so typed keys are one press each", async () => {
    const sim = await startSimulator({ image: null, realtime: true });
    try {
      const simStart = sim.now;
      await sim.advance(10_000);
      const forwarded = sim.now;
      assert.ok(forwarded >= simStart + 10_000, `the clock reached ${forwarded - simStart} ms, not 10000`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await sim.advance(10);
      assert.ok(sim.now >= forwarded + 200, `the wall clock set the clock back to ${sim.now - forwarded} ms after the fast-forward`);
      // The board's own reading, as of its last answer (one 10 ms tick may still be on its way).
      assert.ok(sim.state.now >= forwarded + 190, `the board is at ${sim.state.now - forwarded} ms after the fast-forward`);
      // R0002: keypad code 2, PIN 246813 (boards/host/demo-compound.ts), typed key by key as `keys` does.
      await sim.type("2#246813#");
      await sim.advance(300);
      const multiple = sim.events.filter((e) => e.e === "log" && /E_KEYPAD_MULTIPLE/.test(e.line));
      assert.deepEqual(multiple, [], "a typed key overlapped the one before");
      assert.equal(sim.decisions.at(-1)?.via, "pin");
      assert.equal(sim.decisions.at(-1)?.grant, true);
    } finally {
      await sim.close();
    }
  });
});

describe("simulator: flash image", () => {
  let dir: string;
  before(() => { dir = mkdtempSync(path.join(os.tmpdir(), "optgate-sim-")); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("persists to the image file, and --fresh starts erased", () => {
    const file = path.join(dir, "a.flash");
    const first = openSimFlash(file, false, 16384);
    first.flash.write(5000, Uint8Array.of(1, 2, 3));
    first.close();
    assert.deepEqual([...readFileSync(file).subarray(5000, 5003)], [1, 2, 3]);
    const again = openSimFlash(file, false, 16384);
    assert.deepEqual([...again.flash.read(5000, 3)], [1, 2, 3]);
    again.close();
    const fresh = openSimFlash(file, true, 16384);
    assert.deepEqual([...fresh.flash.read(5000, 3)], [0xff, 0xff, 0xff]);
    fresh.close();
  });

  it("residents, consents and the audit log survive a restart of the simulator; --fresh starts over", async () => {
    const image = path.join(dir, "gate.flash");
    const first = await startSimulator({ image, fresh: true });
    await first.advance(100);
    assert.ok(first.events.some((e) => e.e === "log" && /seeded/.test(e.line)));
    await first.presentCard("04a1b2c3");
    await first.close();
    const second = await startSimulator({ image });
    try {
      await second.advance(100);
      assert.ok(!second.events.some((e) => e.e === "log" && /seeded/.test(e.line)), "not seeded twice");
      await second.showFace("genuine", 303);
      await second.type("3A"); // resident number, then the face key (1:1)
      await second.advance(500);
      assert.equal(second.decisions.at(-1)?.resident, "R00003", "the enrolled face came back from flash");
      await second.consoleLine("login tech");
      await second.consoleLine("demo-tech-1");
      // The face session wrote two records (its camera time, then the grant).
      assert.match(await second.consoleLine("log show --last 4"), /R00001\s+card\s+grant/);
    } finally {
      await second.close();
    }
    const third = await startSimulator({ image, fresh: true });
    await third.advance(100);
    assert.ok(third.events.some((e) => e.e === "log" && /store formatted/.test(e.line)));
    await third.close();
  });

});

describe("simulator: the console as a technician reaches it", () => {
  it("npm start --console stdio: lines typed on stdin reach the firmware's console, answers come back on stdout", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "optgate-stdio-"));
    try {
      const run = spawnSync(process.execPath, ["--import=tsx", "tools/sim/main.ts", "--console", "stdio", "--image", path.join(dir, "s.flash")], {
        cwd: repoRoot, encoding: "utf8", input: "help\nlogin tech\ndemo-tech-1\nresident list\n", timeout: 60_000,
      });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /technician console\. Type help\./);
      assert.match(run.stdout, /resident add/);
      assert.match(run.stdout, /Logged in as tech/);
      assert.match(run.stdout, /R00003\s+3-303\s+owner/);
      assert.doesNotMatch(run.stdout, /demo-tech-1/, "the password is not echoed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("npm start --no-ui: the console is on a PTY whose path is printed; picocom-style raw bytes work; Ctrl-C stops it cleanly", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "optgate-pty-"));
    const child = spawn(process.execPath, ["--import=tsx", "tools/sim/main.ts", "--no-ui", "--image", path.join(dir, "p.flash")], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => { out += chunk.toString(); });
      const ptyPath = await waitFor(() => /Console: (\/dev\/pts\/\d+)/.exec(out)?.[1]);
      const fd = openSync(ptyPath, "r+");
      const terminal = new ReadStream(fd);
      terminal.setRawMode(true);
      let seen = "";
      terminal.on("data", (chunk: Buffer) => { seen += chunk.toString(); });
      writeSync(fd, "version\r");
      await waitFor(() => (/optgate \d+\.\d+\.\d+/.test(seen) ? true : undefined));
      terminal.destroy();
      child.kill("SIGINT");
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      assert.equal(code, 0);
      assert.match(out, /stopped; state saved/);
    } finally {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function waitFor<T>(probe: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
