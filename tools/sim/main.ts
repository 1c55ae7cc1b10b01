// npm start: the gate simulator. See tools/sim/cli.ts for the options.
import { runCli } from "./cli";

// Output piped into `head` and closed early is not an error of the simulator.
process.stdout.on("error", (error: NodeJS.ErrnoException) => { if (error.code === "EPIPE") process.exit(0); });

// Everything is closed and flushed when runCli returns; PTY handles from
// node-pty would otherwise keep the process alive.
process.exit(await runCli(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`optgate simulator: ${error.message}\n`);
  return 1;
}));
