import assert from "node:assert/strict";
import { isOptgateError } from "../../../src/core/errors";
import { decideIdentify, decideVerify, matchPolicy } from "../../../src/core/matcher/decision";
import { cosineToScore } from "../../../src/core/matcher/quantise";
import type { ScanResult } from "../../../src/core/ports";

const policy = matchPolicy({ verify: 0.5, identify: 0.6, margin: 0.1 });
const scan = (bestIndex: number, best: number, secondIndex: number, second: number): ScanResult =>
  ({ bestIndex, bestScore: cosineToScore(best), secondIndex, secondScore: secondIndex < 0 ? -2147483648 : cosineToScore(second) });

describe("match decision", () => {
  it("1:1 accepts at or above the threshold only", () => {
    assert.equal(decideVerify(policy.verifyThreshold, policy), "FACE_MATCH");
    assert.equal(decideVerify(policy.verifyThreshold - 1, policy), "FACE_BELOW_THRESHOLD");
    assert.equal(decideVerify(-16129, policy), "FACE_BELOW_THRESHOLD");
  });

  it("1:N needs the stricter threshold", () => {
    assert.equal(decideIdentify(scan(3, 0.55, 1, 0.1), policy), "FACE_BELOW_THRESHOLD", "good enough for 1:1, not for 1:N");
    assert.equal(decideIdentify(scan(3, 0.61, 1, 0.1), policy), "FACE_MATCH");
  });

  it("1:N refuses a best that does not lead the runner-up by the margin", () => {
    assert.equal(decideIdentify(scan(3, 0.9, 4, 0.85), policy), "FACE_AMBIGUOUS");
    assert.equal(decideIdentify(scan(3, 0.9, 4, 0.9), policy), "FACE_AMBIGUOUS", "a tie never opens");
    assert.equal(decideIdentify(scan(3, 0.9, 4, 0.79), policy), "FACE_MATCH");
  });

  it("1:N over a gallery of one needs no margin, and no candidate is no match", () => {
    assert.equal(decideIdentify(scan(0, 0.7, -1, 0), policy), "FACE_MATCH");
    assert.equal(decideIdentify(scan(-1, 0, -1, 0), policy), "FACE_NO_CANDIDATE");
  });

  it("refuses policies that loosen 1:N or are not cosines", () => {
    const bad = [
      { verify: 0.6, identify: 0.5, margin: 0.1 },
      { verify: 0, identify: 0.5, margin: 0.1 },
      { verify: 0.5, identify: 1.5, margin: 0.1 },
      { verify: 0.5, identify: 0.6, margin: 0 },
      { verify: Number.NaN, identify: 0.6, margin: 0.1 },
    ];
    for (const cosines of bad) assert.throws(() => matchPolicy(cosines), (e: unknown) => isOptgateError(e, "E_MATCH_POLICY"));
  });
});
