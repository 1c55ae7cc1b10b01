// Access core vocabulary: roles, statuses, reason codes and the limits every
// part of the registry agrees on. Numeric forms exist because the registry
// keeps residents in typed-array columns and the audit log in fixed bytes.
import { OptgateError } from "../errors";

export const ROLES = ["owner", "renter", "staff", "visitor", "courier"] as const;
export type Role = (typeof ROLES)[number];

export const STATUSES = ["active", "suspended"] as const;
export type Status = (typeof STATUSES)[number];

/**
 * Why a decision came out as it did. The index of a code in this list is its
 * byte in audit records: append only, never reorder.
 */
export const REASONS = [
  "granted",
  "unknown-card",
  "unknown-resident",
  "unknown-code",
  "outside-schedule",
  "holiday",
  "no-access-group",
  "expired",
  "not-yet-valid",
  "suspended",
  "wrong-pin",
  "locked-out",
  "second-factor-required",
  "mode-not-allowed",
  "clock-untrusted",
  "code-used-up",
  "code-expired",
  "code-not-yet-valid",
  "face-not-matched",
  "face-not-enrolled",
  "bad-input",
  "info",
  "registry-damaged",
  /** A face the presentation-attack check (face.liveness) refused before any comparison. */
  "face-not-live",
] as const;
export type ReasonCode = (typeof REASONS)[number];

/** Pseudonymous resident ids are plain numbers, shown as "R00042"; never reused. */
export type ResidentId = number;
export const MAX_RESIDENT_ID = 0xfffffffe;

export function formatResidentId(id: ResidentId): string {
  const digits = String(id);
  return "R" + (digits.length < 5 ? "00000".slice(digits.length) + digits : digits);
}

/** Accepts "R00042", "r42" or "42" (what a keypad can type). */
export function parseResidentId(text: string): ResidentId {
  const match = /^[Rr]?([0-9]{1,10})$/.exec(text);
  const id = match ? Number(match[1]) : 0;
  if (id < 1 || id > MAX_RESIDENT_ID) throw new OptgateError("E_BAD_RESIDENT_ID", `"${text}" is not a resident id (R followed by digits, e.g. R00042).`);
  return id;
}

/** Cards a single resident may hold; keeps the per-resident counter a byte. */
export const MAX_CARDS_PER_RESIDENT = 8;
/** Units are short labels such as "B3-1204"; stored as 8 ASCII bytes per resident. */
export const UNIT_MAX = 8;
/** Access groups are bits of a 32-bit mask. */
export const GROUP_COUNT = 32;

/** Times in the registry are whole seconds in a Uint32 column: 1970 .. 2106. */
export const NO_FROM = 0;
export const NO_UNTIL = 0xffffffff;

/** ms since epoch (API) → stored seconds; refuses what the column cannot hold. */
export function toStoredSeconds(ms: number, what: string): number {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 1000 || ms >= NO_UNTIL * 1000) {
    throw new OptgateError("E_BAD_TIME", `${what} must be a time in ms since 1970 before 2106, got ${String(ms)}.`);
  }
  return Math.floor(ms / 1000);
}
