// npm start: the gate simulator. See tools/sim/cli.ts for the options.
import { runCli } from "./cli";

// Everything is closed and flushed when runCli returns; PTY handles from
// node-pty would otherwise keep the process alive.
process.exit(await runCli(process.argv.slice(2)));
