// optgate: the technician's host tool for a gate board (or the simulator).
//   node --import=tsx tools/optgate/main.ts <command> --port /dev/ttyUSB0 [--baud 115200]
//   node --import=tsx tools/optgate/main.ts <command> --port /dev/pts/3      (simulator PTY)
//   node --import=tsx tools/optgate/main.ts <command> --tcp 127.0.0.1:5555
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConsoleClient } from "./client";
import { formatCsv } from "./csv";
import { openLink, type Link, type LinkOptions } from "./link";
import { describeWitness, downloadLog, logLines, readWitness, witness, writeWitness } from "./log";
import { applyPlan, exportRows, KINDS, planImport, readGate, type Kind } from "./records";
import { runShell } from "./shell";
import { gateFromHubShow, newKeyFile, readKeyFile, sealFor } from "./pin-key";

export const USAGE = `optgate <command> [options]

Connection (one of):
  --port <device>        serial port of the board (/dev/ttyUSB0, /dev/ttyACM0) or a simulator PTY (/dev/pts/N)
  --baud <rate>          default 115200
  --tcp <host:port>      a console bridged to TCP
Login (not for shell):
  --user <id>            technician id (default: $OPTGATE_USER)
                         the password comes from $OPTGATE_PASSWORD, or is asked for on this terminal

Commands:
  shell                                  the console itself, like picocom (Ctrl-] leaves)
  export <kind> [--out file.csv]         kind: residents | cards | schedules | groups (no biometrics, no PINs)
  import <kind> <file.csv> [--skip-bad] [--dry-run]
                                         checks every row first; any bad row: nothing is applied,
                                         unless --skip-bad (good rows are applied, bad ones reported)
                                         import order for a new gate: schedules, groups, residents, cards
  log [--out file.jsonl] [--witness f]   download both audit chains, check their signed heads against the heads
                                         and records this host kept before (f, default optgate-witness.json);
                                         exit 1 on a cut-back, a rewrite or another signing key
  pin-key new --key-file f               make the compound PIN key (a 0600 file to keep offline; never on the hub)
  pin-key seal --key-file f --gate G --compound C --seal-key HEX
                                         print the key sealed to that gate (for pin key install at its console)
  pin-key install --key-file f           read the gate's id, seal key and compound (hub show), seal, install
`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  askPassword(prompt: string): Promise<string>;
  now(): number;
}

interface Parsed {
  command: string;
  positional: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

const VALUE_OPTIONS = new Set(["port", "baud", "tcp", "user", "out", "witness", "key-file", "gate", "compound", "seal-key"]);
const FLAGS = new Set(["skip-bad", "dry-run", "help"]);

function parse(argv: string[]): Parsed {
  const parsed: Parsed = { command: "", positional: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const name = a.slice(2);
      if (FLAGS.has(name)) parsed.flags.add(name);
      else if (VALUE_OPTIONS.has(name) && i + 1 < argv.length) parsed.options.set(name, argv[++i]);
      else throw new UsageError(VALUE_OPTIONS.has(name) ? `${a} needs a value` : `unknown option ${a}`);
    } else if (!parsed.command) parsed.command = a;
    else parsed.positional.push(a);
  }
  return parsed;
}

class UsageError extends Error {}

function kindOf(value: string | undefined): Kind {
  if (!KINDS.includes(value as Kind)) throw new UsageError(`say what to ${value === undefined ? "move" : `move (not ${value})`}: ${KINDS.join(", ")}`);
  return value as Kind;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let args: Parsed;
  try {
    args = parse(argv);
    if (args.flags.has("help") || !args.command) {
      io.out(USAGE);
      return args.command || args.flags.has("help") ? 0 : 2;
    }
    if (!["shell", "export", "import", "log", "pin-key"].includes(args.command)) throw new UsageError(`unknown command ${args.command}`);
    if (args.command === "pin-key" && !["new", "seal", "install"].includes(args.positional[0])) throw new UsageError("pin-key needs new, seal or install");
    if (args.command === "pin-key" && !args.options.get("key-file")) throw new UsageError("pin-key needs --key-file");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`optgate: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  // The key's own steps need no gate.
  if (args.command === "pin-key" && args.positional[0] !== "install") {
    try {
      const file = args.options.get("key-file")!;
      if (args.positional[0] === "new") {
        io.out(`Compound PIN key made in ${file} (fingerprint ${newKeyFile(file)}). Keep the file offline; seal it to each gate (pin-key install).\n`);
        return 0;
      }
      const [gateId, compoundId] = [Number(args.options.get("gate")), Number(args.options.get("compound"))];
      if (!Number.isInteger(gateId) || !Number.isInteger(compoundId)) throw new Error("pin-key seal needs --gate and --compound (numbers) and --seal-key");
      io.out(`${sealFor(readKeyFile(file), { gateId, compoundId, sealKeyHex: args.options.get("seal-key") ?? "" })}\n`);
      return 0;
    } catch (error) {
      io.err(`optgate: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const linkOptions: LinkOptions = { port: args.options.get("port"), tcp: args.options.get("tcp"), baud: Number(args.options.get("baud") ?? 115200) };
  // Read and check an import file before touching the gate.
  let importText = "";
  if (args.command === "import") {
    try {
      kindOf(args.positional[0]);
      if (!args.positional[1]) throw new UsageError("import needs the CSV file");
      importText = readFileSync(args.positional[1], "utf8");
    } catch (error) {
      io.err(`optgate: ${(error as Error).message}\n`);
      return 2;
    }
  }
  let link: Link;
  try {
    link = await openLink(linkOptions);
  } catch (error) {
    io.err(`optgate: ${(error as Error).message}\n`);
    return 2;
  }
  if (args.command === "shell") {
    await runShell(link);
    return 0;
  }
  const client = new ConsoleClient(link);
  try {
    const user = args.options.get("user") ?? io.env.OPTGATE_USER;
    if (!user) throw new UsageError("say who you are: --user <technician-id> (or set OPTGATE_USER)");
    const password = io.env.OPTGATE_PASSWORD ?? (await io.askPassword(`Password for ${user}: `));
    await client.login(user, password);
    const data = <T>(line: string) => client.data<T>(line);
    switch (args.command) {
      case "export": {
        const kind = kindOf(args.positional[0]);
        const csv = formatCsv(exportRows(kind, await readGate(data)));
        const out = args.options.get("out");
        if (out) {
          writeFileSync(out, csv);
          io.err(`${csv.split("\r\n").length - 2} ${kind} written to ${out}\n`);
        } else io.out(csv);
        return 0;
      }
      case "import": {
        const kind = kindOf(args.positional[0]);
        const plan = planImport(kind, importText, await readGate(data), io.now());
        for (const p of plan.problems) io.err(`line ${p.line}: ${p.message}\n`);
        const skip = args.flags.has("skip-bad");
        if (plan.problems.length > 0 && !skip) {
          io.err(`${plan.problems.length} bad row(s); nothing was applied. Fix them, or run again with --skip-bad to apply the ${plan.rows.length} good row(s).\n`);
          return 1;
        }
        if (args.flags.has("dry-run")) {
          for (const row of plan.rows) io.out(`line ${row.line}: would ${row.summary}\n`);
          io.out(`dry run: ${plan.rows.length} row(s) would be applied, ${plan.problems.length} skipped.\n`);
          return 0;
        }
        const results = await applyPlan((line) => client.run(line), plan);
        for (const r of results) io.out(`line ${r.line}: ${r.ok ? "ok" : "REFUSED"} ${r.message}\n`);
        const refused = results.filter((r) => !r.ok).length;
        io.out(`${results.length - refused} row(s) applied, ${refused} refused by the gate, ${plan.problems.length} bad row(s) skipped.\n`);
        return refused > 0 || plan.problems.length > 0 ? 1 : 0;
      }
      case "pin-key": {
        const key = readKeyFile(args.options.get("key-file")!);
        const sealed = sealFor(key, gateFromHubShow(await data("hub show")));
        const view = await data<{ fingerprint: string; keyId: string }>(`pin key install ${sealed}`);
        io.out(`Compound PIN key ${view.fingerprint} (key id ${view.keyId}) installed.\n`);
        return 0;
      }
      case "log": {
        // The witness file holds what this host saw before: the pinned key, kept heads, record hashes.
        const witnessFile = args.options.get("witness") ?? "optgate-witness.json";
        const kept = readWitness(witnessFile);
        const lines: string[] = [];
        let ok = true;
        for (const name of ["access", "security"] as const) {
          const download = await downloadLog(data, name);
          const result = witness(download, kept);
          ok &&= result.ok;
          lines.push(...logLines(download));
          io.err(`${describeWitness(download, result)}\n`);
        }
        if (ok) writeWitness(witnessFile, kept);
        const out = args.options.get("out");
        if (out) writeFileSync(out, lines.join("\n") + "\n");
        else io.out(lines.join("\n") + "\n");
        return ok ? 0 : 1;
      }
    }
    return 2;
  } catch (error) {
    io.err(`optgate: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

/** Hidden password entry on the controlling terminal. */
function askPassword(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    if (!stdin.isTTY) return reject(new Error("no terminal to ask for the password on; set OPTGATE_PASSWORD"));
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let typed = "";
    const onData = (chunk: Buffer) => {
      for (const byte of chunk) {
        if (byte === 0x0d || byte === 0x0a) {
          stdin.off("data", onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write("\n");
          return resolve(typed);
        }
        if (byte === 0x03) {
          stdin.setRawMode(false);
          return reject(new Error("cancelled"));
        }
        if (byte === 0x7f || byte === 0x08) typed = typed.slice(0, -1);
        else if (byte >= 0x20) typed += String.fromCharCode(byte);
      }
    };
    stdin.on("data", onData);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const io: Io = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    askPassword,
    now: () => Date.now(),
  };
  main(process.argv.slice(2), io).then((code) => { process.exitCode = code; }, (error) => { process.stderr.write(`optgate: ${String(error)}\n`); process.exitCode = 1; });
}
