// One long-lived mutation test process (main.ts starts two): loads the group's
// test files once, then for each mutant the parent sends, switches the
// instrumented code to that mutant (StrykerJS's switches read
// globalThis.__stryker__.activeMutant on every call) and runs only the tests
// that reach it. Loading once instead of once per mutant is what makes the
// store and access groups affordable. A mutant that runs at module load time
// cannot be switched this way; the parent runs those in a fresh process.
import path from "node:path";
import Mocha from "mocha";

interface Job { id: string | null; grep: string | null }

const ns = ((globalThis as Record<string, unknown>).__stryker__ ??= {}) as { activeMutant?: string; hitCount?: number; hitLimit?: number };

class Silent extends Mocha.reporters.Base {}

const mocha = new Mocha({ bail: true, timeout: 300_000, reporter: Silent as never });
mocha.cleanReferencesAfterRun(false);
for (const file of process.argv.slice(2)) mocha.addFile(path.resolve(file));
await mocha.loadFilesAsync();
(mocha as unknown as { lazyLoadFiles(on: boolean): void }).lazyLoadFiles(true);

/** Runs the job's tests; the failure count and the full title of the first test that failed. */
function run(job: Job): Promise<{ failures: number; failed?: string }> {
  ns.activeMutant = job.id ?? undefined;
  // An endless loop in mutated code hits its switch without end: stop it as a failure.
  ns.hitCount = job.id ? 0 : undefined;
  ns.hitLimit = 50_000_000;
  mocha.options.grep = job.grep ? new RegExp(job.grep) : undefined;
  return new Promise((resolve) => {
    let failed: string | undefined;
    const runner = mocha.run((failures) => resolve({ failures, failed }));
    runner.on("fail", (test) => { if (test.type === "test") failed ??= test.fullTitle(); });
  });
}

process.on("message", (job: Job) => {
  void run(job).then((outcome) => process.send!({ id: job.id, ...outcome }));
});
process.send!({ ready: true });
