// A PIN set at a gate, reported to the hub (docs/sync.md "PINs across gates"):
// the verifier made under the compound PIN key (salt, keyed hash, key id;
// never the PIN), signed by the gate, so the hub can carry it to the other
// gates as a set-compound-pin change. The hub holds no key: it can neither
// check the PIN nor make a verifier that opens (compound-pin.ts).
//
//   report = "OGR1" | gate id u32 | seq u32 | resident id u32 | key id u32 | salt 4 | hash 16 | gate time u64 ms (0: untrusted) | signature 64
//
// The signature is Ed25519 over PIN_REPORT_TAG, a NUL, then the report up to
// the signature (a tag of its own: no other gate signature passes for it).
// `seq` counts the gate's reports (kept on its flash with the pending ones):
// the hub takes a gate's reports only in increasing seq, so a replayed or
// reordered older report cannot bring back an old PIN.
import { utf8 } from "../crypto";
import { PIN_HASH_BYTES, PIN_SALT_BYTES } from "../access/resident-table";
import { ed25519Verify, type Ed25519Verify } from "../ed25519";
import { ByteReader, ByteWriter, malformed, taggedBytes, valueChecks } from "./bytes";
import { SIGNATURE_BYTES, type Sign } from "./messages";

export const PIN_REPORT_TAG = "optgate pin report v1";
const MAGIC = [0x4f, 0x47, 0x52, 0x31]; // "OGR1"
const BODY_BYTES = MAGIC.length + 4 * 4 + PIN_SALT_BYTES + PIN_HASH_BYTES + 8;
export const PIN_REPORT_BYTES = BODY_BYTES + SIGNATURE_BYTES;

export interface PinReport {
  gateId: number;
  seq: number;
  residentId: number;
  /** The compound key's id (never 0: a gate's own-key verifier is not reported, no other gate could use it). */
  keyId: number;
  salt: Uint8Array;
  hash: Uint8Array;
  /** The gate's time when the PIN was set, 0 while its clock was untrusted. */
  time: number;
}

export interface ReceivedPinReport {
  report: PinReport;
  signed: { bytes: Uint8Array; signature: Uint8Array };
}

const TAG = utf8(PIN_REPORT_TAG);
const { badValue, checkU32, checkBytes } = valueChecks("A PIN report");

export function encodePinReport(r: PinReport, sign: Sign): Uint8Array {
  checkU32(r.gateId, "gate id");
  checkU32(r.seq, "seq");
  checkU32(r.residentId, "resident id");
  checkU32(r.keyId, "key id");
  if (r.keyId === 0) throw badValue("key id 0 (a gate's own-key verifier opens nowhere else)");
  checkBytes(r.salt, PIN_SALT_BYTES, "salt");
  checkBytes(r.hash, PIN_HASH_BYTES, "hash");
  const w = new ByteWriter(BODY_BYTES);
  w.raw(Uint8Array.from(MAGIC));
  w.u32(r.gateId); w.u32(r.seq); w.u32(r.residentId); w.u32(r.keyId);
  w.raw(r.salt); w.raw(r.hash);
  w.time(r.time);
  const body = w.done();
  const signature = sign(taggedBytes(TAG, body));
  checkBytes(signature, SIGNATURE_BYTES, "signature");
  const out = new Uint8Array(PIN_REPORT_BYTES);
  out.set(body);
  out.set(signature, body.length);
  return out;
}

/** Reads a report; throws E_SYNC_MALFORMED. Does not verify: see verifyPinReport. */
export function decodePinReport(bytes: Uint8Array): ReceivedPinReport {
  if (!(bytes instanceof Uint8Array)) throw malformed("it is not bytes");
  if (bytes.length !== PIN_REPORT_BYTES) throw malformed(`a PIN report is ${PIN_REPORT_BYTES} bytes, not ${bytes.length}`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw malformed("it does not start with OGR1");
  const body = bytes.subarray(0, BODY_BYTES);
  const r = new ByteReader(body);
  r.raw(MAGIC.length, "magic");
  const gateId = r.u32("gate id"), seq = r.u32("seq"), residentId = r.u32("resident id"), keyId = r.u32("key id");
  if (keyId === 0) throw malformed("its key id is 0");
  const salt = r.raw(PIN_SALT_BYTES, "salt"), hash = r.raw(PIN_HASH_BYTES, "hash"), time = r.time("gate time");
  r.end();
  return { report: { gateId, seq, residentId, keyId, salt, hash, time }, signed: { bytes: body.slice(), signature: bytes.slice(BODY_BYTES) } };
}

export function verifyPinReport(received: ReceivedPinReport, publicKey: Uint8Array, verify: Ed25519Verify = ed25519Verify): boolean {
  return verify(publicKey, taggedBytes(TAG, received.signed.bytes), received.signed.signature);
}
