// Withdrawal of consent erases the template at every gate, with signed
// receipts, against PGlite and PostgreSQL: a gate away for a week, forged and
// misaddressed receipts, replayed and forged orders, a hub restarted mid
// fan-out. The gates run the real sync core (protocol gates).
import assert from "node:assert/strict";
import { Ed25519Signer } from "../../../src/core/ed25519";
import { encodeEraseOrder, encodeGateErasure, type EraseOrder } from "../../../src/core/sync/erasure";
import { keyIdOf } from "../../../src/core/sync/messages";
import { Hub } from "../../../tools/hub/hub";
import { COMPOUND, Fleet, gateSeed } from "./fleet";
import { forEachDatabase } from "./servers";

const DAY = 24 * 3600_000;
const erasedTopic = (gateId: number) => `optgate/${COMPOUND}/${gateId}/erased`;
const ordersTo = (fleet: Fleet, gateId: number) => fleet.wire.filter((m) => m.topic === `optgate/${COMPOUND}/${gateId}/erase`);

forEachDatabase("fleet erasure", (kind) => {
  let fleet: Fleet;
  let db: Awaited<ReturnType<typeof kind.open>>;
  beforeEach(async () => {
    db = await kind.open();
    fleet = await Fleet.open(db);
    for (const id of [10, 11, 12]) (await fleet.addGate(id)).templates.add(42);
    fleet.gates.get(11)!.templates.add(43);
    await fleet.drain();
  });
  afterEach(async () => { await db.close(); });

  const summary = async (residentId = 42) => (await fleet.hub.erasureStatus(COMPOUND, residentId)).map((s) => `${s.gateId}:${s.state}${s.state === "done" ? (s.held ? "+held" : "-none") : ""}`);
  const erasedAt = () => [10, 11, 12].map((id) => fleet.gates.get(id)!.erasedLog.filter((r) => r === 42).length);

  it("a withdrawal at gate 10 erases the template at gates 10, 11 and 12; receipts arrive and the status is done", async () => {
    const notice = fleet.gates.get(10)!.withdrawHere(42);
    fleet.wire.push(notice);
    await fleet.drain();
    for (const id of [10, 11, 12]) assert.equal(fleet.gates.get(id)!.templates.has(42), false, `gate ${id}`);
    assert.ok(fleet.gates.get(11)!.templates.has(43), "another resident's template stays");
    assert.deepEqual(erasedAt(), [1, 1, 1]);
    assert.deepEqual(await summary(), ["10:done+held", "11:done+held", "12:done+held"]);
    const status = await fleet.hub.erasureStatus(COMPOUND, 42);
    assert.ok(status.every((s) => s.origin === "gate" && s.doneAt === fleet.now));
    assert.deepEqual(fleet.drops, []);
    // The same notice again (its gate did not see the hub's answer) fans out nothing new: its gate is answered again.
    const carried: string[] = [];
    fleet.filter = (m) => { carried.push(m.topic.split("/").slice(2).join("/")); return true; };
    fleet.wire.push(notice);
    await fleet.drain();
    assert.deepEqual(carried, ["10/withdrawn", "10/answer"], "the notice, the answer to gate 10, no order");
    assert.deepEqual(erasedAt(), [1, 1, 1]);
    assert.equal((await fleet.hub.erasureStatus(COMPOUND)).length, 3);
    assert.deepEqual(fleet.drops, []);
  });

  it("a gate offline for a week stays pending, then erases when it is back, and the status completes", async () => {
    fleet.filter = (m) => !m.topic.startsWith(`optgate/${COMPOUND}/12/`);
    await fleet.hub.withdrawConsent(COMPOUND, 42);
    await fleet.drain();
    assert.deepEqual(await summary(), ["10:done+held", "11:done+held", "12:pending"]);
    assert.ok(fleet.gates.get(12)!.templates.has(42));
    fleet.now += 7 * DAY;
    await fleet.hub.pumpAll(); // not online: nothing is queued for it
    await fleet.drain();
    fleet.filter = () => true;
    fleet.wire.push(...fleet.gates.get(12)!.hello());
    await fleet.drain();
    assert.equal(fleet.gates.get(12)!.templates.has(42), false);
    assert.deepEqual(await summary(), ["10:done+held", "11:done+held", "12:done+held"]);
    assert.ok(!fleet.gates.get(12)!.audit.some((e) => e.detail?.startsWith("erase stale")), "a resent order is signed afresh");
  });

  it("an office withdrawal at a gate without the template is receipted as none held", async () => {
    fleet.gates.get(11)!.templates.delete(42);
    await fleet.hub.withdrawConsent(COMPOUND, 42);
    await fleet.drain();
    assert.deepEqual(await summary(), ["10:done+held", "11:done-none", "12:done+held"]);
  });

  it("refuses a forged receipt, a receipt for another gate and one from another gate's topic: nothing is marked", async () => {
    fleet.filter = (m) => !m.topic.endsWith("/erased"); // hold every real receipt back
    const orderId = await fleet.hub.withdrawConsent(COMPOUND, 42);
    await fleet.drain();
    const receipt = (gateId: number, signer: Ed25519Signer, over: { residentId?: number; orderId?: Uint8Array } = {}) =>
      encodeGateErasure({ type: "erase-receipt", gateId, residentId: 42, orderId, held: true, time: fleet.now, ...over }, (b) => signer.sign(b));
    const stranger = new Ed25519Signer(new Uint8Array(32).fill(77));
    await fleet.hub.receive(erasedTopic(10), receipt(10, stranger));
    await fleet.hub.receive(erasedTopic(10), receipt(11, new Ed25519Signer(gateSeed(11))));
    await fleet.hub.receive(erasedTopic(11), receipt(10, new Ed25519Signer(gateSeed(10))));
    await fleet.hub.receive(erasedTopic(10), receipt(10, new Ed25519Signer(gateSeed(10)), { residentId: 43 }));
    await fleet.hub.receive(erasedTopic(10), receipt(10, new Ed25519Signer(gateSeed(10)), { orderId: new Uint8Array(16).fill(5) }));
    await fleet.hub.receive(`optgate/${COMPOUND}/10/withdrawn`, receipt(10, new Ed25519Signer(gateSeed(10))));
    const notice = (residentId: number, signer: Ed25519Signer) => encodeGateErasure({ type: "withdrawn", gateId: 10, residentId, orderId: new Uint8Array(16).fill(8), held: true, time: fleet.now }, (b) => signer.sign(b));
    await fleet.hub.receive(`optgate/${COMPOUND}/10/withdrawn`, notice(42, stranger));
    await fleet.hub.receive(`optgate/${COMPOUND}/10/withdrawn`, notice(0x1000000, new Ed25519Signer(gateSeed(10))));
    assert.deepEqual(await summary(), ["10:pending", "11:pending", "12:pending"]);
    assert.deepEqual(fleet.drops, [
      "erased signature does not verify", "message for gate 11 on gate 10's topic", "message for gate 10 on gate 11's topic",
      "receipt for no pending order of this gate", "receipt for no pending order of this gate", "a erase-receipt message on withdrawn",
      "withdrawn signature does not verify", "withdrawal for resident 16777216, out of range",
    ]);
    assert.equal((await fleet.hub.erasureStatus(COMPOUND)).length, 3, "no forged notice started a fan-out");
    // The genuine receipt still counts.
    await fleet.hub.receive(erasedTopic(10), receipt(10, new Ed25519Signer(gateSeed(10))));
    assert.deepEqual(await summary(), ["10:done+held", "11:pending", "12:pending"]);
    // Again (the gate answering an order the hub resent before the first receipt came): taken as
    // a duplicate, not reported; one for another resident on the same order still is.
    fleet.drops.length = 0;
    await fleet.hub.receive(erasedTopic(10), receipt(10, new Ed25519Signer(gateSeed(10))));
    assert.deepEqual(fleet.drops, []);
    await fleet.hub.receive(erasedTopic(10), receipt(10, new Ed25519Signer(gateSeed(10)), { residentId: 43 }));
    assert.deepEqual(fleet.drops, ["receipt for no pending order of this gate"]);
    assert.deepEqual(await summary(), ["10:done+held", "11:pending", "12:pending"]);
  });

  it("a replayed order erases nothing twice; a forged order erases nothing", async () => {
    await fleet.hub.withdrawConsent(COMPOUND, 42);
    const order = ordersTo(fleet, 11)[0];
    await fleet.drain();
    const gate = fleet.gates.get(11)!;
    gate.templates.add(42); // enrolled again with fresh consent
    fleet.wire.push(order);
    await fleet.drain();
    assert.ok(gate.templates.has(42));
    assert.deepEqual(erasedAt(), [1, 1, 1]);
    const forger = new Ed25519Signer(new Uint8Array(32).fill(66));
    const forged = (over: Partial<EraseOrder>) => encodeEraseOrder({ gateId: 11, residentId: 43, orderId: new Uint8Array(16).fill(3), issuedAt: fleet.now, keyId: keyIdOf(fleet.hub.publicKey), ...over }, (b) => forger.sign(b));
    fleet.wire.push({ topic: `optgate/${COMPOUND}/11/erase`, payload: forged({}), retain: false });
    fleet.wire.push({ topic: `optgate/${COMPOUND}/11/erase`, payload: forged({ keyId: keyIdOf(forger.publicKey) }), retain: false });
    await fleet.drain();
    assert.ok(gate.templates.has(43));
    assert.deepEqual(gate.audit.filter((e) => e.kind === "sync-refused").map((e) => e.detail), ["erase replay: receipt resent", "erase bad-signature", "erase unknown-key"]);
    assert.deepEqual(await summary(), ["10:done+held", "11:done+held", "12:done+held"]);
  });

  it("a tick while the fan-out is still publishing sends no gate the order twice", async () => {
    for (const id of [10, 11, 12]) await fleet.hub.receive(`optgate/${COMPOUND}/${id}/online`, Uint8Array.of(0x31));
    // A broker slow to take the orders: every erase publish waits until released.
    let release!: () => void;
    const slow = new Promise<void>((resolve) => { release = resolve; });
    const hub = await Hub.open({
      db, signingSeed: new Uint8Array(32).fill(1), now: () => fleet.now, resendMs: 10_000, onDrop: (why) => { fleet.drops.push(why); },
      publish: async (topic, payload, { retain }) => {
        if (topic.endsWith("/erase")) await slow;
        fleet.wire.push({ topic, payload, retain });
      },
    });
    const withdrawal = hub.withdrawConsent(COMPOUND, 42);
    while ((await hub.erasureStatus(COMPOUND, 42)).length < 3) await new Promise((resolve) => setTimeout(resolve, 2));
    // The service's tick runs while the orders are not yet marked sent.
    const tick = hub.pumpAll();
    release();
    await Promise.all([withdrawal, tick]);
    assert.deepEqual([10, 11, 12].map((id) => ordersTo(fleet, id).length), [1, 1, 1]);
    await fleet.drain(hub);
    assert.deepEqual(erasedAt(), [1, 1, 1]);
    assert.deepEqual(await summary(), ["10:done+held", "11:done+held", "12:done+held"]);
    assert.deepEqual(fleet.drops, [], "no receipt came back for an order already receipted");
    // Never sent at all (a hub that died between storing the orders and publishing them): due once resendMs has passed.
    const order = await hub.withdrawConsent(COMPOUND, 43);
    fleet.wire.length = 0;
    await db.query("update erasure set sent_at = null where order_id = $1", [order]);
    await hub.pumpAll();
    assert.equal(ordersTo(fleet, 11).length, 0, "not while the fan-out may still be under way");
    fleet.now += 10_000;
    await hub.pumpAll();
    assert.deepEqual([10, 11, 12].map((id) => ordersTo(fleet, id).length), [1, 1, 1]);
  });

  it("a hub restarted in the middle of a fan-out still completes it", async () => {
    await fleet.hub.withdrawConsent(COMPOUND, 42);
    // The first hub dies having published only gate 10's order.
    fleet.wire.splice(0, fleet.wire.length, ...ordersTo(fleet, 10));
    await fleet.drain();
    const second = await fleet.openHub(db);
    for (const id of [10, 11, 12]) await second.receive(`optgate/${COMPOUND}/${id}/online`, Uint8Array.of(0x31));
    fleet.now += 60_000;
    await second.pumpAll();
    await fleet.drain(second);
    assert.deepEqual(erasedAt(), [1, 1, 1]);
    assert.deepEqual((await second.erasureStatus(COMPOUND, 42)).map((s) => s.state), ["done", "done", "done"]);
  });
});
