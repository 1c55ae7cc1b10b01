// Run given test files inside XS and print their results:
//   node --import=tsx tools/xs/test-files.ts test/core/foo.test.ts [...]
import { runTestFileInXs } from "./test-in-xs";

let failed = 0;
for (const file of process.argv.slice(2)) {
  const { results, meter } = await runTestFileInXs(file);
  for (const r of results) {
    if (!r.ok) failed++;
    process.stdout.write(`${r.skipped ? "-" : r.ok ? "✔" : "✘"} ${r.title}${r.ok ? "" : `\n    ${r.error}`}\n`);
  }
  process.stdout.write(`${file}: ${results.length} tests, ${meter.compute} computrons\n`);
}
process.exitCode = failed ? 1 : 0;
