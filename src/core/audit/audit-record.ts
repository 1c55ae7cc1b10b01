// One audit record as 55 bytes:
//   seq u32 | time f64 (ms) | actorKind u8 | actor u32 | kind u8 | decision u8 | reason u8 | subject u24 | prevHash 32
// big-endian, optionally followed by a detail (what changed: "lockout.keypad 5 -> 20"):
//   length u8 | up to 40 bytes of printable ASCII
// The chain hash of a record is its HMAC under the gate's audit key
// (chain-key.ts), and the next record carries it as prevHash. Actors are pseudonymous numbers
// (resident id, technician id, keypad id); the subject is the resident the
// action was done to (a technician adding a card to R00042 has subject 42; 0
// when it concerns no resident, e.g. a door opened from the console). There is
// no field for a PIN, a code, an image or a template: details are written by
// the console from setting names and values, never from secrets (console-accounts.ts).
import { OptgateError } from "../errors";
import { REASONS, type ReasonCode } from "../access/types";

export const RECORD_BYTES = 55;
/** Longest detail text a record carries. */
export const MAX_DETAIL = 40;
/** Longest record: with a full detail. */
export const MAX_RECORD_BYTES = RECORD_BYTES + 1 + MAX_DETAIL;
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
  // Accountability (issue 15): technician accounts, settings with old -> new, the
  // chain's own breaks and their acknowledgement, refused console commands in
  // aggregate (actor = how many), a clock jump confirmed.
  "technician-added", "technician-removed", "technician-password-set", "setting-changed", "notice-published",
  "audit-break", "audit-break-acknowledged", "console-refused", "clock-confirmed",
  // Fleet sync (issue 20, src/core/sync): a hub change set applied or refused (detail: version and why),
  // the clock set from the hub's signed time.
  "sync-applied", "sync-refused", "clock-synced",
  // Camera-on time (issue 21): one record each time the camera goes off, whatever ended the
  // session; no resident, detail "on <ms> ms".
  "camera-session",
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
  /** What changed, printable ASCII (longer text is cut to MAX_DETAIL). */
  detail?: string;
}

export interface AuditRecord extends AuditEntry {
  subject: number;
  detail: string;
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
  if (entry.detail !== undefined && typeof entry.detail !== "string") throw bad("detail must be text");
}

/** The bytes a detail is stored as: printable ASCII ("?" for anything else), at most MAX_DETAIL. */
export function detailBytes(detail: string | undefined): Uint8Array {
  const text = detail ?? "";
  const out = new Uint8Array(Math.min(text.length, MAX_DETAIL));
  for (let i = 0; i < out.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c >= 0x20 && c < 0x7f ? c : 0x3f;
  }
  return out;
}

/** How many bytes the record of `entry` takes. */
export function recordLength(entry: AuditEntry): number {
  const n = detailBytes(entry.detail).length;
  return n ? RECORD_BYTES + 1 + n : RECORD_BYTES;
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

/** Writes the record of `entry` at `offset`; returns its length. */
export function encodeRecordInto(out: Uint8Array, offset: number, seq: number, entry: AuditEntry, prevHash: Uint8Array): number {
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
  const detail = detailBytes(entry.detail);
  if (!detail.length) return RECORD_BYTES;
  out[offset + RECORD_BYTES] = detail.length;
  out.set(detail, offset + RECORD_BYTES + 1);
  return RECORD_BYTES + 1 + detail.length;
}

export function encodeRecord(record: AuditRecord): Uint8Array {
  checkEntry(record);
  const out = new Uint8Array(recordLength(record));
  encodeRecordInto(out, 0, record.seq, record, record.prevHash);
  return out;
}

export function decodeRecord(bytes: Uint8Array): AuditRecord {
  if (!(bytes instanceof Uint8Array) || (bytes.length !== RECORD_BYTES && (bytes.length < RECORD_BYTES + 2 || bytes.length > MAX_RECORD_BYTES))) {
    throw bad(`it must be ${RECORD_BYTES} bytes, or ${RECORD_BYTES + 2}..${MAX_RECORD_BYTES} with a detail`);
  }
  let detail = "";
  if (bytes.length > RECORD_BYTES) {
    if (bytes[RECORD_BYTES] !== bytes.length - RECORD_BYTES - 1) throw bad("its detail length does not match");
    for (let i = RECORD_BYTES + 1; i < bytes.length; i++) {
      if (bytes[i] < 0x20 || bytes[i] >= 0x7f) throw bad("its detail is not printable text");
      detail += String.fromCharCode(bytes[i]);
    }
  }
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
    detail,
  };
}
