// Edits saved while a gate's set is on its way join one version (versions.ts,
// "coalescing"), against PGlite and PostgreSQL: the gate gets fewer sets and
// the same registry; a version once handed out never changes; a full resync
// takes no later edit into its version; an edit saved by a hub that died
// before sending is sent by the next one, and nothing is applied twice.
import assert from "node:assert/strict";
import { decodeMessage } from "../../../src/core/sync/messages";
import { Hub, SYNC_AHEAD, type Publish } from "../../../tools/hub/hub";
import { num } from "../../../tools/hub/db";
import { COMPOUND, Fleet, person } from "./fleet";
import { forEachDatabase } from "./servers";

const syncTo = (fleet: Fleet, gateId: number) => fleet.wire.filter((m) => m.topic === `optgate/${COMPOUND}/${gateId}/sync`)
  .map((m) => decodeMessage(m.payload).message)
  .map((m) => (m.type === "change-set" ? { version: m.version, full: m.full, changes: m.changes.length } : undefined));

/** A broker that takes the hub's change sets only when released (a slow subscriber, a busy link). */
class SlowBroker {
  #release: (() => void) | undefined;
  #held: Promise<void> | undefined;
  /** Publishes that are waiting. */
  waiting = 0;
  hold(): void { this.#held = new Promise((resolve) => { this.#release = resolve; }); }
  release(): void { this.#release?.(); this.#held = undefined; }
  publish(fleet: Fleet): Publish {
    return async (topic, payload, { retain }) => {
      if (this.#held && topic.endsWith("/sync")) {
        this.waiting++;
        await this.#held;
        this.waiting--;
      }
      fleet.wire.push({ topic, payload, retain });
    };
  }
}

const until = async (done: () => boolean) => { while (!done()) await new Promise((resolve) => setTimeout(resolve, 2)); };

forEachDatabase("hub: edits coalesced into one version per gate", (kind) => {
  let fleet: Fleet, db: Awaited<ReturnType<typeof kind.open>>, broker: SlowBroker, hub: Hub;
  beforeEach(async () => {
    db = await kind.open();
    fleet = await Fleet.open(db);
    await fleet.addGate(10);
    await fleet.addGate(11);
    await fleet.drain();
    broker = new SlowBroker();
    hub = await Hub.open({ db, signingSeed: new Uint8Array(32).fill(1), now: () => fleet.now, publish: broker.publish(fleet), resendMs: 10_000, onDrop: (why) => { fleet.drops.push(why); } });
  });
  afterEach(async () => { await db.close(); });

  const changeSets = async (gateId: number) => (await db.query<{ version: unknown; change_count: unknown }>(
    "select version, change_count from change_set where gate_id = $1 order by version", [gateId])).map((r) => [num(r.version), num(r.change_count)]);

  it("edits saved while a set is on its way go out as one more set per gate, and every gate ends holding all of them", async () => {
    broker.hold();
    await hub.putResidents(COMPOUND, [person(1)], { awaitSend: false });
    await until(() => broker.waiting === 2); // version 1 on its way to both gates
    for (const id of [2, 3, 4]) await hub.putResidents(COMPOUND, [person(id)], { awaitSend: false });
    await hub.removeResidents(COMPOUND, [3], { awaitSend: false });
    assert.deepEqual(await changeSets(10), [[1, 1], [2, 4]], "version 1 untouched; the four later edits in version 2");
    broker.release();
    await until(() => syncTo(fleet, 10).length === 2 && syncTo(fleet, 11).length === 2);
    assert.deepEqual(syncTo(fleet, 10), [{ version: 1, full: false, changes: 1 }, { version: 2, full: false, changes: 4 }]);
    await fleet.drain(hub);
    for (const id of [10, 11]) {
      const gate = fleet.gates.get(id)!;
      assert.deepEqual([1, 2, 3, 4].map((r) => gate.registry.has(r)), [true, true, false, true], `gate ${id}`);
      assert.deepEqual(gate.persisted.map((p) => p.version), [1, 2], `gate ${id} applied each version once`);
      assert.deepEqual(await hub.compare(id).then((c) => [c.missing, c.extra, c.different]), [[], [], []]);
      assert.equal((await hub.gate(id))!.appliedVersion, 2);
    }
    assert.deepEqual(fleet.drops, []);
  });

  it(`a gate ${SYNC_AHEAD} versions behind its acks gets no more sets: later edits wait at the hub as one version, sent as it acks`, async () => {
    const edits = SYNC_AHEAD + 5;
    for (let id = 1; id <= edits; id++) await hub.putResidents(COMPOUND, [person(id)]);
    // Nothing delivered yet, so no gate acknowledged: the window is full after SYNC_AHEAD sets.
    assert.deepEqual(syncTo(fleet, 10).map((s) => s?.version), Array.from({ length: SYNC_AHEAD }, (_, i) => i + 1));
    const open = [SYNC_AHEAD + 1, edits - SYNC_AHEAD];
    assert.deepEqual((await changeSets(10)).at(-1), open, "the later edits joined one version, still open");
    assert.ok(num((await db.query<{ sealed_version: unknown }>("select sealed_version from gate where id = 10"))[0].sealed_version) === SYNC_AHEAD, "never sealed past the window");
    await fleet.drain(hub);
    for (const id of [10, 11]) {
      const gate = fleet.gates.get(id)!;
      assert.deepEqual(gate.persisted.map((p) => p.version), Array.from({ length: SYNC_AHEAD + 1 }, (_, i) => i + 1), `gate ${id}: each version once, in order`);
      assert.ok(Array.from({ length: edits }, (_, i) => gate.registry.has(i + 1)).every(Boolean), `gate ${id} holds every resident`);
      assert.equal((await hub.gate(id))!.appliedVersion, SYNC_AHEAD + 1);
    }
    assert.deepEqual(fleet.drops, []);
  });

  it("an edit after the newest version was handed out is a version of its own (a sent version never changes)", async () => {
    await hub.putResidents(COMPOUND, [person(1)]);
    await hub.putResidents(COMPOUND, [person(2)]);
    assert.deepEqual(await changeSets(10), [[1, 1], [2, 1]]);
    assert.deepEqual(syncTo(fleet, 10).map((s) => s?.version), [1, 2]);
  });

  it("a full resync under way takes no later edit into its version; the edit follows as the next one", async () => {
    await hub.putResidents(COMPOUND, [person(1)]);
    await fleet.drain(hub);
    broker.hold();
    const resync = hub.resync(10);
    await until(() => broker.waiting === 1);
    await hub.putResidents(COMPOUND, [person(2)], { awaitSend: false });
    broker.release();
    await resync;
    // Version 2 is the resync as it was sealed (resident 1 only). Resident 2 waits as version 3:
    // a resync on its way is not sent again for it (it was, a whole second resync per edit).
    assert.deepEqual(syncTo(fleet, 10), [{ version: 2, full: true, changes: 1 }]);
    assert.deepEqual(await changeSets(10), [[1, 1], [3, 1]]);
    await fleet.drain(hub);
    // The resync's ack clears needs_full; version 3 follows as an ordinary set.
    const gate = fleet.gates.get(10)!;
    assert.deepEqual(gate.persisted.slice(-2).map((p) => [p.version, p.full]), [[2, true], [3, false]]);
    assert.ok(gate.registry.has(1) && gate.registry.has(2));
    assert.equal((await hub.gate(10))!.appliedVersion, 3);
  });

  it("with a linger, a quiet gate's set leaves at once; edits right after it wait as one open version, sent when the linger ends", async () => {
    const lingerMs = 300;
    // The fleet's clock, running: the linger is timed by the hub's clock and real timers.
    const base = performance.now();
    const lingering = await Hub.open({ db, signingSeed: new Uint8Array(32).fill(1), now: () => fleet.now + Math.floor(performance.now() - base), lingerMs, publish: broker.publish(fleet), resendMs: 10_000 });
    try {
      await lingering.putResidents(COMPOUND, [person(1)]);
      assert.deepEqual(syncTo(fleet, 10).map((s) => s?.version), [1], "the first edit went out at once");
      for (const id of [2, 3, 4]) await lingering.putResidents(COMPOUND, [person(id)]);
      assert.deepEqual(syncTo(fleet, 10).map((s) => s?.version), [1], "the edits right after it wait (their puts returned saved)");
      assert.deepEqual(await changeSets(10), [[1, 1], [2, 3]], "in one version");
      assert.equal(num((await db.query<{ sealed_version: unknown }>("select sealed_version from gate where id = 10"))[0].sealed_version), 1, "still open");
      await until(() => syncTo(fleet, 10).length === 2 && syncTo(fleet, 11).length === 2);
      assert.deepEqual(syncTo(fleet, 10)[1], { version: 2, full: false, changes: 3 });
      await fleet.drain(lingering);
      for (const id of [10, 11]) {
        const gate = fleet.gates.get(id)!;
        assert.ok([1, 2, 3, 4].every((r) => gate.registry.has(r)), `gate ${id}`);
        assert.deepEqual(gate.persisted.map((p) => p.version), [1, 2], `gate ${id}: each version once`);
      }
      // Quiet for longer than the linger: the next edit leaves at once again.
      await new Promise((resolve) => setTimeout(resolve, lingerMs + 50));
      await lingering.putResidents(COMPOUND, [person(5)]);
      assert.equal(syncTo(fleet, 10).at(-1)?.version, 3);
    } finally {
      lingering.close();
    }
  });

  it("an edit saved by a hub that died before sending it goes out from the next hub, applied once", async () => {
    const errors: string[] = [];
    const dead = await Hub.open({
      db, signingSeed: new Uint8Array(32).fill(1), now: () => fleet.now, resendMs: 10_000, onError: (e) => { errors.push(e.message); },
      publish: async () => { throw new Error("connection lost"); },
    });
    await dead.putResidents(COMPOUND, [person(1)], { awaitSend: false });
    await until(() => errors.length === 2);
    assert.deepEqual(errors, ["connection lost", "connection lost"]);
    // Version 1 was sealed before the publish failed: the next edit is version 2.
    await dead.putResidents(COMPOUND, [person(2)], { awaitSend: false });
    await until(() => errors.length === 4);
    fleet.wire.length = 0;
    for (const id of [10, 11]) await hub.receive(`optgate/${COMPOUND}/${id}/online`, Uint8Array.of(0x31));
    await hub.pumpAll();
    await fleet.drain(hub);
    for (const id of [10, 11]) {
      const gate = fleet.gates.get(id)!;
      assert.ok(gate.registry.has(1) && gate.registry.has(2), `gate ${id}`);
      assert.deepEqual(gate.persisted.map((p) => p.version), [1, 2], `gate ${id}: each version once`);
      const g = (await hub.gate(id))!;
      assert.equal(g.appliedVersion, g.desiredVersion);
    }
  });
});
