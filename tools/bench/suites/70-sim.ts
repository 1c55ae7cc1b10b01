// The whole firmware in XS on the host board, measured in computrons
// (deterministic): what one timer tick of an idle gate costs (every driver
// polled), and what each way in costs end to end, from the card entering the
// reader's field (or the first key press) to the decision, through the chip
// models, drivers, gate controller, access core, audit chain and store.
import { DEMO_RESIDENTS } from "../../../boards/host/demo-compound";
import type { BenchRow, BenchSuite } from "../harness";
import { startSimulator, type Simulator } from "../../sim/simulator";

const TICK_MS = 10;

async function cost(sim: Simulator, action: () => Promise<unknown>): Promise<number> {
  const before = sim.computrons;
  await action();
  return sim.computrons - before;
}

const suite: BenchSuite = {
  name: "sim",
  async run(): Promise<BenchRow[]> {
    const sim = await startSimulator({ image: null, startTime: Date.UTC(2026, 2, 2) });
    try {
      await sim.advance(500);
      const idleMs = 2000;
      const idle = (await cost(sim, () => sim.advance(idleMs))) / (idleMs / TICK_MS);
      const hold = 300;
      const card = await cost(sim, () => sim.presentCard(DEMO_RESIDENTS[0].card, hold));
      const cardTicks = (hold + 100) / TICK_MS;
      await sim.advance(6000);
      const pin = await cost(sim, () => sim.type("2#2468#"));
      const pinTicks = (7 * 140) / TICK_MS;
      await sim.advance(6000);
      await sim.showFace("genuine", 303);
      const face = await cost(sim, async () => { await sim.type("A"); await sim.advance(500); });
      const faceTicks = (140 + 500) / TICK_MS;
      const decided = sim.decisions.map((d) => `${d.via}:${d.reason}`).join(" ");
      if (decided !== "card:granted pin:granted face:granted") throw new Error(`unexpected decisions: ${decided}`);
      return [
        { case: "idle gate, one 10 ms tick (all drivers polled)", value: Math.round(idle), unit: "computrons" },
        { case: "card tap → decision (300 ms in the field)", value: card, unit: "computrons", baseline: Math.round(idle * cardTicks), baselineName: "idle ticks", note: `${cardTicks} ticks` },
        { case: "keypad 2#2468# → decision", value: pin, unit: "computrons", baseline: Math.round(idle * pinTicks), baselineName: "idle ticks", note: `${pinTicks} ticks, PIN HMAC included` },
        { case: "face key → 1:N match (D=128) → decision", value: face, unit: "computrons", baseline: Math.round(idle * faceTicks), baselineName: "idle ticks", note: `${faceTicks} ticks, synthetic embedder` },
      ];
    } finally {
      await sim.close();
    }
  },
};

export default suite;
