// Who may use a route. Every office route passes PUBLIC or access(role) as its
// route options; the one preHandler hook in server.ts enforces the declaration,
// and the tests walk the route table for it.
import type { Role } from "../../../src/core/console/roles";

export interface RouteAccess { public?: boolean; role?: Role }

interface AccessOptions { config: { access: RouteAccess } }

/** Open to everyone, with or without a session (login, language, style sheet). */
export const PUBLIC: AccessOptions = { config: { access: { public: true } } };

/** Open to a session of this role or a higher one (auditor < operator < installer). */
export function access(role: Role): AccessOptions {
  return { config: { access: { role } } };
}
