// Story 3: a resident who opted into face wears a mask, or the camera is
// broken: the gate says so clearly and the card or PIN still opens.
import assert from "node:assert/strict";
import type { Simulator } from "../../tools/sim/simulator";
import { bootGate, CARD, cameraOnSince, FACE_IDENTITY, lastDecision, lastPrompt } from "./support";

describe("story 3: mask or broken camera → card or PIN, with a clear prompt", () => {
  let sim: Simulator;
  beforeEach(async () => { sim = await bootGate(); });
  afterEach(async () => { await sim.close(); });

  it("without a mask the face opens (the path works at all)", async () => {
    await sim.showFace("genuine", FACE_IDENTITY);
    await sim.type("3A"); // her resident number, then the face key (1:1)
    await sim.advance(500);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["face", true, "R00003"]);
  });

  it("with a mask: no face is seen, the prompt offers card or PIN, the camera goes off, the card opens", async () => {
    const from = sim.events.length;
    await sim.showFace("no-face");
    await sim.type("3A"); // her resident number, then the face key (1:1)
    await sim.advance(10_000);
    assert.equal(lastPrompt(sim), "No face seen. Please use your card or PIN.");
    assert.equal(sim.state.cameraPowered, false);
    assert.equal(sim.state.relay, false);
    assert.equal(cameraOnSince(sim, from), 1, "powered for that one session only");
    await sim.presentCard(CARD.faceUser);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).reason], ["card", "granted"]);
  });

  it("with a broken camera: the prompt says the camera is unavailable, the PIN opens", async () => {
    await sim.breakCamera(true);
    await sim.showFace("genuine", FACE_IDENTITY);
    await sim.type("3A"); // her resident number, then the face key (1:1)
    await sim.advance(1000);
    assert.equal(lastPrompt(sim), "Camera unavailable. Please use your card or PIN.");
    assert.equal(sim.state.cameraPowered, false);
    await sim.type("3#135724#");
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).reason, lastDecision(sim).resident], ["pin", "granted", "R00003"]);
  });

  it("a stranger is not let in by face and gets the same offer", async () => {
    await sim.showFace("impostor");
    await sim.type("3A"); // her resident number, then the face key (1:1)
    await sim.advance(10_000);
    assert.equal(sim.decisions.some((d) => d.grant), false);
    assert.match(lastPrompt(sim), /use your card or PIN/);
  });
});
