// Story 8: a resident opts into face. The technician shows her the notice at
// the console and arms a consent request; she confirms it herself on the gate
// keypad with her own PIN (it is never typed into the technician's terminal);
// only then can she be enrolled. The camera stays off until the enrolment.
import assert from "node:assert/strict";
import type { Simulator } from "../../tools/sim/simulator";
import { bootGate, cameraOnSince, consoleJson, lastDecision, lastPrompt, technicianLogin } from "./support";

/** The demo renter R00002 (PIN 246813) has not consented; give her a synthetic face of her own. */
const HER_FACE = 202;

describe("story 8: face consent confirmed by the resident on the keypad", () => {
  let sim: Simulator;
  let from: number;
  before(async () => { sim = await bootGate(); from = sim.events.length; });
  after(async () => { await sim.close(); });

  it("the technician shows the notice and arms a request; the console never asks for her PIN", async () => {
    await technicianLogin(sim);
    const notice = await sim.consoleLine("consent grant R00002");
    assert.match(notice, /purpose:.*Face is optional.*Type yes: /s);
    const armed = await sim.consoleLine("yes");
    assert.doesNotMatch(armed, /PIN to confirm|hidden/);
    assert.match(armed, /At the gate keypad R00002 types: {2}#8#2#<PIN>#/);
    const consent = await consoleJson<{ state: string; pending: { witness: string } | null }>(sim, "consent show R00002");
    assert.deepEqual([consent.state, consent.pending?.witness], ["none", "tech"], "nothing recorded yet");
  });

  it("at the keypad a wrong PIN records nothing; her own PIN records consent with a receipt", async () => {
    await sim.type("#8#2#0000#");
    assert.equal(lastPrompt(sim), "Wrong PIN.");
    assert.equal((await consoleJson<{ state: string }>(sim, "consent show R00002")).state, "none");
    await sim.type("#8#2#246813#");
    assert.match(lastPrompt(sim), /^Consent recorded\. Receipt: \d{4}-\d{4}$/);
    const consent = await consoleJson<{ state: string; witness: string; pending: unknown }>(sim, "consent show R00002");
    assert.deepEqual([consent.state, consent.witness, consent.pending], ["active", "tech", null]);
    assert.equal(sim.state.relay, false, "consent never opens the door");
    assert.equal(cameraOnSince(sim, from), 0, "nor powers the camera");
  });

  it("a second confirmation finds nothing waiting", async () => {
    await sim.type("#8#2#246813#");
    assert.equal(lastPrompt(sim), "No consent request is waiting; ask the technician.");
  });

  it("then enrolment at the console, and her face opens the gate", async () => {
    await sim.showFace("genuine", HER_FACE);
    assert.match(await sim.consoleLine("face enrol R00002"), /type go: /);
    assert.match(await sim.consoleLine("go"), /R00002 enrolled under notice v1/);
    await sim.type("2A");
    await sim.advance(500);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["face", true, "R00002"]);
  });

  it("the audit log shows the technician's request, then her own consent, and verifies", async () => {
    const log = await consoleJson<{ actor: string; event: string; subject: string | null }[]>(sim, "log show --last 30");
    const about = log.filter((e) => e.subject === "R00002").map((e) => `${e.actor} ${e.event}`);
    const requested = about.indexOf("tech consent-requested");
    const given = about.indexOf("R00002 consent-given");
    assert.ok(requested >= 0 && given > requested, about.join(", "));
    assert.ok(about.indexOf("R00002 face-enrolled") > given);
    assert.equal((await consoleJson<{ ok: boolean }>(sim, "log verify")).ok, true);
  });
});
