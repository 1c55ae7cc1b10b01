// Technician roles, least to most: an auditor reads and exports; an operator
// also looks after residents (credentials, schedules, consent requests, the
// door); an installer also looks after the gate itself (technician accounts,
// keys, firmware settings, the clock, damage notes). Accounts made before
// roles existed, and installation mode's first account, are installers.
export const ROLES = ["auditor", "operator", "installer"] as const;
export type Role = (typeof ROLES)[number];

/** True when `role` may run a command that needs `needed`. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
