// The full fault-injection run: cut power at every write and erase of two
// workloads (together well over 1,000 cut points), some a second time during
// recovery, and check each recovery (cut-run.ts, workload.ts):
//  - "gate": enrolments, card changes, withdrawals with erasure proofs, audit;
//  - "churn": updates in a small partition, so room comes from compaction.
// A sampled subset also runs inside XS (power-cut.test.ts).
import assert from "node:assert/strict";
import { cleanRun, cutAndCheck } from "./cut-run";

const runs = [
  { profile: "gate" as const, size: 16 * 4096, steps: 300 },
  { profile: "churn" as const, size: 12 * 4096, steps: 500 },
];

describe("store under power cuts at every flash operation (full run)", () => {
  let total = 0;
  for (const { profile, size, steps } of runs) {
    describe(`${profile} workload, ${size / 4096} sectors, ${steps} steps`, () => {
      const run = cleanRun(size, steps, profile);

      it("exercises what it is meant to", () => {
        if (profile === "gate") assert.ok(run.purges >= 5, `${run.purges} withdrawals erased sectors`);
        else assert.ok(run.compactions >= 10, `${run.compactions} compactions`);
      });

      it(`recovers from a cut at each of its ${run.totalOps} flash operations, and from second cuts in recovery`, function () {
        this.timeout(600_000);
        for (let k = 1; k <= run.totalOps; k++) cutAndCheck(run, size, k, k % 9 === 0 ? 1 + (k % 5) : 0);
        total += run.totalOps;
      });
    });
  }

  // A child suite: mocha runs a suite's own tests before its children.
  describe("coverage", () => {
    it("covered at least 1,000 distinct cut points", () => assert.ok(total >= 1000, `${total} cut points`));
  });
});
