// The shape of a console command and what running one yields: a reply (data
// for --json plus lines for people) or a question whose answer continues the
// command (hidden for passwords and PINs, so they never sit on the command
// line, in terminal scrollback or in the audit detail).
import type { Role } from "./roles";
import { OptgateError } from "../errors";
import type { ConsoleBackend } from "./backend";
import type { ParamSpec, ParamValue } from "./params";
import type { Session } from "./session";
import type { TechnicianDirectory } from "./technicians";
import type { Random } from "../ports";
import type { TimeZone } from "../time/posix-tz";

export interface Reply {
  kind: "reply";
  data: unknown;
  text: string[];
  /** The resident the command acted on, when only running it told (a new resident's id, a card's holder). */
  resident?: string;
}

export interface Ask {
  kind: "ask";
  question: string;
  hidden: boolean;
  answer(text: string): Outcome;
}

export type Outcome = Reply | Ask;

export interface CommandContext {
  backend: ConsoleBackend;
  session: Session;
  technicians: TechnicianDirectory;
  deviceKey: Uint8Array;
  random: Random;
  commands: readonly Command[];
  /** The logged-in technician ("" for public commands before login). */
  actor: string;
  now: number;
  zone: TimeZone;
}

export interface Command {
  /** Words typed to run it, e.g. "resident add". */
  path: string;
  summary: string;
  params: ParamSpec[];
  options: ParamSpec[];
  examples: string[];
  /** "public" commands run before login; the others need a technician whose role is at least this (roles.ts). */
  access: "public" | Role;
  /** Audited commands: every mutation, plus login. */
  audit: boolean;
  /** The last positional takes all remaining words (as in `help resident add`). */
  variadic?: boolean;
  run(ctx: CommandContext, args: Args): Outcome;
}

export function reply(data: unknown, text: string[], resident?: string): Reply {
  return resident === undefined ? { kind: "reply", data, text } : { kind: "reply", data, text, resident };
}

export function ask(question: string, hidden: boolean, answer: (text: string) => Outcome): Ask {
  return { kind: "ask", question, hidden, answer };
}

/** Parsed arguments by name, with typed getters (validation already happened). */
export class Args {
  readonly #values: Map<string, ParamValue>;

  constructor(values: Map<string, ParamValue>) {
    this.#values = values;
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  str(name: string): string {
    return this.#get(name) as string;
  }

  optStr(name: string): string | undefined {
    return this.#values.get(name) as string | undefined;
  }

  num(name: string): number {
    return this.#get(name) as number;
  }

  optNum(name: string): number | undefined {
    return this.#values.get(name) as number | undefined;
  }

  list(name: string): string[] {
    return (this.#values.get(name) as string[] | undefined) ?? [];
  }

  /** "name=value" pairs for the audit detail (arguments are never secrets). */
  describe(): string {
    const parts: string[] = [];
    for (const [name, value] of this.#values) parts.push(`${name}=${Array.isArray(value) ? value.join(",") : String(value)}`);
    return parts.join(" ");
  }

  #get(name: string): ParamValue {
    const value = this.#values.get(name);
    if (value === undefined) throw new OptgateError("E_MISSING_ARGUMENT", `${name} is required.`);
    return value;
  }
}

/** Left-aligned columns, for lists people read on an 80-column terminal. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  return [line(header), ...rows.map(line)];
}

export function usageLine(c: Command): string {
  const params = c.params.map((p) => (p.optional ? `[${p.name}]` : `<${p.name}>`));
  const options = c.options.map((o) => (o.required ? `--${o.name} <${o.name}>` : `[--${o.name} <${o.name}>]`));
  return [c.path, ...params, ...options].join(" ");
}
