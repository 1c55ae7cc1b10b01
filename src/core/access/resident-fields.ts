// Checks and conversions for one resident's fields, shared by every registry mutation.
import { OptgateError } from "../errors";
import type { ResidentFields } from "./changes";
import type { ResidentTable } from "./resident-table";
import { MAX_CARDS_PER_RESIDENT, ROLES, type Role, STATUSES, type Status, UNIT_MAX, formatResidentId } from "./types";

const UNIT_PATTERN = /^[A-Za-z0-9-]+$/;

export function roleIndex(role: Role): number {
  const index = ROLES.indexOf(role);
  if (index < 0) throw new OptgateError("E_BAD_ROLE", `Role must be one of ${ROLES.join(", ")}.`);
  return index;
}

export function statusIndex(status: Status): number {
  const index = STATUSES.indexOf(status);
  if (index < 0) throw new OptgateError("E_BAD_STATUS", `Status must be one of ${STATUSES.join(", ")}.`);
  return index;
}

export function checkGroups(groups: number): number {
  if (!Number.isInteger(groups) || groups < 0 || groups > 0xffffffff) throw new OptgateError("E_BAD_GROUPS", "Access groups are a 32-bit mask (0 .. 4294967295).");
  return groups;
}

/** Issued codes need 1-65535 uses; a snapshot may also carry a used-up one (minUses 0). */
export function checkUses(uses: number, minUses: number): void {
  if (!Number.isInteger(uses) || uses < minUses || uses > 0xffff) throw new OptgateError("E_BAD_USES", "A one-time code needs 1-65535 uses.");
}

export function checkFields(f: ResidentFields): void {
  if (f.role >= ROLES.length) throw new OptgateError("E_BAD_ROLE", `Role must be one of ${ROLES.join(", ")}.`);
  if (f.status >= STATUSES.length) throw new OptgateError("E_BAD_STATUS", `Status must be one of ${STATUSES.join(", ")}.`);
  if (typeof f.unit !== "string" || f.unit.length < 1 || f.unit.length > UNIT_MAX || !UNIT_PATTERN.test(f.unit)) {
    throw new OptgateError("E_BAD_UNIT", `A unit is 1-${UNIT_MAX} letters, digits or '-', e.g. B3-1204.`);
  }
  if (f.from >= f.until) throw new OptgateError("E_BAD_WINDOW", "validFrom must be before validUntil.");
}

export function writeFields(t: ResidentTable, row: number, f: ResidentFields): void {
  t.setUnit(row, f.unit);
  t.roles[row] = f.role;
  t.statuses[row] = f.status;
  t.groups[row] = f.groups >>> 0;
  t.from[row] = f.from;
  t.until[row] = f.until;
}

export function tooManyCards(id: number): OptgateError {
  return new OptgateError("E_TOO_MANY_CARDS", `Resident ${formatResidentId(id)} already holds ${MAX_CARDS_PER_RESIDENT} cards; remove one first.`);
}

export function copyBytes(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new OptgateError("E_BAD_UID", "The card UID is not a byte array.");
  return bytes.slice();
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
