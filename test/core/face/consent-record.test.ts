import assert from "node:assert/strict";
import { type ConsentRecord, decodeConsentRecord, encodeConsentRecord } from "../../../src/core/face/consent-record";

const message = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as Error).message; } return "no error"; };
const corrupt = (what: string) => `E_RECORD_CORRUPT: The consent record has ${what}; restore it from a good copy.`;

// Layout: u8 format, u32 seq, u8 event, u8 channel, u8 PIN flag, u16 notice, f64 at, text resident, text actor (little-endian).
const GOOD: ConsentRecord = { seq: 7, event: "withdrawn", residentId: "r-101", noticeVersion: 3, at: 1_767_600_000_000, actorId: "tech-2", channel: "console", pinConfirmed: false };

function edited(fields: Partial<ConsentRecord>): Uint8Array {
  return encodeConsentRecord({ ...GOOD, ...fields });
}

function poked(at: number, ...bytes: number[]): Uint8Array {
  const b = encodeConsentRecord(GOOD);
  b.set(bytes, at);
  return b;
}

describe("face/consent-record", () => {
  it("round-trips the smallest valid values of every field", () => {
    for (const r of [
      GOOD,
      { ...GOOD, seq: 1, noticeVersion: 1, at: 0, actorId: "", event: "lapsed", channel: "retention" },
      { ...GOOD, seq: 0xffffffff, noticeVersion: 0xffff, at: -1, event: "granted", channel: "keypad", pinConfirmed: true },
      { ...GOOD, actorId: "", channel: "hub" },
    ] as ConsentRecord[]) {
      assert.deepEqual(decodeConsentRecord(encodeConsentRecord(r)), r);
    }
  });

  it("keeps the channel numbers records were stored with (hub appended as 3)", () => {
    const channels = ["keypad", "console", "retention", "hub"] as const;
    channels.forEach((channel, n) => assert.equal(encodeConsentRecord({ ...GOOD, channel })[6], n));
  });

  it("refuses every damaged field with its own sentence", () => {
    const cases: [string, Uint8Array, string][] = [
      ["format 0", poked(0, 0), corrupt("an unknown format")],
      ["format 2", poked(0, 2), corrupt("an unknown format")],
      ["event 3", poked(5, 3), corrupt("an unknown event")],
      ["channel 4", poked(6, 4), corrupt("an unknown channel")],
      ["PIN flag 2", poked(7, 2), corrupt("an invalid PIN flag")],
      ["PIN flag 255", poked(7, 255), corrupt("an invalid PIN flag")],
      ["seq 0", edited({ seq: 0 }), corrupt("an invalid field")],
      ["notice 0", edited({ noticeVersion: 0 }), corrupt("an invalid field")],
      ["time NaN", edited({ at: NaN }), corrupt("an invalid field")],
      ["time Infinity", edited({ at: Infinity }), corrupt("an invalid field")],
      ["time -Infinity", edited({ at: -Infinity }), corrupt("an invalid field")],
      ["no resident", edited({ residentId: "" }), corrupt("an invalid field")],
      ["truncated", encodeConsentRecord(GOOD).subarray(0, 17), "E_RECORD_CORRUPT: The consent record is truncated; restore it from a good copy."],
      ["trailing", Uint8Array.from([...encodeConsentRecord(GOOD), 0]), "E_RECORD_CORRUPT: The consent record has 1 unexpected trailing bytes."],
    ];
    for (const [what, bytes, sentence] of cases) assert.equal(message(() => decodeConsentRecord(bytes)), sentence, what);
  });

  it("reads the PIN flag as it was written", () => {
    assert.equal(decodeConsentRecord(poked(7, 1)).pinConfirmed, true);
    assert.equal(decodeConsentRecord(poked(7, 0)).pinConfirmed, false);
  });
});
