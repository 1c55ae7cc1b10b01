// Loaded into every mutation test run (mocha --require): names the running test
// for the instrumenter's per-test coverage, and at the end writes the coverage
// the instrumented code collected (OPTGATE_MUTATE_COVERAGE). Which tests a
// mutant runs is chosen with --grep (skipping from a root beforeEach would
// skip the rest of a suite too).
import { writeFileSync } from "node:fs";

const ns = (globalThis.__stryker__ ??= {});

export const mochaHooks = {
  beforeEach() {
    ns.currentTestId = this.currentTest.fullTitle();
  },
  afterEach() {
    ns.currentTestId = undefined;
  },
  afterAll() {
    if (process.env.OPTGATE_MUTATE_COVERAGE) writeFileSync(process.env.OPTGATE_MUTATE_COVERAGE, JSON.stringify(ns.mutantCoverage ?? { static: {}, perTest: {} }));
  },
};
