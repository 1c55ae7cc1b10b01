// Ids typed into forms or read from the URL: decimal digits only (no sign,
// exponent or spaces) and no longer than the bound, so nothing out of a
// column's range reaches the database.

/** The id `raw` names, 0..max, or undefined if it is not one. */
export function parseId(raw: unknown, max: number): number | undefined {
  if (typeof raw !== "string" || raw.length > String(max).length || !/^\d+$/.test(raw)) return undefined;
  const id = Number(raw);
  return id <= max ? id : undefined;
}

/** gate.id is 32-bit (0 is a gate). */
export const GATE_ID_MAX = 0xffffffff;
/** resident.id is 1..2^24-1, the audit record's subject (0 there is no one). */
export const RESIDENT_ID_MAX = 0xffffff;
/** office_user.id is a PostgreSQL integer. */
export const USER_ID_MAX = 0x7fffffff;
