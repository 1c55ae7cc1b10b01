// CSV forms of what a gate holds (residents, cards, schedules, groups) and
// the import plan: every row is checked with the console's own argument types
// and against the gate's current state before anything is sent, and each good
// row becomes the console commands a technician would have typed. There is no
// biometric column and no PIN column: a PIN can only be marked "reset".
import { ROLES, WEEKDAYS, type ConfigEntry, type GroupView, type ResidentPage, type ResidentView, type ScheduleView } from "../../src/core/console/backend";
import { formatTime, formatUntil, parseValue, T, type ParamType } from "../../src/core/console/params";
import { formatLocal, parseTimeZone, type TimeZone } from "../../src/core/time/posix-tz";
import { parseCsv, type CsvProblem } from "./csv";

export const KINDS = ["residents", "cards", "schedules", "groups"] as const;
export type Kind = (typeof KINDS)[number];

export const HEADERS: Record<Kind, string[]> = {
  residents: ["id", "unit", "role", "valid_from", "valid_until", "groups", "cards", "pin"],
  cards: ["resident", "uid"],
  schedules: ["name", "days", "from", "to"],
  groups: ["name", "schedules"],
};

/** What the gate holds now, read before an import is planned. */
export interface GateState {
  residents: ResidentView[];
  schedules: ScheduleView[];
  groups: GroupView[];
  /** The gate's POSIX TZ string: CSV dates are local days there, as at the console. */
  timeZone: string;
}

export interface PlannedRow {
  line: number;
  /** Console commands in order; "{id}" stands for the id the gate gives a new resident. */
  commands: string[];
  summary: string;
}

export interface ImportPlan {
  rows: PlannedRow[];
  problems: CsvProblem[];
}

// ---- export ----

export function exportRows(kind: Kind, state: GateState): string[][] {
  const zone = parseTimeZone(state.timeZone);
  // What the rule means on the gate's wall clock; importing the same text gives the same window back.
  const from = (ms: number | null) => (ms === null ? "" : formatLocal(ms, zone));
  const until = (ms: number | null) => (ms === null ? "" : formatUntil(ms, zone));
  switch (kind) {
    case "residents":
      return [HEADERS.residents, ...state.residents.map((r) => [r.id, r.unit, r.role, from(r.validFrom), until(r.validUntil), r.groups.join(";"), r.cards.join(";"), r.pin ? "set" : ""])];
    case "cards":
      return [HEADERS.cards, ...state.residents.flatMap((r) => r.cards.map((uid) => [r.id, uid]))];
    case "schedules":
      return [HEADERS.schedules, ...state.schedules.map((s) => [s.name, s.days.join(";"), formatTime(s.from), formatTime(s.to)])];
    case "groups":
      return [HEADERS.groups, ...state.groups.map((g) => [g.name, g.schedules.join(";")])];
  }
}

// ---- import ----

class RowError extends Error {}

/**
 * Quotes a value for the console's tokenizer. Only validated units and
 * formatted dates reach it: no quotes, backslashes or control characters.
 */
function arg(value: string): string {
  return /^[A-Za-z0-9_.:+\-,]+$/.test(value) ? value : `"${value}"`;
}

function typed(column: string, type: ParamType, raw: string, now: number, zone: TimeZone): string | number | string[] {
  try {
    return parseValue({ name: column, type, doc: "" }, raw, now, zone) as string | number | string[];
  } catch (error) {
    throw new RowError((error as Error).message.replace(/^E_[A-Z_]+: /, ""));
  }
}

function list(raw: string): string[] {
  return raw.trim() === "" ? [] : raw.split(";").map((s) => s.trim());
}

export function planImport(kind: Kind, text: string, state: GateState, now: number): ImportPlan {
  const { records, problems } = parseCsv(text);
  const rows: PlannedRow[] = [];
  const header = HEADERS[kind];
  const [first, ...body] = records;
  if (!first || first.fields.map((f) => f.trim().toLowerCase()).join(",") !== header.join(",")) {
    problems.push({ line: first?.line ?? 1, message: `the first line must be the header: ${header.join(",")}` });
    return { rows, problems: sortProblems(problems) };
  }
  const context = new PlanContext(state, now);
  for (const record of body) {
    if (record.fields.length !== header.length) {
      problems.push({ line: record.line, message: `${record.fields.length} fields, expected ${header.length} (${header.join(",")})` });
      continue;
    }
    const row = Object.fromEntries(header.map((h, i) => [h, record.fields[i].trim()]));
    try {
      rows.push({ line: record.line, ...context.plan(kind, row, record.line) });
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      problems.push({ line: record.line, message: error.message });
    }
  }
  return { rows, problems: sortProblems(problems) };
}

function sortProblems(problems: CsvProblem[]): CsvProblem[] {
  return problems.sort((a, b) => a.line - b.line);
}

class PlanContext {
  readonly #state: GateState;
  readonly #now: number;
  readonly #zone: TimeZone;
  readonly #residents = new Map<string, ResidentView>();
  readonly #cardOwner = new Map<string, string>();
  /** Cards claimed by earlier rows of this file, with their line. */
  readonly #claimed = new Map<string, number>();
  readonly #seenIds = new Map<string, number>();
  readonly #seenNames = new Map<string, number>();

  constructor(state: GateState, now: number) {
    this.#state = state;
    this.#now = now;
    this.#zone = parseTimeZone(state.timeZone);
    for (const r of state.residents) {
      this.#residents.set(r.id, r);
      for (const uid of r.cards) this.#cardOwner.set(uid, r.id);
    }
  }

  plan(kind: Kind, row: Record<string, string>, line: number): { commands: string[]; summary: string } {
    switch (kind) {
      case "residents": return this.#resident(row, line);
      case "cards": return this.#card(row, line);
      case "schedules": return this.#schedule(row, line);
      case "groups": return this.#group(row, line);
    }
  }

  #claimCard(uid: string, owner: string | undefined, line: number): boolean {
    const earlier = this.#claimed.get(uid);
    if (earlier !== undefined) throw new RowError(`card ${uid} is already on line ${earlier}`);
    const holder = this.#cardOwner.get(uid);
    if (holder !== undefined && holder !== owner) throw new RowError(`card ${uid} belongs to ${holder} on the gate; remove it there first`);
    this.#claimed.set(uid, line);
    return holder === undefined; // true: the card must be added
  }

  #resident(row: Record<string, string>, line: number) {
    const id = row.id === "" ? undefined : (typed("id", T.resident, row.id, this.#now, this.#zone) as string);
    if (id !== undefined) {
      const earlier = this.#seenIds.get(id);
      if (earlier !== undefined) throw new RowError(`resident ${id} is already on line ${earlier}`);
      this.#seenIds.set(id, line);
    }
    if (!/^[A-Za-z0-9-]{1,8}$/.test(row.unit)) throw new RowError(`unit: "${row.unit.slice(0, 20)}" must be 1-8 letters, digits or '-', e.g. 3-1202`);
    const role = typed("role", T.oneOf(ROLES), row.role, this.#now, this.#zone) as string;
    const from = row.valid_from === "" ? undefined : (typed("valid_from", T.date, row.valid_from, this.#now, this.#zone) as number);
    const until = row.valid_until === "" ? undefined : (typed("valid_until", T.until, row.valid_until, this.#now, this.#zone) as number);
    if (from !== undefined && until !== undefined && from >= until) throw new RowError("valid_from must be before valid_until");
    if ((role === "renter" || role === "visitor" || role === "courier") && until === undefined) throw new RowError(`a ${role} needs valid_until`);
    const groups = list(row.groups).map((g) => typed("groups", T.name, g, this.#now, this.#zone) as string);
    for (const g of groups) if (!this.#state.groups.some((x) => x.name === g)) throw new RowError(`group ${g} does not exist on the gate (import groups first)`);
    const cards = list(row.cards).map((c) => typed("cards", T.uid, c, this.#now, this.#zone) as string);
    if (row.pin !== "" && row.pin !== "set" && row.pin !== "reset") throw new RowError("pin: must be empty, set (ignored) or reset; PINs themselves are never imported, and what the column held is not repeated here");
    const existing = id === undefined ? undefined : this.#residents.get(id);
    const fields = [`--unit ${arg(row.unit)}`, `--role ${role}`];
    if (existing) {
      const added = cards.filter((uid) => this.#claimCard(uid, existing.id, line));
      if (row.pin === "reset") {
        if (!existing.pin) throw new RowError(`${existing.id} has no PIN to reset`);
        if (existing.cards.length + added.length === 0) throw new RowError(`resetting the PIN would leave ${existing.id} without any card or PIN`);
      }
      fields.push(`--from ${from === undefined ? "none" : arg(formatLocal(from, this.#zone))}`, `--until ${until === undefined ? "none" : arg(formatUntil(until, this.#zone))}`);
      if (groups.length) fields.push(`--groups ${groups.join(",")}`);
      const commands = [`resident edit ${existing.id} ${fields.join(" ")}`, ...added.map((uid) => `card add ${existing.id} ${uid}`)];
      if (row.pin === "reset") commands.push(`pin reset ${existing.id}`);
      return { commands, summary: `update ${existing.id}${added.length ? `, ${added.length} new card(s)` : ""}${row.pin === "reset" ? ", PIN reset" : ""}` };
    }
    if (cards.length === 0) throw new RowError("a new resident needs a card here; a PIN can only be set in person (pin set)");
    if (row.pin === "reset") throw new RowError("a new resident has no PIN to reset");
    for (const uid of cards) this.#claimCard(uid, undefined, line);
    if (from !== undefined) fields.push(`--from ${arg(formatLocal(from, this.#zone))}`);
    if (until !== undefined) fields.push(`--until ${arg(formatUntil(until, this.#zone))}`);
    if (groups.length) fields.push(`--groups ${groups.join(",")}`);
    const commands = [`resident add ${fields.join(" ")} --card ${cards[0]}`, ...cards.slice(1).map((uid) => `card add {id} ${uid}`)];
    return { commands, summary: `add ${id ? `(was ${id}) ` : ""}unit ${row.unit} ${role} with ${cards.length} card(s)` };
  }

  #card(row: Record<string, string>, line: number) {
    const resident = typed("resident", T.resident, row.resident, this.#now, this.#zone) as string;
    const uid = typed("uid", T.uid, row.uid, this.#now, this.#zone) as string;
    if (!this.#residents.has(resident)) throw new RowError(`resident ${resident} is not on the gate`);
    const add = this.#claimCard(uid, resident, line);
    return { commands: add ? [`card add ${resident} ${uid}`] : [], summary: add ? `card ${uid} to ${resident}` : `card ${uid} already held by ${resident}` };
  }

  #schedule(row: Record<string, string>, line: number) {
    const name = this.#uniqueName(row.name, line);
    const days = list(row.days).map((d) => typed("days", T.oneOf(WEEKDAYS), d.toLowerCase(), this.#now, this.#zone) as string);
    if (days.length === 0) throw new RowError("days: list at least one of mon;tue;wed;thu;fri;sat;sun");
    const from = typed("from", T.time, row.from, this.#now, this.#zone) as number;
    const to = typed("to", T.time, row.to, this.#now, this.#zone) as number;
    if (from === to) throw new RowError("from and to are the same time");
    return { commands: [`schedule set ${name} --days ${days.join(",")} --from ${formatTime(from)} --to ${formatTime(to)}`], summary: `schedule ${name}` };
  }

  #group(row: Record<string, string>, line: number) {
    const name = this.#uniqueName(row.name, line);
    const schedules = list(row.schedules).map((s) => typed("schedules", T.name, s, this.#now, this.#zone) as string);
    for (const s of schedules) if (!this.#state.schedules.some((x) => x.name === s)) throw new RowError(`schedule ${s} does not exist on the gate (import schedules first)`);
    return { commands: [`group add ${name}${schedules.length ? ` --schedules ${schedules.join(",")}` : ""}`], summary: `group ${name}` };
  }

  #uniqueName(raw: string, line: number): string {
    const name = typed("name", T.name, raw, this.#now, this.#zone) as string;
    const earlier = this.#seenNames.get(name);
    if (earlier !== undefined) throw new RowError(`${name} is already on line ${earlier}`);
    this.#seenNames.set(name, line);
    return name;
  }
}

/** Reads what the gate holds, for export and for planning an import. */
export async function readGate(data: <T>(line: string) => Promise<T>): Promise<GateState> {
  const residents: ResidentView[] = [];
  let after = "";
  for (;;) {
    const page = await data<ResidentPage>(`resident list --limit 100${after ? ` --after ${after}` : ""}`);
    residents.push(...page.residents);
    if (page.next === null) break;
    after = page.next;
  }
  return {
    residents,
    schedules: await data<ScheduleView[]>("schedule list"),
    groups: await data<GroupView[]>("group list"),
    timeZone: String((await data<ConfigEntry[]>("config get timezone"))[0].value),
  };
}

export interface RowResult {
  line: number;
  ok: boolean;
  message: string;
}

/** Runs each row's commands; a refused command stops its row only. */
export async function applyPlan(run: (line: string) => Promise<{ ok: boolean; data?: any; error?: { message: string } }>, plan: ImportPlan): Promise<RowResult[]> {
  const results: RowResult[] = [];
  for (const row of plan.rows) {
    let id = "";
    let failed: string | undefined;
    for (const template of row.commands) {
      const reply = await run(template.replace("{id}", id));
      if (!reply.ok) {
        failed = `${template.split(" ").slice(0, 2).join(" ")}: ${reply.error?.message ?? "refused"}`;
        break;
      }
      if (template.startsWith("resident add ")) id = String(reply.data?.id ?? "");
    }
    results.push({ line: row.line, ok: failed === undefined, message: failed ?? `${row.summary}${id ? ` → ${id}` : ""}` });
  }
  return results;
}
