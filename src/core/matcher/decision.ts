// The match decision. 1:1 (face after a card or PIN claim, or face+PIN) needs
// only a threshold. 1:N is riskier: every enrolled face is a chance to
// false-match, so it needs a stricter threshold AND a margin over the second
// best, so two similar-looking residents never open each other's gate.
import { OptgateError } from "../errors";
import type { ScanResult } from "../ports";
import { cosineToScore } from "./quantise";

/** Thresholds in integer score units (cosine × 127²), as the kernels return them. */
export interface MatchPolicy {
  readonly verifyThreshold: number;
  readonly identifyThreshold: number;
  readonly identifyMargin: number;
}

export interface MatchPolicyCosines {
  /** 1:1 accept at or above this cosine. */
  verify: number;
  /** 1:N accept at or above this cosine; never below `verify`. */
  identify: number;
  /** 1:N also needs best − second ≥ this (cosine units). */
  margin: number;
}

export type MatchReason = "FACE_MATCH" | "FACE_BELOW_THRESHOLD" | "FACE_AMBIGUOUS" | "FACE_NO_CANDIDATE";

/** Builds a policy from cosines, refusing any that would loosen 1:N below 1:1. */
export function matchPolicy(cosines: MatchPolicyCosines): MatchPolicy {
  const { verify, identify, margin } = cosines;
  const inRange = (c: number) => typeof c === "number" && c > 0 && c <= 1;
  if (!inRange(verify) || !inRange(identify)) {
    throw new OptgateError("E_MATCH_POLICY", `Face thresholds must be cosines in (0, 1]; got verify ${verify}, identify ${identify}.`);
  }
  if (identify < verify) {
    throw new OptgateError("E_MATCH_POLICY", `The 1:N threshold (${identify}) must not be below the 1:1 threshold (${verify}): identification must be the stricter test.`);
  }
  if (!(typeof margin === "number" && margin > 0 && margin < 1)) {
    throw new OptgateError("E_MATCH_POLICY", `The 1:N top-2 margin must be a cosine in (0, 1); got ${margin}.`);
  }
  return { verifyThreshold: cosineToScore(verify), identifyThreshold: cosineToScore(identify), identifyMargin: cosineToScore(margin) };
}

/** 1:1: the claimed resident's template against the probe. */
export function decideVerify(score: number, policy: MatchPolicy): MatchReason {
  return score >= policy.verifyThreshold ? "FACE_MATCH" : "FACE_BELOW_THRESHOLD";
}

/**
 * 1:N: accept `result.bestIndex` only when it clears the strict threshold and
 * leads the runner-up by the margin. A gallery of one has no runner-up, so
 * the margin holds trivially there (its second score is the absent sentinel).
 */
export function decideIdentify(result: ScanResult, policy: MatchPolicy): MatchReason {
  if (result.bestIndex < 0) return "FACE_NO_CANDIDATE";
  if (result.bestScore < policy.identifyThreshold) return "FACE_BELOW_THRESHOLD";
  if (result.secondIndex >= 0 && result.bestScore - result.secondScore < policy.identifyMargin) return "FACE_AMBIGUOUS";
  return "FACE_MATCH";
}
