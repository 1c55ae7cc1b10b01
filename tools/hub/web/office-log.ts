// The hub's own record of every change made through the office page: who,
// when, what. Append-only from the page's side (no route edits or deletes it).
import { num, type Sql } from "../db";
import type { OfficeUser } from "./accounts";

export interface OfficeEntry { at: number; username: string; action: string; detail: string }

export async function recordOfficeAction(db: Sql, user: OfficeUser | undefined, action: string, detail: string, now: number): Promise<void> {
  await db.query("insert into office_audit (at, user_id, username, action, detail) values ($1, $2, $3, $4, $5)",
    [now, user?.id ?? null, user?.username ?? "-", action, detail]);
}

export async function officeLog(db: Sql, limit = 200): Promise<OfficeEntry[]> {
  const rows = await db.query<{ at: unknown; username: string; action: string; detail: string }>(
    "select at, username, action, detail from office_audit order by id desc limit $1", [limit]);
  return rows.map((r) => ({ at: num(r.at), username: r.username, action: r.action, detail: r.detail }));
}
