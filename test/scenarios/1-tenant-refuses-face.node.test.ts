// Story 1: a tenant refuses face enrolment. She gets a card and a PIN, enters
// every day, and the camera is never powered for her.
import assert from "node:assert/strict";
import type { Simulator } from "../../tools/sim/simulator";
import { bootGate, CARD, cameraOnSince, jumpToLocal, lastDecision } from "./support";

describe("story 1: a tenant who refuses face enrolment", () => {
  let sim: Simulator;
  before(async () => { sim = await bootGate(); });
  after(async () => { await sim.close(); });

  it("enters every day with her card and her PIN, and the camera is never powered", async () => {
    const from = sim.events.length;
    const entries: string[] = [];
    // Her lease (demo renter R00002) runs two days: mornings with the card, evenings with the PIN.
    for (let day = 0; day < 2; day++) {
      await jumpToLocal(sim, 8, 5);
      await sim.presentCard(CARD.renter);
      entries.push(`${lastDecision(sim).via}:${lastDecision(sim).reason}:${lastDecision(sim).resident}`);
      assert.equal(sim.state.relay, true, "the strike is energised");
      await sim.advance(6000);
      assert.equal(sim.state.relay, false, "and relocks after the pulse");
      await jumpToLocal(sim, 19, 30);
      await sim.type("2#246813#");
      entries.push(`${lastDecision(sim).via}:${lastDecision(sim).reason}:${lastDecision(sim).resident}`);
    }
    assert.deepEqual(entries, [
      "card:granted:R00002", "pin:granted:R00002",
      "card:granted:R00002", "pin:granted:R00002",
    ]);
    assert.equal(cameraOnSince(sim, from), 0, "camera supply never rose");
    assert.equal(sim.state.leds.camera, false, "privacy LED dark");
    assert.equal(sim.decisions.filter((d) => d.via === "face").length, 0);
  });
});
