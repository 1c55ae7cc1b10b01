// The full fault-injection run: cut power at every write and erase of the
// workload (well over 1,000 cut points), some a second time during recovery,
// and check each recovery (see cut-run.ts, workload.ts). A sampled subset also
// runs inside XS (power-cut.test.ts).
import assert from "node:assert/strict";
import { cleanRun, cutAndCheck } from "./cut-run";

const SIZE = 16 * 4096;
const STEPS = 400;

describe("store under power cuts at every flash operation (full run)", () => {
  const run = cleanRun(SIZE, STEPS);

  it("the workload performs over 1,000 writes and erases, with compactions and withdrawals", () => {
    assert.ok(run.totalOps >= 1000, `only ${run.totalOps} flash operations`);
    const names = run.boundaries.map((b) => b.model.withdrawn.length);
    assert.ok(names[names.length - 1] >= 5, "several withdrawals happened");
  });

  it("recovers correctly from a cut at every one of them, and from second cuts during recovery", function () {
    this.timeout(600_000);
    let cuts = 0;
    for (let k = 1; k <= run.totalOps; k++) {
      cutAndCheck(run, SIZE, k, k % 9 === 0 ? 1 + (k % 5) : 0);
      cuts++;
    }
    assert.ok(cuts >= 1000, `only ${cuts} distinct cut points`);
  });
});
