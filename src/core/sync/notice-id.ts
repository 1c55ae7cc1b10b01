// A withdrawal notice's id (docs/sync.md "Withdrawal at a gate"): derived from
// the consent record and the gate's public key, so a notice made again from
// the same record after a power cut has the same id and fans out once.
//
//   id = SHA-256(NOTICE_ID_TAG ‖ 0x00 ‖ gate public key (32) ‖ encoded consent record)[0..16)
//
// Through taggedBytes as every signed sync format is: its own versioned tag and
// the NUL, so no other format's bytes (nor a later version's) hash the same.
// Version 1 hashed the tag and the key without the NUL; pending notices saved
// by firmware of that version (fleet/pending/<id>) carry v1 ids, so
// legacyNoticeIdOf stays to recognise them at boot (src/app/fleet.ts).
import { sha256, utf8 } from "../crypto";
import { encodeConsentRecord, type ConsentRecord } from "../face/consent-record";
import { taggedBytes, valueChecks } from "./bytes";
import { ORDER_ID_BYTES } from "./erasure";

export const NOTICE_ID_TAG = "optgate withdrawal notice v2";
const TAG = utf8(NOTICE_ID_TAG);
const LEGACY_TAG = utf8("optgate withdrawal notice v1");
const GATE_KEY_BYTES = 32;
const { checkBytes } = valueChecks("A withdrawal notice id");

function keyAndRecord(gatePublicKey: Uint8Array, record: ConsentRecord): Uint8Array {
  checkBytes(gatePublicKey, GATE_KEY_BYTES, "gate public key");
  const bytes = encodeConsentRecord(record);
  const out = new Uint8Array(GATE_KEY_BYTES + bytes.length);
  out.set(gatePublicKey);
  out.set(bytes, GATE_KEY_BYTES);
  return out;
}

/** The notice id of a withdrawal record at this gate: the same record always the same id, another gate's key another. */
export function noticeIdOf(gatePublicKey: Uint8Array, record: ConsentRecord): Uint8Array {
  return sha256(taggedBytes(TAG, keyAndRecord(gatePublicKey, record))).slice(0, ORDER_ID_BYTES);
}

/** The id version-1 firmware gave the same record (tag and key run together): only to recognise its saved notices. */
export function legacyNoticeIdOf(gatePublicKey: Uint8Array, record: ConsentRecord): Uint8Array {
  const body = keyAndRecord(gatePublicKey, record);
  const data = new Uint8Array(LEGACY_TAG.length + body.length);
  data.set(LEGACY_TAG);
  data.set(body, LEGACY_TAG.length);
  return sha256(data).slice(0, ORDER_ID_BYTES);
}
