// ISO 14443A card UIDs: 4 (single), 7 (double) or 10 (triple size) bytes.
// All-zero and all-FF are what a reader returns on noise or a failed
// anticollision, so they are never valid cards.
import { OptgateError } from "../errors";

export const UID_MAX = 10;

/** Why a UID is unusable, or undefined when it is a plausible card UID. */
export function uidProblem(uid: Uint8Array): string | undefined {
  if (!(uid instanceof Uint8Array)) return "is not a byte array";
  const n = uid.length;
  if (n !== 4 && n !== 7 && n !== 10) return `has ${n} bytes; ISO 14443A UIDs have 4, 7 or 10`;
  let or = 0, and = 0xff;
  for (let i = 0; i < n; i++) { or |= uid[i]; and &= uid[i]; }
  if (or === 0) return "is all zero (reader noise, not a card)";
  if (and === 0xff) return "is all FF (reader noise, not a card)";
  return undefined;
}

export function checkUid(uid: Uint8Array): void {
  const problem = uidProblem(uid);
  if (problem) throw new OptgateError("E_BAD_UID", `The card UID ${problem}.`);
}
