// npm run bench [suite-name-substring]: runs every suite in tools/bench/suites/.
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { formatRows, type BenchSuite } from "./harness";

const filter = process.argv[2];
const dir = path.join(import.meta.dirname, "suites");
const files = readdirSync(dir).filter((f) => f.endsWith(".ts")).sort();
process.stdout.write("suite | case | value | ratio | target | note\n");
for (const file of files) {
  const suite = (await import(pathToFileURL(path.join(dir, file)).href)).default as BenchSuite;
  if (filter && !suite.name.includes(filter)) continue;
  const rows = await suite.run();
  process.stdout.write(`${formatRows(suite.name, rows)}\n`);
}
