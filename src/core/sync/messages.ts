// The sync wire messages between the hub and a gate (docs/sync.md), as
// canonical bytes: one encoding per message, so a signature covers exactly
// what is read. Every message starts "OGS1", a type byte and the gate id.
//
//   change-set  hub -> gate, signed by a hub key:
//               flags u8 (bit 0: full resync) | version u32 | base u32 | part u16 | parts u16
//               | issuedAt u64 ms | keyId 8 | count u16 | (length u16, registry change)* | signature 64
//   ack         gate -> hub, signed by the gate: applied u32 | status u8 | about u32 | reason u8
//               | time u64 ms | signature 64
//   audit       gate -> hub: log u8 | count u16 | (length u8, audit record)*
//   time-req    gate -> hub: nonce 16 | gate clock u64 ms (informative)
//   time        hub -> gate, signed by a hub key: nonce 16 | time u64 ms | keyId 8 | signature 64
//   inventory   gate -> hub: applied u32 | part u16 | parts u16 | count u16 | (resident id u32, digest 8)*
//   head        gate -> hub: a signed audit head (audit/head-signature.ts): log u8 | anchor seq u32, hash 32
//               | head seq u32, hash 32 | digest 32 | time f64 | signature 64 (over the head statement)
//
// Signatures are Ed25519 over SIGNING_TAG, a NUL, then the message up to the
// signature. Sizes are bounded (MAX_MESSAGE_BYTES and the counts below) before
// anything is allocated from a length field.
import { sha256, utf8 } from "../crypto";
import { ed25519Verify, type Ed25519Verify } from "../ed25519";
import { AUDIT_LOG_NAMES, type AuditLogName } from "../audit/audit-trail";
import { MAX_RECORD_BYTES } from "../audit/audit-record";
import { statementBytes, type SignedHead } from "../audit/head-signature";
import { ByteReader, ByteWriter, malformed, taggedBytes, valueChecks } from "./bytes";

export const SIGNING_TAG = "optgate sync v1";
const MAGIC = [0x4f, 0x47, 0x53, 0x31]; // "OGS1"
const HEADER_BYTES = 4 + 1 + 4;
export const SIGNATURE_BYTES = 64;
export const KEY_ID_BYTES = 8;
export const NONCE_BYTES = 16;
export const DIGEST_BYTES = 8;
/** Largest message either side sends or reads: a gate's heap is small (DESIGN.md 5a). */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/** Largest MQTT packet of the fleet: the biggest message, its topic (MAX_TOPIC_BYTES, topics.ts), fixed header, length and packet id, with room to spare. The gate's link buffer and the broker's max_packet_size (tools/hub/mosquitto.ts) both use it. */
export const MAX_PACKET_BYTES = MAX_MESSAGE_BYTES + 1024;
/** Changes per change set: one store group holds them all plus the version (the store takes 254 ops). */
export const MAX_CHANGES_PER_SET = 200;
/** Largest one registry change may be (an add-resident with cards and codes). */
export const MAX_CHANGE_BYTES = 8 * 1024;
export const MAX_AUDIT_RECORDS = 256;
export const MAX_INVENTORY_ENTRIES = 2000;
/** Parts one full resync may span. */
export const MAX_PARTS = 4096;

export const MESSAGE_TYPES = ["change-set", "ack", "audit", "time-req", "time", "inventory", "head"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Why a gate refused a change set or a time grant. The index is the ack's reason byte: append only. */
export const REFUSALS = [
  "none", "malformed", "wrong-gate", "unknown-key", "bad-signature", "replay", "gap", "stale",
  "from-future", "bad-part", "apply-failed", "needs-resync", "unexpected-time",
] as const;
export type Refusal = (typeof REFUSALS)[number];

export const ACK_STATUSES = ["applied", "refused", "status"] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];

export interface ChangeSet {
  type: "change-set";
  gateId: number;
  /** The version this set brings the gate to. */
  version: number;
  /** The version it applies on: version - 1, or 0 for a full resync (replaces everything). */
  base: number;
  full: boolean;
  /** A full resync may span parts 0..parts-1, applied together after the last; an incremental set is part 0 of 1. */
  part: number;
  parts: number;
  issuedAt: number;
  keyId: Uint8Array;
  /** Registry changes (src/core/access/changes.ts), applied in order, all or none. */
  changes: Uint8Array[];
}

export interface Ack {
  type: "ack";
  gateId: number;
  /** The version the gate now holds. */
  applied: number;
  status: AckStatus;
  /** The version the ack answers (the refused one; = applied when applied). */
  about: number;
  reason: Refusal;
  time: number;
}

export interface AuditBatch {
  type: "audit";
  gateId: number;
  log: AuditLogName;
  /** Audit records as the gate chains them (audit-record.ts), oldest first. */
  records: Uint8Array[];
}

export interface TimeRequest {
  type: "time-req";
  gateId: number;
  nonce: Uint8Array;
  gateTime: number;
}

export interface TimeGrant {
  type: "time";
  gateId: number;
  nonce: Uint8Array;
  time: number;
  keyId: Uint8Array;
}

export interface InventoryEntry {
  id: number;
  digest: Uint8Array;
}

export interface Inventory {
  type: "inventory";
  gateId: number;
  applied: number;
  part: number;
  parts: number;
  entries: InventoryEntry[];
}

/** A signed audit head as the gate exports it; its signature is over statementBytes, not this message. */
export interface HeadMessage extends SignedHead {
  type: "head";
}

export type SyncMessage = ChangeSet | Ack | AuditBatch | TimeRequest | TimeGrant | Inventory | HeadMessage;

/** A decoded message, with what its signature covers when it carries one. */
export interface Received<M extends SyncMessage = SyncMessage> {
  message: M;
  signed?: { bytes: Uint8Array; signature: Uint8Array };
}

/** Signs the exact bytes handed to it (Ed25519: the hub's @noble/curves key, the gate's Ed25519Signer). */
export type Sign = (bytes: Uint8Array) => Uint8Array;

/** A key's id on the wire: the first 8 bytes of SHA-256 of the public key. */
export function keyIdOf(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).slice(0, KEY_ID_BYTES);
}

const TAG_BYTES = utf8(SIGNING_TAG);
const tagged = (body: Uint8Array): Uint8Array => taggedBytes(TAG_BYTES, body);
const { badValue, checkU32, checkBytes } = valueChecks("A sync message");

function header(w: ByteWriter, type: MessageType, gateId: number): void {
  checkU32(gateId, "gate id");
  w.raw(Uint8Array.from(MAGIC));
  w.u8(MESSAGE_TYPES.indexOf(type) + 1);
  w.u32(gateId);
}

function finish(w: ByteWriter, sign?: Sign): Uint8Array {
  const body = w.done();
  if (!sign) return body;
  const signature = sign(tagged(body));
  checkBytes(signature, SIGNATURE_BYTES, "signature");
  const out = new Uint8Array(body.length + SIGNATURE_BYTES);
  out.set(body);
  out.set(signature, body.length);
  if (out.length > MAX_MESSAGE_BYTES) throw badValue(`more than ${MAX_MESSAGE_BYTES} bytes`);
  return out;
}

function checkLength(total: number): void {
  if (total > MAX_MESSAGE_BYTES) throw badValue(`more than ${MAX_MESSAGE_BYTES} bytes (${total})`);
}

export function encodeChangeSet(set: Omit<ChangeSet, "type">, sign: Sign): Uint8Array {
  checkU32(set.version, "version");
  checkU32(set.base, "base version");
  if (set.version < 1) throw badValue("version 0 (versions start at 1)");
  if (set.full ? set.base !== 0 : set.base !== set.version - 1) throw badValue(`base ${set.base} for version ${set.version}${set.full ? " (a full resync has base 0)" : " (an incremental set has base version - 1)"}`);
  if (!Number.isInteger(set.parts) || set.parts < 1 || set.parts > MAX_PARTS || !Number.isInteger(set.part) || set.part < 0 || set.part >= set.parts) throw badValue(`part ${set.part} of ${set.parts}`);
  if (!set.full && set.parts !== 1) throw badValue("several parts in an incremental set");
  checkBytes(set.keyId, KEY_ID_BYTES, "key id");
  if (set.changes.length > MAX_CHANGES_PER_SET) throw badValue(`${set.changes.length} changes (at most ${MAX_CHANGES_PER_SET})`);
  let length = HEADER_BYTES + 1 + 4 + 4 + 2 + 2 + 8 + KEY_ID_BYTES + 2;
  for (const c of set.changes) {
    if (!(c instanceof Uint8Array) || c.length === 0 || c.length > MAX_CHANGE_BYTES) throw badValue(`a change of ${c?.length} bytes (1..${MAX_CHANGE_BYTES})`);
    length += 2 + c.length;
  }
  checkLength(length + SIGNATURE_BYTES);
  const w = new ByteWriter(length);
  header(w, "change-set", set.gateId);
  w.u8(set.full ? 1 : 0);
  w.u32(set.version);
  w.u32(set.base);
  w.u16(set.part);
  w.u16(set.parts);
  w.time(set.issuedAt);
  w.raw(set.keyId);
  w.u16(set.changes.length);
  for (const c of set.changes) { w.u16(c.length); w.raw(c); }
  return finish(w, sign);
}

export function encodeAck(ack: Omit<Ack, "type">, sign: Sign): Uint8Array {
  checkU32(ack.applied, "applied version");
  checkU32(ack.about, "version");
  if (!ACK_STATUSES.includes(ack.status)) throw badValue(`ack status ${String(ack.status)}`);
  if (!REFUSALS.includes(ack.reason)) throw badValue(`refusal ${String(ack.reason)}`);
  if ((ack.status === "refused") !== (ack.reason !== "none")) throw badValue("a refusal without a reason, or a reason without a refusal");
  const w = new ByteWriter(HEADER_BYTES + 4 + 1 + 4 + 1 + 8);
  header(w, "ack", ack.gateId);
  w.u32(ack.applied);
  w.u8(ACK_STATUSES.indexOf(ack.status));
  w.u32(ack.about);
  w.u8(REFUSALS.indexOf(ack.reason));
  w.time(ack.time);
  return finish(w, sign);
}

export function encodeAuditBatch(batch: Omit<AuditBatch, "type">): Uint8Array {
  if (!AUDIT_LOG_NAMES.includes(batch.log)) throw badValue(`audit log ${String(batch.log)}`);
  if (batch.records.length > MAX_AUDIT_RECORDS) throw badValue(`${batch.records.length} audit records (at most ${MAX_AUDIT_RECORDS})`);
  let length = HEADER_BYTES + 1 + 2;
  for (const r of batch.records) {
    if (!(r instanceof Uint8Array) || r.length === 0 || r.length > MAX_RECORD_BYTES) throw badValue(`an audit record of ${r?.length} bytes`);
    length += 1 + r.length;
  }
  checkLength(length);
  const w = new ByteWriter(length);
  header(w, "audit", batch.gateId);
  w.u8(AUDIT_LOG_NAMES.indexOf(batch.log));
  w.u16(batch.records.length);
  for (const r of batch.records) { w.u8(r.length); w.raw(r); }
  return finish(w);
}

export function encodeTimeRequest(req: Omit<TimeRequest, "type">): Uint8Array {
  checkBytes(req.nonce, NONCE_BYTES, "nonce");
  const w = new ByteWriter(HEADER_BYTES + NONCE_BYTES + 8);
  header(w, "time-req", req.gateId);
  w.raw(req.nonce);
  w.time(req.gateTime);
  return finish(w);
}

export function encodeTimeGrant(grant: Omit<TimeGrant, "type">, sign: Sign): Uint8Array {
  checkBytes(grant.nonce, NONCE_BYTES, "nonce");
  checkBytes(grant.keyId, KEY_ID_BYTES, "key id");
  const w = new ByteWriter(HEADER_BYTES + NONCE_BYTES + 8 + KEY_ID_BYTES);
  header(w, "time", grant.gateId);
  w.raw(grant.nonce);
  w.time(grant.time);
  w.raw(grant.keyId);
  return finish(w, sign);
}

export function encodeInventory(inv: Omit<Inventory, "type">): Uint8Array {
  checkU32(inv.applied, "applied version");
  if (!Number.isInteger(inv.parts) || inv.parts < 1 || inv.parts > MAX_PARTS || !Number.isInteger(inv.part) || inv.part < 0 || inv.part >= inv.parts) throw badValue(`part ${inv.part} of ${inv.parts}`);
  if (inv.entries.length > MAX_INVENTORY_ENTRIES) throw badValue(`${inv.entries.length} inventory entries (at most ${MAX_INVENTORY_ENTRIES})`);
  const w = new ByteWriter(HEADER_BYTES + 4 + 2 + 2 + 2 + inv.entries.length * (4 + DIGEST_BYTES));
  header(w, "inventory", inv.gateId);
  w.u32(inv.applied);
  w.u16(inv.part);
  w.u16(inv.parts);
  w.u16(inv.entries.length);
  for (const e of inv.entries) {
    checkU32(e.id, "resident id");
    checkBytes(e.digest, DIGEST_BYTES, "digest");
    w.u32(e.id);
    w.raw(e.digest);
  }
  return finish(w);
}

export function encodeHead(head: SignedHead): Uint8Array {
  if (!AUDIT_LOG_NAMES.includes(head.log)) throw badValue(`audit log ${String(head.log)}`);
  for (const h of [head.anchor, head.head]) { checkU32(h.seq, "audit sequence"); checkBytes(h.hash, 32, "chain hash"); }
  checkBytes(head.digest, 32, "records digest");
  checkBytes(head.signature, SIGNATURE_BYTES, "signature");
  if (typeof head.time !== "number" || Number.isNaN(head.time)) throw badValue("a head time that is not a number");
  const w = new ByteWriter(HEADER_BYTES + 1 + 2 * (4 + 32) + 32 + 8 + SIGNATURE_BYTES);
  header(w, "head", head.gateId);
  w.u8(AUDIT_LOG_NAMES.indexOf(head.log));
  for (const h of [head.anchor, head.head]) { w.u32(h.seq); w.raw(h.hash); }
  w.raw(head.digest);
  w.f64(head.time);
  w.raw(head.signature);
  return finish(w);
}

/** True when the head carries `publicKey`'s signature of its statement (the gate's key). */
export function verifyHead(head: SignedHead, publicKey: Uint8Array, verify: Ed25519Verify = ed25519Verify): boolean {
  return verify(publicKey, statementBytes(head), head.signature);
}

/**
 * Reads any sync message; throws E_SYNC_MALFORMED (with what is wrong) for
 * anything that is not exactly one well-formed message. Does not verify
 * signatures: see verifySigned.
 */
export function decodeMessage(bytes: Uint8Array): Received {
  if (!(bytes instanceof Uint8Array)) throw malformed("it is not bytes");
  if (bytes.length > MAX_MESSAGE_BYTES) throw malformed(`it is ${bytes.length} bytes, more than ${MAX_MESSAGE_BYTES}`);
  if (bytes.length < HEADER_BYTES) throw malformed("it is shorter than a header");
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw malformed("it does not start with OGS1");
  const type = MESSAGE_TYPES[bytes[4] - 1];
  if (!type) throw malformed(`message type ${bytes[4]} is unknown`);
  const signedType = type === "change-set" || type === "ack" || type === "time";
  let body = bytes, signature: Uint8Array | undefined;
  if (signedType) {
    if (bytes.length < HEADER_BYTES + SIGNATURE_BYTES) throw malformed("it is too short to carry a signature");
    body = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
    signature = bytes.slice(bytes.length - SIGNATURE_BYTES);
  }
  const r = new ByteReader(body);
  r.raw(MAGIC.length + 1, "magic and type"); // checked above
  const gateId = r.u32("gate id");
  const message = decodeBody(type, gateId, r);
  r.end();
  return signature ? { message, signed: { bytes: body.slice(), signature } } : { message };
}

function decodeBody(type: MessageType, gateId: number, r: ByteReader): SyncMessage {
  switch (type) {
    case "change-set": {
      const flags = r.u8("flags");
      if (flags > 1) throw malformed(`flags ${flags} has unknown bits`);
      const full = flags === 1;
      const version = r.u32("version"), base = r.u32("base version");
      const part = r.u16("part"), parts = r.u16("part count");
      if (version < 1) throw malformed("version 0 is no version");
      if (full ? base !== 0 : base !== version - 1) throw malformed(`base ${base} does not fit version ${version}`);
      if (parts < 1 || parts > MAX_PARTS || part >= parts || (!full && parts !== 1)) throw malformed(`part ${part} of ${parts}`);
      const issuedAt = r.time("issue time");
      const keyId = r.raw(KEY_ID_BYTES, "key id");
      const count = r.u16("change count");
      if (count > MAX_CHANGES_PER_SET) throw malformed(`${count} changes, more than ${MAX_CHANGES_PER_SET}`);
      const changes: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        const length = r.u16("change length");
        if (length === 0 || length > MAX_CHANGE_BYTES) throw malformed(`change ${i + 1} is ${length} bytes`);
        changes.push(r.raw(length, `change ${i + 1}`));
      }
      return { type, gateId, version, base, full, part, parts, issuedAt, keyId, changes };
    }
    case "ack": {
      const applied = r.u32("applied version");
      const status = ACK_STATUSES[r.u8("status")];
      if (!status) throw malformed("the ack status is unknown");
      const about = r.u32("version");
      const reason = REFUSALS[r.u8("reason")];
      if (!reason) throw malformed("the refusal reason is unknown");
      if ((status === "refused") !== (reason !== "none")) throw malformed("the status and the reason disagree");
      return { type, gateId, applied, status, about, reason, time: r.time("time") };
    }
    case "audit": {
      const log = AUDIT_LOG_NAMES[r.u8("log")];
      if (!log) throw malformed("the audit log is unknown");
      const count = r.u16("record count");
      if (count > MAX_AUDIT_RECORDS) throw malformed(`${count} audit records, more than ${MAX_AUDIT_RECORDS}`);
      const records: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        const length = r.u8("record length");
        if (length === 0 || length > MAX_RECORD_BYTES) throw malformed(`audit record ${i + 1} is ${length} bytes`);
        records.push(r.raw(length, `audit record ${i + 1}`));
      }
      return { type, gateId, log, records };
    }
    case "time-req":
      return { type, gateId, nonce: r.raw(NONCE_BYTES, "nonce"), gateTime: r.time("gate time") };
    case "time":
      return { type, gateId, nonce: r.raw(NONCE_BYTES, "nonce"), time: r.time("time"), keyId: r.raw(KEY_ID_BYTES, "key id") };
    case "inventory": {
      const applied = r.u32("applied version");
      const part = r.u16("part"), parts = r.u16("part count");
      if (parts < 1 || parts > MAX_PARTS || part >= parts) throw malformed(`part ${part} of ${parts}`);
      const count = r.u16("entry count");
      if (count > MAX_INVENTORY_ENTRIES) throw malformed(`${count} inventory entries, more than ${MAX_INVENTORY_ENTRIES}`);
      const entries: InventoryEntry[] = [];
      for (let i = 0; i < count; i++) entries.push({ id: r.u32("resident id"), digest: r.raw(DIGEST_BYTES, "digest") });
      return { type, gateId, applied, part, parts, entries };
    }
    case "head": {
      const log = AUDIT_LOG_NAMES[r.u8("log")];
      if (!log) throw malformed("the audit log is unknown");
      const anchor = { seq: r.u32("anchor sequence"), hash: r.raw(32, "anchor hash") };
      const head = { seq: r.u32("head sequence"), hash: r.raw(32, "head hash") };
      if (head.seq < anchor.seq) throw malformed("the head is older than its anchor");
      const digest = r.raw(32, "records digest");
      const time = r.f64("time");
      if (Number.isNaN(time)) throw malformed("the head time is not a number");
      return { type, gateId, log, anchor, head, digest, time, signature: r.raw(SIGNATURE_BYTES, "signature") };
    }
  }
}

/** True when the received message carries `publicKey`'s valid signature. */
export function verifySigned(received: Received, publicKey: Uint8Array, verify: Ed25519Verify = ed25519Verify): boolean {
  if (!received.signed) return false;
  return verify(publicKey, tagged(received.signed.bytes), received.signed.signature);
}
