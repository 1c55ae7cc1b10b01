// The whole firmware in XS on the host board, measured in computrons
// (deterministic): what one timer tick of an idle gate costs (every driver
// polled), and what each way in costs end to end, from the card entering the
// reader's field (or the first key press) to the decision, through the chip
// models, drivers, gate controller, access core, audit chain and store.
import { DEMO_RESIDENTS } from "../../../boards/host/demo-compound";
import type { BenchRow, BenchSuite } from "../harness";
import { startSimulator, type Simulator } from "../../sim/simulator";

const TICK_MS = 10;

/** Computrons an action costs, and how many 10 ms ticks of simulated time it spanned. */
async function cost(sim: Simulator, action: () => Promise<unknown>): Promise<{ computrons: number; ticks: number }> {
  const before = sim.computrons;
  const start = sim.now;
  await action();
  return { computrons: sim.computrons - before, ticks: (sim.now - start) / TICK_MS };
}

const suite: BenchSuite = {
  name: "sim",
  async run(): Promise<BenchRow[]> {
    const sim = await startSimulator({ image: null, startTime: Date.UTC(2026, 2, 2) });
    try {
      await sim.advance(500);
      const idleRun = await cost(sim, () => sim.advance(2000));
      const idle = idleRun.computrons / idleRun.ticks;
      const card = await cost(sim, () => sim.presentCard(DEMO_RESIDENTS[0].card, 300));
      await sim.advance(6000);
      const pin = await cost(sim, () => sim.type("2#246813#"));
      await sim.advance(6000);
      await sim.showFace("genuine", 303);
      const face = await cost(sim, async () => { await sim.type("3A"); await sim.advance(500); });
      const decided = sim.decisions.map((d) => `${d.via}:${d.reason}`).join(" ");
      if (decided !== "card:granted pin:granted face:granted") throw new Error(`unexpected decisions: ${decided}`);
      const row = (name: string, run: { computrons: number; ticks: number }, note: string): BenchRow => ({
        case: name, value: run.computrons, unit: "computrons", baseline: Math.round(idle * run.ticks), baselineName: "idle ticks", note: `${run.ticks} ticks; ${note}`,
      });
      return [
        { case: "idle gate, one 10 ms tick (all drivers polled, host link included)", value: Math.round(idle), unit: "computrons" },
        row("card held 300 ms, taken away → decision, audit on flash", card, "reader sees it leave"),
        row("keypad 2#246813# → decision", pin, "PIN HMAC, audit on flash"),
        row("3A face key → 1:1 match (D=128) → decision", face, "synthetic embedder, TS matcher"),
      ];
    } finally {
      await sim.close();
    }
  },
};

export default suite;
