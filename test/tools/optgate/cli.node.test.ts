// The optgate tool against a gate console on a PTY (serialport opens it like
// a real board's USB-UART): export, import (all-or-nothing, --skip-bad), log.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { main, type Io } from "../../../tools/optgate/main";
import { startPtyGate, startTcpGate, TECH, type PtyGate } from "./pty-host";

function io(gate: PtyGate) {
  const out: string[] = [];
  const err: string[] = [];
  const value: Io = {
    out: (t) => { out.push(t); },
    err: (t) => { err.push(t); },
    env: { OPTGATE_USER: TECH.id, OPTGATE_PASSWORD: TECH.password },
    askPassword: () => Promise.reject(new Error("no terminal in tests")),
    now: () => gate.clock.now,
  };
  return { value, out: () => out.join(""), err: () => err.join("") };
}

describe("optgate tool over a PTY", function () {
  this.timeout(60_000);
  let gate: PtyGate;
  let dir: string;
  beforeEach(() => {
    gate = startPtyGate();
    dir = mkdtempSync(path.join(tmpdir(), "optgate-"));
  });
  afterEach(() => gate.close());

  const run = async (args: string[]) => {
    const x = io(gate);
    const code = await main([...args, "--port", gate.path], x.value);
    return { code, out: x.out(), err: x.err() };
  };

  it("imports schedules, groups and residents, then exports them back", async () => {
    writeFileSync(path.join(dir, "s.csv"), "name,days,from,to\ndaytime,mon;tue;wed;thu;fri,07:00,19:00\n");
    writeFileSync(path.join(dir, "g.csv"), "name,schedules\ncleaners,daytime\n");
    writeFileSync(path.join(dir, "r.csv"), "id,unit,role,valid_from,valid_until,groups,cards,pin\n,3-1202,renter,,2027-05-25,,04A1B2C3,\n,1-1,staff,,,cleaners,04A1B2C4;04A1B2C5,\n");
    assert.equal((await run(["import", "schedules", path.join(dir, "s.csv")])).code, 0);
    assert.equal((await run(["import", "groups", path.join(dir, "g.csv")])).code, 0);
    const r = await run(["import", "residents", path.join(dir, "r.csv")]);
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /line 2: ok add unit 3-1202 renter with 1 card\(s\) → R00001/);
    assert.match(r.out, /line 3: ok .* → R00002/);
    assert.deepEqual(gate.core.registry.cardsOf(2).length, 2);
    const out = path.join(dir, "export.csv");
    const e = await run(["export", "residents", "--out", out]);
    assert.equal(e.code, 0, e.err);
    const csv = readFileSync(out, "utf8");
    assert.match(csv, /R00001,3-1202,renter,,2027-05-25 23:59:59 \+08:00,all,04A1B2C3,/);
    assert.match(csv, /R00002,1-1,staff,,,cleaners,04A1B2C4;04A1B2C5,/);
    assert.doesNotMatch(csv, /face|template|hash/i);
  });

  it("applies nothing when any row is bad, and applies the good rows with --skip-bad", async () => {
    const file = path.join(dir, "r.csv");
    writeFileSync(file, "id,unit,role,valid_from,valid_until,groups,cards,pin\n,1-1,owner,,,,04000001,\n,1-2,renter,,,,04000002,\n,1-3,owner,,,,,\n");
    const strict = await run(["import", "residents", file]);
    assert.equal(strict.code, 1);
    assert.match(strict.err, /line 3: a renter needs valid_until/);
    assert.match(strict.err, /line 4: a new resident needs a card/);
    assert.match(strict.err, /2 bad row\(s\); nothing was applied/);
    assert.equal(gate.core.registry.size, 0);
    const skip = await run(["import", "residents", file, "--skip-bad"]);
    assert.equal(skip.code, 1);
    assert.match(skip.out, /1 row\(s\) applied, 0 refused by the gate, 2 bad row\(s\) skipped/);
    assert.equal(gate.core.registry.size, 1);
  });

  it("exports a gate larger than one page", async () => {
    for (let i = 0; i < 230; i++) gate.core.registry.addResident({ unit: "9-9", role: "owner", groups: 1, cards: [Uint8Array.of(0x05, i >> 8, i & 255, 1)] });
    const e = await run(["export", "cards"]);
    assert.equal(e.code, 0, e.err);
    const lines = e.out.trim().split("\r\n");
    assert.equal(lines.length, 231);
    assert.equal(lines[230], "R00230,0500E501");
  });

  it("downloads the log and verifies its chain on the host", async () => {
    writeFileSync(path.join(dir, "r.csv"), "id,unit,role,valid_from,valid_until,groups,cards,pin\n,1-1,owner,,,,04000001,\n");
    await run(["import", "residents", path.join(dir, "r.csv")]);
    const out = path.join(dir, "log.jsonl");
    const witnessFile = path.join(dir, "witness.json");
    const log = await run(["log", "--out", out, "--witness", witnessFile]);
    assert.equal(log.code, 0, log.err);
    assert.match(log.err, /access: \d+ records after seq 0 to head \d+, signed by the pinned key/);
    assert.match(log.err, /security: \d+ records after seq 0 to head \d+, signed by the pinned key/);
    const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.kind === "technician-login"));
    assert.ok(lines.some((l) => l.kind === "resident-added" && l.subject === 1), "the record names the resident added");
    assert.ok(lines.every((l) => /^[0-9a-f]{110}$/.test(l.bytes) || (l.bytes.length > 112 && l.bytes.length <= 192)), "55-byte records, or with a detail up to 96 bytes");
    assert.ok(lines.some((l) => l.kind === "resident-added" && /unit=1-1/.test(l.detail)), "what was done is in the detail");
    // Downloading again checks against what the first download kept.
    const again = await run(["log", "--witness", witnessFile]);
    assert.equal(again.code, 0, again.err);
  });

  it("reaches a console over TCP too", async () => {
    const tcp = await startTcpGate();
    try {
      const file = path.join(dir, "r.csv");
      writeFileSync(file, "id,unit,role,valid_from,valid_until,groups,cards,pin\n,1-1,owner,,,,04000001,\n");
      const x = io(gate);
      assert.equal(await main(["import", "residents", file, "--tcp", tcp.address], x.value), 0, x.err());
      assert.equal(tcp.core.registry.size, 1);
    } finally {
      await tcp.close();
    }
  });

  it("refuses a wrong password and bad usage clearly", async () => {
    const x = io(gate);
    x.value.env.OPTGATE_PASSWORD = "wrong-password";
    assert.equal(await main(["export", "residents", "--port", gate.path], x.value), 1);
    assert.match(x.err(), /E_BAD_LOGIN/);
    const y = io(gate);
    assert.equal(await main(["export", "people", "--port", gate.path], y.value), 1);
    assert.match(y.err(), /residents, cards, schedules, groups/);
    const z = io(gate);
    assert.equal(await main(["frobnicate"], z.value), 2);
    assert.equal(await main(["export", "residents"], z.value), 2);
    assert.match(z.err(), /--port \/dev\/ttyUSB0/);
  });
});
