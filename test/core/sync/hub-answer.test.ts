// The hub's answer to a PIN report (src/core/sync/pin-answer.ts): bound to one
// report by its digest, addressed to one gate, signed by a provisioned hub key.
// Portable (Node and XS).
import assert from "node:assert/strict";
import { keyIdOf } from "../../../src/core/sync/messages";
import {
  ANSWERED_KINDS, ANSWER_OUTCOMES, HUB_ANSWER_BYTES, HUB_ANSWER_TAG, decodeHubAnswer, encodeHubAnswer, answerDigest, readHubAnswer, type HubAnswer,
} from "../../../src/core/sync/hub-answer";
import { PIN_REPORT_TAG, encodePinReport } from "../../../src/core/sync/pin-report";
import { GATE, T0, gateSign, hubSign, hubSigner, otherSigner } from "./fixtures";

const report = encodePinReport({ gateId: GATE, seq: 5, residentId: 42, keyId: 7, salt: Uint8Array.of(1, 2, 3, 4), hash: new Uint8Array(16).fill(9), time: T0 }, gateSign);

function answer(over: Partial<HubAnswer> = {}): HubAnswer {
  return { kind: "pin", gateId: GATE, seq: 5, residentId: 42, outcome: "taken", hubSeq: 5, digest: answerDigest(report), issuedAt: T0, keyId: keyIdOf(hubSigner.publicKey), ...over };
}

describe("the hub's answers to PIN reports and template shares", () => {
  it("round-trips every kind and outcome and reads back exactly what was signed", () => {
    for (const [kind, outcome] of ANSWER_OUTCOMES.map((o, i) => [ANSWERED_KINDS[i % 2], o] as const)) {
      const bytes = encodeHubAnswer(answer({ kind, outcome, hubSeq: 0xffffffff }), hubSign);
      assert.equal(bytes.length, HUB_ANSWER_BYTES);
      const read = readHubAnswer(bytes, GATE, [hubSigner.publicKey]);
      assert.ok(typeof read !== "string", String(read));
      assert.deepEqual({ ...read, digest: Array.from(read.digest), keyId: Array.from(read.keyId) },
        { ...answer({ kind, outcome, hubSeq: 0xffffffff }), digest: Array.from(answerDigest(report)), keyId: Array.from(keyIdOf(hubSigner.publicKey)) });
    }
  });

  it("the digest names one report: any other report has another", () => {
    const other = report.slice();
    other[10] ^= 1;
    assert.notDeepEqual(Array.from(answerDigest(other)), Array.from(answerDigest(report)));
    assert.equal(answerDigest(report).length, 16);
  });

  it("refuses another gate's answer, an unknown key, a forged signature, and every flipped bit", () => {
    const good = encodeHubAnswer(answer(), hubSign);
    assert.equal(readHubAnswer(good, GATE + 1, [hubSigner.publicKey]), "wrong-gate");
    assert.equal(readHubAnswer(good, GATE, [otherSigner.publicKey]), "unknown-key");
    const forged = encodeHubAnswer(answer(), (b) => otherSigner.sign(b));
    assert.equal(readHubAnswer(forged, GATE, [hubSigner.publicKey]), "bad-signature");
    // A gate's signature over the same bytes is not the hub's.
    assert.equal(readHubAnswer(encodeHubAnswer(answer(), gateSign), GATE, [hubSigner.publicKey]), "bad-signature");
    // Every single-bit flip is refused (as malformed, another gate, an unknown key or a bad signature), never read.
    for (let i = 0; i < good.length * 8; i += 3) {
      const bad = good.slice();
      bad[i >> 3] ^= 1 << (i & 7);
      assert.equal(typeof readHubAnswer(bad, GATE, [hubSigner.publicKey]), "string", `bit ${i}`);
    }
  });

  it("refuses a truncated or padded answer, a wrong magic and an unknown outcome as malformed", () => {
    const good = encodeHubAnswer(answer(), hubSign);
    assert.equal(readHubAnswer(good.subarray(0, good.length - 1), GATE, [hubSigner.publicKey]), "malformed");
    assert.equal(readHubAnswer(Uint8Array.of(...good, 0), GATE, [hubSigner.publicKey]), "malformed");
    assert.equal(readHubAnswer(report, GATE, [hubSigner.publicKey]), "malformed", "a PIN report is not an answer");
    const outcome = good.slice();
    outcome[17] = ANSWER_OUTCOMES.length + 1;
    assert.throws(() => decodeHubAnswer(outcome), /outcome/);
    const kind = good.slice();
    kind[4] = ANSWERED_KINDS.length + 1;
    assert.throws(() => decodeHubAnswer(kind), /kind/);
    assert.throws(() => encodeHubAnswer(answer({ kind: "audit" as never }), hubSign), /kind/);
    assert.throws(() => encodeHubAnswer(answer({ outcome: "maybe" as never }), hubSign), /outcome/);
    assert.throws(() => encodeHubAnswer(answer({ digest: new Uint8Array(15) }), hubSign), /digest/);
  });

  it("is signed under its own tag: the hub's signature over the bare bytes, or under the report's tag, does not pass", () => {
    const tagLength = HUB_ANSWER_TAG.length + 1;
    const bare = encodeHubAnswer(answer(), (tagged) => hubSigner.sign(tagged.subarray(tagLength)));
    assert.equal(readHubAnswer(bare, GATE, [hubSigner.publicKey]), "bad-signature");
    const underReportTag = encodeHubAnswer(answer(), (tagged) => {
      const other = new Uint8Array(PIN_REPORT_TAG.length + 1 + tagged.length - tagLength);
      for (let i = 0; i < PIN_REPORT_TAG.length; i++) other[i] = PIN_REPORT_TAG.charCodeAt(i);
      other.set(tagged.subarray(tagLength), PIN_REPORT_TAG.length + 1);
      return hubSigner.sign(other);
    });
    assert.equal(readHubAnswer(underReportTag, GATE, [hubSigner.publicKey]), "bad-signature");
  });
});
