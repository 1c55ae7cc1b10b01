// Default face thresholds per host model, chosen by `npm run eval:face` on
// ORL (see docs/face-models.md): 1:1 at FMR ≤ 1e-4 on int8 pairs, 1:N at
// FMR ≤ 1e-3 per search over 40 identities, top-2 margin 0.06. The ORL test
// fails if a change to the pipeline moves them.
import type { MatchPolicyCosines } from "../../src/core/matcher/decision";

export const HOST_FACE_THRESHOLDS: Record<string, MatchPolicyCosines> = {
  mobileface: { verify: 0.604, identify: 0.646, margin: 0.06 },
};

/** The board's path (`--embedder board`, the S3 build): src/app/board-face-thresholds.ts. */
export { BOARD_FACE_THRESHOLDS } from "../../src/app/board-face-thresholds";
