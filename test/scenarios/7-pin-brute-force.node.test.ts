// Story 7: someone brute-forces PINs on the keypad. The targeted resident's
// PIN locks, the keypad throttles (a wait of at most 30 s) and raises the
// guessing alarm, every attempt is audited, and cards never wait.
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

  it("locks the targeted resident after 5 wrong PINs; even the right PIN is refused while locked", async () => {
    const guesses = ["3#000000#", "3#111111#", "3#222222#", "3#333333#", "3#444444#"];
    const reasons: string[] = [];
    for (const g of guesses) reasons.push(await attempt(g));
    assert.deepEqual(reasons, ["wrong-pin", "wrong-pin", "wrong-pin", "wrong-pin", "wrong-pin"]);
    assert.equal(await attempt("3#135724#"), "locked-out", "the lock does not reveal a correct guess");
    assert.equal(sim.state.relay, false);
  });

  it("throttles the whole keypad once it has absorbed 5 failures, and sounds the guessing alarm", async () => {
    assert.equal(await attempt("2#246813#"), "locked-out", "a throttled keypad: even a right PIN waits");
    await technicianLogin(sim);
    const status = await consoleJson<{ guessing: { keypad: { engaged: boolean }; alarms: number } }>(sim, "status");
    assert.equal(status.guessing.keypad.engaged, true);
    assert.ok(status.guessing.alarms >= 1);
  });

  it("a resident with a card still gets in at once: cards never wait for the keypad", async () => {
    await sim.presentCard(CARD.owner);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).reason], ["card", "granted"]);
    assert.equal(sim.state.relay, true);
  });

  it("a resident who waits out the throttle (at most 30 s) gets in; the guessed-at resident's PIN stays locked for the hour", async () => {
    await sim.advance(30_000);
    assert.equal(await attempt("2#246813#"), "granted", "the real resident gets in once the wait has passed");
    await sim.advance(30_000);
    assert.equal(await attempt("3#135724#"), "locked-out", "R00003's own counter: one wrong PIN leaks away per hour");
    // The hour passes idle, in one tick (ticking it through is 360,000 round trips to XS).
    await sim.jump(3_600_000);
    await sim.advance(100);
    assert.equal(await attempt("3#135724#"), "granted");
  });

  it("never opened for a guessed PIN", () => {
    const pinGrants = sim.decisions.filter((d) => d.via === "pin" && d.grant);
    assert.deepEqual(pinGrants.map((d) => d.resident), ["R00002", "R00003"]);
  });

  it("every attempt is in the audit log (no PIN in it), and the chain verifies", async () => {
    await technicianLogin(sim);
    const log = await consoleJson<{ event: string; decision: string; reason: string; actor: string }[]>(sim, "log show --last 100");
    assert.ok(log.some((e) => e.event === "guessing-alarm"), "the alarm is in the log");
    const keypad = log.filter((e) => e.event === "pin" || e.event === "code");
    const attempts = sim.decisions.filter((d) => d.via === "pin" || d.via === "code");
    // (The log also holds the demo seeding's consent confirmation, before these.)
    assert.deepEqual(keypad.slice(-attempts.length).map((e) => e.reason), attempts.map((d) => d.reason));
    assert.ok(keypad.filter((e) => e.reason === "locked-out").length >= 3);
    const text = JSON.stringify(log);
    for (const guess of ["000000", "111111", "222222", "333333", "444444", "135724", "246813"]) assert.doesNotMatch(text, new RegExp(`\\b${guess}\\b`), `no PIN ${guess} in the log`);
    const verify = await consoleJson<{ ok: boolean; entries: number }>(sim, "log verify");
    assert.equal(verify.ok, true);
  });
});
