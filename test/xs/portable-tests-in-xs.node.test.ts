// Every portable test file (*.test.ts that is not *.node.test.ts) runs a second
// time inside the real XS engine, so nothing XS lacks can slip into src/.
import assert from "node:assert/strict";
import path from "node:path";
import { repoRoot } from "../../tools/xs/bundle";
import { isPortableTest, runTestFileInXs, type FileReport } from "../../tools/xs/test-in-xs";
import { listFiles } from "../support/list-files";

// XS_TESTS=substring narrows the run while developing (CI never sets it).
const only = process.env.XS_TESTS;
const files = listFiles(path.join(repoRoot, "test")).filter(isPortableTest)
  .filter((file) => !only || file.includes(only)).sort();
const reports = new Map<string, FileReport | Error>();
// Two workers at a time: the CI machine has two cores.
const queue = [...files];
await Promise.all([0, 1].map(async () => {
  for (let file = queue.shift(); file; file = queue.shift()) {
    reports.set(file, await runTestFileInXs(file).catch((error: Error) => error));
  }
}));

describe("portable tests inside XS (xsnap-worker)", () => {
  it("finds portable test files", () => assert.ok(files.length > 0));
  for (const file of files) {
    describe(path.relative(repoRoot, file), () => {
      const report = reports.get(file)!;
      if (report instanceof Error) {
        it("runs in XS", () => { throw report; });
        return;
      }
      it("ran at least one test in XS", () => assert.ok(report.results.length > 0));
      for (const result of report.results) {
        if (result.skipped) it.skip(result.title);
        else it(result.title, () => { if (!result.ok) throw new Error(result.error); });
      }
    });
  }
});
