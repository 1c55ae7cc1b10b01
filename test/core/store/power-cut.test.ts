// Portable sample of the power-cut run (the full one, every cut point, is
// power-cut.node.test.ts): the same workload and checks inside XS too, at a
// spread of cut points that covers the format, records, compactions and
// withdrawals.
import assert from "node:assert/strict";
import { cleanRun, cutAndCheck } from "./cut-run";
import { isXs } from "./helpers";

const SIZE = 16 * 4096;

describe("store under power cuts (sampled, also in XS)", () => {
  const run = cleanRun(SIZE, isXs ? 60 : 160);

  it("recovers from cuts spread over the whole workload", () => {
    const stride = isXs ? 23 : 11;
    let cuts = 0;
    for (let k = 1; k <= run.totalOps; k += stride) {
      cutAndCheck(run, SIZE, k, cuts % 3 === 2 ? 2 : 0);
      cuts++;
    }
    assert.ok(cuts >= (isXs ? 5 : 30), `${cuts} cut points`);
  });
});
