// Withdrawal notice ids (portable: Node and XS): one per record and gate,
// hashed through taggedBytes under a versioned tag (v2), so they cannot
// collide with another format's bytes; the v1 ids older firmware saved its
// pending notices under stay exactly what they were.
import assert from "node:assert/strict";
import { sha256, toHex, utf8 } from "../../../src/core/crypto";
import type { ConsentRecord } from "../../../src/core/face/consent-record";
import { encodeConsentRecord } from "../../../src/core/face/consent-record";
import { isOptgateError } from "../../../src/core/errors";
import { taggedBytes } from "../../../src/core/sync/bytes";
import { NOTICE_ID_TAG, legacyNoticeIdOf, noticeIdOf } from "../../../src/core/sync/notice-id";

const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 11 + 5) & 0xff);
const RECORD: ConsentRecord = { seq: 7, event: "withdrawn", residentId: "R00042", noticeVersion: 3, at: Date.UTC(2026, 5, 3, 10), actorId: "", channel: "keypad", pinConfirmed: true };

describe("withdrawal notice ids", () => {
  it("v1 (older firmware's saved notices) is unchanged: the id it gave this record then", () => {
    // Computed by src/app/fleet.ts noticeIdOf before the move to taggedBytes.
    assert.equal(toHex(legacyNoticeIdOf(KEY, RECORD)), "d83535659acff915d00b9755ab14d7e5");
  });

  it("v2 is SHA-256 over taggedBytes(its tag, key ‖ record), first 16 bytes, and differs from v1", () => {
    assert.equal(NOTICE_ID_TAG, "optgate withdrawal notice v2");
    const record = encodeConsentRecord(RECORD);
    const body = new Uint8Array(32 + record.length);
    body.set(KEY);
    body.set(record, 32);
    const id = noticeIdOf(KEY, RECORD);
    assert.deepEqual(id, sha256(taggedBytes(utf8(NOTICE_ID_TAG), body)).slice(0, 16));
    assert.equal(id.length, 16);
    assert.notDeepEqual(id, legacyNoticeIdOf(KEY, RECORD));
  });

  it("the same record gives the same id (a notice made again fans out once); another record or gate another", () => {
    const id = toHex(noticeIdOf(KEY, RECORD));
    assert.equal(toHex(noticeIdOf(KEY.slice(), { ...RECORD })), id);
    const other = KEY.slice();
    other[31] ^= 1;
    const ids = new Set([id, toHex(noticeIdOf(other, RECORD)), toHex(noticeIdOf(KEY, { ...RECORD, seq: 8 })), toHex(noticeIdOf(KEY, { ...RECORD, at: RECORD.at + 1 }))]);
    assert.equal(ids.size, 4);
  });

  it("v1's hand concatenation was ambiguous across formats; v2's tag and NUL are not", () => {
    // v1 hashed tag ‖ key ‖ record with nothing between: a key starting with 0x00 made its bytes
    // exactly taggedBytes("…v1", rest), what any format signing under that tag would hash.
    const zeroKey = KEY.slice();
    zeroKey[0] = 0;
    const record = encodeConsentRecord(RECORD);
    const rest = new Uint8Array(31 + record.length);
    rest.set(zeroKey.subarray(1));
    rest.set(record, 31);
    assert.deepEqual(legacyNoticeIdOf(zeroKey, RECORD), sha256(taggedBytes(utf8("optgate withdrawal notice v1"), rest)).slice(0, 16));
    // v2's preimage starts with its own tag and a NUL: no v1 preimage (tag "…v1") and no other tag's can equal it.
    const v2 = taggedBytes(utf8(NOTICE_ID_TAG), new Uint8Array(0));
    assert.deepEqual(Array.from(v2), [...Array.from(utf8(NOTICE_ID_TAG)), 0]);
  });

  it("refuses a gate key that is not 32 bytes", () => {
    for (const key of [new Uint8Array(31), new Uint8Array(33)]) {
      assert.throws(() => noticeIdOf(key, RECORD), (e) => isOptgateError(e, "E_SYNC_BAD_VALUE"));
    }
  });
});
