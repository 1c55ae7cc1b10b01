// The hub's answer to a gate's PIN report (docs/sync.md "PINs across gates").
// The gate keeps a report until this answer comes, not only until the broker
// has it: the broker counts a message delivered once a hub process's client
// has it, and a process killed before its database stored the report lost it.
//
//   answer = "OGA1" | gate id u32 | seq u32 | resident id u32 | outcome u8 | hub's last seq u32
//            | report digest 16 | issuedAt u64 ms | key id 8 | signature 64
//
// Signed by the hub over PIN_ANSWER_TAG, a NUL, then the answer up to the
// signature. The digest (SHA-256 of the whole report, first 16 bytes) binds
// the answer to one report, so a replayed answer can only settle the report
// it answered: it needs no freshness check, and works on an untrusted clock.
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

export const PIN_ANSWER_TAG = "optgate pin answer v1";
const MAGIC = [0x4f, 0x47, 0x41, 0x31]; // "OGA1"
export const REPORT_DIGEST_BYTES = 16;
const BODY_BYTES = MAGIC.length + 4 + 4 + 4 + 1 + 4 + REPORT_DIGEST_BYTES + 8 + KEY_ID_BYTES;
export const PIN_ANSWER_BYTES = BODY_BYTES + SIGNATURE_BYTES;

/** taken: stored and carried to the gates; the rest: not taken, and why (see pins.ts on the hub). */
export const PIN_ANSWER_OUTCOMES = ["taken", "replayed", "not-held", "unknown", "superseded"] as const;
export type PinAnswerOutcome = (typeof PIN_ANSWER_OUTCOMES)[number];

export interface PinAnswer {
  gateId: number;
  seq: number;
  residentId: number;
  outcome: PinAnswerOutcome;
  /** The last seq the hub had taken from this gate when it answered. */
  hubSeq: number;
  reportDigest: Uint8Array;
  issuedAt: number;
  keyId: Uint8Array;
}

const TAG = utf8(PIN_ANSWER_TAG);
const { badValue, checkU32, checkBytes } = valueChecks("A PIN answer");

/** The first 16 bytes of the report's SHA-256: what an answer names. */
export function pinReportDigest(report: Uint8Array): Uint8Array {
  return sha256(report).slice(0, REPORT_DIGEST_BYTES);
}

export function encodePinAnswer(a: PinAnswer, sign: Sign): Uint8Array {
  checkU32(a.gateId, "gate id");
  checkU32(a.seq, "seq");
  checkU32(a.residentId, "resident id");
  checkU32(a.hubSeq, "hub seq");
  const outcome = PIN_ANSWER_OUTCOMES.indexOf(a.outcome);
  if (outcome < 0) throw badValue(`outcome ${String(a.outcome)}`);
  checkBytes(a.reportDigest, REPORT_DIGEST_BYTES, "report digest");
  checkBytes(a.keyId, KEY_ID_BYTES, "key id");
  const w = new ByteWriter(BODY_BYTES);
  w.raw(Uint8Array.from(MAGIC));
  w.u32(a.gateId); w.u32(a.seq); w.u32(a.residentId);
  w.u8(outcome + 1);
  w.u32(a.hubSeq);
  w.raw(a.reportDigest);
  w.time(a.issuedAt);
  w.raw(a.keyId);
  const body = w.done();
  const signature = sign(taggedBytes(TAG, body));
  checkBytes(signature, SIGNATURE_BYTES, "signature");
  const out = new Uint8Array(PIN_ANSWER_BYTES);
  out.set(body);
  out.set(signature, body.length);
  return out;
}

/** Reads an answer; throws E_SYNC_MALFORMED. Does not verify: see readPinAnswer. */
export function decodePinAnswer(bytes: Uint8Array): { answer: PinAnswer; body: Uint8Array; signature: Uint8Array } {
  if (!(bytes instanceof Uint8Array)) throw malformed("it is not bytes");
  if (bytes.length !== PIN_ANSWER_BYTES) throw malformed(`a PIN answer is ${PIN_ANSWER_BYTES} bytes, not ${bytes.length}`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw malformed("it does not start with OGA1");
  const body = bytes.subarray(0, BODY_BYTES);
  const r = new ByteReader(body);
  r.raw(MAGIC.length, "magic");
  const gateId = r.u32("gate id"), seq = r.u32("seq"), residentId = r.u32("resident id");
  const code = r.u8("outcome");
  const outcome = PIN_ANSWER_OUTCOMES[code - 1];
  if (!outcome) throw malformed(`outcome ${code} is unknown`);
  const hubSeq = r.u32("hub seq"), reportDigest = r.raw(REPORT_DIGEST_BYTES, "report digest");
  const issuedAt = r.time("issue time"), keyId = r.raw(KEY_ID_BYTES, "key id");
  r.end();
  return { answer: { gateId, seq, residentId, outcome, hubSeq, reportDigest, issuedAt, keyId }, body: body.slice(), signature: bytes.slice(BODY_BYTES) };
}

/**
 * An answer addressed to gate `gateId` and signed by one of `hubKeys`, or why
 * not ("malformed", "wrong-gate", "unknown-key", "bad-signature").
 */
export function readPinAnswer(bytes: Uint8Array, gateId: number, hubKeys: readonly Uint8Array[], verify: Ed25519Verify = ed25519Verify): PinAnswer | string {
  let decoded;
  try {
    decoded = decodePinAnswer(bytes);
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
