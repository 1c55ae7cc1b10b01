// Talks to the gate console the way a technician would, but reads the
// one-line JSON replies (--json) instead of the tables. Every command waits
// for the prompt, so replies can never interleave.
import type { Link } from "./link";

const PROMPT = /optgate(?::[^\s#]+#|>) $/;
const QUESTION = /: $/;

export interface Reply {
  ok: boolean;
  data?: any;
  error?: { code: string; message: string };
}

export class ConsoleClient {
  readonly #link: Link;
  readonly #timeoutMs: number;
  #buffer = "";
  #waiter: (() => void) | undefined;

  constructor(link: Link, timeoutMs = 15_000) {
    this.#link = link;
    this.#timeoutMs = timeoutMs;
    link.onData((chunk) => {
      this.#buffer += chunk.toString("utf8");
      this.#waiter?.();
    });
  }

  /** Cancels whatever was half-typed or asked, and waits for a prompt. */
  async hello(): Promise<string> {
    this.#buffer = "";
    // Ctrl-C drops a half-typed line or a question; the console echoes ^C and
    // prompts. Waiting for that echo (not just any prompt) skips a banner or
    // prompt still on its way from before we connected.
    this.#link.write("\x03");
    return this.#until(new RegExp(`\\^C\\r\\n(?:Cancelled; nothing was changed\\.\\r\\n)?${PROMPT.source}`));
  }

  async login(user: string, password: string): Promise<void> {
    const prompt = await this.hello();
    if (prompt.endsWith(`optgate:${user}# `)) return;
    this.#send(`login ${user}\r`);
    const asked = await this.#until(/Password: $|optgate(?::[^\s#]+#|>) $/);
    if (!asked.endsWith("Password: ")) throw new Error(lastError(asked) ?? "The gate did not ask for a password.");
    this.#send(`${password}\r`);
    const out = await this.#until(PROMPT);
    if (!out.includes(`Logged in as ${user}`)) throw new Error(lastError(out) ?? "Login failed.");
  }

  /** Runs one command with --json and returns its reply. Commands that ask a question are cancelled. */
  async run(line: string): Promise<Reply> {
    if (/[\r\n\x03]/.test(line)) throw new Error("A command is one line.");
    this.#send(`${line} --json\r`);
    const out = await this.#until(new RegExp(`${PROMPT.source}|${QUESTION.source}`));
    const json = out.split(/\r?\n/).find((l) => l.startsWith('{"ok":'));
    if (!PROMPT.test(out)) {
      this.#link.write("\x03");
      await this.#until(PROMPT);
      return { ok: false, error: { code: "E_INTERACTIVE", message: `${line.split(" ").slice(0, 2).join(" ")} asks a question; run it in optgate shell.` } };
    }
    if (!json) return { ok: false, error: { code: "E_NO_REPLY", message: `No JSON reply to: ${line}` } };
    return JSON.parse(json) as Reply;
  }

  /** Like run, but throws the gate's error. */
  async data<T = any>(line: string): Promise<T> {
    const reply = await this.run(line);
    if (!reply.ok) throw new Error(reply.error?.message ?? "failed");
    return reply.data as T;
  }

  async close(): Promise<void> {
    await this.#link.close();
  }

  #send(text: string): void {
    this.#buffer = "";
    this.#link.write(text);
  }

  /** Resolves with everything received once the buffer ends with `pattern`. */
  #until(pattern: RegExp): Promise<string> {
    const anchored = new RegExp(`(?:${pattern.source})$`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`The gate did not answer within ${this.#timeoutMs / 1000} s (got ${JSON.stringify(this.#buffer.slice(-80))}).`));
      }, this.#timeoutMs);
      const check = () => {
        if (!anchored.test(this.#buffer)) return;
        clearTimeout(timer);
        this.#waiter = undefined;
        const out = this.#buffer;
        this.#buffer = "";
        resolve(out);
      };
      this.#waiter = check;
      check();
    });
  }
}

function lastError(out: string): string | undefined {
  return out.split(/\r?\n/).reverse().find((l) => l.startsWith("error: "))?.slice(7);
}
