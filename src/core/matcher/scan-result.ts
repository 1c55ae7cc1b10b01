import type { ScanResult } from "../ports";
import { ABSENT_INDEX, ABSENT_SCORE } from "./kernel-status";

/** A ScanResult with nothing found; each matcher allocates one and reuses it for every scan. */
export function emptyScanResult(): ScanResult {
  return { bestIndex: ABSENT_INDEX, bestScore: ABSENT_SCORE, secondIndex: ABSENT_INDEX, secondScore: ABSENT_SCORE };
}
