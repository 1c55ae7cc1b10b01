// Portable sample of the power-cut runs (the full ones, every cut point, are in
// power-cut.node.test.ts): the same workloads and checks, inside XS too, at a
// spread of cut points covering the format, records, withdrawals and compactions.
import assert from "node:assert/strict";
import { cleanRun, cutAndCheck, cutPoints } from "./cut-run";
import { isXs } from "./helpers";

describe("store under power cuts (sampled, also in XS)", () => {
  it("gate workload: recovers from cuts spread over enrolments, withdrawals and audit appends", () => {
    const size = 16 * 4096;
    const run = cleanRun(size, isXs ? 60 : 160);
    let cuts = 0;
    for (const k of cutPoints(run, 1, isXs ? 29 : 11)) cutAndCheck(run, size, k, cuts++ % 3 === 2 ? 2 : 0);
    assert.ok(run.purges > 0 && cuts >= 5, `${cuts} cut points, ${run.purges} purges`);
  });

  it("churn workload: recovers from cuts during compactions", () => {
    const size = 12 * 4096;
    const run = cleanRun(size, isXs ? 320 : 400, "churn");
    let cuts = 0;
    // Cut inside the compactions especially: they start where the log first fills.
    for (const k of cutPoints(run, Math.floor(run.totalOps / 2), isXs ? 37 : 9)) cutAndCheck(run, size, k, cuts++ % 3 === 2 ? 1 : 0);
    assert.ok(run.compactions > 0 && cuts >= 5, `${cuts} cut points, ${run.compactions} compactions`);
  });
});
