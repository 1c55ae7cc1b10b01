// Numbered migrations (tools/hub/migrations/NNN_name.sql), the same files on
// PGlite and PostgreSQL. Each runs once, in its own transaction, under an
// advisory lock so several hub processes starting together apply it once.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { num, type Db } from "./db";

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");
/** Arbitrary, fixed: the advisory lock every hub process takes while migrating. */
const MIGRATION_LOCK = 20_2026;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`Migration file ${file} is not named NNN_name.sql.`);
    out.push({ version: Number(match[1]), name: match[2], sql: readFileSync(path.join(dir, file), "utf8") });
  }
  out.forEach((m, i) => { if (m.version !== i + 1) throw new Error(`Migrations must be numbered 001, 002, ... without gaps (found ${m.version} at position ${i + 1}).`); });
  return out;
}

/** Applies what is missing; returns the versions applied now. */
export async function migrate(db: Db, migrations = listMigrations(), now = Date.now()): Promise<number[]> {
  await db.exec("create table if not exists schema_migration (version integer primary key, name text not null, applied_at bigint not null)");
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      const rows = await tx.query("select 1 from schema_migration where version = $1", [m.version]);
      if (rows.length) return false;
      await tx.exec(m.sql);
      await tx.query("insert into schema_migration (version, name, applied_at) values ($1, $2, $3)", [m.version, m.name, now]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

export async function schemaVersion(db: Db): Promise<number> {
  const [row] = await db.query<{ v: unknown }>("select coalesce(max(version), 0) as v from schema_migration");
  return num(row.v);
}
