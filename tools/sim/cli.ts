// Command line of the simulator (npm start -- [options]).
import { readFileSync } from "node:fs";
import path from "node:path";
import { DEMO_TECHNICIAN } from "../../boards/host/demo-compound";
import type { HostEvent } from "../../boards/host/protocol";
import { SIM_EMBEDDERS, type SimEmbedder } from "./face-model";
import { PtyConsole } from "./pty-console";
import { runScript } from "./script";
import { DEFAULT_IMAGE, startSimulator, type Simulator } from "./simulator";
import { startFleetSim } from "./fleet";
import { FLEET_HELP, fleetCommand, fleetEventLine, gateLine } from "./fleet-cli";
import { timeOfDay, Tui } from "./tui";

export const USAGE = `usage: npm start -- [options]
  --fresh              start from an erased flash image (re-seeds the demo compound)
  --image <file>       flash image file (default .sim/optgate.flash)
  --console pty        technician console on a pseudo-terminal; its path is printed (default)
  --console stdio      technician console on this terminal (lines from stdin; no gate screen)
  --script <file>      run a script of actions with simulated time, print what happens, exit
  --time <ISO time>    simulated time at boot (default: now)
  --no-ui              no gate screen: print events as lines (with the console on a PTY)
  --embedder synthetic the face model: synthetic (default; SIMULATION ONLY: deterministic stand-in
                       that recognises only synthetic people, for tests and the demo)
  --embedder real      the packaged host face pipeline (mobileface, thresholds measured on ORL):
                       hold photos up to the camera (photo <file> in scripts, p on the gate screen)
  --embedder board     what the board runs: the int8 face kernel (WebAssembly) with the model images
                       from build/face-model (npm run build), FaceMesh five points, its own thresholds
  --gates <n>          the fleet: the hub (embedded database and broker, the office page on
                       127.0.0.1:8080) and n simulated gates (1-16), each the firmware in XS with
                       its own image under .sim/fleet/ (--fresh starts them and the hub afresh)
  --web <port>         with --gates: the office page's port (0: a free one)
  -h, --help           this text
Script lines: card <uid> | keys <keys> | face <genuine|impostor|no-face|low-quality> [identity] |
  face-off | photo <file: PNG, JPEG or PGM, relative to the script> | photo-off |
  camera <broken|ok> | door <open|closed> | exit | wait <ms|Ns|Nm|Nh> | jump <ms|Ns|Nm|Nh> |
  console <line> | state     (# starts a comment)
See docs/simulator.md for trying your own photos.`;

export interface CliOptions {
  fresh: boolean;
  image: string;
  console: "pty" | "stdio";
  script?: string;
  time?: number;
  ui: boolean;
  embedder: SimEmbedder;
  gates?: number;
  web?: number;
}

export function parseArgs(argv: string[]): CliOptions | string {
  const options: CliOptions = { fresh: false, image: DEFAULT_IMAGE, console: "pty", ui: true, embedder: "synthetic" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    try {
      if (arg === "--fresh") options.fresh = true;
      else if (arg === "--image") options.image = path.resolve(value());
      else if (arg === "--console") {
        const mode = value();
        if (mode !== "pty" && mode !== "stdio") return `--console takes pty or stdio, not ${mode}`;
        options.console = mode;
      } else if (arg === "--script") options.script = value();
      else if (arg === "--time") {
        const time = Date.parse(value());
        if (Number.isNaN(time)) return `--time: not an ISO date/time: ${argv[i]}`;
        options.time = time;
      } else if (arg === "--embedder") {
        const embedder = value();
        if (!SIM_EMBEDDERS.includes(embedder as SimEmbedder)) return `--embedder takes ${SIM_EMBEDDERS.slice(0, -1).join(", ")} or ${SIM_EMBEDDERS.at(-1)}, not ${embedder}`;
        options.embedder = embedder as SimEmbedder;
      } else if (arg === "--no-ui") options.ui = false;
      else if (arg === "--gates") {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > 16) return `--gates takes 1..16, not ${argv[i]}`;
        options.gates = n;
      } else if (arg === "--web") {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65_535) return `--web takes a port, not ${argv[i]}`;
        options.web = port;
      }
      else if (arg === "-h" || arg === "--help") return USAGE;
      else return `unknown option ${arg}\n${USAGE}`;
    } catch (error) {
      return (error as Error).message;
    }
  }
  return options;
}

/** One line per event, for headless and script runs (no secrets ever reach events). */
export function describeEvent(event: HostEvent): string | undefined {
  switch (event.e) {
    case "decision": {
      const d = event.decision;
      return `${timeOfDay(d.time)}Z ${d.via.padEnd(8)} ${(d.resident ?? "-").padEnd(6)} ${d.grant ? "GRANTED" : "DENIED "} ${d.reason}`;
    }
    case "prompt": return `  display: ${event.text}`;
    case "camera": return `  camera power ${event.on ? "ON" : "off"}`;
    case "relay": return `  strike ${event.on ? "unlocked" : "locked"}`;
    case "alarm": return `  ALARM ${event.kind}`;
    case "log": return `  log: ${event.line}`;
    case "error": return `  firmware error: ${event.message}`;
    case "serial": return undefined;
  }
}

export async function runCli(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  if (typeof options === "string") {
    const help = options === USAGE;
    (help ? process.stdout : process.stderr).write(`${options}\n`);
    return help ? 0 : 2;
  }
  if (options.gates !== undefined) {
    if (options.script || options.image !== DEFAULT_IMAGE) {
      process.stderr.write("--gates keeps each gate's image under .sim/fleet/ and runs no script: leave out --image and --script\n");
      return 2;
    }
    return runFleet(options);
  }
  if (options.script) return runScriptFile(options);
  if (options.console === "stdio") return runStdioConsole(options);
  return runInteractive(options);
}

async function runScriptFile(options: CliOptions): Promise<number> {
  const text = readFileSync(options.script!, "utf8");
  const sim = await startSimulator({
    image: options.image, fresh: options.fresh, startTime: options.time, embedder: options.embedder,
    onEvent: (event) => { const line = describeEvent(event); if (line) process.stdout.write(`${line}\n`); },
  });
  try {
    await runScript(sim, text, (line) => process.stdout.write(`${line}\n`), { baseDir: path.dirname(path.resolve(options.script!)) });
    process.stdout.write(`(firmware ran inside the XS engine: ${sim.computrons.toLocaleString("en-US")} computrons)\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`script: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await sim.close();
  }
}

async function runFleet(options: CliOptions): Promise<number> {
  const signal = shutdownSignal();
  const dataDir = path.join(path.dirname(DEFAULT_IMAGE), "fleet");
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`optgate fleet: starting the hub and ${options.gates} gate(s) (data in ${dataDir})...`);
  const fleet = await startFleetSim({
    gates: options.gates!, dataDir, fresh: options.fresh, web: options.web ?? 8080, realtime: true, log: out,
    embedder: options.embedder, startTime: options.time,
    onEvent: (id, event) => { const line = fleetEventLine(id, event); if (line) out(line); },
  });
  out(`hub public key ${Buffer.from(fleet.hub.service.hub.publicKey).toString("hex")}, broker ${fleet.hub.brokerUrl}`);
  if (fleet.hub.officeUrl) out(`office page ${fleet.hub.officeUrl} (user admin, password in ${path.join(dataDir, "hub", "office-admin-password")})`);
  out(FLEET_HELP);
  // A gate's line is printed when it changes (online, applied version, door), not every second.
  const shown = new Map<number, string>();
  const watch = setInterval(() => {
    fleet.gates.forEach((g, i) => {
      const line = gateLine(i + 1, g);
      const key = line.replace(/hub last heard \d+ s ago/, "");
      if (shown.get(i) !== key) { shown.set(i, key); out(line); }
    });
  }, 1000);
  let pending = Promise.resolve();
  process.stdin.setEncoding("utf8");
  let buffered = "";
  process.stdin.on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split(/\r?\n/);
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "quit") { signal.stop(); return; }
      pending = pending.then(() => fleetCommand(fleet, line).then((answer) => { if (answer) out(answer); }, (error: Error) => { out(`error: ${error.message}`); }));
    }
  });
  process.stdin.on("end", () => { void pending.then(() => signal.stop()); });
  await signal.done;
  clearInterval(watch);
  process.stdin.pause();
  await pending;
  await fleet.close();
  out("optgate fleet stopped; the gates' images and the hub's database are kept (--fresh starts afresh).");
  return 0;
}

/** Resolves on Ctrl-C (SIGINT), SIGTERM or `stop()`. */
function shutdownSignal(): { done: Promise<void>; stop(): void } {
  let stop!: () => void;
  const done = new Promise<void>((resolve) => { stop = resolve; });
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return { done, stop };
}

async function runStdioConsole(options: CliOptions): Promise<number> {
  const signal = shutdownSignal();
  const sim = await startSimulator({
    image: options.image, fresh: options.fresh, startTime: options.time, embedder: options.embedder, realtime: true,
    onSerial: (bytes) => process.stdout.write(bytes),
    onEvent: (event) => {
      const line = event.e === "decision" || event.e === "alarm" || event.e === "error" ? describeEvent(event) : undefined;
      if (line) process.stderr.write(`[gate] ${line.trim()}\n`);
    },
  });
  process.stderr.write(`optgate simulator: technician console on this terminal (Ctrl-C quits). Flash image ${options.image}. Face model: ${sim.faceModel}\n`);
  // Line by line from stdin: the terminal does the editing, Ctrl-C stays a signal.
  let pending = Promise.resolve();
  process.stdin.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8").replace(/\r?\n/g, "\r");
    pending = pending.then(() => sim.serial(text).then(() => undefined, () => undefined));
  });
  process.stdin.on("end", () => { pending.then(() => setTimeout(signal.stop, 300)); });
  await signal.done;
  process.stdin.pause();
  await sim.close();
  process.stderr.write("optgate simulator stopped; state saved in the flash image.\n");
  return 0;
}

async function runInteractive(options: CliOptions): Promise<number> {
  const signal = shutdownSignal();
  if (options.embedder === "real") process.stdout.write("loading the face model (tfjs WebAssembly, a few seconds)...\n");
  let sim: Simulator | undefined;
  const ptyConsole = new PtyConsole((bytes) => { sim?.serial(bytes).catch(() => undefined); });
  const tty = process.stdin.isTTY && process.stdout.isTTY && options.ui;
  let tui: Tui | undefined;
  sim = await startSimulator({
    image: options.image, fresh: options.fresh, startTime: options.time, embedder: options.embedder, realtime: true,
    onSerial: (bytes) => ptyConsole.write(bytes),
    onEvent: (event) => {
      if (tui) return;
      const line = describeEvent(event);
      if (line) process.stdout.write(`${line}\n`);
    },
  });
  const consoleInfo = `${ptyConsole.path}   (picocom -b 115200 ${ptyConsole.path}   or   screen ${ptyConsole.path})   demo login: ${DEMO_TECHNICIAN.id} / ${DEMO_TECHNICIAN.password}`;
  const imageInfo = `${options.image}${options.fresh ? " (fresh)" : ""}`;
  if (tty) {
    tui = new Tui(sim, { consoleInfo, imageInfo, modelInfo: sim.faceModel, onQuit: signal.stop });
    process.stdin.setRawMode(true);
    process.stdin.on("data", (chunk: Buffer) => {
      for (const key of chunk.toString("utf8")) tui!.key(key).catch(() => undefined);
    });
    tui.start();
  } else {
    process.stdout.write(`optgate simulator running (no screen). Console: ${consoleInfo}\nFlash: ${imageInfo}\nFace model: ${sim.faceModel}\nCtrl-C quits.\n`);
  }
  await signal.done;
  tui?.stop();
  if (tty) process.stdin.setRawMode(false);
  process.stdin.pause();
  await sim.close();
  ptyConsole.close();
  process.stdout.write(`optgate simulator stopped; state saved in ${options.image}\n`);
  return 0;
}
