// The hub's answer to a gate's withdrawal notice, PIN report, template share or signed audit head (docs/sync.md
// "Until the hub answers"). The gate keeps such a message until this answer
// comes, not only until the broker has it: the broker counts a message
// delivered once a hub process's client has it, and a process killed before
// its database stored the message lost it.
//
//   answer = "OGA1" | kind u8 | gate id u32 | seq u32 | resident id u32 | outcome u8
//            | hub's last seq u32 | message digest 16 | issuedAt u64 ms | key id 8 | signature 64
//
// Signed by the hub over HUB_ANSWER_TAG, a NUL, then the answer up to the
// signature. The digest (SHA-256 of the whole message answered, first 16
// bytes) binds the answer to one message, so a replayed answer can only
// settle the message it answered: it needs no freshness check, and works on
// an untrusted clock. Seq and the hub's last seq are a PIN report's (0 otherwise);
// for a head, the resident id field holds the chain (0 access, 1 security).
//
// "replayed" says the hub had already taken a seq at or above this one from
// the gate (the hub's last seq is in the answer): the report was taken by a
// process whose answer was lost, or it was lost while a later one was taken.
// The gate cannot tell which, so it reports the same PIN again under a seq
// past the hub's; taking the same verifier twice changes nothing.
import { constantTimeEqual, sha256, utf8 } from "../crypto";
import { ed25519Verify, type Ed25519Verify } from "../ed25519";
import { isOptgateError } from "../errors";
import { ByteReader, ByteWriter, malformed, taggedBytes, valueChecks } from "./bytes";
import { KEY_ID_BYTES, SIGNATURE_BYTES, keyIdOf, type Sign } from "./messages";

export const HUB_ANSWER_TAG = "optgate hub answer v1";
const MAGIC = [0x4f, 0x47, 0x41, 0x31]; // "OGA1"
export const DIGEST_BYTES = 16;
const BODY_BYTES = MAGIC.length + 1 + 4 + 4 + 4 + 1 + 4 + DIGEST_BYTES + 8 + KEY_ID_BYTES;
export const HUB_ANSWER_BYTES = BODY_BYTES + SIGNATURE_BYTES;

/**
 * What is answered: a PIN report (leaf "pin"), a template share (leaf "share") or a withdrawal
 * notice (leaf "withdrawn": its fan-out is in the hub's database). A notice is not answered with
 * an erase order: an order for the notice's id, replayed after the gate forgot its receipt, would
 * erase a template enrolled since under a new consent.
 */
export const ANSWERED_KINDS = ["pin", "share", "notice", "head"] as const;
export type AnsweredKind = (typeof ANSWERED_KINDS)[number];

/**
 * taken: stored (and carried to the gates); the rest: not taken, and why (tools/hub/pins.ts and
 * templates.ts). "withdrawn": a share crossed a withdrawal at the hub. For a head, "taken" says the
 * hub holds every record of its window, "incomplete" that it lacks some (a batch lost with a
 * killed hub process): the gate sends the chain's window again.
 */
export const ANSWER_OUTCOMES = ["taken", "replayed", "not-held", "unknown", "superseded", "withdrawn", "incomplete"] as const;
export type AnswerOutcome = (typeof ANSWER_OUTCOMES)[number];

export interface HubAnswer {
  kind: AnsweredKind;
  gateId: number;
  seq: number;
  residentId: number;
  outcome: AnswerOutcome;
  /** A PIN report's: the last seq the hub had taken from this gate when it answered. */
  hubSeq: number;
  digest: Uint8Array;
  issuedAt: number;
  keyId: Uint8Array;
}

const TAG = utf8(HUB_ANSWER_TAG);
const { badValue, checkU32, checkBytes } = valueChecks("A hub answer");

/** The first 16 bytes of the message's SHA-256: what an answer names. */
export function answerDigest(message: Uint8Array): Uint8Array {
  return sha256(message).slice(0, DIGEST_BYTES);
}

export function encodeHubAnswer(a: HubAnswer, sign: Sign): Uint8Array {
  const kind = ANSWERED_KINDS.indexOf(a.kind);
  if (kind < 0) throw badValue(`kind ${String(a.kind)}`);
  checkU32(a.gateId, "gate id");
  checkU32(a.seq, "seq");
  checkU32(a.residentId, "resident id");
  checkU32(a.hubSeq, "hub seq");
  const outcome = ANSWER_OUTCOMES.indexOf(a.outcome);
  if (outcome < 0) throw badValue(`outcome ${String(a.outcome)}`);
  checkBytes(a.digest, DIGEST_BYTES, "digest");
  checkBytes(a.keyId, KEY_ID_BYTES, "key id");
  const w = new ByteWriter(BODY_BYTES);
  w.raw(Uint8Array.from(MAGIC));
  w.u8(kind + 1);
  w.u32(a.gateId); w.u32(a.seq); w.u32(a.residentId);
  w.u8(outcome + 1);
  w.u32(a.hubSeq);
  w.raw(a.digest);
  w.time(a.issuedAt);
  w.raw(a.keyId);
  const body = w.done();
  const signature = sign(taggedBytes(TAG, body));
  checkBytes(signature, SIGNATURE_BYTES, "signature");
  const out = new Uint8Array(HUB_ANSWER_BYTES);
  out.set(body);
  out.set(signature, body.length);
  return out;
}

/** Reads an answer; throws E_SYNC_MALFORMED. Does not verify: see readHubAnswer. */
export function decodeHubAnswer(bytes: Uint8Array): { answer: HubAnswer; body: Uint8Array; signature: Uint8Array } {
  if (!(bytes instanceof Uint8Array)) throw malformed("it is not bytes");
  if (bytes.length !== HUB_ANSWER_BYTES) throw malformed(`a hub answer is ${HUB_ANSWER_BYTES} bytes, not ${bytes.length}`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw malformed("it does not start with OGA1");
  const body = bytes.subarray(0, BODY_BYTES);
  const r = new ByteReader(body);
  r.raw(MAGIC.length, "magic");
  const kindCode = r.u8("kind");
  const kind = ANSWERED_KINDS[kindCode - 1];
  if (!kind) throw malformed(`kind ${kindCode} is unknown`);
  const gateId = r.u32("gate id"), seq = r.u32("seq"), residentId = r.u32("resident id");
  const code = r.u8("outcome");
  const outcome = ANSWER_OUTCOMES[code - 1];
  if (!outcome) throw malformed(`outcome ${code} is unknown`);
  const hubSeq = r.u32("hub seq"), digest = r.raw(DIGEST_BYTES, "digest");
  const issuedAt = r.time("issue time"), keyId = r.raw(KEY_ID_BYTES, "key id");
  r.end();
  return { answer: { kind, gateId, seq, residentId, outcome, hubSeq, digest, issuedAt, keyId }, body: body.slice(), signature: bytes.slice(BODY_BYTES) };
}

/**
 * An answer addressed to gate `gateId` and signed by one of `hubKeys`, or why
 * not ("malformed", "wrong-gate", "unknown-key", "bad-signature").
 */
export function readHubAnswer(bytes: Uint8Array, gateId: number, hubKeys: readonly Uint8Array[], verify: Ed25519Verify = ed25519Verify): HubAnswer | string {
  let decoded;
  try {
    decoded = decodeHubAnswer(bytes);
  } catch (error) {
    if (isOptgateError(error)) return "malformed";
    throw error;
  }
  const a = decoded.answer;
  if (a.gateId !== gateId) return "wrong-gate";
  const key = hubKeys.find((k) => constantTimeEqual(keyIdOf(k), a.keyId));
  if (!key) return "unknown-key";
  if (!verify(key, taggedBytes(TAG, decoded.body), decoded.signature)) return "bad-signature";
  return a;
}
