// `npm run mutate [-- group ...]`: mutation testing of the safety-critical
// modules (groups.ts). Mutants come from StrykerJS's instrumenter (all of its
// mutators, placed behind switches in one instrumented copy of the sources);
// the runner is ours because StrykerJS's own mocha runner needs mocha < 12
// and its TypeScript checker a compiler API that TypeScript 7 does not have.
//
// Per group: a sandbox (.mutate/<group>: src, test, tools, boards copied,
// node_modules and build linked) with the group's files instrumented; one
// coverage run of its tests (which test reaches which mutant, and how long
// each test takes); then every mutant alone over only the tests that reach
// it, mocha --bail, in two long-lived test processes (worker.ts) that switch
// mutants without reloading. A failing run kills the mutant, one that runs
// past 3x its tests' time (+5 s) times out (counted killed), a passing one
// survives; a mutant no test reaches is "no coverage". Results go
// to reports/mutation/<group>.json; survivors are printed with file:line.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Instrumenter } from "@stryker-mutator/instrumenter";
import { GROUPS } from "./groups";

interface Result { id: string; file: string; line: number; mutator: string; replacement: string; status: "killed" | "timeout" | "survived" | "no-coverage" }

const root = process.cwd();
// Every test process: the faces beside the checkout, and OPTGATE_MUTATING=1 (campaigns sized for mutation, e.g. the store's power cuts).
const TEST_ENV = { OPTGATE_FACES: path.join(root, "..", "shared", "faces"), OPTGATE_MUTATING: "1" };
const quiet = { debug() {}, info() {}, trace() {}, warn: (...a: unknown[]) => console.error(...a), error: (...a: unknown[]) => console.error(...a), fatal() {}, isDebugEnabled: () => false, isTraceEnabled: () => false, isInfoEnabled: () => false, isWarnEnabled: () => true, isErrorEnabled: () => true, isFatalEnabled: () => true };

function expand(pattern: string): string[] {
  if (!pattern.includes("*")) return [pattern];
  const dir = path.dirname(pattern), re = new RegExp(`^${path.basename(pattern).replace(/\./g, "\\.").replace(/\*/g, ".*")}$`);
  return readdirSync(dir).filter((f) => re.test(f)).map((f) => path.join(dir, f)).sort();
}

function sandbox(group: string): string {
  const dir = path.join(root, ".mutate", group);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const d of ["src", "test", "tools", "boards", "wasm"]) if (existsSync(d)) cpSync(d, path.join(dir, d), { recursive: true });
  for (const f of ["package.json", "tsconfig.json", "tsconfig.host.json"]) if (existsSync(f)) cpSync(f, path.join(dir, f));
  for (const d of ["node_modules", "build"]) if (existsSync(d)) symlinkSync(path.join(root, d), path.join(dir, d));
  // ../shared beside the sandbox, as beside the checkout (the ORL faces and the SDK are looked up there).
  return dir;
}

/** A mocha --grep pattern that matches exactly these full test titles. */
function titlesPattern(titles: string[]): string {
  return `^(?:${titles.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$`;
}

function mocha(dir: string, spec: string[], env: Record<string, string>, timeoutMs: number, extra: string[] = []): Promise<{ code: number | null; ms: number; timedOut: boolean }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "node_modules/mocha/bin/mocha.js"), "--no-config", "--extension", "ts", "--timeout", "300000", "--bail", "--reporter", process.env.OPTGATE_MUTATE_ONLY ? "spec" : "dot", "--require", path.join(root, "tools/mutate/mocha-hooks.mjs"), ...extra, ...spec], { cwd: dir, env: { ...process.env, ...TEST_ENV, ...env }, stdio: process.env.OPTGATE_MUTATE_ONLY && env.__STRYKER_ACTIVE_MUTANT__ ? "inherit" : "ignore" });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, timeoutMs);
    child.on("exit", (code) => { clearTimeout(timer); resolve({ code, ms: Date.now() - started, timedOut }); });
  });
}

/** A worker.ts process: the group's tests loaded once, run per mutant. */
class TestProcess {
  readonly #child: ChildProcess;
  #pending: ((o: "passed" | "failed" | "crashed") => void) | undefined;
  /** Full title of the first test that failed in the last run. */
  failed: string | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on("message", (msg: { failures?: number; failed?: string }) => {
      if (msg.failures === undefined) return;
      const settle = this.#pending;
      this.#pending = undefined;
      this.failed = msg.failed;
      settle?.(msg.failures === 0 ? "passed" : "failed");
    });
    child.on("exit", () => { const settle = this.#pending; this.#pending = undefined; settle?.("crashed"); });
  }

  static start(dir: string, spec: string[]): Promise<TestProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(dir, "tools/mutate/worker.ts"), ...spec], { cwd: dir, env: { ...process.env, ...TEST_ENV }, stdio: ["ignore", "ignore", "ignore", "ipc"] });
    return new Promise((resolve, reject) => {
      child.once("message", () => resolve(new TestProcess(child)));
      child.once("exit", (code) => reject(new Error(`the mutation test process could not load the tests (exit ${code})`)));
    });
  }

  run(id: string | null, grep: string, limitMs: number): Promise<"passed" | "failed" | "crashed" | "timeout"> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.#pending = undefined; this.stop(); resolve("timeout"); }, limitMs);
      this.#pending = (o) => { clearTimeout(timer); resolve(o); };
      this.#child.send({ id, grep });
    });
  }

  stop(): void {
    this.#child.kill("SIGKILL");
  }
}

async function runGroup(name: string): Promise<string> {
  const group = GROUPS[name];
  if (!group) throw new Error(`unknown group ${name}; one of ${Object.keys(GROUPS).join(", ")}`);
  // OPTGATE_MUTATE_FILES=src/core/access/lockout.ts,…: only these of the group's files (while writing tests for them).
  const onlyFiles = process.env.OPTGATE_MUTATE_FILES?.split(",");
  const files = group.mutate.flatMap(expand).filter((f) => !onlyFiles || onlyFiles.includes(f));
  if (files.length === 0) throw new Error(`${name}: none of its files is in OPTGATE_MUTATE_FILES`);
  const spec = group.spec.flatMap(expand).filter((f) => !group.skip?.includes(f));
  const instrumented = await new Instrumenter(quiet as never).instrument(
    files.map((f) => ({ name: f, content: readFileSync(f, "utf8"), mutate: true })),
    { plugins: null, excludedMutations: [], ignorers: [] },
  );
  const dir = sandbox(name);
  for (const f of instrumented.files) writeFileSync(path.join(dir, f.name), f.content);
  const coverageFile = path.join(dir, "coverage.json");
  const base = await mocha(dir, spec, { OPTGATE_MUTATE_COVERAGE: coverageFile }, 30 * 60_000);
  if (base.code !== 0) throw new Error(`${name}: the tests fail without any mutant (exit ${base.code}); fix them first`);
  const coverage = JSON.parse(readFileSync(coverageFile, "utf8")) as { static: Record<string, number>; perTest: Record<string, Record<string, number>>; durations: Record<string, number> };
  const testsOf = new Map<string, string[]>();
  for (const [test, hits] of Object.entries(coverage.perTest)) for (const id of Object.keys(hits)) testsOf.set(id, [...(testsOf.get(id) ?? []), test]);
  const wholeRunLimit = base.ms * 3 + 10_000;
  const results: Result[] = [];
  // OPTGATE_MUTATE_ONLY=12,40: just these mutants, in fresh processes with mocha's output shown (to look at one).
  const chosen = process.env.OPTGATE_MUTATE_ONLY?.split(",");
  const queue = instrumented.mutants.filter((m) => m.status !== "Ignored" && (!chosen || chosen.includes(m.id)));
  let done = 0;
  const worker = async () => {
    let tester: TestProcess | undefined;
    for (let m = queue.shift(); m; m = queue.shift()) {
      const r: Result = { id: m.id, file: m.fileName, line: m.location.start.line + 1, mutator: m.mutatorName, replacement: m.replacement.replace(/\s+/g, " ").slice(0, 60), status: "no-coverage" };
      const isStatic = (coverage.static[m.id] ?? 0) > 0;
      const tests = testsOf.get(m.id);
      if (isStatic || !tests || chosen) {
        // Runs at load time (or is being looked at): a fresh process with every test of the group.
        if (isStatic || tests) {
          const run = await mocha(dir, spec, { __STRYKER_ACTIVE_MUTANT__: m.id }, wholeRunLimit, isStatic || !tests ? [] : ["--grep", titlesPattern(tests)]);
          r.status = run.timedOut ? "timeout" : run.code === 0 ? "survived" : "killed";
        }
      } else {
        const grep = titlesPattern(tests);
        const limit = 3 * tests.reduce((sum, t) => sum + (coverage.durations[t] ?? 1000), 0) + 5_000;
        tester ??= await TestProcess.start(dir, spec);
        let outcome = await tester.run(m.id, grep, limit);
        if (outcome === "failed") {
          // Trust a kill only if the test that failed still passes without the mutant in this
          // process (an earlier mutant may have left shared state broken); otherwise redo it in a new one.
          if ((await tester.run(null, tester.failed ? titlesPattern([tester.failed]) : grep, limit)) !== "passed") {
            tester.stop();
            tester = await TestProcess.start(dir, spec);
            outcome = await tester.run(m.id, grep, limit);
          }
        }
        if (outcome === "crashed" || outcome === "timeout") { tester.stop(); tester = undefined; }
        if (outcome === "crashed") {
          const run = await mocha(dir, spec, { __STRYKER_ACTIVE_MUTANT__: m.id }, wholeRunLimit, ["--grep", titlesPattern(tests)]);
          r.status = run.timedOut ? "timeout" : run.code === 0 ? "survived" : "killed";
        } else {
          r.status = outcome === "timeout" ? "timeout" : outcome === "passed" ? "survived" : "killed";
        }
      }
      results.push(r);
      // Survivors as they come (with the id OPTGATE_MUTATE_ONLY takes), so a long run can be worked on meanwhile.
      if (r.status === "survived" || r.status === "no-coverage") process.stderr.write(`  survived #${r.id} ${r.file}:${r.line} ${r.mutator} -> ${r.replacement}\n`);
      if (++done % 25 === 0) process.stderr.write(`  ${name}: ${done}/${instrumented.mutants.length}\n`);
    }
    tester?.stop();
  };
  await Promise.all([worker(), worker()]);
  results.sort((a, b) => Number(a.id) - Number(b.id));
  mkdirSync(path.join(root, "reports/mutation"), { recursive: true });
  writeFileSync(path.join(root, `reports/mutation/${name}.json`), JSON.stringify(results, null, 1));
  rmSync(dir, { recursive: true, force: true });
  const killed = results.filter((r) => r.status === "killed" || r.status === "timeout").length;
  const survivors = results.filter((r) => r.status === "survived" || r.status === "no-coverage");
  for (const s of survivors) console.log(`  survived ${s.file}:${s.line} ${s.mutator} -> ${s.replacement}${s.status === "no-coverage" ? " (no test reaches it)" : ""}`);
  return `${name}: ${((100 * killed) / Math.max(1, results.length)).toFixed(1)} % killed (${killed} of ${results.length}; ${survivors.length} survived, ${results.filter((r) => r.status === "no-coverage").length} of them unreached)`;
}

const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(GROUPS);
const lines: string[] = [];
for (const name of names) lines.push(await runGroup(name));
console.log(`\nmutation scores\n${lines.join("\n")}`);
