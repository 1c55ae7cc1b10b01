// `optgate shell`: the terminal straight through to the gate console, raw,
// like picocom. Ctrl-] leaves (Ctrl-C goes to the gate, where it cancels a line).
import type { Link } from "./link";

const EXIT = 0x1d; // Ctrl-]

export interface ShellTerminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  output: NodeJS.WritableStream;
  notice: NodeJS.WritableStream;
}

export function runShell(link: Link, term: ShellTerminal = { input: process.stdin, output: process.stdout, notice: process.stderr }): Promise<void> {
  return new Promise((resolve) => {
    const { input, output, notice } = term;
    const raw = (on: boolean) => { if (input.isTTY) input.setRawMode?.(on); };
    link.onData((chunk) => { output.write(chunk); });
    raw(true);
    input.resume();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      input.off("data", onInput);
      raw(false);
      input.pause();
      notice.write("\r\n[optgate shell closed]\r\n");
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
    input.on("data", onInput);
    input.once("end", finish);
    notice.write("[optgate shell: Ctrl-] to leave]\r\n");
    link.write("\r");
  });
}
