// The technician console: bytes in from a serial link, lines through the
// command table, replies out. It never throws to its caller: every bad input
// becomes an error line, and nothing runs that needs a login without one.
import { OptgateError } from "../errors";
import type { Clock, ConsolePort, Random } from "../ports";
import type { TimeZone } from "../time/posix-tz";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../version";
import type { ConsoleAuditSink } from "./audit-sink";
import type { ConsoleBackend } from "./backend";
import { Args, ask, type Ask, type Command, type CommandContext, type Outcome } from "./command";
import { allCommands } from "./commands/index";
import { LineEditor, type LineEvent } from "./line-editor";
import { parseArgs } from "./parse-args";
import { roleAllows } from "./roles";
import { Session, type SessionPolicy } from "./session";
import type { TechnicianDirectory } from "./technicians";
import { tokenize } from "./tokenize";

export interface ConsoleOptions {
  port: ConsolePort;
  clock: Clock;
  random: Random;
  /** The gate's PIN key (sealed in the store, src/app/pin-key.ts), keyed into technician password hashes. */
  deviceKey: Uint8Array;
  backend: ConsoleBackend;
  audit: ConsoleAuditSink;
  technicians: TechnicianDirectory;
  policy?: Partial<SessionPolicy>;
  commands?: readonly Command[];
}

/** Stands in for `login` when its words were refused: nothing to run, nothing to audit. */
const LOGIN_REFUSED: Command = {
  path: "login", summary: "", params: [], options: [], examples: [], access: "public", audit: false,
  run: () => { throw new OptgateError("E_INTERNAL", "never run"); },
};

interface Pending {
  ask: Ask;
  command: Command;
  args: Args;
  json: boolean;
  actor: string;
}

export class Console {
  readonly session: Session;
  readonly #o: ConsoleOptions;
  readonly #commands: readonly Command[];
  readonly #editor: LineEditor;
  #pending: Pending | undefined;

  constructor(options: ConsoleOptions) {
    this.#o = options;
    this.#commands = options.commands ?? allCommands;
    this.session = new Session({ clock: options.clock, deviceKey: options.deviceKey, directory: options.technicians, policy: options.policy });
    this.#editor = new LineEditor((text) => options.port.write(text));
  }

  get prompt(): string {
    const who = this.session.technician;
    return who === undefined ? `${FIRMWARE_NAME}> ` : `${FIRMWARE_NAME}:${who}# `;
  }

  /** Banner and first prompt, when the link comes up. */
  start(): void {
    this.#write(`${FIRMWARE_NAME} ${FIRMWARE_VERSION} technician console. Type help.\r\n${this.prompt}`);
  }

  receive(data: Uint8Array | string): void {
    for (let i = 0; i < data.length; i++) {
      const byte = typeof data === "string" ? data.charCodeAt(i) : data[i];
      const event = this.#editor.feed(byte);
      if (event) this.#handle(event);
    }
  }

  /** Called periodically by the app (no timers in the core): logs out an idle session. */
  tick(): void {
    if (this.session.expireIfIdle()) {
      this.#editor.discard();
      this.#pending = undefined;
      this.#editor.hidden = false;
      this.#write(`\r\n${this.#idleMessage()}\r\n${this.prompt}`);
    }
  }

  #handle(event: LineEvent): void {
    const pending = this.#pending;
    this.#pending = undefined;
    this.#editor.hidden = false;
    if (event.kind === "cancel") {
      if (pending) this.#write("Cancelled; nothing was changed.\r\n");
    } else if (event.kind === "error") {
      this.#error(event.error, pending?.json ?? false);
    } else if (this.session.expireIfIdle()) {
      // The line may answer a question asked before the timeout (even a hidden
      // password): it is dropped, never run as a command.
      this.#write(`${this.#idleMessage()} ${pending ? "The unfinished command was dropped." : "That line was not run."}\r\n`);
    } else {
      this.session.touch();
      if (pending) this.#continue(pending, event.text);
      else this.#execute(event.text);
    }
    const next = this.#pending as Pending | undefined; // set again by #finish when a command asks
    if (next) {
      this.#editor.hidden = next.ask.hidden;
      this.#write(next.ask.question);
    } else {
      this.#write(this.prompt);
    }
  }

  #execute(line: string): void {
    let json = false;
    try {
      const words = tokenize(line);
      json = words.includes("--json");
      const rest = words.filter((w) => w !== "--json");
      if (rest.length === 0) return;
      const wantHelp = rest.includes("--help");
      const [command, argWords] = this.#find(wantHelp ? rest.filter((w) => w !== "--help") : rest);
      if (wantHelp) return this.#execute(`help ${command.path}${json ? " --json" : ""}`);
      const actor = this.session.technician ?? "";
      if (command.access !== "public" && actor === "") {
        throw new OptgateError("E_LOGIN_REQUIRED", `Log in first: login <technician-id>. Before login only help, version and login work.`);
      }
      const role = this.session.role;
      if (command.access !== "public" && (role === undefined || !roleAllows(role, command.access))) {
        // Refused before its arguments are read, and audited even for a read-only command.
        this.#audit({ command: { ...command, audit: true }, args: new Args(new Map()), json, actor }, "E_ROLE", undefined);
        throw new OptgateError("E_ROLE", `${command.path} needs the ${command.access} role; ${actor} is ${role === undefined ? "without a role" : `an ${role}`}.`);
      }
      const now = this.#o.clock.now();
      const zone = this.#o.backend.timeZone();
      const args = parseArgs(command, argWords, now, zone);
      this.#finish(() => command.run(this.#context(actor, now, zone), args), { command, args, json, actor });
    } catch (error) {
      if (/^\s*login(\s|$)/.test(line)) return this.#refuseLogin(error, json);
      if (this.session.technician === undefined) this.#o.audit.refused?.();
      this.#error(error, json);
    }
  }

  /**
   * A login refused before its password prompt (a bad id, a typo) still takes
   * the next line hidden, as the password it most likely is, and then shows the
   * refusal: a password typed by habit is never echoed or run as a command.
   */
  #refuseLogin(error: unknown, json: boolean): void {
    if (this.session.technician === undefined) this.#o.audit.refused?.();
    const refuse = (): never => { throw error; };
    this.#pending = { ask: ask("Password: ", true, refuse), command: LOGIN_REFUSED, args: new Args(new Map()), json, actor: "" };
  }

  #continue(pending: Pending, answer: string): void {
    this.#finish(() => pending.ask.answer(answer), pending);
  }

  /** Runs a command step; a question becomes pending, a reply or refusal is printed and audited. */
  #finish(step: () => Outcome, state: Omit<Pending, "ask">): void {
    let outcome: Outcome;
    try {
      outcome = step();
      // Measured from the end of the command: `clock set` may just have moved time.
      this.session.touch();
    } catch (error) {
      const code = error instanceof OptgateError ? error.code : "E_INTERNAL";
      this.#audit(state, code, undefined);
      this.#error(error, state.json);
      return;
    }
    if (outcome.kind === "ask") {
      this.#pending = { ...state, ask: outcome };
      return;
    }
    this.#audit(state, "ok", outcome.resident);
    if (state.json) this.#write(`${JSON.stringify({ ok: true, data: outcome.data })}\r\n`);
    else if (outcome.text.length > 0) this.#write(`${outcome.text.join("\r\n")}\r\n`);
  }

  /** `resident`: the one the reply names; else the command's resident argument, typed (so refusals name it too). */
  #audit(state: Omit<Pending, "ask">, outcome: string, resident: string | undefined): void {
    if (!state.command.audit) return;
    const first = state.command.params[0];
    const residentParam = state.command.params.find((p) => p.type.kind === "resident");
    const concerns = resident ?? (residentParam ? state.args.optStr(residentParam.name) : undefined);
    this.#o.audit.record({
      // login has no actor before it succeeds; logout had one before it ran.
      actor: state.actor || this.session.technician || "-",
      action: state.command.path,
      subject: first && state.args.has(first.name) ? String(state.args.optStr(first.name) ?? state.args.optNum(first.name)) : "",
      ...(concerns === undefined ? {} : { resident: concerns }),
      outcome,
      detail: state.args.describe(),
    });
  }

  #find(words: string[]): [Command, string[]] {
    for (let n = Math.min(words.length, 3); n > 0; n--) {
      const path = words.slice(0, n).join(" ");
      const command = this.#commands.find((c) => c.path === path);
      if (command) return [command, words.slice(n)];
    }
    const head = words[0].slice(0, 32).replace(/[\x00-\x1f\x7f]/g, "?");
    const group = this.#commands.filter((c) => c.path.startsWith(`${words[0]} `));
    if (group.length > 0) {
      const subs = group.map((c) => c.path.slice(words[0].length + 1)).join(", ");
      throw new OptgateError("E_INCOMPLETE_COMMAND", `${head} needs one of: ${subs}. See help ${head}.`);
    }
    throw new OptgateError("E_UNKNOWN_COMMAND", `Unknown command "${head}"; type help for the list.`);
  }

  #context(actor: string, now: number, zone: TimeZone): CommandContext {
    const o = this.#o;
    return { backend: o.backend, session: this.session, technicians: o.technicians, deviceKey: o.deviceKey, random: o.random, commands: this.#commands, actor, now, zone };
  }

  #error(error: unknown, json: boolean): void {
    // Only our own refusals are shown verbatim; anything else might carry
    // internal state, so the technician gets a code and what to do.
    const e = error instanceof OptgateError
      ? error
      : new OptgateError("E_INTERNAL", "The command failed unexpectedly; check status and log show before trying again.");
    if (json) this.#write(`${JSON.stringify({ ok: false, error: { code: e.code, message: e.message } })}\r\n`);
    else this.#write(`error: ${e.message}\r\n`);
  }

  #idleMessage(): string {
    return `Logged out after ${Math.round(this.session.policy.idleMs / 60_000)} min without input.`;
  }

  #write(text: string): void {
    this.#o.port.write(text);
  }
}
