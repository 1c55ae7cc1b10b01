// What the office sees of each gate: connected or not, the version it should
// hold and the one it acknowledged, its last refusal, its audit chains as the
// hub witnessed them, and the alarms raised about them.
import { bytes, num, type Sql } from "../db";

export const LOG_NAMES = ["access", "security"] as const;

export interface GateRowView {
  id: number;
  name: string;
  online: boolean;
  desiredVersion: number;
  appliedVersion: number;
  ackedAt?: number;
  refusedReason?: string;
  needsFull: boolean;
  alarms: number;
}

export interface ChainView {
  log: (typeof LOG_NAMES)[number];
  headSeq: number;
  anchorSeq: number;
  headHash: string;
  recordsVerified: boolean;
  receivedAt: number;
  held: number;
}

export interface AlarmView { log: string; kind: string; seq: number; detail: string; raisedAt: number }

export async function gateList(db: Sql, compoundId: number): Promise<GateRowView[]> {
  const rows = await db.query<{ id: unknown; name: string; online: boolean; desired_version: unknown; applied_version: unknown; acked_at: unknown; refused_reason: string | null; needs_full: boolean; alarms: unknown }>(
    `select g.id, g.name, g.online, g.desired_version, g.applied_version, g.acked_at, g.refused_reason, g.needs_full,
       (select count(*) from audit_alarm a where a.gate_id = g.id) as alarms
     from gate g where g.compound_id = $1 order by g.id`, [compoundId]);
  return rows.map((r) => ({
    id: num(r.id), name: r.name, online: r.online, desiredVersion: num(r.desired_version), appliedVersion: num(r.applied_version),
    ackedAt: r.acked_at === null ? undefined : num(r.acked_at), refusedReason: r.refused_reason ?? undefined, needsFull: r.needs_full, alarms: num(r.alarms),
  }));
}

export async function gateChains(db: Sql, gateId: number): Promise<ChainView[]> {
  const rows = await db.query<{ log: unknown; head_seq: unknown; anchor_seq: unknown; head_hash: unknown; records_verified: boolean; received_at: unknown; held: unknown }>(
    `select h.log, h.head_seq, h.anchor_seq, h.head_hash, h.records_verified, h.received_at,
       (select count(*) from audit_record r where r.gate_id = h.gate_id and r.log = h.log) as held
     from audit_head h where h.gate_id = $1 order by h.log`, [gateId]);
  return rows.map((r) => ({
    log: LOG_NAMES[num(r.log)], headSeq: num(r.head_seq), anchorSeq: num(r.anchor_seq), headHash: Buffer.from(bytes(r.head_hash)).toString("hex"),
    recordsVerified: r.records_verified, receivedAt: num(r.received_at), held: num(r.held),
  }));
}

export async function gateAlarms(db: Sql, gateId: number, limit = 50): Promise<AlarmView[]> {
  const rows = await db.query<{ log: unknown; kind: string; seq: unknown; detail: string; raised_at: unknown }>(
    "select log, kind, seq, detail, raised_at from audit_alarm where gate_id = $1 order by id desc limit $2", [gateId, limit]);
  return rows.map((r) => ({ log: LOG_NAMES[num(r.log)] ?? String(r.log), kind: r.kind, seq: num(r.seq), detail: r.detail, raisedAt: num(r.raised_at) }));
}
