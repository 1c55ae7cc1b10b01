// Benchmark harness: each suite returns rows; a row compares a measurement with
// a baseline measured in the same run (ratio = value / baseline), and XS
// figures are reported in computrons (deterministic), never as timed asserts.
import { bundleForXs, repoRoot } from "../xs/bundle";
import { runScriptInXs } from "../xs/run";

export interface BenchRow {
  case: string;
  value: number;
  unit: string;
  /** Baseline in the same unit, measured in the same run. */
  baseline?: number;
  baselineName?: string;
  target?: string;
  note?: string;
}

export interface BenchSuite {
  name: string;
  run(): Promise<BenchRow[]>;
}

/** Median nanoseconds per call over several rounds (first round warms the JIT). */
export function nsPerCall(fn: () => unknown, calls: number, rounds = 7): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    samples.push(Number(process.hrtime.bigint() - start) / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/**
 * Computrons for one operation in XS: runs `setup` then `op` n times and
 * subtracts a run of `setup` alone, so bundle loading is not counted.
 */
export async function xsComputrons(options: { imports: string; setup: string; op: string; n?: number }): Promise<number> {
  const n = options.n ?? 10;
  const run = async (count: number) => {
    const contents = `${options.imports}\n${options.setup}\nfor (let i = 0; i < ${count}; i++) { ${options.op} }`;
    const script = await bundleForXs("bench-entry.ts", { contents, resolveDir: repoRoot });
    return (await runScriptInXs(script)).meter.compute;
  };
  const [base, full] = [await run(0), await run(n)];
  return (full - base) / n;
}

export function formatRows(suite: string, rows: BenchRow[]): string {
  const lines = rows.map((row) => {
    const ratio = row.baseline ? `${(row.value / row.baseline).toFixed(2)}× ${row.baselineName ?? "baseline"}` : "";
    return [suite, row.case, `${fmt(row.value)} ${row.unit}`, ratio, row.target ?? "", row.note ?? ""];
  });
  return lines.map((cells) => cells.join(" | ")).join("\n");
}

function fmt(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toPrecision(3);
}
