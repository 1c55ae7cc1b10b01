// Runs the board's native matcher inside the real Moddable SDK on `lin`: the
// same xs_matcher.c + matcher_host.c + wasm2c output and NativeMatcher the
// ESP32-S3 build links, driven through the golden vectors and bad inputs.
//   MODDABLE=<sdk> node --import=tsx tools/wasm/moddable-check.ts
// Needs a built SDK (tools/moddable/sdk.ts) and xvfb-run; the app's trace()
// output is read by a minimal stand-in for xsbug on port 5002.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { allGoldenCases, type GoldenFile } from "../../test/wasm/golden-inputs";
import { checkAppManifest } from "../moddable/check-app";
import { buildLin, moddableSdk, runUnderMcsim, type Sdk } from "../moddable/sdk";
import { repoRoot } from "../xs/bundle";
const appDir = path.join(repoRoot, "build/moddable-matcher-check");

export interface ModdableCheck {
  rows: Record<string, number[][]>;
  bad: Record<string, string>;
  log: string;
}

function hex(bytes: Int8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function writeApp(): void {
  mkdirSync(appDir, { recursive: true });
  const manifest = checkAppManifest({
    modules: { "core/matcher/*": "src/core/matcher/*" },
    native: { specifier: "native/matcher", source: "src/native/matcher", kernel: "matcher_kernel" },
    preload: ["native/matcher/matcher"],
  });
  writeFileSync(path.join(appDir, "manifest.json"), JSON.stringify(manifest, null, 1));
  const cases = allGoldenCases().map((c) => ({ name: c.name, dim: c.dim, count: c.count, gallery: hex(c.gallery), probes: hex(c.probes), slots: c.verifySlots }));
  writeFileSync(path.join(appDir, "main.ts"), `import { NativeMatcher } from "native/matcher/native-matcher";
declare function trace(text: string): void;
const cases = ${JSON.stringify(cases)};
function bytes(text: string): Int8Array {
  const out = new Int8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16) << 24 >> 24;
  return out;
}
for (const c of cases) {
  const m = new NativeMatcher(c.dim, c.count);
  const gallery = bytes(c.gallery);
  const probes = bytes(c.probes);
  for (let slot = 0; slot < c.count; slot++) m.load(slot, gallery.subarray(slot * c.dim, (slot + 1) * c.dim));
  const rows = c.slots.map((slot, p) => {
    const probe = probes.subarray(p * c.dim, (p + 1) * c.dim);
    const score = m.verify(slot, probe);
    const r = m.scan(probe, c.count);
    return [slot, score, r.bestIndex, r.bestScore, r.secondIndex, r.secondScore];
  });
  trace("GOLDEN " + c.name + " " + JSON.stringify(rows) + "\\n");
  m.close();
}
const m = new NativeMatcher(128, 4);
const attempts: [string, () => unknown][] = [
  ["scan-n-beyond-capacity", () => m.scan(new Int8Array(128), 5)],
  ["scan-empty", () => m.scan(new Int8Array(128), 0)],
  ["scan-dim-mismatch", () => m.scan(new Int8Array(144), 4)],
  ["load-dim-mismatch", () => m.load(0, new Int8Array(64))],
  ["verify-slot-beyond", () => m.verify(4, new Int8Array(128))],
  ["second-open", () => new NativeMatcher(128, 4)],
];
for (const [name, attempt] of attempts) {
  try { attempt(); trace("BAD " + name + " none\\n"); } catch (e) { trace("BAD " + name + " " + (e as { code?: string }).code + "\\n"); trace("WHY " + name + " " + String(e) + "\\n"); }
}
trace("DONE\\n");
`);
}

export async function moddableCheck(sdk: Sdk): Promise<ModdableCheck> {
  writeApp();
  const mcSo = await buildLin(sdk, appDir, path.join(appDir, "out"));
  const done = (logs: string[]) => logs.some((l) => l.startsWith("DONE"));
  const logs = await runUnderMcsim(sdk, mcSo, done);
  if (!done(logs)) throw new Error(`no DONE from the app: ${logs.join("")}`);
  const result: ModdableCheck = { rows: {}, bad: {}, log: logs.filter((l) => !l.startsWith("GOLDEN")).join("") };
  for (const line of logs.join("").split("\n")) {
    const golden = /^GOLDEN (\S+) (.*)$/.exec(line);
    if (golden) result.rows[golden[1]] = JSON.parse(golden[2]);
    const bad = /^BAD (\S+) (\S+)$/.exec(line);
    if (bad) result.bad[bad[1]] = bad[2];
    if (line.startsWith("XS abort") || line.includes("# Exception")) throw new Error(`the app failed: ${logs.join("")}`);
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sdk = moddableSdk();
  if (!sdk) process.exit(1);
  const check = await moddableCheck(sdk);
  const golden = JSON.parse(readFileSync(path.join(repoRoot, "test/wasm/golden.json"), "utf8")) as GoldenFile;
  for (const c of golden.cases) {
    process.stdout.write(`${c.name}: ${JSON.stringify(check.rows[c.name]) === JSON.stringify(c.rows) ? "identical to golden" : "DIFFERENT"}\n`);
  }
  process.stdout.write(`${JSON.stringify(check.bad)}\n`);
  process.stdout.write(check.log);
}
