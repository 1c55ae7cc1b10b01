// Runs the board's native matcher inside the real Moddable SDK on `lin`: the
// same xs_matcher.c + matcher_host.c + wasm2c output and NativeMatcher the
// ESP32-S3 build links, driven through the golden vectors and bad inputs.
//   MODDABLE=<sdk> node --import=tsx tools/wasm/moddable-check.ts
// Needs a built SDK (mcconfig, mcsim) and xvfb-run; the app's trace() output
// is read by a minimal stand-in for xsbug on port 5002.
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { allGoldenCases, type GoldenFile } from "../../test/wasm/golden-inputs";
import { repoRoot } from "../xs/bundle";

const run = promisify(execFile);
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
  const src = (p: string) => path.join(repoRoot, p);
  const manifest = {
    include: ["$(MODDABLE)/examples/manifest_base.json"],
    typescript: { tsconfig: { compilerOptions: { target: "es2022", lib: ["es2022"], strict: true, skipLibCheck: true } } },
    build: { C_FLAGS: "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0" },
    modules: {
      "*": "./main",
      "core/errors": src("src/core/errors"),
      "core/ports": src("src/core/ports"),
      "core/matcher/*": src("src/core/matcher/*"),
      "native/matcher/*": [src("src/native/matcher/*"), src("build/wasm2c/matcher_kernel"), src("build/wasm2c/wasm-rt-impl")],
    },
    preload: ["native/matcher/matcher"],
  };
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

/** Collects trace() output over the xsbug protocol: acknowledge the login, continue on any break. */
function xsbugListener(): Promise<{ logs: string[]; done: Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const logs: string[] = [];
    let finish!: () => void;
    const done = new Promise<void>((r) => { finish = r; });
    const server = net.createServer((socket) => {
      let text = "";
      socket.on("data", (data) => {
        text += data.toString("utf8");
        if (text.includes("<login")) socket.write("\r\n<set-all-breakpoints></set-all-breakpoints>\r\n");
        if (/<break[ >]/.test(data.toString())) socket.write("\r\n<go/>\r\n");
        for (const match of text.matchAll(/<log>([^<]*)<\/log>/g)) logs.push(match[1].replace(/&#10;/g, "\n").replace(/&quot;/g, '"').replace(/&amp;/g, "&"));
        text = text.slice(text.lastIndexOf("</xsbug>") + 1);
        if (logs.some((l) => l.startsWith("DONE")) || logs.some((l) => l.startsWith("XS abort"))) finish();
      });
      socket.on("error", () => {});
    });
    server.on("error", reject);
    server.listen(5002, "127.0.0.1", () => resolve({ logs, done, close: () => server.close() }));
  });
}

export async function moddableCheck(moddable: string): Promise<ModdableCheck> {
  writeApp();
  const bin = path.join(moddable, "build/bin/lin/release");
  const env = { ...process.env, MODDABLE: moddable, PATH: `${bin}:${path.join(repoRoot, "node_modules/.bin")}:${process.env.PATH}` };
  const outDir = path.join(appDir, "out");
  mkdirSync(outDir, { recursive: true });
  await run(path.join(bin, "mcconfig"), ["-d", "-p", "lin", "-o", outDir], { cwd: appDir, env });
  await run("make", [], { cwd: path.join(outDir, "tmp/lin/mc/debug/moddable-matcher-check"), env, maxBuffer: 64 << 20 });
  const listener = await xsbugListener();
  const sim = spawn("xvfb-run", ["-a", path.join(bin, "mcsim"), path.join(outDir, "bin/lin/mc/debug/moddable-matcher-check/mc.so")], { env, detached: true, stdio: "ignore" });
  try {
    await Promise.race([listener.done, new Promise((_, reject) => setTimeout(() => reject(new Error(`no DONE from the app; log so far: ${listener.logs.join("")}`)), 60_000))]);
  } finally {
    try { process.kill(-sim.pid!, "SIGTERM"); } catch { /* already gone */ }
    listener.close();
  }
  const result: ModdableCheck = { rows: {}, bad: {}, log: listener.logs.filter((l) => !l.startsWith("GOLDEN")).join("") };
  for (const line of listener.logs.join("").split("\n")) {
    const golden = /^GOLDEN (\S+) (.*)$/.exec(line);
    if (golden) result.rows[golden[1]] = JSON.parse(golden[2]);
    const bad = /^BAD (\S+) (\S+)$/.exec(line);
    if (bad) result.bad[bad[1]] = bad[2];
    if (line.startsWith("XS abort") || line.includes("# Exception")) throw new Error(`the app failed: ${listener.logs.join("")}`);
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const moddable = process.env.MODDABLE;
  if (!moddable) throw new Error("set MODDABLE to a built Moddable SDK");
  const check = await moddableCheck(moddable);
  const golden = JSON.parse(readFileSync(path.join(repoRoot, "test/wasm/golden.json"), "utf8")) as GoldenFile;
  for (const c of golden.cases) {
    process.stdout.write(`${c.name}: ${JSON.stringify(check.rows[c.name]) === JSON.stringify(c.rows) ? "identical to golden" : "DIFFERENT"}\n`);
  }
  process.stdout.write(`${JSON.stringify(check.bad)}\n`);
  process.stdout.write(check.log);
}
