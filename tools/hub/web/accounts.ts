// The office's people: a name, a role (the console's roles: auditor < operator
// < installer) and an scrypt verifier of the password. Checking an unknown name
// costs one scrypt too, so the time of a failed login does not say whether the
// name exists.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { ROLES, type Role } from "../../../src/core/console/roles";
import { num, bytes, type Sql } from "../db";

export interface OfficeUser {
  id: number;
  username: string;
  role: Role;
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const HASH_BYTES = 32;
export const MIN_PASSWORD = 12;
const DUMMY_SALT = randomBytes(16);

function derive(password: string, salt: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, HASH_BYTES, SCRYPT, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export function checkUsername(username: string): void {
  if (!/^[a-z0-9._-]{1,32}$/.test(username)) throw new Error("A user name is 1 to 32 of a-z, 0-9, '.', '_', '-'.");
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD) throw new Error(`A password has at least ${MIN_PASSWORD} characters.`);
}

export async function addUser(db: Sql, username: string, role: Role, password: string, now: number): Promise<OfficeUser> {
  checkUsername(username);
  checkPassword(password);
  if (!ROLES.includes(role)) throw new Error(`Role ${role} is unknown (${ROLES.join(", ")}).`);
  const salt = randomBytes(16);
  const hash = await derive(password, salt);
  const [row] = await db.query<{ id: unknown }>(
    "insert into office_user (username, role, password_salt, password_hash, created_at) values ($1, $2, $3, $4, $5) returning id",
    [username, role, salt, hash, now]);
  return { id: num(row.id), username, role };
}

export async function setPassword(db: Sql, userId: number, password: string): Promise<void> {
  checkPassword(password);
  const salt = randomBytes(16);
  await db.query("update office_user set password_salt = $2, password_hash = $3 where id = $1", [userId, salt, await derive(password, salt)]);
  // A new password ends every session the old one opened.
  await db.query("delete from office_session where user_id = $1", [userId]);
}

/** The user if the name and password match an enabled account, else undefined (same cost either way). */
export async function verifyLogin(db: Sql, username: string, password: string): Promise<OfficeUser | undefined> {
  const [row] = await db.query<{ id: unknown; username: string; role: Role; password_salt: unknown; password_hash: unknown; disabled: boolean }>(
    "select id, username, role, password_salt, password_hash, disabled from office_user where username = $1", [username]);
  const hash = await derive(password, row ? bytes(row.password_salt) : DUMMY_SALT);
  if (!row) return undefined;
  const ok = timingSafeEqual(hash, bytes(row.password_hash));
  return ok && !row.disabled ? { id: num(row.id), username: row.username, role: row.role } : undefined;
}

export async function userCount(db: Sql): Promise<number> {
  const [row] = await db.query<{ n: unknown }>("select count(*) as n from office_user");
  return num(row.n);
}
