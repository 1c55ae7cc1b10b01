// The hub's answer to a PIN report (src/core/sync/pin-answer.ts): bound to one
// report by its digest, addressed to one gate, signed by a provisioned hub key.
// Portable (Node and XS).
import assert from "node:assert/strict";
import { keyIdOf } from "../../../src/core/sync/messages";
import {
  PIN_ANSWER_BYTES, PIN_ANSWER_OUTCOMES, decodePinAnswer, encodePinAnswer, pinReportDigest, readPinAnswer, type PinAnswer,
} from "../../../src/core/sync/pin-answer";
import { PIN_REPORT_TAG, encodePinReport } from "../../../src/core/sync/pin-report";
import { GATE, T0, gateSign, hubSign, hubSigner, otherSigner } from "./fixtures";

const report = encodePinReport({ gateId: GATE, seq: 5, residentId: 42, keyId: 7, salt: Uint8Array.of(1, 2, 3, 4), hash: new Uint8Array(16).fill(9), time: T0 }, gateSign);

function answer(over: Partial<PinAnswer> = {}): PinAnswer {
  return { gateId: GATE, seq: 5, residentId: 42, outcome: "taken", hubSeq: 5, reportDigest: pinReportDigest(report), issuedAt: T0, keyId: keyIdOf(hubSigner.publicKey), ...over };
}

describe("PIN answers from the hub", () => {
  it("round-trips every outcome and reads back exactly what was signed", () => {
    for (const outcome of PIN_ANSWER_OUTCOMES) {
      const bytes = encodePinAnswer(answer({ outcome, hubSeq: 0xffffffff }), hubSign);
      assert.equal(bytes.length, PIN_ANSWER_BYTES);
      const read = readPinAnswer(bytes, GATE, [hubSigner.publicKey]);
      assert.ok(typeof read !== "string", String(read));
      assert.deepEqual({ ...read, reportDigest: Array.from(read.reportDigest), keyId: Array.from(read.keyId) },
        { ...answer({ outcome, hubSeq: 0xffffffff }), reportDigest: Array.from(pinReportDigest(report)), keyId: Array.from(keyIdOf(hubSigner.publicKey)) });
    }
  });

  it("the digest names one report: any other report has another", () => {
    const other = report.slice();
    other[10] ^= 1;
    assert.notDeepEqual(Array.from(pinReportDigest(other)), Array.from(pinReportDigest(report)));
    assert.equal(pinReportDigest(report).length, 16);
  });

  it("refuses another gate's answer, an unknown key, a forged signature, and every flipped bit", () => {
    const good = encodePinAnswer(answer(), hubSign);
    assert.equal(readPinAnswer(good, GATE + 1, [hubSigner.publicKey]), "wrong-gate");
    assert.equal(readPinAnswer(good, GATE, [otherSigner.publicKey]), "unknown-key");
    const forged = encodePinAnswer(answer(), (b) => otherSigner.sign(b));
    assert.equal(readPinAnswer(forged, GATE, [hubSigner.publicKey]), "bad-signature");
    // A gate's signature over the same bytes is not the hub's.
    assert.equal(readPinAnswer(encodePinAnswer(answer(), gateSign), GATE, [hubSigner.publicKey]), "bad-signature");
    // Every single-bit flip is refused (as malformed, another gate, an unknown key or a bad signature), never read.
    for (let i = 0; i < good.length * 8; i += 3) {
      const bad = good.slice();
      bad[i >> 3] ^= 1 << (i & 7);
      assert.equal(typeof readPinAnswer(bad, GATE, [hubSigner.publicKey]), "string", `bit ${i}`);
    }
  });

  it("refuses a truncated or padded answer, a wrong magic and an unknown outcome as malformed", () => {
    const good = encodePinAnswer(answer(), hubSign);
    assert.equal(readPinAnswer(good.subarray(0, good.length - 1), GATE, [hubSigner.publicKey]), "malformed");
    assert.equal(readPinAnswer(Uint8Array.of(...good, 0), GATE, [hubSigner.publicKey]), "malformed");
    assert.equal(readPinAnswer(report, GATE, [hubSigner.publicKey]), "malformed", "a PIN report is not an answer");
    const outcome = good.slice();
    outcome[16] = PIN_ANSWER_OUTCOMES.length + 1;
    assert.throws(() => decodePinAnswer(outcome), /outcome/);
    assert.throws(() => encodePinAnswer(answer({ outcome: "maybe" as never }), hubSign), /outcome/);
    assert.throws(() => encodePinAnswer(answer({ reportDigest: new Uint8Array(15) }), hubSign), /digest/);
  });

  it("is signed under its own tag: the hub's signature over the bare bytes, or under the report's tag, does not pass", () => {
    const tagLength = "optgate pin answer v1".length + 1;
    const bare = encodePinAnswer(answer(), (tagged) => hubSigner.sign(tagged.subarray(tagLength)));
    assert.equal(readPinAnswer(bare, GATE, [hubSigner.publicKey]), "bad-signature");
    const underReportTag = encodePinAnswer(answer(), (tagged) => {
      const other = new Uint8Array(PIN_REPORT_TAG.length + 1 + tagged.length - tagLength);
      for (let i = 0; i < PIN_REPORT_TAG.length; i++) other[i] = PIN_REPORT_TAG.charCodeAt(i);
      other.set(tagged.subarray(tagLength), PIN_REPORT_TAG.length + 1);
      return hubSigner.sign(other);
    });
    assert.equal(readPinAnswer(underReportTag, GATE, [hubSigner.publicKey]), "bad-signature");
  });
});
