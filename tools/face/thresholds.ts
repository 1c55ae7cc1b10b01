// Default face thresholds per host model, chosen by `npm run eval:face` on
// ORL (see docs/face-models.md): 1:1 at FMR ≤ 1e-4 on int8 pairs, 1:N at
// FMR ≤ 1e-3 per search over 40 identities, top-2 margin 0.06. The ORL test
// fails if a change to the pipeline moves them.
import type { MatchPolicyCosines } from "../../src/core/matcher/decision";

export const HOST_FACE_THRESHOLDS: Record<string, MatchPolicyCosines> = {
  mobileface: { verify: 0.604, identify: 0.646, margin: 0.06 },
};

/**
 * The board's path (`npm run eval:face -- <orl> --board`: the int8 kernel,
 * BlazeFace keypoints without FaceMesh, each photo in the board's QVGA RGB565
 * frame), chosen by the same rule. Keyed by the embedder; templates carry
 * the image's own tag (tools/face-model/board-pipeline.ts).
 */
export const BOARD_FACE_THRESHOLDS: Record<string, MatchPolicyCosines> = {
  mobileface: { verify: 0.66, identify: 0.709, margin: 0.06 },
};
