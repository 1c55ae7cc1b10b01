// One audit record as 55 bytes, so its SHA-256 is still a single compression
// block (55 is the most one 64-byte block holds with SHA-256's padding):
//   seq u32 | time f64 (ms) | actorKind u8 | actor u32 | kind u8 | decision u8 | reason u8 | subject u24 | prevHash 32
// big-endian. The chain hash of a record is SHA-256 of these bytes, and the
// next record carries it as prevHash. Actors are pseudonymous numbers
// (resident id, technician id, keypad id); the subject is the resident the
// action was done to (a technician adding a card to R00042 has subject 42; 0
// when it concerns no resident, e.g. a door opened from the console). There is
// no field that could hold a PIN, a code, an image or a template.
import { sha256 } from "../crypto";
import { OptgateError } from "../errors";
import { REASONS, type ReasonCode } from "../access/types";

export const RECORD_BYTES = 55;
export const HASH_BYTES = 32;
/** Where prevHash starts in a record. */
export const PREV_HASH_OFFSET = 23;
/** Largest subject a record holds (u24); 0 means "no resident". */
export const MAX_SUBJECT = 0xffffff;

export const ACTOR_KINDS = ["none", "resident", "technician", "keypad", "system"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** What happened. The index is the stored byte: append only, never reorder. */
export const AUDIT_KINDS = [
  "card", "pin", "code", "face", "exit",
  "resident-added", "resident-updated", "resident-removed", "card-added", "card-removed",
  "pin-set", "pin-cleared", "code-issued", "code-revoked", "face-enrolled", "face-erased",
  "consent-given", "consent-withdrawn", "technician-login", "technician-login-failed",
  "clock-set", "boot", "policy-changed", "registry-restored", "door-forced", "door-held",
  "malformed-event", "store-damage", "consent-requested", "consent-request-cancelled",
  "technician-installed", "damage-cleared", "clock-drift",
  // Guessing (access-core.ts): a throttle engaged; bursts of refused cards or throttled
  // entries, one record each with actor = how many and subject = the span in seconds.
  "guessing-alarm", "unknown-cards", "throttled-entries",
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export const DECISIONS = ["deny", "grant", "info"] as const;
export type AuditDecision = (typeof DECISIONS)[number];

export interface AuditEntry {
  time: number;
  actorKind: ActorKind;
  actor: number;
  kind: AuditKind;
  decision: AuditDecision;
  reason: ReasonCode;
  /** Resident id the action concerns; omitted or 0 when none. */
  subject?: number;
}

export interface AuditRecord extends AuditEntry {
  subject: number;
  seq: number;
  prevHash: Uint8Array;
}

function bad(why: string): OptgateError {
  return new OptgateError("E_BAD_AUDIT_RECORD", `Audit record: ${why}.`);
}

/** Checks an entry before it is written, so a bad call never reaches the chain. */
export function checkEntry(entry: AuditEntry): void {
  if (typeof entry.time !== "number" || !Number.isFinite(entry.time)) throw bad("time must be a finite number of ms");
  if (!ACTOR_KINDS.includes(entry.actorKind)) throw bad(`actorKind must be one of ${ACTOR_KINDS.join(", ")}`);
  if (!Number.isInteger(entry.actor) || entry.actor < 0 || entry.actor > 0xffffffff) throw bad("actor must be a 32-bit id");
  if (!AUDIT_KINDS.includes(entry.kind)) throw bad(`kind "${String(entry.kind)}" is unknown`);
  if (!DECISIONS.includes(entry.decision)) throw bad("decision must be grant, deny or info");
  if (!REASONS.includes(entry.reason)) throw bad(`reason "${String(entry.reason)}" is unknown`);
  const subject = entry.subject ?? 0;
  if (!Number.isInteger(subject) || subject < 0 || subject > MAX_SUBJECT) throw bad(`subject must be a resident id 0..${MAX_SUBJECT} (0 = none)`);
}

/**
 * The subject to record for a resident id: the id itself, or 0 for one past
 * the u24 field. Ids are handed out from 1 upwards, so that takes 16 million
 * residents; an audit write must not fail (after the change it reports is
 * done) for want of a field width.
 */
export function auditSubject(residentId: number): number {
  return Number.isInteger(residentId) && residentId > 0 && residentId <= MAX_SUBJECT ? residentId : 0;
}

export function encodeRecordInto(out: Uint8Array, offset: number, seq: number, entry: AuditEntry, prevHash: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset + offset, RECORD_BYTES);
  view.setUint32(0, seq);
  view.setFloat64(4, entry.time);
  view.setUint8(12, ACTOR_KINDS.indexOf(entry.actorKind));
  view.setUint32(13, entry.actor);
  view.setUint8(17, AUDIT_KINDS.indexOf(entry.kind));
  view.setUint8(18, DECISIONS.indexOf(entry.decision));
  view.setUint8(19, REASONS.indexOf(entry.reason));
  const subject = entry.subject ?? 0;
  view.setUint8(20, subject >>> 16);
  view.setUint16(21, subject & 0xffff);
  out.set(prevHash, offset + PREV_HASH_OFFSET);
}

export function encodeRecord(record: AuditRecord): Uint8Array {
  checkEntry(record);
  const out = new Uint8Array(RECORD_BYTES);
  encodeRecordInto(out, 0, record.seq, record, record.prevHash);
  return out;
}

export function decodeRecord(bytes: Uint8Array): AuditRecord {
  if (!(bytes instanceof Uint8Array) || bytes.length !== RECORD_BYTES) throw bad(`it must be ${RECORD_BYTES} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, RECORD_BYTES);
  const actorKind = ACTOR_KINDS[view.getUint8(12)];
  const kind = AUDIT_KINDS[view.getUint8(17)];
  const decision = DECISIONS[view.getUint8(18)];
  const reason = REASONS[view.getUint8(19)];
  if (!actorKind || !kind || !decision || !reason) throw bad("a field holds an unknown value");
  return {
    seq: view.getUint32(0),
    time: view.getFloat64(4),
    actorKind,
    actor: view.getUint32(13),
    kind,
    decision,
    reason,
    subject: (view.getUint8(20) << 16) | view.getUint16(21),
    prevHash: bytes.slice(PREV_HASH_OFFSET, PREV_HASH_OFFSET + HASH_BYTES),
  };
}

/** The chain hash of a record: what the next record must carry as prevHash. */
export function recordHash(bytes: Uint8Array): Uint8Array {
  return sha256(bytes);
}
