import assert from "node:assert/strict";
import { isOptgateError } from "../../../src/core/errors";
import { decideIdentify, decideVerify, matchPolicy } from "../../../src/core/matcher/decision";
import { cosineToScore } from "../../../src/core/matcher/quantise";
import { TsMatcher } from "../../../src/core/matcher/ts-matcher";
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

  it("1:N counts a runner-up in every slot, slot 0 included", () => {
    for (const secondIndex of [0, 1, 2, 7]) {
      const bestIndex = secondIndex === 0 ? 5 : 0;
      assert.equal(decideIdentify(scan(bestIndex, 0.9, secondIndex, 0.88), policy), "FACE_AMBIGUOUS", `runner-up in slot ${secondIndex}`);
    }
  });

  it("1:N over a real scan: a runner-up in slot 0 trailing by 0.02 blocks the match", () => {
    const dim = 64;
    const matcher = new TsMatcher(dim, 4);
    const unit = (angle: number) => {
      const t = new Int8Array(dim);
      t[0] = Math.round(127 * Math.cos(angle));
      t[1] = Math.round(127 * Math.sin(angle));
      return t;
    };
    const probe = unit(0);
    // Slot 0 is the runner-up (cosine ≈ 0.88), slot 2 the best (≈ 0.90), the others far off.
    matcher.load(0, unit(Math.acos(0.88)));
    matcher.load(1, unit(Math.PI / 2));
    matcher.load(2, unit(Math.acos(0.9)));
    matcher.load(3, unit(Math.PI));
    const result = matcher.scan(probe, 4);
    assert.deepEqual([result.bestIndex, result.secondIndex], [2, 0]);
    assert.equal(decideIdentify(result, policy), "FACE_AMBIGUOUS");
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
