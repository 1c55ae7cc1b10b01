// Story 7: someone brute-forces PINs on the keypad. The keypad and the
// targeted resident lock out with growing delays, every attempt is audited,
// and residents with cards still get in.
import assert from "node:assert/strict";
import type { Simulator } from "../../tools/sim/simulator";
import { bootGate, CARD, lastDecision } from "./support";

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
});
