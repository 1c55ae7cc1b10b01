// Residents as CSV at the office: export, and an import planned whole before
// anything is applied. Every bad row is listed with its line; a file with any
// problem changes nothing. Dates are the compound's local days, as in the form
// (valid_until inclusive). There is no PIN column, only what to do with the
// verifier the hub holds: keep it ("" or "set") or clear it ("reset"); face
// data never appears.
import { STATUSES, type Status } from "../../../src/core/access/types";
import type { TimeZone } from "../../../src/core/time/posix-tz";
import { formatCsv, parseCsv, type CsvProblem } from "../../optgate/csv";
import type { ResidentInput } from "../desired";
import { bytes, num, type Sql } from "../db";
import { readForm, valuesOf } from "./resident-form";
import { residentPage, nextResidentId, type ResidentRow } from "./residents-data";

export const CSV_HEADER = ["id", "unit", "role", "status", "valid_from", "valid_until", "groups", "cards", "pin"];
export const MAX_IMPORT_ROWS = 20_000;

export interface ImportPlan {
  inputs: ResidentInput[];
  added: number;
  changed: number;
  problems: CsvProblem[];
}

async function allResidents(db: Sql, compoundId: number): Promise<ResidentRow[]> {
  const out: ResidentRow[] = [];
  for (let after = 0; ;) {
    const { rows, more } = await residentPage(db, compoundId, { after });
    out.push(...rows);
    if (!more) return out;
    after = rows[rows.length - 1].id;
  }
}

export async function exportResidentsCsv(db: Sql, compoundId: number, zone: TimeZone): Promise<string> {
  const rows = [CSV_HEADER];
  for (const r of await allResidents(db, compoundId)) {
    const v = valuesOf(r, zone);
    rows.push([String(r.id), r.unit, r.role, r.status, v.validFrom, v.validUntil, v.groups, v.cards, r.hasPin ? "set" : ""]);
  }
  return formatCsv(rows);
}

export async function planResidentImport(db: Sql, compoundId: number, text: string, zone: TimeZone): Promise<ImportPlan> {
  const { records, problems } = parseCsv(text);
  const plan: ImportPlan = { inputs: [], added: 0, changed: 0, problems };
  const [first, ...body] = records;
  if (!first || first.fields.map((f) => f.trim().toLowerCase()).join(",") !== CSV_HEADER.join(",")) {
    problems.push({ line: first?.line ?? 1, message: `the first line must be the header: ${CSV_HEADER.join(",")}` });
    return finish(plan);
  }
  if (body.length > MAX_IMPORT_ROWS) {
    problems.push({ line: body[MAX_IMPORT_ROWS].line, message: `at most ${MAX_IMPORT_ROWS} rows per file` });
    return finish(plan);
  }
  const existing = new Map((await allResidents(db, compoundId)).map((r) => [r.id, r]));
  // With the key id: a re-imported resident keeps a PIN set at a gate under the compound key as it is.
  const pins = new Map((await db.query<{ id: unknown; pin_salt: unknown; pin_hash: unknown; pin_key_id: unknown }>(
    "select id, pin_salt, pin_hash, pin_key_id from resident where compound_id = $1 and pin_hash is not null", [compoundId]))
    .map((r) => [num(r.id), { salt: bytes(r.pin_salt), hash: bytes(r.pin_hash), ...(r.pin_key_id ? { keyId: num(r.pin_key_id) } : {}) }]));
  let nextId = await nextResidentId(db, compoundId);
  const idLine = new Map<number, number>();
  const cardLine = new Map<string, { line: number; id: number }>();
  for (const record of body) {
    const bad = (message: string) => problems.push({ line: record.line, message });
    if (record.fields.length !== CSV_HEADER.length) { bad(`${record.fields.length} fields, expected ${CSV_HEADER.length} (${CSV_HEADER.join(",")})`); continue; }
    const row = Object.fromEntries(CSV_HEADER.map((h, i) => [h, record.fields[i].trim()]));
    let id: number;
    if (row.id === "") id = nextId++;
    else if (/^\d{1,8}$/.test(row.id) && Number(row.id) >= 1 && Number(row.id) <= 0xffffff) id = Number(row.id);
    else { bad(`id "${row.id.slice(0, 12)}" is not a resident id (1-16777215, or empty for a new one)`); continue; }
    if (idLine.has(id)) { bad(`resident ${id} is also on line ${idLine.get(id)}`); continue; }
    idLine.set(id, record.line);
    if (row.status !== "" && !STATUSES.includes(row.status as Status)) { bad(`status "${row.status.slice(0, 12)}" is not one of ${STATUSES.join(", ")}`); continue; }
    if (!["", "set", "reset"].includes(row.pin)) { bad(`pin "${row.pin.slice(0, 12)}" must be empty, "set" (keep the verifier) or "reset" (clear it); PINs are never imported`); continue; }
    const old = existing.get(id);
    const pin = row.pin === "reset" ? undefined : pins.get(id);
    if (row.pin === "set" && !pin) { bad(`pin "set": resident ${id} has no PIN to keep`); continue; }
    const status = (row.status || old?.status || "active") as Status;
    const form = readForm({ unit: row.unit, role: row.role, groups: row.groups, validFrom: row.valid_from, validUntil: row.valid_until, cards: row.cards }, id, status, pin, zone);
    if (!form.input) {
      for (const e of form.errors) bad(e === "noCredential" ? "an active resident needs a card or a PIN (face is never the only way in)" : e);
      continue;
    }
    for (const uid of form.input.cards) {
      const hex = Buffer.from(uid).toString("hex");
      const earlier = cardLine.get(hex);
      if (earlier) bad(`card ${hex} is also on line ${earlier.line}`);
      else cardLine.set(hex, { line: record.line, id });
    }
    plan.inputs.push(form.input);
    if (old) plan.changed++; else plan.added++;
  }
  // A card held by a resident the file does not rewrite stays theirs.
  for (const r of existing.values()) {
    if (idLine.has(r.id)) continue;
    for (const hex of r.cards) {
      const claim = cardLine.get(hex);
      if (claim) problems.push({ line: claim.line, message: `card ${hex} is held by resident ${r.id}, who is not in this file` });
    }
  }
  return finish(plan);
}

function finish(plan: ImportPlan): ImportPlan {
  plan.problems.sort((a, b) => a.line - b.line);
  if (plan.problems.length) plan.inputs = [];
  return plan;
}
