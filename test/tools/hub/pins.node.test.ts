// The hub's side of PINs across gates (tools/hub/pins.ts), against PGlite and
// PostgreSQL with protocol gates: a gate's signed report becomes the
// resident's verifier and a set-compound-pin change to every gate holding
// them; reports replayed, out of seq, older than the PIN held, for a resident
// the gate does not hold or signed by another gate are dropped; office edits
// and CSV re-imports keep the verifier's key id.
import assert from "node:assert/strict";
import { decodeChange } from "../../../src/core/access/changes";
import { decodeMessage, type ChangeSet } from "../../../src/core/sync/messages";
import { topic } from "../../../src/core/sync/topics";
import { num } from "../../../tools/hub/db";
import { residentInput } from "../../../tools/hub/web/residents-data";
import { COMPOUND, Fleet, T0, person } from "./fleet";
import { KEY_ID, hash, pinReport, sendPin, signer } from "./pin-rig";
import { forEachDatabase } from "./servers";


forEachDatabase("hub: PINs reported by gates", (kind) => {
  let fleet: Fleet;
  let db: Awaited<ReturnType<typeof kind.open>>;
  beforeEach(async () => { db = await kind.open(); fleet = await Fleet.open(db); });
  afterEach(async () => { await db.close(); });

  const report = pinReport;
  const send = (gateId: number, bytes: Uint8Array) => sendPin(fleet, gateId, bytes);
  const verifier = (g: { registry: { pinVerifier(id: number): { keyId?: number; hash: Uint8Array } | undefined } }, id = 1) => {
    const v = g.registry.pinVerifier(id);
    return v ? `${v.keyId ?? 0}:${v.hash[0]}` : "none";
  };

  it("a report becomes the resident's verifier at every gate holding them, as set-compound-pin", async () => {
    const g10 = await fleet.addGate(10), g11 = await fleet.addGate(11), g12 = await fleet.addGate(12, 2);
    await fleet.hub.putResidents(COMPOUND, [person(1)]);
    await fleet.drain();
    fleet.wire.length = 0;
    await fleet.hub.receive(topic(COMPOUND, 10, "pin"), report(10, {}));
    const sets = fleet.wire.filter((m) => m.topic.endsWith("/sync")).map((m) => ({ to: m.topic, kinds: (decodeMessage(m.payload).message as ChangeSet).changes.map((c) => decodeChange(c).kind) }))
      .sort((a, b) => a.to.localeCompare(b.to)); // gates are pumped side by side: any order
    assert.deepEqual(sets, [{ to: `optgate/${COMPOUND}/10/sync`, kinds: ["set-compound-pin"] }, { to: `optgate/${COMPOUND}/11/sync`, kinds: ["set-compound-pin"] }]);
    await fleet.drain();
    assert.deepEqual([verifier(g10), verifier(g11), g12.registry.has(1)], [`${KEY_ID}:1`, `${KEY_ID}:1`, false]);
    const [row] = await db.query<Record<string, unknown>>("select pin_key_id, pin_set_at from resident where id = 1");
    assert.deepEqual([num(row.pin_key_id), num(row.pin_set_at)], [KEY_ID, T0]);
    assert.deepEqual(await fleet.hub.compare(11), { reportedVersion: 2, missing: [], extra: [], different: [] });
    assert.deepEqual(fleet.drops, []);
  });

  it("drops a replay, a lower seq, an older PIN, a resident the gate does not hold, another gate's signature or topic", async () => {
    const g10 = await fleet.addGate(10, 1);
    await fleet.addGate(11);
    await fleet.hub.putResidents(COMPOUND, [person(1), person(2, { groups: 2 })]);
    await fleet.drain();
    const first = report(10, { seq: 5, hash: hash(5) });
    await send(10, first);
    await send(10, report(10, { seq: 7, hash: hash(7), time: T0 + 1000 }));
    const cases: [number, Uint8Array, RegExp][] = [
      [10, first, /PIN report 5 replayed or older than 7/],
      [10, report(10, { seq: 6, hash: hash(6), time: T0 + 5000 }), /replayed or older than 7/],
      [10, report(10, { seq: 8, hash: hash(8), time: T0 }), /older than the PIN the hub holds/],
      [10, report(10, { seq: 9, residentId: 2, hash: hash(9) }), /whom this gate does not hold/],
      [10, report(10, { seq: 10, hash: hash(10) }, signer(11)), /signature does not verify/],
      [11, report(10, { seq: 11, hash: hash(11) }), /of gate 10 on gate 11's topic/],
      [10, first.subarray(0, 50), /malformed/],
    ];
    for (const [gate, bytes, why] of cases) {
      fleet.drops.length = 0;
      await send(gate, bytes);
      assert.match(fleet.drops.join("; "), why);
      assert.equal(verifier(g10), `${KEY_ID}:7`, String(why));
    }
    // A report from an untrusted clock (time 0) is taken by seq alone.
    await send(10, report(10, { seq: 12, hash: hash(12), time: 0 }));
    assert.equal(verifier(g10), `${KEY_ID}:12`);
  });

  it("a report dropped for the hub's own state still spends its seq: replayed once the gate holds the resident, it is refused", async () => {
    const g10 = await fleet.addGate(10, 1);
    await fleet.hub.putResidents(COMPOUND, [person(1), person(2, { groups: 2 })]);
    await fleet.drain();
    const early = report(10, { seq: 3, residentId: 2, hash: hash(3) });
    await send(10, early);
    assert.match(fleet.drops.join("; "), /resident 2, whom this gate does not hold/);
    await fleet.hub.putResidents(COMPOUND, [person(2, { groups: 1 })]);
    await fleet.drain();
    assert.ok(g10.registry.has(2), "gate 10 holds resident 2 now");
    fleet.drops.length = 0;
    await send(10, early);
    assert.match(fleet.drops.join("; "), /PIN report 3 replayed or older than 3/);
    assert.equal(verifier(g10, 2), "none", "the old report did not take effect");
  });

  it("an office edit keeps the reported verifier with its key id (nothing sent about the PIN)", async () => {
    await fleet.addGate(10);
    await fleet.hub.putResidents(COMPOUND, [person(1)]);
    await fleet.drain();
    await send(10, report(10, {}));
    const input = (await residentInput(db, COMPOUND, 1))!;
    assert.equal(input.pin?.keyId, KEY_ID);
    fleet.wire.length = 0;
    await fleet.hub.putResidents(COMPOUND, [{ ...input, unit: "B9" }]);
    const set = decodeMessage(fleet.wire.find((m) => m.topic.endsWith("/sync"))!.payload).message as ChangeSet;
    assert.deepEqual(set.changes.map((c) => decodeChange(c).kind), ["update-resident"]);
  });
});
