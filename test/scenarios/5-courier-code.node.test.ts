// Story 5: a courier gets a one-time code that works once, and only before
// it expires.
import assert from "node:assert/strict";
import { DEMO_VISITOR_CODE } from "../../boards/host/demo-compound";
import { bootGate, HOUR, lastDecision } from "./support";

const CODE = `#${DEMO_VISITOR_CODE.code}#`;

describe("story 5: a courier's one-time code", () => {
  it("opens once; the second use is refused as used up", async () => {
    const sim = await bootGate();
    try {
      await sim.jump(2 * HOUR);
      await sim.type(CODE);
      assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant], ["code", true]);
      assert.equal(sim.state.relay, true);
      await sim.advance(10_000);
      await sim.type(CODE);
      assert.deepEqual([lastDecision(sim).grant, lastDecision(sim).reason], [false, "code-used-up"]);
      assert.equal(sim.state.relay, false);
    } finally {
      await sim.close();
    }
  });

  it("is refused after its expiry even if never used", async () => {
    const sim = await bootGate();
    try {
      await sim.jump((DEMO_VISITOR_CODE.validHours + 1) * HOUR);
      await sim.type(CODE);
      assert.equal(lastDecision(sim).grant, false);
      assert.match(lastDecision(sim).reason, /expired/);
      assert.equal(sim.state.relay, false);
    } finally {
      await sim.close();
    }
  });

  it("a wrong code opens nothing", async () => {
    const sim = await bootGate();
    try {
      await sim.type("#111111#");
      assert.deepEqual([lastDecision(sim).grant, lastDecision(sim).reason], [false, "unknown-code"]);
    } finally {
      await sim.close();
    }
  });
});
