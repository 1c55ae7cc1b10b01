// Loaded into every mutation test run (mocha --require): names the running test
// for the instrumenter's per-test coverage, skips tests the mutant does not
// reach (OPTGATE_MUTATE_TESTS: a JSON file of full titles), and at the end
// writes the coverage the instrumented code collected (OPTGATE_MUTATE_COVERAGE).
import { readFileSync, writeFileSync } from "node:fs";

const only = process.env.OPTGATE_MUTATE_TESTS ? new Set(JSON.parse(readFileSync(process.env.OPTGATE_MUTATE_TESTS, "utf8"))) : undefined;
const ns = (globalThis.__stryker__ ??= {});

export const mochaHooks = {
  beforeEach() {
    const title = this.currentTest.fullTitle();
    if (only && !only.has(title)) this.skip();
    ns.currentTestId = title;
  },
  afterEach() {
    ns.currentTestId = undefined;
  },
  afterAll() {
    if (process.env.OPTGATE_MUTATE_COVERAGE) writeFileSync(process.env.OPTGATE_MUTATE_COVERAGE, JSON.stringify(ns.mutantCoverage ?? { static: {}, perTest: {} }));
  },
};
