// The hub's desired state, versions, acks, comparison, audit ingest and time,
// against PGlite and PostgreSQL, with gates that run the real sync core and
// Registry (protocol gates) in this process.
import assert from "node:assert/strict";
import { AuditLog } from "../../../src/core/audit/audit-log";
import { AuditKey } from "../../../src/core/audit/chain-key";
import { anchorHead, recordsDigest, signHead } from "../../../src/core/audit/head-signature";
import { answerDigest, readHubAnswer } from "../../../src/core/sync/hub-answer";
import { decodeMessage, encodeAck, verifySigned, type ChangeSet } from "../../../src/core/sync/messages";
import { decodeChange } from "../../../src/core/access/changes";
import { Ed25519Signer } from "../../../src/core/ed25519";
import { COMPOUND, Fleet, T0, card, gateSeed, person } from "./fleet";
import { forEachDatabase } from "./servers";
import { countingDb } from "../../../tools/bench/fleet/load";

const setsTo = (fleet: Fleet, gateId: number) => fleet.wire
  .filter((m) => m.topic === `optgate/${COMPOUND}/${gateId}/sync`)
  .map((m) => decodeMessage(m.payload));

forEachDatabase("hub", (kind) => {
  let fleet: Fleet;
  let db: Awaited<ReturnType<typeof kind.open>>;
  beforeEach(async () => { db = await kind.open(); fleet = await Fleet.open(db); });
  afterEach(async () => { await db.close(); });

  it("a resident put at the hub reaches the gate as a signed version, applied and acknowledged", async () => {
    const gate = await fleet.addGate(10);
    await fleet.drain();
    await fleet.hub.putResidents(COMPOUND, [person(1), person(2, { role: "renter", validUntil: Date.UTC(2027, 0, 1) })]);
    const [sent] = setsTo(fleet, 10);
    assert.equal(verifySigned(sent, fleet.hub.publicKey), true);
    const set = sent.message as ChangeSet;
    assert.deepEqual([set.version, set.base, set.full, set.changes.length], [1, 0, false, 2]);
    assert.deepEqual(set.changes.map((c) => decodeChange(c).kind), ["add-resident", "add-resident"]);
    await fleet.drain();
    assert.deepEqual(gate.registry.ids(), [1, 2]);
    assert.equal(gate.registry.get(2)?.validUntil, Date.UTC(2027, 0, 1));
    const state = await fleet.hub.gate(10);
    assert.deepEqual([state?.desiredVersion, state?.appliedVersion], [1, 1]);
    assert.deepEqual(await fleet.hub.compare(10), { reportedVersion: 1, missing: [], extra: [], different: [] });
  });

  it("edits become the smallest registry changes, in an order that keeps a credential at every step", async () => {
    const gate = await fleet.addGate(10);
    await fleet.hub.putResidents(COMPOUND, [person(1)]);
    await fleet.drain();
    await fleet.hub.putResidents(COMPOUND, [person(1, { cards: [card(99)], unit: "B7" })]);
    const set = setsTo(fleet, 10)[0].message as ChangeSet;
    assert.deepEqual(set.changes.map((c) => decodeChange(c).kind), ["add-card", "update-resident", "remove-card"]);
    await fleet.drain();
    assert.deepEqual(gate.registry.cardsOf(1), [card(99)]);
    assert.equal(gate.registry.get(1)?.unit, "B7");
    await fleet.hub.removeResidents(COMPOUND, [1]);
    await fleet.drain();
    assert.equal(gate.registry.size, 0);
    assert.equal((await fleet.hub.gate(10))?.appliedVersion, 3);
  });

  it("refuses a put that names a resident twice, and treats a removal named twice as one", async () => {
    const gate = await fleet.addGate(10);
    await fleet.drain();
    await assert.rejects(fleet.hub.putResidents(COMPOUND, [person(1), person(1, { unit: "B" })]), /appears twice/);
    await fleet.hub.putResidents(COMPOUND, [person(1), person(2)]);
    await fleet.hub.removeResidents(COMPOUND, [1, 1]);
    await fleet.drain();
    assert.deepEqual(gate.registry.ids(), [2]);
    assert.ok(!gate.audit.some((e) => e.kind === "sync-refused"), JSON.stringify(gate.audit));
  });

  it("sends each gate only the residents of the groups it serves", async () => {
    const a = await fleet.addGate(10, 0b01), b = await fleet.addGate(11, 0b10);
    await fleet.hub.putResidents(COMPOUND, [person(1, { groups: 0b01 }), person(2, { groups: 0b10 }), person(3, { groups: 0b11 })]);
    await fleet.drain();
    assert.deepEqual(a.registry.ids(), [1, 3]);
    assert.deepEqual(b.registry.ids(), [2, 3]);
    // Moving resident 1 to group 2 removes it from gate 10 and adds it at gate 11.
    await fleet.hub.putResidents(COMPOUND, [person(1, { groups: 0b10 })]);
    await fleet.drain();
    assert.deepEqual(a.registry.ids(), [3]);
    assert.deepEqual(b.registry.ids().sort(), [1, 2, 3]);
  });

  it("a new gate gets every resident it serves at once", async () => {
    await fleet.hub.putResidents(COMPOUND, Array.from({ length: 450 }, (_, i) => person(i + 1)));
    const gate = await fleet.addGate(12);
    await fleet.drain();
    assert.equal(gate.registry.size, 450);
    const state = await fleet.hub.gate(12);
    assert.equal(state?.appliedVersion, state?.desiredVersion);
    assert.ok((state?.desiredVersion ?? 0) >= 3, "450 residents span several change sets of at most 200");
  });

  it("compares what the gate holds with what it should: missing, extra, different", async () => {
    const gate = await fleet.addGate(10);
    await fleet.hub.putResidents(COMPOUND, [person(1), person(2), person(3)]);
    await fleet.drain();
    // Behind the hub's back (a technician at the console): one removed, one added, one changed.
    gate.registry.removeResident(1);
    gate.registry.addResident({ unit: "X", role: "staff", groups: 1, cards: [card(500)] });
    gate.registry.updateResident(3, { unit: "Z9" });
    fleet.wire.push(...gate.inventory());
    await fleet.drain();
    assert.deepEqual(await fleet.hub.compare(10), { reportedVersion: 1, missing: [1], extra: [4], different: [3] });
    // A full resync puts the gate back to the desired state.
    await fleet.hub.resync(10);
    await fleet.drain();
    assert.deepEqual(gate.registry.ids(), [1, 2, 3]);
    assert.deepEqual(await fleet.hub.compare(10), { reportedVersion: 2, missing: [], extra: [], different: [] });
  });

  it("stores an inventory part in a few statements however many residents it lists, and compares it", async () => {
    const load = { statements: 0, transactions: 0, busyMs: 0 };
    const counted = await Fleet.open(countingDb(db, load));
    const gate = await counted.addGate(10);
    await counted.hub.putResidents(COMPOUND, Array.from({ length: 2000 }, (_, i) => person(i + 1)));
    await counted.drain();
    gate.registry.removeResident(7);
    gate.registry.updateResident(9, { unit: "Z9" });
    const before = load.statements;
    counted.wire.push(...gate.inventory());
    await counted.drain();
    assert.ok(load.statements - before <= 6, `${load.statements - before} statements for an inventory of 1,999 residents`);
    assert.deepEqual(await counted.hub.compare(10), { reportedVersion: gate.sync.applied, missing: [7], extra: [], different: [9] });
  });

  it("a lost change set is resent after the gate refuses the next one as a gap", async () => {
    const gate = await fleet.addGate(10);
    await fleet.drain();
    await fleet.hub.putResidents(COMPOUND, [person(1)]);
    fleet.wire.length = 0; // version 1 lost
    await fleet.hub.putResidents(COMPOUND, [person(2)]);
    await fleet.drain(); // version 2 refused (gap) -> hub resends from 1
    assert.deepEqual(gate.registry.ids(), [1, 2]);
    assert.ok(gate.audit.some((e) => e.kind === "sync-refused" && e.detail === "v2 gap"), JSON.stringify(gate.audit));
    assert.equal((await fleet.hub.gate(10))?.appliedVersion, 2);
  });

  it("resends an unanswered set to a connected gate after resendMs, never to an offline one", async () => {
    const gate = await fleet.addGate(10);
    await fleet.drain();
    const online = (flag: string) => fleet.hub.receive(`optgate/${COMPOUND}/10/online`, new TextEncoder().encode(flag));
    await online("1");
    await fleet.hub.putResidents(COMPOUND, [person(1)]);
    assert.equal(fleet.wire.length, 1);
    fleet.wire.length = 0; // lost on the way
    fleet.now += 1000;
    await fleet.hub.pumpAll();
    assert.equal(fleet.wire.length, 0, "not again within resendMs");
    fleet.now += 20_000;
    await online("0");
    await fleet.hub.pumpAll();
    assert.equal(fleet.wire.length, 0, "nothing queued up for an offline gate");
    await online("1");
    await fleet.hub.pumpAll();
    assert.equal(fleet.wire.length, 1, "resent once the gate is connected");
    await fleet.drain();
    assert.deepEqual(gate.registry.ids(), [1]);
    assert.equal((await fleet.hub.gate(10))?.appliedVersion, 1);
  });

  it("a set the gate refuses (card held by a gate-local resident) waits for a fixed desired state, then a full resync", async () => {
    const gate = await fleet.addGate(10);
    await fleet.drain();
    gate.registry.addResident({ unit: "L", role: "staff", groups: 1, cards: [card(7)] }); // local, id 1
    await fleet.hub.putResidents(COMPOUND, [person(5, { cards: [card(7)] })]);
    await fleet.drain();
    let state = await fleet.hub.gate(10);
    assert.deepEqual([state?.appliedVersion, state?.refusedReason, state?.refusedVersion, state?.needsFull], [0, "apply-failed", 1, true]);
    assert.equal(gate.registry.has(5), false);
    await fleet.hub.putResidents(COMPOUND, [person(5, { cards: [card(8)] })]);
    await fleet.drain();
    state = await fleet.hub.gate(10);
    assert.deepEqual([state?.appliedVersion, state?.needsFull, state?.refusedReason], [2, false, undefined]);
    assert.deepEqual(gate.registry.ids(), [5], "the full resync replaced the gate-local resident");
  });

  it("drops acks that are forged, misaddressed or malformed, and keeps the gate's state", async () => {
    await fleet.addGate(10);
    await fleet.drain();
    const stranger = new Ed25519Signer(new Uint8Array(32).fill(77));
    const forged = encodeAck({ gateId: 10, applied: 99, status: "applied", about: 99, reason: "none", time: T0 }, (b) => stranger.sign(b));
    await fleet.hub.receive(`optgate/${COMPOUND}/10/ack`, forged);
    await fleet.hub.receive(`optgate/${COMPOUND}/11/ack`, forged);
    await fleet.hub.receive(`optgate/${COMPOUND}/10/ack`, new Uint8Array([1, 2, 3]));
    await fleet.hub.receive(`optgate/${COMPOUND + 1}/10/ack`, forged);
    assert.equal((await fleet.hub.gate(10))?.appliedVersion, 0);
    assert.deepEqual(fleet.drops.map((d) => d.split(":")[0]), ["ack signature does not verify", "unknown gate", "malformed", "unknown gate"]);
  });

  it("ingests audit records once per (gate, log, sequence), whatever is resent", async () => {
    const gate = await fleet.addGate(10);
    await fleet.drain();
    const log = new AuditLog();
    for (let i = 0; i < 5; i++) log.append({ time: T0 + i, actorKind: "resident", actor: i + 1, kind: "card", decision: "grant", reason: "granted" });
    const records = log.records();
    const batch = (rs: Uint8Array[], name: "access" | "security" = "access") => decodeMessage(gate.auditBatch(name, rs).payload).message as never;
    assert.deepEqual(await fleet.hub.ingestAudit(batch(records.slice(0, 3))), { inserted: 3, duplicates: 0, rewritten: 0 });
    assert.deepEqual(await fleet.hub.ingestAudit(batch(records)), { inserted: 2, duplicates: 3, rewritten: 0 });
    assert.deepEqual(await fleet.hub.ingestAudit(batch(records)), { inserted: 0, duplicates: 5, rewritten: 0 });
    // The security chain has its own sequence: the same numbers are other records.
    assert.deepEqual(await fleet.hub.ingestAudit(batch(records.slice(0, 2), "security")), { inserted: 2, duplicates: 0, rewritten: 0 });
    fleet.wire.push(gate.auditBatch("access", records));
    await fleet.drain();
    assert.equal(await fleet.hub.auditCount(10), 7);
  });

  describe("as the witness of the gates' audit logs", () => {
    const auditKey = new AuditKey(new Uint8Array(32).fill(4));
    const entry = (i: number) => ({ time: T0 + i, actorKind: "resident" as const, actor: i, kind: "card" as const, decision: "grant" as const, reason: "granted" as const });
    function gateLog(n: number): AuditLog {
      const log = new AuditLog({ key: auditKey });
      for (let i = 0; i < n; i++) log.append(entry(i));
      return log;
    }
    const signed = (log: AuditLog, signer = new Ed25519Signer(gateSeed(10))) =>
      signHead(signer, { gateId: 10, log: "access", anchor: anchorHead(log.anchor()), head: log.head(), digest: recordsDigest(log.records()), time: T0 });

    it("accepts an honest head over the records it holds", async () => {
      const gate = await fleet.addGate(10);
      const log = gateLog(5);
      fleet.wire.push(gate.auditBatch("access", log.records()), gate.head(signed(log)));
      await fleet.drain();
      assert.deepEqual(await fleet.hub.auditAlarms(10), []);
      const [row] = await db.query<{ head_seq: unknown; records_verified: boolean }>("select head_seq, records_verified from audit_head where gate_id = 10");
      assert.deepEqual([Number(row.head_seq), row.records_verified], [5, true]);
    });

    it("answers each verified head: taken when it holds every record of the window, incomplete when a batch never reached it", async () => {
      const gate = await fleet.addGate(10);
      const answers: string[] = [];
      fleet.filter = (m) => {
        if (m.topic !== `optgate/${COMPOUND}/10/answer`) return true;
        const a = readHubAnswer(m.payload, 10, [fleet.hub.publicKey]);
        answers.push(typeof a === "string" ? a : `${a.kind} ${a.residentId} ${a.outcome} ${Buffer.from(a.digest).toString("hex")}`);
        return true;
      };
      const log = gateLog(6);
      // Records 3 and 4 were in the hands of a hub process killed before its database had them.
      fleet.wire.push(gate.auditBatch("access", log.records().slice(0, 2)), gate.auditBatch("access", log.records().slice(4)));
      const head = gate.head(signed(log));
      fleet.wire.push(head);
      await fleet.drain();
      const named = (outcome: string) => `head 0 ${outcome} ${Buffer.from(answerDigest(head.payload)).toString("hex")}`;
      assert.deepEqual(answers, [named("incomplete")]);
      // The gate sends its window again; the same head now gets "taken".
      fleet.wire.push(gate.auditBatch("access", log.records()), head);
      await fleet.drain();
      assert.deepEqual(answers, [named("incomplete"), named("taken")]);
      assert.deepEqual(await fleet.hub.auditAlarms(10), []);
      // A head another key signed gets no answer.
      fleet.wire.push(gate.head(signed(log, new Ed25519Signer(new Uint8Array(32).fill(66)))));
      await fleet.drain();
      assert.equal(answers.length, 2);
    });

    it("raises an alarm when the gate's log is cut back below a witnessed head", async () => {
      const gate = await fleet.addGate(10);
      const log = gateLog(5);
      fleet.wire.push(gate.auditBatch("access", log.records()), gate.head(signed(log)));
      await fleet.drain();
      // The gate's flash is rolled back: a new chain of 3 records, honestly signed by the gate's key.
      fleet.wire.push(gate.head(signed(gateLog(3))));
      await fleet.drain();
      assert.deepEqual((await fleet.hub.auditAlarms(10)).map((a) => [a.kind, a.seq]), [["truncated", 3]]);
    });

    it("raises an alarm when a record it holds comes back different, or the signed digest disagrees", async () => {
      const gate = await fleet.addGate(10);
      const log = gateLog(4);
      fleet.wire.push(gate.auditBatch("access", log.records()));
      await fleet.drain();
      // Rewritten history: record 2 says someone else opened the door.
      const other = new AuditLog({ key: auditKey });
      other.append(entry(0));
      other.append({ ...entry(1), actor: 999 });
      other.append(entry(2));
      other.append(entry(3));
      fleet.wire.push(gate.auditBatch("access", other.records().slice(1, 2)));
      fleet.wire.push(gate.head(signed(other)));
      await fleet.drain();
      assert.deepEqual((await fleet.hub.auditAlarms(10)).map((a) => [a.kind, a.seq]), [["rewritten", 2], ["rewritten", 4]]);
      assert.deepEqual((await db.query("select record from audit_record where gate_id = 10 and seq = 2")).length, 1);
    });

    it("drops a head another key signed", async () => {
      const gate = await fleet.addGate(10);
      fleet.wire.push(gate.head(signed(gateLog(2), new Ed25519Signer(new Uint8Array(32).fill(66)))));
      await fleet.drain();
      assert.ok(fleet.drops.includes("audit head signature does not verify"));
      assert.equal((await db.query("select 1 from audit_head")).length, 0);
    });
  });

  it("another hub process over the same database carries on the versions where the first stopped", async () => {
    const gate = await fleet.addGate(10);
    await fleet.hub.putResidents(COMPOUND, [person(1)]);
    await fleet.drain();
    const second = await fleet.openHub(db);
    await second.putResidents(COMPOUND, [person(2)]);
    const set = setsTo(fleet, 10)[0].message as ChangeSet;
    assert.equal(set.version, 2);
    await fleet.drain(second);
    assert.deepEqual(gate.registry.ids(), [1, 2]);
    assert.equal((await second.gate(10))?.appliedVersion, 2);
  });

  it("answers a gate's time request with signed time the gate accepts once", async () => {
    const gate = await fleet.addGate(10);
    await fleet.drain();
    fleet.wire.push(gate.requestTime(new Uint8Array(16).fill(5)));
    await fleet.drain();
    assert.equal(gate.clock, T0);
    assert.ok(gate.audit.some((e) => e.kind === "clock-synced"));
  });
});
