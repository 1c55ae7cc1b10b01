// Office sessions in the database (a hub restart or another hub process keeps
// them): the browser holds a random token, the table only its SHA-256, with a
// CSRF token that every form posts back. A session ends after IDLE_MS without a
// request or ABSOLUTE_MS after login, whichever comes first.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { bytes, num, type Sql } from "../db";
import type { OfficeUser } from "./accounts";
import type { Role } from "../../../src/core/console/roles";

export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = 12 * 3600_000;

export interface Session {
  user: OfficeUser;
  csrf: string;
  digest: Buffer;
}

const digestOf = (token: string): Buffer => createHash("sha256").update(token).digest();

export async function openSession(db: Sql, user: OfficeUser, now: number): Promise<{ token: string; csrf: string }> {
  const token = randomBytes(32).toString("base64url");
  const csrf = randomBytes(32);
  await db.query("insert into office_session (token_digest, user_id, csrf_token, created_at, seen_at) values ($1, $2, $3, $4, $4)",
    [digestOf(token), user.id, csrf, now]);
  return { token, csrf: csrf.toString("base64url") };
}

/** The live session for a cookie's token, touched; an expired one is deleted. */
export async function findSession(db: Sql, token: string | undefined, now: number): Promise<Session | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const digest = digestOf(token);
  const [row] = await db.query<{ user_id: unknown; username: string; role: Role; csrf_token: unknown; created_at: unknown; seen_at: unknown; disabled: boolean }>(
    `select s.user_id, u.username, u.role, u.disabled, s.csrf_token, s.created_at, s.seen_at
     from office_session s join office_user u on u.id = s.user_id where s.token_digest = $1`, [digest]);
  if (!row) return undefined;
  if (row.disabled || now - num(row.seen_at) > IDLE_MS || now - num(row.created_at) > ABSOLUTE_MS || now < num(row.created_at)) {
    await db.query("delete from office_session where token_digest = $1", [digest]);
    return undefined;
  }
  await db.query("update office_session set seen_at = $2 where token_digest = $1", [digest, now]);
  return { user: { id: num(row.user_id), username: row.username, role: row.role }, csrf: Buffer.from(bytes(row.csrf_token)).toString("base64url"), digest };
}

export async function closeSession(db: Sql, session: Session): Promise<void> {
  await db.query("delete from office_session where token_digest = $1", [session.digest]);
}

export function csrfMatches(session: Session, posted: unknown): boolean {
  if (typeof posted !== "string") return false;
  const a = Buffer.from(posted), b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}
