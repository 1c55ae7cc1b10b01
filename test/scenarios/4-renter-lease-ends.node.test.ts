// Story 4: a renter's card expires at the end of the lease. The next morning
// she is denied with reason "expired"; the landlord renews through the
// technician console and her card works again.
import assert from "node:assert/strict";
import type { Simulator } from "../../tools/sim/simulator";
import { bootGate, CARD, consoleJson, DAY, jumpToLocal, lastDecision, lastPrompt, technicianLogin } from "./support";

describe("story 4: a renter whose lease ends", () => {
  let sim: Simulator;
  before(async () => { sim = await bootGate(); });
  after(async () => { await sim.close(); });

  it("her card works during the lease", async () => {
    await jumpToLocal(sim, 18, 0);
    await sim.presentCard(CARD.renter);
    assert.deepEqual([lastDecision(sim).reason, lastDecision(sim).resident], ["granted", "R00002"]);
  });

  it("the morning after the lease ends she is denied with reason expired, with a clear prompt", async () => {
    await sim.jump(2 * DAY);
    await jumpToLocal(sim, 7, 30);
    await sim.presentCard(CARD.renter);
    assert.deepEqual([lastDecision(sim).grant, lastDecision(sim).reason, lastDecision(sim).resident], [false, "expired", "R00002"]);
    assert.match(lastPrompt(sim), /expired/i);
    assert.equal(sim.state.relay, false);
    await sim.type("2#246813#");
    assert.equal(lastDecision(sim).reason, "expired", "her PIN expired with the lease too");
  });

  it("the landlord renews the lease at the console; her card opens again and the renewal is audited", async () => {
    await technicianLogin(sim);
    const edit = await sim.consoleLine("resident edit R00002 --until +6m");
    assert.match(edit, /R00002/);
    const view = await consoleJson<{ validUntil: number }>(sim, "resident show R00002");
    assert.ok(view.validUntil > sim.now + 150 * DAY, "valid about six more months");
    await sim.presentCard(CARD.renter);
    assert.deepEqual([lastDecision(sim).grant, lastDecision(sim).resident], [true, "R00002"]);
    const log = await sim.consoleLine("log show --last 4");
    assert.match(log, /tech\s+resident-updated/);
    assert.match(await sim.consoleLine("log verify"), /intact/);
  });
});
