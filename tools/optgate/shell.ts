// `optgate shell`: the terminal straight through to the gate console, raw,
// like picocom. Ctrl-] leaves (Ctrl-C goes to the gate, where it cancels a line).
import type { Link } from "./link";

const EXIT = 0x1d; // Ctrl-]

export function runShell(link: Link): Promise<void> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    link.onData((chunk) => { process.stdout.write(chunk); });
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.resume();
    const finish = () => {
      stdin.off("data", onInput);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write("\r\n[optgate shell closed]\r\n");
      link.close().then(resolve, resolve);
    };
    const onInput = (chunk: Buffer) => {
      const exit = chunk.indexOf(EXIT);
      if (exit >= 0) {
        if (exit > 0) link.write(chunk.subarray(0, exit));
        finish();
        return;
      }
      // A terminal in raw mode sends CR for Enter, as the console expects.
      link.write(chunk);
    };
    stdin.on("data", onInput);
    stdin.once("end", finish);
    process.stderr.write("[optgate shell: Ctrl-] to leave]\r\n");
    link.write("\r");
  });
}
