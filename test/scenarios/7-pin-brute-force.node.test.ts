// Story 7: someone brute-forces PINs on the keypad. The keypad and the
// targeted resident lock out with growing delays, every attempt is audited,
// and residents with cards still get in.
import assert from "node:assert/strict";
import type { Simulator } from "../../tools/sim/simulator";
import { bootGate, CARD, consoleJson, lastDecision, technicianLogin } from "./support";

describe("story 7: PIN brute force at the keypad", () => {
  let sim: Simulator;
  before(async () => { sim = await bootGate(); });
  after(async () => { await sim.close(); });

  const attempt = async (entry: string) => {
    await sim.type(entry);
    return lastDecision(sim).reason;
  };

  it("locks the targeted resident after 3 wrong PINs; even the right PIN is refused while locked", async () => {
    assert.deepEqual([await attempt("3#0000#"), await attempt("3#1111#"), await attempt("3#2222#")], ["wrong-pin", "wrong-pin", "wrong-pin"]);
    assert.equal(await attempt("3#3333#"), "locked-out");
    assert.equal(await attempt("3#1357#"), "locked-out", "the lock does not reveal a correct guess");
    assert.equal(sim.state.relay, false);
  });

  it("locks the whole keypad after 5 failures across residents", async () => {
    assert.deepEqual([await attempt("2#0000#"), await attempt("2#9999#")], ["wrong-pin", "wrong-pin"]);
    assert.equal(await attempt("2#2468#"), "locked-out", "locked keypad: even a right PIN waits");
    assert.equal(await attempt("#583920#"), "locked-out", "codes share the keypad lock");
  });

  it("a resident with a card still gets in during the lockout", async () => {
    await sim.presentCard(CARD.owner);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).reason], ["card", "granted"]);
    assert.equal(sim.state.relay, true);
  });

  it("backs off: after the lock expires, one more failure locks for twice as long", async () => {
    await sim.advance(31_000);
    assert.equal(await attempt("2#0001#"), "wrong-pin");
    assert.equal(await attempt("2#2468#"), "locked-out");
    await sim.advance(45_000);
    assert.equal(await attempt("2#2468#"), "locked-out", "still locked 45 s later (60 s now, not 30 s)");
    await sim.advance(20_000);
    assert.equal(await attempt("2#2468#"), "granted", "the real resident gets in once the lock has passed");
  });

  it("never opened for a guessed PIN", () => {
    const pinGrants = sim.decisions.filter((d) => d.via === "pin" && d.grant);
    assert.deepEqual(pinGrants.map((d) => d.resident), ["R00002"]);
  });

  it("every attempt is in the audit log (no PIN in it), and the chain verifies", async () => {
    await technicianLogin(sim);
    const log = await consoleJson<{ event: string; decision: string; reason: string; actor: string }[]>(sim, "log show --last 100");
    const keypad = log.filter((e) => e.event === "pin" || e.event === "code");
    const attempts = sim.decisions.filter((d) => d.via === "pin" || d.via === "code");
    // (The log also holds the demo seeding's consent confirmation, before these.)
    assert.deepEqual(keypad.slice(-attempts.length).map((e) => e.reason), attempts.map((d) => d.reason));
    assert.ok(keypad.filter((e) => e.reason === "locked-out").length >= 5);
    const text = JSON.stringify(log);
    for (const guess of ["0000", "1111", "2222", "3333", "9999", "1357", "2468"]) assert.doesNotMatch(text, new RegExp(`\\b${guess}\\b`), `no PIN ${guess} in the log`);
    const verify = await consoleJson<{ ok: boolean; entries: number }>(sim, "log verify");
    assert.equal(verify.ok, true);
  });
});
