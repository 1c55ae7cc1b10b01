// Loaded into the coverage run (mocha --require): names the running test for
// the instrumenter's per-test coverage, times every test (a mutant's time
// limit comes from the tests it runs), and at the end writes both
// (OPTGATE_MUTATE_COVERAGE). Which tests a mutant runs is chosen with --grep
// (skipping from a root beforeEach would skip the rest of a suite too).
import { writeFileSync } from "node:fs";

const ns = (globalThis.__stryker__ ??= {});
const durations = {};

export const mochaHooks = {
  beforeEach() {
    ns.currentTestId = this.currentTest.fullTitle();
  },
  afterEach() {
    durations[this.currentTest.fullTitle()] = this.currentTest.duration ?? 0;
    ns.currentTestId = undefined;
  },
  afterAll() {
    if (process.env.OPTGATE_MUTATE_COVERAGE) writeFileSync(process.env.OPTGATE_MUTATE_COVERAGE, JSON.stringify({ ...(ns.mutantCoverage ?? { static: {}, perTest: {} }), durations }));
  },
};
