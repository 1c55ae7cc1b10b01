// The real Moddable SDK (given by $MODDABLE, built by ../shared/moddable/install.sh
// or by hand) for the checks that need it: lin builds booted under mcsim, the
// esp32 XS steps, and xst (Moddable's own XS) for the portable tests.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../xs/bundle";

const run = promisify(execFile);

export interface Sdk {
  root: string;
  bin: string;
  /** Environment for mcconfig and make: MODDABLE, the SDK's tools and the repo's tsc on PATH. */
  env: NodeJS.ProcessEnv;
}

export const sdkSkipLine = "Moddable SDK checks skipped (lin build + mcsim boot, native matcher on lin, portable tests in xst, esp32 XS steps): "
  + "export MODDABLE=DEST after ../shared/moddable/install.sh DEST, as bash .ci/run does";

function hasCommand(name: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, name)));
}

let announced = false;

/** The SDK in $MODDABLE with mcconfig, mcsim and xst built, and xvfb-run; otherwise undefined, said once per run. */
export function moddableSdk(): Sdk | undefined {
  const root = process.env.MODDABLE;
  const bin = root ? path.join(root, "build/bin/lin/release") : "";
  const ready = root && ["mcconfig", "mcsim", "xst"].every((tool) => existsSync(path.join(bin, tool))) && hasCommand("xvfb-run");
  if (!ready) {
    if (!announced) process.stdout.write(`${sdkSkipLine}\n`);
    announced = true;
    return undefined;
  }
  const env = { ...process.env, MODDABLE: root, PATH: [bin, path.join(repoRoot, "node_modules/.bin"), process.env.PATH].join(path.delimiter) };
  return { root, bin, env };
}

/** mcconfig for `platform` with its output under `outDir` (never in the SDK); returns the generated project's folder. */
export async function mcconfig(sdk: Sdk, manifestDir: string, platform: string, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await run(path.join(sdk.bin, "mcconfig"), ["-d", "-p", platform, "-o", outDir], { cwd: manifestDir, env: sdk.env, maxBuffer: 64 << 20 });
  const platformDir = path.join(outDir, "tmp", ...platform.split("/").concat(platform === "lin" ? ["mc"] : []), "debug");
  const projects = readdirSync(platformDir).filter((name) => name !== "lib");
  if (projects.length !== 1) throw new Error(`expected one project under ${platformDir}, found ${projects.join(", ")}`);
  return path.join(platformDir, projects[0]);
}

/** mcconfig + make for lin; returns the mc.so that mcsim loads. */
export async function buildLin(sdk: Sdk, manifestDir: string, outDir: string): Promise<string> {
  const project = await mcconfig(sdk, manifestDir, "lin", outDir);
  // The C of a TLS build alone is minutes on one core: all of them.
  await run("make", [`-j${os.availableParallelism()}`], { cwd: project, env: sdk.env, maxBuffer: 64 << 20 });
  return path.join(outDir, "bin/lin/mc/debug", path.basename(project), "mc.so");
}

/** Collects trace() output over the xsbug protocol: acknowledge the login, continue on any break. */
function xsbugListener(until: (logs: string[]) => boolean): Promise<{ logs: string[]; done: Promise<void>; close(): void }> {
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
        if (until(logs) || logs.some((l) => l.startsWith("XS abort"))) finish();
      });
      socket.on("error", () => {});
    });
    server.on("error", reject);
    server.listen(5002, "127.0.0.1", () => resolve({ logs, done, close: () => server.close() }));
  });
}

/**
 * Runs mc.so under mcsim (headless, xvfb-run) until `until` holds for the
 * trace() lines so far, then ends the simulator; returns those lines.
 */
export async function runUnderMcsim(sdk: Sdk, mcSo: string, until: (logs: string[]) => boolean, timeoutMs = 60_000): Promise<string[]> {
  const listener = await xsbugListener(until);
  const sim = spawn("xvfb-run", ["-a", path.join(sdk.bin, "mcsim"), mcSo], { env: sdk.env, detached: true, stdio: "ignore" });
  try {
    await Promise.race([listener.done, new Promise((_, reject) => setTimeout(() => reject(new Error(`mcsim: condition not reached; log so far: ${listener.logs.join("")}`)), timeoutMs))]);
  } finally {
    try { process.kill(-sim.pid!, "SIGTERM"); } catch { /* already gone */ }
    listener.close();
  }
  return listener.logs;
}
