// Every portable test file again, inside xst: the Moddable SDK's own XS (the
// engine that ships on the board; xsnap is a fork of an older XS). Runs where
// $MODDABLE names a built SDK with xst (CI builds one); skipped elsewhere.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { TestResult } from "../../tools/xs/mocha-shim";
import { moddableSdk } from "../../tools/moddable/sdk";
import { repoRoot } from "../../tools/xs/bundle";
import { isPortableTest, runTestFileInXst } from "../../tools/xs/test-in-xs";
import { listFiles } from "../support/list-files";

const sdk = moddableSdk();
// XS_TESTS=substring narrows the run while developing (CI never sets it).
const only = process.env.XS_TESTS;
const files = listFiles(path.join(repoRoot, "test")).filter(isPortableTest)
  .filter((file) => !only || file.includes(only)).sort();
const reports = new Map<string, TestResult[] | Error>();
if (sdk) {
  const scripts = path.join(repoRoot, "build/xst-tests");
  mkdirSync(scripts, { recursive: true });
  const xst = path.join(sdk.bin, "xst");
  const queue = [...files];
  // Two at a time: the CI machine has two cores.
  await Promise.all([0, 1].map(async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const script = path.join(scripts, `${path.relative(repoRoot, file).replace(/[/\\]/g, "__")}.js`);
      reports.set(file, await runTestFileInXst(xst, file, script).catch((error: Error) => error));
    }
  }));
}

describe("portable tests inside the Moddable SDK's XS (xst)", function () {
  before(function () { if (!sdk) this.skip(); });
  it("finds portable test files", () => assert.ok(files.length > 0));
  if (!sdk) return;
  for (const file of files) {
    describe(path.relative(repoRoot, file), () => {
      const report = reports.get(file)!;
      if (report instanceof Error) {
        it("runs in xst", () => { throw report; });
        return;
      }
      it("ran at least one test in xst", () => assert.ok(report.length > 0));
      for (const result of report) {
        if (result.skipped) it.skip(result.title);
        else it(result.title, () => { if (!result.ok) throw new Error(result.error); });
      }
    });
  }
});
