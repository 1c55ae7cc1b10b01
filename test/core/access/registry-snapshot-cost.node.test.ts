// Registry.exportSnapshot in XS must grow linearly with the registry: the
// gate rebases its stored registry (persistence.ts) and reports its inventory
// to the hub (sync/inventory.ts) from it. It looked up each resident's cards
// by scanning every card (quadratic: 43 M computrons at 1,000 residents,
// 162 M at 2,000, ~16 G at 20,000). Computrons are deterministic, so the ratio is too.
import assert from "node:assert/strict";
import { xsComputrons } from "../../../tools/bench/harness";

describe("Registry.exportSnapshot cost in XS", () => {
  it("doubles (not quadruples) when the registry doubles", async () => {
    const imports = `import { buildResidents } from "./test/core/access/scale-fixture";`;
    const cost = (n: number) => xsComputrons({ imports, n: 1, setup: `const r = buildResidents(${n});`, op: `r.exportSnapshot();` });
    const [small, large] = [await cost(1000), await cost(2000)];
    assert.ok(large / small < 2.5, `1,000 residents: ${small} computrons, 2,000: ${large} (ratio ${(large / small).toFixed(2)})`);
  });
});
