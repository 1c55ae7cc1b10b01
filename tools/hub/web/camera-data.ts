// Camera-on time per gate per local day, from the gates' own audit records.
// A gate powers its camera only inside a face session (src/core/face/face-session.ts),
// and writes a "camera-session" record each time the camera goes off, whatever
// ended the session (a match, a refusal, the time-out, a card or PIN cutting it
// short), with how long it was on: those are summed exactly.
// A gate whose firmware predates that record has only its "face" decisions: each
// counts as the face time-out ending at that record, an upper bound per session,
// and a session cut short by a card or PIN is missed. Such a gate is marked as
// estimated on the page and in the report.
import { AUDIT_KINDS, decodeRecord } from "../../../src/core/audit/audit-record";
import { parseCameraDetail } from "../../../src/core/audit/camera-session";
import { DEFAULT_TIMEOUT_MS } from "../../../src/core/face/face-session";
import type { TimeZone } from "../../../src/core/time/posix-tz";
import { bytes, num, type Sql } from "../db";
import { localDay } from "./resident-form";

/** What one face decision counts for on a gate without camera-session records: the face time-out. */
export const SESSION_CAP_MS = DEFAULT_TIMEOUT_MS;
const DAY_MS = 86_400_000;

export interface CameraSession { gate: number; start: number; end: number }

export interface FaceSessions {
  sessions: CameraSession[];
  /** Gates counted from their face decisions (no camera-session record ever). */
  estimated: Set<number>;
}

/**
 * The face sessions of the compound's gates ending in [since, until + cap).
 * From a gate's camera-session records where it writes them; else from its face
 * decisions, leaving out what is not a session: a face suspension (written by the
 * gate itself, actor "system") and the PIN step of face + PIN, which follows the
 * session's "second-factor-required" record for the same resident, camera off.
 */
export async function faceSessions(db: Sql, compoundId: number, since: number, until: number): Promise<FaceSessions> {
  const rows = await db.query<{ gate_id: unknown; record: unknown }>(
    `select r.gate_id, r.record from audit_record r join gate g on g.id = r.gate_id
     where g.compound_id = $1 and length(r.record) >= 55 and get_byte(r.record, 17) in ($2, $3) order by r.gate_id, r.log, r.seq`,
    [compoundId, AUDIT_KINDS.indexOf("face"), AUDIT_KINDS.indexOf("camera-session")]);
  const exact: CameraSession[] = [], decisions: CameraSession[] = [];
  const exactGates = new Set<number>(), seen = new Set<number>();
  const awaitingPin = new Map<number, Set<number>>(); // gate → residents whose face matched and whose PIN step is next
  const inWindow = (end: number) => end >= since && end < until + SESSION_CAP_MS;
  for (const row of rows) {
    const gate = num(row.gate_id);
    let r;
    try { r = decodeRecord(bytes(row.record)); } catch { continue; /* undecodable: the chain status shows it */ }
    seen.add(gate);
    if (r.kind === "camera-session") {
      exactGates.add(gate);
      const ms = parseCameraDetail(r.detail);
      if (ms !== undefined && inWindow(r.time)) exact.push({ gate, start: r.time - ms, end: r.time });
      continue;
    }
    if (r.actorKind === "system") continue;
    const waiting = awaitingPin.get(gate) ?? new Set<number>();
    awaitingPin.set(gate, waiting);
    // A match on a face + PIN gate always ends in "second-factor-required" (an abandoned PIN step
    // and a new session give two in a row); any other record for that resident next is the PIN step.
    if (r.reason === "second-factor-required") waiting.add(r.subject);
    else if (r.subject !== 0 && waiting.delete(r.subject)) continue;
    if (inWindow(r.time)) decisions.push({ gate, start: r.time - SESSION_CAP_MS, end: r.time });
  }
  const estimated = new Set([...seen].filter((g) => !exactGates.has(g)));
  return { sessions: [...exact, ...decisions.filter((s) => estimated.has(s.gate))], estimated };
}

/** The first instant in (start, end] that lies on `end`'s local day (the local midnight between them). */
function midnightBetween(start: number, end: number, zone: TimeZone): number {
  const day = localDay(end, zone);
  let lo = start, hi = end; // localDay(lo) is earlier, localDay(hi) is day
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(mid, zone) === day) hi = mid; else lo = mid;
  }
  return hi;
}

/**
 * A gate's sessions with overlaps merged: one camera is on or off, so time
 * two records both claim counts once. Genuine records never overlap; records
 * that do (forged or rewritten ones on the audit topic, a clock moved back)
 * must not add up past the time that passed. Estimated sessions stay an
 * upper bound: each real session lies inside its interval.
 */
export function mergeOverlaps(sessions: CameraSession[]): CameraSession[] {
  const sorted = [...sessions].sort((a, b) => a.gate - b.gate || a.start - b.start);
  const out: CameraSession[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last.gate === s.gate && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** Camera-on ms per gate per local day (YYYY-MM-DD); a session across local midnight is split there. */
export function cameraOnPerDay(sessions: CameraSession[], zone: TimeZone): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  const add = (gate: number, day: string, ms: number) => {
    const days = out.get(gate) ?? new Map<string, number>();
    out.set(gate, days);
    days.set(day, (days.get(day) ?? 0) + ms);
  };
  for (const { gate, start, end } of mergeOverlaps(sessions)) {
    if (localDay(start, zone) === localDay(end, zone)) { add(gate, localDay(end, zone), end - start); continue; }
    const midnight = midnightBetween(start, end, zone);
    add(gate, localDay(start, zone), midnight - start);
    add(gate, localDay(end, zone), end - midnight);
  }
  return out;
}

/** The `count` local days up to and including the one `now` falls on, oldest first. */
export function lastLocalDays(now: number, zone: TimeZone, count: number): string[] {
  const [y, m, d] = localDay(now, zone).split("-").map(Number);
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1, d - (count - 1 - i))).toISOString().slice(0, 10));
}

export interface CameraTable {
  days: string[];
  /** every gate of the compound, those that never ran a face session too */
  gates: { gate: number; ms: number[]; total: number; estimated: boolean }[];
  total: number;
}

/** Camera-on ms per gate over the `count` local days to `now`. */
export async function cameraOnTable(db: Sql, compoundId: number, zone: TimeZone, now: number, count: number): Promise<CameraTable> {
  const days = lastLocalDays(now, zone, count);
  // Two days' slack either side of the window covers any zone offset; days outside it are dropped below.
  const { sessions, estimated } = await faceSessions(db, compoundId, now - (count + 1) * DAY_MS, now + DAY_MS);
  const perDay = cameraOnPerDay(sessions, zone);
  const gateRows = await db.query<{ id: unknown }>("select id from gate where compound_id = $1 order by id", [compoundId]);
  const gates = gateRows.map((g) => {
    const gate = num(g.id);
    const ms = days.map((day) => perDay.get(gate)?.get(day) ?? 0);
    return { gate, ms, total: ms.reduce((a, b) => a + b, 0), estimated: estimated.has(gate) };
  });
  return { days, gates, total: gates.reduce((a, g) => a + g.total, 0) };
}

/** Minutes with one decimal, as the page, the report and the PDF show them. */
export function minutes(ms: number): string {
  return (ms / 60_000).toFixed(1);
}
