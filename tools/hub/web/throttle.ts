// Login throttling kept in the database (shared by hub processes, kept across
// restarts): after MAX_FAILURES failed logins within WINDOW_MS for one user
// name or one address, further attempts for it are refused until the oldest
// failure leaves the window. A success does not clear the address's count, so
// one valid account cannot be used to reset guessing at others.
import { num, type Sql } from "../db";

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;

const keys = (username: string, address: string): string[] => [`user:${username.slice(0, 64)}`, `addr:${address}`];

/** Milliseconds until a login for (username, address) may be tried; 0 = now. */
export async function loginWait(db: Sql, username: string, address: string, now: number): Promise<number> {
  let wait = 0;
  for (const key of keys(username, address)) {
    const rows = await db.query<{ at: unknown }>(
      "select at from office_login_failure where key = $1 and at > $2 order by at desc limit $3", [key, now - WINDOW_MS, MAX_FAILURES]);
    if (rows.length >= MAX_FAILURES) wait = Math.max(wait, num(rows[MAX_FAILURES - 1].at) + WINDOW_MS - now);
  }
  return wait;
}

export async function recordFailure(db: Sql, username: string, address: string, now: number): Promise<void> {
  for (const key of keys(username, address)) await db.query("insert into office_login_failure (key, at) values ($1, $2)", [key, now]);
  await db.query("delete from office_login_failure where at <= $1", [now - WINDOW_MS]);
}

export async function clearUserFailures(db: Sql, username: string): Promise<void> {
  await db.query("delete from office_login_failure where key = $1", [keys(username, "")[0]]);
}
