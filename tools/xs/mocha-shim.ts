// A tiny describe/it collector for running mocha-style test files inside XS.
// Installed on globalThis before the test files load; run() executes the tree
// (hooks included, async tests awaited) and returns one result per test.
type Fn = (this: unknown) => unknown;
interface Suite { title: string; skipped: boolean; suites: Suite[]; tests: { title: string; fn?: Fn }[]; before: Fn[]; after: Fn[]; beforeEach: Fn[]; afterEach: Fn[] }
export interface TestResult { title: string; ok: boolean; error?: string; skipped?: boolean; compute?: number }

function newSuite(title: string): Suite {
  return { title, skipped: skipping, suites: [], tests: [], before: [], after: [], beforeEach: [], afterEach: [] };
}

/** Inside describe.skip: every test is reported skipped, as mocha does, instead of vanishing; no hook runs. */
let skipping = false;
const root = newSuite("");
let current = root;
const context = { timeout() { return context; }, slow() { return context; }, retries() { return context; } };

function describe(title: string, body: () => void): void {
  const suite = newSuite(title);
  current.suites.push(suite);
  const parent = current;
  current = suite;
  try { body.call(context); } finally { current = parent; }
}
function describeSkip(title: string, body: () => void): void {
  const outer = skipping;
  skipping = true;
  try { describe(title, body); } finally { skipping = outer; }
}
function it(title: string, fn?: Fn): void { current.tests.push({ title, fn: skipping ? undefined : fn }); }

const g = globalThis as Record<string, unknown>;
g.describe = Object.assign(describe, { skip: describeSkip, only: describe });
g.it = Object.assign(it, { skip(title: string) { current.tests.push({ title }); }, only: it });
g.before = (fn: Fn) => { current.before.push(fn); };
g.after = (fn: Fn) => { current.after.push(fn); };
g.beforeEach = (fn: Fn) => { current.beforeEach.push(fn); };
g.afterEach = (fn: Fn) => { current.afterEach.push(fn); };
g.__XS__ = true;

function message(error: unknown): string {
  const e = error as Error;
  return e && e.message !== undefined ? `${e.name}: ${e.message}` : String(error);
}

async function runSuite(suite: Suite, path: string[], inherited: { each: Fn[]; afterEach: Fn[] }, out: TestResult[]): Promise<void> {
  const names = suite.title ? [...path, suite.title] : path;
  if (suite.skipped) {
    for (const test of suite.tests) out.push({ title: [...names, test.title].join(" "), ok: true, skipped: true });
    for (const child of suite.suites) await runSuite(child, names, inherited, out);
    return;
  }
  const each = [...inherited.each, ...suite.beforeEach];
  const afterEach = [...suite.afterEach, ...inherited.afterEach];
  try {
    for (const hook of suite.before) await hook.call(context);
  } catch (error) {
    out.push({ title: [...names, '"before all" hook'].join(" "), ok: false, error: message(error) });
    return;
  }
  for (const test of suite.tests) {
    const title = [...names, test.title].join(" ");
    if (!test.fn) { out.push({ title, ok: true, skipped: true }); continue; }
    try {
      for (const hook of each) await hook.call(context);
      await test.fn.call(context);
      for (const hook of afterEach) await hook.call(context);
      out.push({ title, ok: true });
    } catch (error) {
      out.push({ title, ok: false, error: message(error) });
    }
  }
  for (const child of suite.suites) await runSuite(child, names, { each, afterEach }, out);
  for (const hook of suite.after) {
    try { await hook.call(context); } catch (error) {
      out.push({ title: [...names, '"after all" hook'].join(" "), ok: false, error: message(error) });
    }
  }
}

export async function runCollected(): Promise<TestResult[]> {
  const out: TestResult[] = [];
  await runSuite(root, [], { each: [], afterEach: [] }, out);
  return out;
}
