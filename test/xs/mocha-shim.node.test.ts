// The mocha stand-in used inside XS reports what mocha would: a describe.skip
// suite's tests come back as skipped (not dropped, not run, hooks not run).
import assert from "node:assert/strict";
import path from "node:path";
import { repoRoot } from "../../tools/xs/bundle";
import { runTestFileInXs } from "../../tools/xs/test-in-xs";

describe("XS mocha shim", () => {
  it("reports every test under describe.skip as skipped and runs neither them nor their hooks", async () => {
    const { results } = await runTestFileInXs(path.join(repoRoot, "test/xs/fixtures/describe-skip.ts"));
    assert.deepEqual(results, [
      { title: "parked suite would fail", ok: true, skipped: true },
      { title: "parked suite nested would fail too", ok: true, skipped: true },
      { title: "live suite runs", ok: true },
    ]);
  });
});
