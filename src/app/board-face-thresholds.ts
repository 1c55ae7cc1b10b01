// Face thresholds of the board's path (the int8 kernel: BlazeFace, FaceMesh's
// five points, mobileface: src/app/kernel-embedder.ts), measured on ORL through the
// simulator's QVGA RGB565 frame by `npm run eval:face -- <orl> --board` with
// the host's rule (1:1 at FMR ≤ 1e-4 on int8 pairs, 1:N at FMR ≤ 1e-3 per
// search over 40 identities, top-2 margin 0.06);
// test/face-model/orl-board.node.test.ts fails if the path moves them. Keyed
// by the embedder (templates carry the image's own tag). Used by the S3 build
// and by the simulator's `--embedder board`.
import type { MatchPolicyCosines } from "../core/matcher/decision";

export const BOARD_FACE_THRESHOLDS: Record<string, MatchPolicyCosines> = {
  mobileface: { verify: 0.617, identify: 0.632, margin: 0.06 },
};
