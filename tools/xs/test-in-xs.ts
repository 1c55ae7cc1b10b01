// Runs mocha-style test files inside XS: the same files mocha runs in Node.
import path from "node:path";
import { bundleForXs, repoRoot } from "./bundle";
import type { TestResult } from "./mocha-shim";
import { runScriptInXs } from "./run";
import type { Meter } from "./xsnap";

export interface FileReport {
  results: TestResult[];
  meter: Meter;
}

export async function runTestFileInXs(file: string, aliases: Record<string, string> = {}): Promise<FileReport> {
  const shim = path.join(repoRoot, "tools/xs/mocha-shim.ts");
  const contents = [
    `import { runCollected } from ${JSON.stringify(shim)};`,
    `import ${JSON.stringify(path.resolve(file))};`,
    `const report = (value) => issueCommand(new TextEncoder().encode(JSON.stringify(value)).buffer);`,
    `runCollected().then(report, (error) => report([{ title: "test file", ok: false, error: String(error) }]));`,
  ].join("\n");
  const script = await bundleForXs(`${file}.xs-entry.ts`, { contents, resolveDir: repoRoot, aliases });
  const { messages, meter } = await runScriptInXs(script);
  if (messages.length !== 1) throw new Error(`expected one report from XS, got ${messages.length}`);
  return { results: JSON.parse(messages[0]) as TestResult[], meter };
}

/** Test files that must also pass in XS: every *.test.ts except the Node-only *.node.test.ts. */
export function isPortableTest(file: string): boolean {
  return file.endsWith(".test.ts") && !file.endsWith(".node.test.ts");
}
