// One schema, numbered migrations, the same files on PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { listMigrations, migrate, schemaVersion } from "../../../tools/hub/migrate";
import { forEachDatabase } from "./servers";

describe("hub migrations: the files", () => {
  it("are numbered 001, 002, ... without gaps", () => {
    const all = listMigrations();
    assert.ok(all.length >= 2);
    assert.deepEqual(all.map((m) => m.version), all.map((_, i) => i + 1));
  });
});

forEachDatabase("hub migrations", (kind) => {
  it("apply once on a fresh database, then not again; the tables exist", async () => {
    const db = await kind.open();
    try {
      const all = listMigrations();
      assert.deepEqual(await migrate(db), all.map((m) => m.version));
      assert.deepEqual(await migrate(db), []);
      assert.equal(await schemaVersion(db), all.length);
      const tables = (await db.query<{ t: string }>("select table_name as t from information_schema.tables where table_schema = current_schema() order by 1")).map((r) => r.t);
      for (const t of ["ack_log", "audit_record", "card", "change_set", "compound", "desired_record", "gate", "hub_key", "inventory", "resident", "schema_migration"]) assert.ok(tables.includes(t), t);
    } finally {
      await db.close();
    }
  });

  it("a migration that fails leaves nothing behind and is retried next time", async () => {
    const db = await kind.open();
    try {
      const good = listMigrations().slice(0, 1);
      const bad = [...good, { version: 2, name: "broken", sql: "create table half (x int); select * from no_such_table;" }];
      await assert.rejects(migrate(db, bad));
      assert.equal(await schemaVersion(db), 1);
      const half = await db.query("select 1 from information_schema.tables where table_schema = current_schema() and table_name = 'half'");
      assert.equal(half.length, 0, "the failed migration's first statement was rolled back");
      assert.deepEqual(await migrate(db), listMigrations().slice(1).map((m) => m.version));
    } finally {
      await db.close();
    }
  });
});
