// Runs mocha-style test files inside XS: the same files mocha runs in Node.
// Two engines: xsnap-worker (@agoric/xsnap, built by npm ci; metered) and xst,
// the Moddable SDK's own XS (the engine that ships on the board).
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { bundleForXs, repoRoot } from "./bundle";
import type { TestResult } from "./mocha-shim";
import { runScriptInXs } from "./run";
import type { Meter } from "./xsnap";

export interface FileReport {
  results: TestResult[];
  meter: Meter;
}

const reportMark = "@@optgate-test-report ";

/** The test file behind the mocha shim, reporting its results once through `report`. */
function bundleTestFile(file: string, report: string, aliases: Record<string, string>): Promise<string> {
  const shim = path.join(repoRoot, "tools/xs/mocha-shim.ts");
  const contents = [
    `import { runCollected } from ${JSON.stringify(shim)};`,
    `import ${JSON.stringify(path.resolve(file))};`,
    `const report = ${report};`,
    `runCollected().then(report, (error) => report([{ title: "test file", ok: false, error: String(error) }]));`,
  ].join("\n");
  return bundleForXs(`${file}.xs-entry.ts`, { contents, resolveDir: repoRoot, aliases });
}

export async function runTestFileInXs(file: string, aliases: Record<string, string> = {}): Promise<FileReport> {
  const script = await bundleTestFile(file, "(value) => issueCommand(new TextEncoder().encode(JSON.stringify(value)).buffer)", aliases);
  const { messages, meter } = await runScriptInXs(script);
  if (messages.length !== 1) throw new Error(`expected one report from XS, got ${messages.length}`);
  return { results: JSON.parse(messages[0]) as TestResult[], meter };
}

/** The same, inside the SDK's xst (no meter there): `xst -s` runs the bundle as a script, jobs and timers included. */
export async function runTestFileInXst(xst: string, file: string, scriptPath: string): Promise<TestResult[]> {
  await writeFile(scriptPath, await bundleTestFile(file, `(value) => print(${JSON.stringify(reportMark)} + JSON.stringify(value))`, {}));
  const { stdout } = await promisify(execFile)(xst, ["-s", scriptPath], { maxBuffer: 64 << 20, timeout: 600_000 });
  const reports = stdout.split("\n").filter((line) => line.startsWith(reportMark));
  if (reports.length !== 1) throw new Error(`expected one report from xst, got ${reports.length}:\n${stdout.slice(-2000)}`);
  return JSON.parse(reports[0].slice(reportMark.length)) as TestResult[];
}

/** Test files that must also pass in XS: every *.test.ts except the Node-only *.node.test.ts. */
export function isPortableTest(file: string): boolean {
  return file.endsWith(".test.ts") && !file.endsWith(".node.test.ts");
}
