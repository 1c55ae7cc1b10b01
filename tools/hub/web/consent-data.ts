// The consent register, read from what the gates reported: their audit
// records of consent given and withdrawn, templates enrolled and erased. A
// template lives only where it was enrolled, so a withdrawal is done at a gate
// when that gate's log shows the erasure after it; until then it is pending
// (and the gate's connection says why). Nothing here is a template.
import { AUDIT_KINDS, decodeRecord, type AuditKind } from "../../../src/core/audit/audit-record";
import { bytes, num, type Sql } from "../db";

const CONSENT_KINDS: AuditKind[] = ["consent-given", "consent-withdrawn", "face-enrolled", "face-erased"];

export interface ConsentEvent { gate: number; time: number; kind: AuditKind; detail: string; subject: number }

export interface Withdrawal {
  resident: number;
  gate: number;
  at: number;
  /** Per gate that held the resident's template when consent was withdrawn. */
  erasures: { gate: number; erasedAt?: number; online: boolean }[];
}

export interface Register {
  events: ConsentEvent[];
  /** Residents whose latest consent event is a grant, with where and when. */
  consenting: { resident: number; gate: number; at: number }[];
  withdrawals: Withdrawal[];
  /** Resident → gates holding their template now (enrolled there, not erased since). */
  holdings: ReadonlyMap<number, ReadonlySet<number>>;
  residents: number;
}

export async function consentEvents(db: Sql, compoundId: number, subject?: number): Promise<ConsentEvent[]> {
  const codes = CONSENT_KINDS.map((k) => AUDIT_KINDS.indexOf(k));
  const rows = await db.query<{ gate_id: unknown; record: unknown }>(
    `select r.gate_id, r.record from audit_record r join gate g on g.id = r.gate_id
     where g.compound_id = $1 and length(r.record) >= 55 and get_byte(r.record, 17) = any($2::integer[])
     ${subject === undefined ? "" : "and get_byte(r.record, 20) * 65536 + get_byte(r.record, 21) * 256 + get_byte(r.record, 22) = $3"}`,
    subject === undefined ? [compoundId, codes] : [compoundId, codes, subject]);
  const out: ConsentEvent[] = [];
  for (const row of rows) {
    try {
      const r = decodeRecord(bytes(row.record));
      if (r.subject) out.push({ gate: num(row.gate_id), time: r.time, kind: r.kind, detail: r.detail, subject: r.subject });
    } catch { /* a record that does not decode is shown by the audit view's chain status, not here */ }
  }
  return out.sort((a, b) => a.time - b.time || a.gate - b.gate);
}

export async function consentRegister(db: Sql, compoundId: number): Promise<Register> {
  const events = await consentEvents(db, compoundId);
  const online = new Map((await db.query<{ id: unknown; online: boolean }>("select id, online from gate where compound_id = $1", [compoundId])).map((g) => [num(g.id), g.online]));
  const [{ n }] = await db.query<{ n: unknown }>("select count(*) as n from resident where compound_id = $1", [compoundId]);
  const latest = new Map<number, ConsentEvent>();
  const holdings = new Map<number, Set<number>>();
  const withdrawals: Withdrawal[] = [];
  for (const e of events) {
    const gates = holdings.get(e.subject) ?? new Set<number>();
    holdings.set(e.subject, gates);
    if (e.kind === "consent-given" || e.kind === "consent-withdrawn") latest.set(e.subject, e);
    if (e.kind === "face-enrolled") gates.add(e.gate);
    if (e.kind === "consent-withdrawn") {
      // No gate holding a template (consent given, never enrolled): nothing to erase.
      withdrawals.push({ resident: e.subject, gate: e.gate, at: e.time, erasures: [...gates].map((gate) => ({ gate, online: online.get(gate) ?? false })) });
    }
    if (e.kind === "face-erased") {
      gates.delete(e.gate);
      for (const w of withdrawals) {
        if (w.resident !== e.subject) continue;
        for (const er of w.erasures) if (er.gate === e.gate && er.erasedAt === undefined && e.time >= w.at) er.erasedAt = e.time;
      }
    }
  }
  const consenting = [...latest.values()].filter((e) => e.kind === "consent-given").map((e) => ({ resident: e.subject, gate: e.gate, at: e.time }));
  return { events, consenting, withdrawals, holdings, residents: num(n) };
}

/** A withdrawal the hub fanned out (issue 20's erasure orders): each gate's signed receipt or its wait. */
export interface FleetErasure {
  orderId: string;
  resident: number;
  origin: string;
  originGate?: number;
  orderedAt: number;
  gates: { gate: number; done: boolean; held?: boolean; doneAt?: number; online: boolean }[];
}

export async function fleetErasures(db: Sql, compoundId: number, resident?: number): Promise<FleetErasure[]> {
  const rows = await db.query<{ order_id: unknown; resident_id: unknown; origin: string; origin_gate: unknown; created_at: unknown; gate_id: unknown; state: string; held: boolean | null; done_at: unknown; online: boolean }>(
    `select o.order_id, o.resident_id, o.origin, o.origin_gate, o.created_at, e.gate_id, e.state, e.held, e.done_at, g.online
     from erasure_order o join erasure e on e.order_id = o.order_id join gate g on g.id = e.gate_id
     where o.compound_id = $1 and ($2::integer is null or o.resident_id = $2)
     order by o.created_at, o.order_id, e.gate_id`, [compoundId, resident ?? null]);
  const out = new Map<string, FleetErasure>();
  for (const r of rows) {
    const id = Buffer.from(bytes(r.order_id)).toString("hex");
    let order = out.get(id);
    if (!order) {
      order = { orderId: id, resident: num(r.resident_id), origin: r.origin, originGate: r.origin_gate === null ? undefined : num(r.origin_gate), orderedAt: num(r.created_at), gates: [] };
      out.set(id, order);
    }
    const done = r.state === "done";
    order.gates.push({ gate: num(r.gate_id), done, held: done ? r.held === true : undefined, doneAt: done ? num(r.done_at) : undefined, online: r.online });
  }
  return [...out.values()];
}
