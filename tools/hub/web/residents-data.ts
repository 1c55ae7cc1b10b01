// The office's view of the compound's residents, read straight from the hub's
// tables. Pages are keyset-paginated by id (an index walk, not OFFSET), so the
// 400th page costs what the first does at 20,000 residents.
import { ROLES, STATUSES, NO_FROM, NO_UNTIL, type Role, type Status } from "../../../src/core/access/types";
import type { ResidentInput } from "../desired";
import { bytes, num, type Sql } from "../db";

export const PAGE_SIZE = 50;

export interface ResidentRow {
  id: number;
  unit: string;
  role: Role;
  status: Status;
  groups: number;
  /** ms, undefined = no limit */
  validFrom?: number;
  validUntil?: number;
  hasPin: boolean;
  cards: string[];
}

interface Raw { id: unknown; unit: string; role: unknown; status: unknown; groups: unknown; valid_from: unknown; valid_until: unknown; has_pin: boolean; cards: string | null }

const SELECT = `select r.id, r.unit, r.role, r.status, r.groups, r.valid_from, r.valid_until, r.pin_hash is not null as has_pin,
  (select string_agg(encode(c.uid, 'hex'), ' ' order by c.uid) from card c where c.compound_id = r.compound_id and c.resident_id = r.id) as cards
  from resident r`;

function row(r: Raw): ResidentRow {
  const from = num(r.valid_from), until = num(r.valid_until);
  return {
    id: num(r.id), unit: r.unit, role: ROLES[num(r.role)], status: STATUSES[num(r.status)], groups: num(r.groups),
    validFrom: from === NO_FROM ? undefined : from * 1000, validUntil: until === NO_UNTIL ? undefined : until * 1000,
    hasPin: r.has_pin, cards: r.cards ? r.cards.split(" ") : [],
  };
}

export interface PageQuery {
  /** Ids greater than this (the last id of the previous page). */
  after?: number;
  /** Units starting with this (case-insensitive). */
  unitPrefix?: string;
}

export async function residentPage(db: Sql, compoundId: number, q: PageQuery): Promise<{ rows: ResidentRow[]; more: boolean }> {
  const params: unknown[] = [compoundId, q.after ?? 0, PAGE_SIZE + 1];
  let where = "r.compound_id = $1 and r.id > $2";
  if (q.unitPrefix) {
    params.push(q.unitPrefix.replace(/[\\%_]/g, (c) => `\\${c}`) + "%");
    where += ` and r.unit ilike $${params.length}`;
  }
  const raws = await db.query<Raw>(`${SELECT} where ${where} order by r.id limit $3`, params);
  return { rows: raws.slice(0, PAGE_SIZE).map(row), more: raws.length > PAGE_SIZE };
}

export async function residentCount(db: Sql, compoundId: number): Promise<number> {
  const [r] = await db.query<{ n: unknown }>("select count(*) as n from resident where compound_id = $1", [compoundId]);
  return num(r.n);
}

export async function residentById(db: Sql, compoundId: number, id: number): Promise<ResidentRow | undefined> {
  const [r] = await db.query<Raw>(`${SELECT} where r.compound_id = $1 and r.id = $2`, [compoundId, id]);
  return r ? row(r) : undefined;
}

/** The resident as the hub's putResidents takes it, PIN verifier included (it never leaves the server). */
export async function residentInput(db: Sql, compoundId: number, id: number): Promise<ResidentInput | undefined> {
  const r = await residentById(db, compoundId, id);
  if (!r) return undefined;
  const [pin] = await db.query<{ pin_salt: unknown; pin_hash: unknown; pin_key_id: unknown }>(
    "select pin_salt, pin_hash, pin_key_id from resident where compound_id = $1 and id = $2 and pin_hash is not null", [compoundId, id]);
  return {
    id: r.id, unit: r.unit, role: r.role, status: r.status, groups: r.groups, validFrom: r.validFrom, validUntil: r.validUntil,
    // The key id goes along: an office edit keeps a PIN a resident set at a gate under the compound key.
    pin: pin ? { salt: bytes(pin.pin_salt), hash: bytes(pin.pin_hash), ...(pin.pin_key_id ? { keyId: num(pin.pin_key_id) } : {}) } : undefined,
    cards: r.cards.map((hex) => new Uint8Array(Buffer.from(hex, "hex"))),
  };
}

export async function nextResidentId(db: Sql, compoundId: number): Promise<number> {
  const [r] = await db.query<{ n: unknown }>("select coalesce(max(id), 0) + 1 as n from resident where compound_id = $1", [compoundId]);
  return num(r.n);
}
