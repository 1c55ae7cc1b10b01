// Turns at PGlite (tools/hub/db.ts): one statement or transaction at a time,
// urgent work (erasure) before the normal work still waiting, the turn handed
// straight on, and a failure releasing it.
import assert from "node:assert/strict";
import { PGlite } from "@electric-sql/pglite";
import { Turns, wrapPglite } from "../../../tools/hub/db";

describe("hub database turns", () => {
  it("runs one at a time, urgent before normal work still waiting, in arrival order within each", async () => {
    const turns = new Turns(), done: string[] = [];
    let running = 0, most = 0;
    const op = (name: string) => async () => {
      running++; most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--; done.push(name);
    };
    await Promise.all([
      turns.run(false, op("n1")), turns.run(false, op("n2")), turns.run(false, op("n3")),
      turns.run(true, op("u1")), turns.run(true, op("u2")),
    ]);
    assert.deepEqual(done, ["n1", "u1", "u2", "n2", "n3"]);
    assert.equal(most, 1);
  });

  it("a failed turn passes the turn on and reports its own error", async () => {
    const turns = new Turns();
    const failed = turns.run(false, async () => { throw new Error("boom"); });
    const next = turns.run(false, async () => "next");
    await assert.rejects(failed, /boom/);
    assert.equal(await next, "next");
  });

  it("a hold keeps normal work waiting while urgent work goes on, until released or its time is up", async () => {
    const turns = new Turns(), done: string[] = [];
    const op = (name: string) => async () => { done.push(name); };
    const release = turns.hold(60_000);
    const normal = turns.run(false, op("normal"));
    await turns.run(true, op("urgent"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(done, ["urgent"], "normal work waits while held");
    release();
    await normal;
    assert.deepEqual(done, ["urgent", "normal"]);
    release(); // twice: nothing more
    turns.hold(30);
    const begin = performance.now();
    await turns.run(false, op("after the time"));
    assert.ok(performance.now() - begin >= 25, "held until its time was up");
  });

  it("on PGlite, an urgent statement overtakes the statements queued behind a long transaction", async () => {
    const pg = await PGlite.create();
    const db = wrapPglite(pg, () => pg.close());
    try {
      await db.exec("create table t (n integer)");
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => { release = resolve; });
      const bulk = db.transaction(async (tx) => { await tx.query("insert into t values (1)"); await held; order.push("bulk"); });
      const normal = [1, 2, 3].map((i) => db.query("select count(*) from t").then(() => order.push(`normal ${i}`)));
      const urgent = db.urgent.query("select count(*) as n from t").then((rows) => { order.push("urgent"); return rows; });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(order, [], "all wait for the transaction");
      release();
      await Promise.all([bulk, urgent, ...normal]);
      assert.deepEqual(order, ["bulk", "urgent", "normal 1", "normal 2", "normal 3"]);
      assert.equal(Number((await urgent)[0].n), 1, "and sees what the transaction committed");
      assert.equal(db.urgent.urgent, db.urgent);
    } finally {
      await db.close();
    }
  });
});
