// What the office sees of each gate: connected or not, the version it should
// hold and the one it acknowledged, its last refusal, its audit chains as the
// hub witnessed them, and the alarms raised about them.
import { AUDIT_KINDS, decodeRecord } from "../../../src/core/audit/audit-record";
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
  /** What the gate last said it runs ("optgate/0.1.0"); undefined before it ever connected. */
  firmware?: string;
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
  const rows = await db.query<{ id: unknown; name: string; online: boolean; desired_version: unknown; applied_version: unknown; acked_at: unknown; refused_reason: string | null; needs_full: boolean; alarms: unknown; firmware: string | null }>(
    `select g.id, g.name, g.online, g.desired_version, g.applied_version, g.acked_at, g.refused_reason, g.needs_full, g.firmware,
       (select count(*) from audit_alarm a where a.gate_id = g.id) as alarms
     from gate g where g.compound_id = $1 order by g.id`, [compoundId]);
  return rows.map((r) => ({
    id: num(r.id), name: r.name, online: r.online, desiredVersion: num(r.desired_version), appliedVersion: num(r.applied_version),
    ackedAt: r.acked_at === null ? undefined : num(r.acked_at), refusedReason: r.refused_reason ?? undefined, needsFull: r.needs_full, alarms: num(r.alarms),
    firmware: r.firmware ?? undefined,
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

/** The gate's clock against the hub's at its last acknowledgement (gate time minus arrival), if any. */
export async function clockOffset(db: Sql, gateId: number): Promise<{ offsetMs: number; at: number } | undefined> {
  const [row] = await db.query<{ received_at: unknown; gate_time: unknown }>(
    "select received_at, gate_time from ack_log where gate_id = $1 order by received_at desc limit 1", [gateId]);
  return row ? { offsetMs: num(row.gate_time) - num(row.received_at), at: num(row.received_at) } : undefined;
}

/** Alarms in a gate's own log over a window: door forced or held, guessing throttles, damage, clock. */
export const GATE_ALARM_KINDS = ["door-forced", "door-held", "guessing-alarm", "throttled-entries", "unknown-cards", "store-damage", "audit-break", "clock-drift"] as const;

export async function gateLogAlarms(db: Sql, gateId: number, since: number, until: number): Promise<Record<(typeof GATE_ALARM_KINDS)[number], number>> {
  const codes = GATE_ALARM_KINDS.map((k) => AUDIT_KINDS.indexOf(k));
  const rows = await db.query<{ record: unknown }>(
    "select record from audit_record where gate_id = $1 and length(record) >= 55 and get_byte(record, 17) = any($2::integer[])", [gateId, codes]);
  const out = Object.fromEntries(GATE_ALARM_KINDS.map((k) => [k, 0])) as Record<(typeof GATE_ALARM_KINDS)[number], number>;
  for (const row of rows) {
    try {
      const r = decodeRecord(bytes(row.record));
      if (r.time >= since && r.time < until) out[r.kind as (typeof GATE_ALARM_KINDS)[number]]++;
    } catch { /* undecodable: shown by the chain status */ }
  }
  return out;
}
