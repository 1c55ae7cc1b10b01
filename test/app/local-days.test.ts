// Dates typed at the console are local days in the gate's zone, and a
// resident added without dates has no window (admitted on an untrusted clock).
import assert from "node:assert/strict";
import { createSyntheticFrame, SyntheticEmbedder } from "../../boards/host/synthetic-embedder";
import { CoreConsoleBackend } from "../../src/app/console-backend";
import { GateCore } from "../../src/app/core";
import { Console } from "../../src/core/console/console";
import { makeTechnician } from "../../src/core/console/technicians";
import { fromHex } from "../../src/core/crypto";
import { TsMatcher } from "../../src/core/matcher/ts-matcher";

const PASSWORD = "gate-tech-pass";

function rig(start: number) {
  const t = { now: start };
  const clock = { now: () => t.now };
  let counter = 7;
  const random = { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };
  const core = new GateCore({
    gateId: 1, clock, random, deviceKey: new Uint8Array(32).fill(3), matcher: new TsMatcher(128, 16),
    camera: { powered: false, powerOn() {}, powerOff() {}, capture: () => "error" },
    embedder: new SyntheticEmbedder({ dimension: 128 }), frame: createSyntheticFrame(),
    outputs: { unlock: () => undefined, signal: () => undefined, prompt: () => undefined },
  });
  const stored = new Map<string, Uint8Array>();
  const backend = new CoreConsoleBackend({
    core, clock, random, settings: { get: (k) => stored.get(k), put: (k, v) => { stored.set(k, v.slice()); } },
    hooks: { openDoor: () => undefined, setClock: (ms) => { t.now = ms; } },
  });
  const deviceKey = new Uint8Array(32).fill(9);
  backend.technicians.save(makeTechnician(deviceKey, random, "tech1", PASSWORD, "installer"));
  let output = "";
  const console = new Console({ port: { write: (d) => { output += String(d); } }, clock, random, deviceKey, backend, audit: backend.audit, technicians: backend.technicians });
  const type = (line: string) => { output = ""; console.receive(`${line}\r`); return output; };
  type("login tech1");
  assert.match(type(PASSWORD), /Logged in as tech1/);
  const card = (uid: string, at: number) => core.access.decide({ kind: "card", uid: fromHex(uid) }, at);
  return { t, core, type, card };
}

describe("local days at the console", () => {
  it("a renter --until 2026-06-30 in UTC+8 is admitted through 23:59:59 local, expired at 00:00:00 local", () => {
    // Added at 23:59:50 local on the last day: the old code refused it (validFrom = now after validUntil).
    const { type, card } = rig(Date.UTC(2026, 5, 30, 15, 59, 50));
    const added = type("resident add --unit 3-1202 --role renter --until 2026-06-30 --card 04A1B2C3");
    assert.match(added, /valid: {5}until 2026-06-30 23:59:59 \+08:00\r\n/);
    assert.equal(card("04A1B2C3", Date.UTC(2026, 5, 30, 15, 59, 59)).grant, true);
    assert.equal(card("04A1B2C3", Date.UTC(2026, 5, 30, 16, 0, 0)).reason, "expired");
    assert.match(type("resident list"), /R00001 +3-1202 +renter +active +2026-06-30 23:59:59 \+08:00/);
    // The subject report says the same, and prints its moments on the gate's wall clock.
    const report = type("report R00001");
    assert.match(report, /validity: until 2026-06-30 23:59:59 \+08:00\r\n/);
    assert.match(report, /generatedAt: 2026-06-30 23:59:5\d \+08:00\r\n/);
  });

  it("--from starts at 00:00:00 local; a time with Z or an offset keeps its exact meaning", () => {
    const { type, card } = rig(Date.UTC(2026, 5, 1));
    type("resident add --unit 1-1 --role renter --from 2026-07-01 --until 2026-07-31 --card 04000001");
    assert.equal(card("04000001", Date.UTC(2026, 5, 30, 15, 59, 59)).reason, "not-yet-valid");
    assert.equal(card("04000001", Date.UTC(2026, 5, 30, 16)).grant, true);
    type("resident add --unit 1-2 --role renter --until 2026-07-31T12:00Z --card 04000002");
    assert.equal(card("04000002", Date.UTC(2026, 6, 31, 12, 0, 0)).grant, true);
    assert.equal(card("04000002", Date.UTC(2026, 6, 31, 12, 0, 1)).reason, "expired");
    const shown = type("resident show R00002");
    assert.match(shown, /until 2026-07-31 20:00:00 \+08:00/);
    type(`resident add --unit 1-3 --role renter --until "2026-07-31 20:00:00 +08:00" --card 04000003`);
    assert.match(type("resident show R00003"), /until 2026-07-31 20:00:00 \+08:00/);
  });

  it("in central Europe the last second of a day is right on both sides of each summer-time change", () => {
    const { type, card } = rig(Date.UTC(2026, 2, 1));
    assert.match(type("config set timezone CET-1CEST,M3.5.0,M10.5.0/3"), /timezone = CET-1CEST/);
    type("resident add --unit 1-1 --role renter --until 2026-03-28 --card 04000001"); // the day before spring
    type("resident add --unit 1-2 --role renter --until 2026-03-29 --card 04000002"); // 23 hours long
    type("resident add --unit 1-3 --role renter --until 2026-10-25 --card 04000003"); // 25 hours long
    assert.match(type("resident show R00002"), /until 2026-03-29 23:59:59 \+02:00/);
    assert.match(type("resident show R00003"), /until 2026-10-25 23:59:59 \+01:00/);
    assert.equal(card("04000001", Date.UTC(2026, 2, 28, 22, 59, 59)).grant, true);
    assert.equal(card("04000001", Date.UTC(2026, 2, 28, 23)).reason, "expired");
    assert.equal(card("04000002", Date.UTC(2026, 2, 29, 21, 59, 59)).grant, true);
    assert.equal(card("04000002", Date.UTC(2026, 2, 29, 22)).reason, "expired");
    assert.equal(card("04000003", Date.UTC(2026, 9, 25, 22, 59, 59)).grant, true);
    assert.equal(card("04000003", Date.UTC(2026, 9, 25, 23)).reason, "expired");
  });

  it("the old minutes setting still means a fixed offset", () => {
    const { type, card } = rig(Date.UTC(2026, 5, 1));
    assert.match(type("config set timezone -300"), /timezone = <-05>\+5/);
    type("resident add --unit 1-1 --role renter --until 2026-06-30 --card 04000001");
    assert.equal(card("04000001", Date.UTC(2026, 6, 1, 4, 59, 59)).grant, true);
    assert.equal(card("04000001", Date.UTC(2026, 6, 1, 5)).reason, "expired");
    assert.match(type("config set timezone Asia/Shanghai"), /E_BAD_SETTING|E_BAD_TIMEZONE/);
  });
});

describe("permanent residents", () => {
  it("an owner or staff added without dates has no window and is admitted on an untrusted clock", () => {
    const { t, type, card } = rig(Date.UTC(2026, 5, 1));
    type("resident add --unit 1-1 --role owner --card 04000001");
    assert.match(type("resident show R00001"), /valid: {5}permanent \(no validity window\)/);
    type("resident add --unit 1-2 --role renter --until +6m --card 04000002");
    t.now = 0; // power cut on a board without a clock that kept time: 1970
    const owner = card("04000001", t.now);
    assert.equal(owner.grant, true);
    assert.equal(owner.clockTrusted, false);
    assert.equal(card("04000002", t.now).reason, "clock-untrusted");
  });

  it("a renter keeps needing an end date on edit as on add", () => {
    const { type } = rig(Date.UTC(2026, 5, 1));
    type("resident add --unit 1-1 --role renter --until +6m --card 04000001");
    type("resident add --unit 1-2 --role owner --card 04000002");
    assert.match(type("resident edit R00001 --until none"), /E_VALIDITY_REQUIRED/);
    assert.match(type("resident edit R00002 --role renter"), /E_VALIDITY_REQUIRED/);
    assert.match(type("resident edit R00002 --role renter --until 2026-12-31"), /until 2026-12-31 23:59:59 \+08:00/);
    assert.match(type("resident edit R00001 --role owner --until none"), /permanent/);
  });
});
