// The registry's invariant, in one place: an active resident always keeps a
// working non-face credential. Codes count only without face enrolled: a code
// runs out or expires with no registry change, and face would then be the only
// way in (the reasoning is in registry.ts's header).
import { OptgateError } from "../errors";
import type { CodeEntry } from "./registry-types";
import { FLAG_FACE, FLAG_PIN, type ResidentTable } from "./resident-table";
import { STATUSES, formatResidentId, type ResidentId } from "./types";

/** The resident's codes with uses left. */
export function codesLeft(codes: Map<string, CodeEntry>, id: ResidentId): number {
  let n = 0;
  for (const entry of codes.values()) if (entry.resident === id && entry.uses > 0) n++;
  return n;
}

/**
 * Working non-face credentials of the resident in `row`, after hypothetically
 * losing some. Codes count only without face enrolled (they run out unseen).
 */
export function keepsCredential(t: ResidentTable, codes: Map<string, CodeEntry>, row: number, lose: { cards?: number; pin?: boolean; codes?: number }): boolean {
  if (STATUSES[t.statuses[row]] !== "active") return true;
  const cards = t.cardCounts[row] - (lose.cards ?? 0);
  const pin = (t.flags[row] & FLAG_PIN) !== 0 && !lose.pin;
  if (cards > 0 || pin) return true;
  if ((t.flags[row] & FLAG_FACE) !== 0) return false;
  return codesLeft(codes, t.ids[row]) - (lose.codes ?? 0) > 0;
}

/** A card or a PIN: what a face-enrolled resident must always hold. */
export function hasCardOrPin(t: ResidentTable, row: number): boolean {
  return t.cardCounts[row] > 0 || (t.flags[row] & FLAG_PIN) !== 0;
}

export function requireCardOrPinForFace(t: ResidentTable, row: number, id: number): void {
  if (hasCardOrPin(t, row)) return;
  throw new OptgateError(
    "E_FACE_NEEDS_CARD_OR_PIN",
    `Resident ${formatResidentId(id)} has no card or PIN; face enrolment needs a card or a PIN as well (one-time codes run out, and face must never be the only way in). Give them a card or a PIN first.`,
  );
}

export function refuseLast(id: number, what: string): never {
  throw new OptgateError(
    "E_LAST_NON_FACE_CREDENTIAL",
    `${what} is the last card/PIN/code of active resident ${formatResidentId(id)} (one-time codes do not count once face is enrolled); face never replaces it. Give them another card or a PIN first, or suspend them.`,
  );
}
