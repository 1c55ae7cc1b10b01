// The hub's side of templates within the consent's scope, against PGlite and
// PostgreSQL: the signed seal-key directory, shares stored per addressee and
// delivered, answers recorded, forged or misaddressed shares and shares that
// crossed a withdrawal dropped, ciphertexts deleted on withdrawal. The gates'
// side is the real core (GateTemplates) with the protocol gates' keys.
import assert from "node:assert/strict";
import { answerDigest, readHubAnswer } from "../../../src/core/sync/hub-answer";
import { encodeShare, encodeSharedTemplate, decodeShare, GateTemplates, type InstallResult } from "../../../src/core/sync/template-share";
import { Hub } from "../../../tools/hub/hub";
import { COMPOUND, Fleet, person } from "./fleet";
import { forEachDatabase } from "./servers";
import type { Outgoing } from "../../../tools/hub/protocol-gate";

const SCOPE = 0x1234abcd;
const t = (gateId: number, leaf: string) => `optgate/${COMPOUND}/${gateId}/${leaf}`;

forEachDatabase("hub templates", (kind) => {
  let fleet: Fleet;
  let db: Awaited<ReturnType<typeof kind.open>>;
  let seen: Outgoing[];
  const side = new Map<number, GateTemplates>();

  beforeEach(async () => {
    side.clear();
    db = await kind.open();
    fleet = await Fleet.open(db);
    seen = [];
    fleet.filter = (m) => { seen.push(m); return true; };
    await fleet.hub.putResidents(COMPOUND, [person(42), person(43)]);
    for (const id of [10, 11, 12]) {
      const gate = await fleet.addGate(id);
      side.set(id, new GateTemplates({ gateId: id, hubKeys: [fleet.hub.publicKey], sign: (b) => gate.signer.sign(b), sealKeys: () => gate.sealKeys }));
    }
    await fleet.drain();
  });
  afterEach(async () => { await db.close(); });

  const lastTo = (gateId: number, type: string) => seen.filter((m) => m.topic === t(gateId, "template") && decodeShare(m.payload).message.type === type).at(-1);
  const status = async (residentId = 42) => (await fleet.hub.templates.status(COMPOUND, residentId)).map((s) => `${s.gateId}:${s.state}`);
  /** Gate `from` shares resident `r`'s template for `to` through the real core. */
  const share = (from: number, to: number[], r = 42, grantedAt = fleet.now - 1000) => {
    const g = side.get(from)!;
    if (!g.hasDirectory) assert.equal(g.handleSealKeys(lastTo(from, "seal-keys")!.payload, fleet.now).ok, true);
    const plain = encodeSharedTemplate({ model: { id: "test", version: 1 }, enrolledAt: grantedAt, template: { dimension: 64, scale: 127, values: new Int8Array(64).fill(7) } });
    return g.share({ residentId: r, scope: SCOPE, grantedAt, gates: to, plain }, { fill: (b) => b.fill(3) });
  };
  const deliverAt = (gateId: number, result: InstallResult = "installed") => {
    const m = lastTo(gateId, "deliver");
    assert.ok(m, `a delivery to gate ${gateId}`);
    const out = side.get(gateId)!.handleDelivery(m.payload, fleet.now, { install: () => result });
    fleet.wire.push({ topic: t(gateId, "installed"), payload: out.answer!, retain: false });
  };

  it("sends every gate the compound's seal keys, stores a share per in-scope addressee, delivers it, and records the answer", async () => {
    const directory = decodeShare(lastTo(12, "seal-keys")!.payload).message;
    assert.equal(directory.type, "seal-keys");
    assert.deepEqual(directory.type === "seal-keys" && directory.keys.map((k) => k.gateId), [10, 11, 12]);
    assert.deepEqual(directory.type === "seal-keys" && directory.keys[1].key, fleet.gates.get(11)!.sealKeys.publicKey);
    const out = share(10, [11, 12]);
    fleet.wire.push({ topic: t(10, "share"), payload: out.message!, retain: false });
    await fleet.drain();
    assert.deepEqual(await status(), ["11:pending", "12:pending"]);
    const [row] = await db.query<{ sealed: Uint8Array }>("select sealed from template_seal where gate_id = 11");
    assert.deepEqual(new Uint8Array(row.sealed), (decodeShare(out.message!).message as { sealed: { sealed: Uint8Array }[] }).sealed[0].sealed, "the ciphertext as the gate sealed it");
    deliverAt(11);
    deliverAt(12, "scope");
    await fleet.drain();
    assert.deepEqual(await status(), ["11:installed", "12:scope"]);
    assert.deepEqual(fleet.drops, []);
    // A reconnecting gate gets again only what it has not answered.
    seen.length = 0;
    fleet.wire.push(...fleet.gates.get(12)!.hello(), ...fleet.gates.get(11)!.hello());
    await fleet.drain();
    assert.equal(lastTo(11, "deliver"), undefined, "installed: not sent again");
    assert.equal(lastTo(12, "deliver"), undefined, "refused for scope: not sent again");
    assert.ok(lastTo(11, "seal-keys"), "the directory again on reconnection");
  });

  it("a tick while a share's deliveries are still publishing sends no gate the delivery twice", async () => {
    for (const id of [10, 11, 12]) await fleet.hub.receive(t(id, "online"), Uint8Array.of(0x31));
    // A broker slow to take the deliveries: every one waits until released.
    let release!: () => void;
    const slow = new Promise<void>((resolve) => { release = resolve; });
    const delivered: string[] = [];
    const hub = await Hub.open({
      db, signingSeed: new Uint8Array(32).fill(1), now: () => fleet.now, resendMs: 10_000, onDrop: (why) => { fleet.drops.push(why); },
      publish: async (topic, payload) => {
        if (topic.endsWith("/template") && decodeShare(payload).message.type === "deliver") { await slow; delivered.push(topic); }
      },
    });
    const receiving = hub.receive(t(10, "share"), share(10, [11, 12]).message!);
    while ((await status()).length < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    // The service's tick runs while the stored shares are not yet marked sent.
    const tick = hub.pumpAll();
    release();
    await Promise.all([receiving, tick]);
    assert.deepEqual(delivered.sort(), [t(11, "template"), t(12, "template")]);
    assert.deepEqual(fleet.drops, []);
    // Never sent at all (a hub that died between storing the share and delivering it): due once resendMs has passed.
    await db.query("update template_seal set sent_at = null");
    delivered.length = 0;
    await hub.pumpAll();
    assert.deepEqual(delivered, [], "not while the deliveries may still be under way");
    fleet.now += 10_000;
    await hub.pumpAll();
    assert.deepEqual(delivered.sort(), [t(11, "template"), t(12, "template")]);
  });

  it("drops a forged share, one on another gate's topic, for an unknown resident or crossing a withdrawal; never stores for the sender or a stranger; answers each verified one", async () => {
    // The hub's answers to gate 10, each naming the share it answers (the gate keeps a share until then).
    const answers: string[] = [];
    fleet.filter = (m) => {
      if (m.topic !== t(10, "answer")) return true;
      const a = readHubAnswer(m.payload, 10, [fleet.hub.publicKey]);
      answers.push(typeof a === "string" ? a : `${a.kind} ${a.residentId} ${a.outcome} ${Buffer.from(a.digest).toString("hex")}`);
      return true;
    };
    const named = (payload: Uint8Array, resident: number, outcome: string) => `share ${resident} ${outcome} ${Buffer.from(answerDigest(payload)).toString("hex")}`;
    const out = share(10, [11]);
    const forged = out.message!.slice();
    forged[forged.length - 1] ^= 1;
    fleet.wire.push({ topic: t(10, "share"), payload: forged, retain: false }, { topic: t(11, "share"), payload: out.message!, retain: false });
    const unknown = share(10, [11], 77).message!;
    fleet.wire.push({ topic: t(10, "share"), payload: unknown, retain: false });
    const mixed = encodeShare({ gateId: 10, residentId: 43, scope: SCOPE, grantedAt: fleet.now, sealed: [{ gateId: 10, sealed: new Uint8Array(80) }, { gateId: 99, sealed: new Uint8Array(80) }] }, (b) => fleet.gates.get(10)!.signer.sign(b));
    fleet.wire.push({ topic: t(10, "share"), payload: mixed, retain: false });
    await fleet.drain();
    assert.deepEqual(fleet.drops, [
      "share signature does not verify", "message for gate 10 on gate 11's topic", "share for resident 77: unknown resident",
    ]);
    assert.deepEqual([await status(42), await status(43)], [[], []]);
    assert.deepEqual(answers, [named(unknown, 77, "unknown"), named(mixed, 43, "taken")], "none for the forged or misaddressed ones");
    // Granted before a withdrawal the hub ordered: the share crossed it.
    await fleet.hub.withdrawConsent(COMPOUND, 42);
    fleet.now += 1000;
    const crossed = share(10, [11], 42, fleet.now - 5000).message!;
    fleet.wire.push({ topic: t(10, "share"), payload: crossed, retain: false });
    await fleet.drain();
    assert.equal(fleet.drops.at(-1), "share for resident 42: withdrawn");
    assert.deepEqual(await status(), []);
    assert.equal(answers.at(-1), named(crossed, 42, "withdrawn"));
    // Consent given again afterwards is shared.
    const again = share(10, [11], 42, fleet.now).message!;
    fleet.wire.push({ topic: t(10, "share"), payload: again, retain: false });
    await fleet.drain();
    assert.deepEqual(await status(), ["11:pending"]);
    assert.equal(answers.at(-1), named(again, 42, "taken"));
  });

  it("deletes the stored ciphertexts when consent is withdrawn at a gate, and orders every gate to erase", async () => {
    fleet.wire.push({ topic: t(10, "share"), payload: share(10, [11, 12]).message!, retain: false });
    fleet.wire.push({ topic: t(10, "share"), payload: share(10, [11], 43).message!, retain: false });
    await fleet.drain();
    deliverAt(11); // the last delivery to gate 11: resident 43's
    await fleet.drain();
    assert.deepEqual([await status(42), await status(43)], [["11:pending", "12:pending"], ["11:installed"]]);
    fleet.wire.push(fleet.gates.get(11)!.withdrawHere(42));
    await fleet.drain();
    assert.deepEqual(await status(42), [], "resident 42's ciphertexts gone");
    assert.deepEqual(await status(43), ["11:installed"], "another resident's stay");
    assert.deepEqual((await fleet.hub.erasureStatus(COMPOUND, 42)).map((e) => `${e.gateId}:${e.state}`), ["10:done", "11:done", "12:done"]);
  });
});
