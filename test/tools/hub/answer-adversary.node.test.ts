// Adversary review of "kept until the hub answers", hub side, on PGlite and
// PostgreSQL, against the design where the hub answers a gate's withdrawal
// notice with a signed hub answer (kind "notice") and no erase order to that
// gate, and answers a copy of the last PIN report it answered per gate and
// resident (pin_report) with the same answer, writing nothing again: PIN
// reports sent again after a lost answer or replayed, duplicate and concurrent
// withdrawal notices, notices reusing another order's id, a notice replayed
// long after its fan-out.
import assert from "node:assert/strict";
import { NorFlash } from "../../../boards/host/nor-flash";
import { PinReports } from "../../../src/app/pin-reports";
import { encodeChange } from "../../../src/core/access/changes";
import { Ed25519Signer } from "../../../src/core/ed25519";
import { LogStore } from "../../../src/core/store/log-store";
import { decodeErasure, encodeGateErasure } from "../../../src/core/sync/erasure";
import { answerDigest, readHubAnswer, type HubAnswer } from "../../../src/core/sync/hub-answer";
import { encodePinReport, type PinReport } from "../../../src/core/sync/pin-report";
import { topic } from "../../../src/core/sync/topics";
import { bytes, num } from "../../../tools/hub/db";
import type { Outgoing } from "../../../tools/hub/protocol-gate";
import { COMPOUND, Fleet, T0, gateSeed, person, random } from "./fleet";
import { forEachDatabase } from "./servers";

const KEY_ID = 0x2468ace1;
const salt = Uint8Array.of(9, 8, 7, 6);
const hash = (n: number) => new Uint8Array(16).fill(n);
const signer = (gateId: number) => new Ed25519Signer(gateSeed(gateId));

forEachDatabase("answer adversary (hub)", (kind) => {
  let fleet: Fleet;
  let db: Awaited<ReturnType<typeof kind.open>>;
  beforeEach(async () => { db = await kind.open(); fleet = await Fleet.open(db); });
  afterEach(async () => { await db.close(); });

  const report = (gateId: number, over: Partial<PinReport>) =>
    encodePinReport({ gateId, seq: 1, residentId: 1, keyId: KEY_ID, salt, hash: hash(1), time: T0, ...over }, (b) => signer(gateId).sign(b));
  const send = async (gateId: number, leaf: string, payload: Uint8Array) => { await fleet.hub.receive(topic(COMPOUND, gateId, leaf as never), payload); await fleet.drain(); };
  const hubPin = async (id = 1) => {
    const [row] = await db.query<{ pin_hash: unknown }>("select pin_hash from resident where compound_id = $1 and id = $2", [COMPOUND, id]);
    return bytes(row.pin_hash)[0];
  };
  /** The hub's answers to gate `gateId` (kept off the wire: the protocol gate has no use for them), verified. */
  const answersTo = (gateId: number) => {
    const out: HubAnswer[] = [];
    const before = fleet.filter;
    fleet.filter = (m) => {
      if (m.topic !== topic(COMPOUND, gateId, "answer")) return before(m);
      const a = readHubAnswer(m.payload, gateId, [fleet.hub.publicKey]);
      assert.ok(typeof a !== "string", String(a));
      out.push(a);
      return false;
    };
    return out;
  };
  /** What a report taken writes: the gate's last seq, the resident's PIN and its time, the versions gate 10 applied. */
  const written = async () => {
    const [g] = await db.query<{ pin_seq: unknown }>("select pin_seq from gate where id = 10");
    const [r] = await db.query<{ pin_hash: unknown; pin_set_at: unknown }>("select pin_hash, pin_set_at from resident where compound_id = $1 and id = 1", [COMPOUND]);
    return [num(g.pin_seq), bytes(r.pin_hash)[0], num(r.pin_set_at), fleet.gates.get(10)!.persisted.length];
  };
  const same = (a: Uint8Array, b: Uint8Array) => Array.from(a).join() === Array.from(b).join();

  describe("PIN reports sent again after a lost answer, or replayed", () => {
    it("FIXED: a report from an untrusted clock (time 0), taken but its answer lost, is answered 'taken' again when sent again: the gate settles it, nothing is written, and the PIN the office set meanwhile stays", async () => {
      await fleet.addGate(10, 1);
      await fleet.hub.putResidents(COMPOUND, [person(1)]);
      await fleet.drain();
      // Gate 10, clock not trusted yet, sets resident 1's PIN (pin-reports.ts: time 0).
      const gate10 = signer(10);
      const reports = new PinReports({
        store: LogStore.open(new NorFlash(64 * 1024), { random }), gateId: 10, sign: (b) => gate10.sign(b), trustedNow: () => undefined, log: () => undefined,
      });
      const made: Uint8Array[] = [];
      reports.onReport = (_id, r) => made.push(r);
      reports.changedHere(encodeChange({ kind: "set-compound-pin", id: 1, salt, hash: hash(5), keyId: KEY_ID }));
      const [first] = made;
      // The hub takes it and its answer is lost (a process killed before publishing it): the gate keeps the report.
      const answers = answersTo(10);
      await send(10, "pin", first);
      assert.equal(await hubPin(), 5);
      assert.deepEqual(answers.map((a) => a.outcome), ["taken"]);
      answers.length = 0;
      // The office sets a new PIN for resident 1 (pin_set_at moves to the hub's now).
      fleet.now += 3600_000;
      await fleet.hub.putResidents(COMPOUND, [person(1, { pin: { salt, hash: hash(9), keyId: KEY_ID } })]);
      await fleet.drain();
      assert.equal(await hubPin(), 9);
      // The gate sends its unanswered report again: the same answer, for that very report, and no drop logged.
      fleet.drops.length = 0;
      const before = await written();
      await send(10, "pin", first);
      assert.deepEqual(await written(), before, "nothing written");
      assert.deepEqual(fleet.drops, []);
      assert.equal(answers.length, 1);
      assert.deepEqual([answers[0].kind, answers[0].outcome, answers[0].residentId], ["pin", "taken", 1]);
      assert.ok(same(answers[0].digest, answerDigest(first)));
      assert.equal(reports.answered(answers[0]), true);
      assert.deepEqual(reports.pending(), [], "settled");
      assert.equal(made.length, 1, "not made again under a new seq");
      assert.equal(await hubPin(), 9, "the office's newer PIN is kept");
    });

    it("HELD: the same sequence from a trusted clock: the copy is answered taken with nothing written; the report made again under a new seq (as the earlier design did) is superseded", async () => {
      await fleet.addGate(10, 1);
      await fleet.hub.putResidents(COMPOUND, [person(1)]);
      await fleet.drain();
      const first = report(10, { seq: 5, hash: hash(5), time: fleet.now });
      await send(10, "pin", first);
      fleet.now += 3600_000;
      await fleet.hub.putResidents(COMPOUND, [person(1, { pin: { salt, hash: hash(9), keyId: KEY_ID } })]);
      await fleet.drain();
      const answers = answersTo(10);
      const before = await written();
      await send(10, "pin", first);
      assert.deepEqual(await written(), before, "nothing written");
      fleet.drops.length = 0;
      await send(10, "pin", report(10, { seq: 6, hash: hash(5), time: T0 }));
      assert.deepEqual(answers.map((a) => a.outcome), ["taken", "superseded"]);
      assert.match(fleet.drops.join("; "), /older than the PIN the hub holds/);
      assert.equal(await hubPin(), 9);
    });

    it("HELD: a copy of a refused report gets the same refusal, logged as answered before; a report replayed after a newer one of the resident is 'replayed'; neither writes anything", async () => {
      await fleet.addGate(10, 1);
      await fleet.hub.putResidents(COMPOUND, [person(1), person(2, { groups: 2 })]);
      await fleet.drain();
      const answers = answersTo(10);
      const notHeld = report(10, { seq: 3, residentId: 2, hash: hash(3) });
      await send(10, "pin", notHeld);
      const older = report(10, { seq: 4, hash: hash(4), time: 0 });
      await send(10, "pin", older);
      await send(10, "pin", report(10, { seq: 5, hash: hash(5), time: 0 }));
      assert.equal(await hubPin(), 5);
      fleet.drops.length = 0;
      answers.length = 0;
      const before = await written();
      await send(10, "pin", notHeld);
      await send(10, "pin", older);
      assert.deepEqual(await written(), before, "nothing written");
      assert.deepEqual(answers.map((a) => [a.outcome, a.seq, a.hubSeq]), [["not-held", 3, 5], ["replayed", 4, 5]]);
      assert.match(fleet.drops[0], /PIN report 3 answered before \(not-held\)/);
      assert.match(fleet.drops[1], /PIN report 4 replayed or older than 5/);
    });

    it("HELD: copies of one report handled at the same time are each answered taken, no drop, no error", async () => {
      await fleet.addGate(10, 1);
      await fleet.hub.putResidents(COMPOUND, [person(1)]);
      await fleet.drain();
      const answers = answersTo(10);
      const r = report(10, { seq: 7, hash: hash(7), time: 0 });
      fleet.drops.length = 0;
      await Promise.all([0, 1, 2].map(() => fleet.hub.receive(topic(COMPOUND, 10, "pin"), r)));
      await fleet.drain();
      assert.deepEqual(answers.map((a) => a.outcome), ["taken", "taken", "taken"]);
      assert.deepEqual(fleet.drops, []);
      assert.equal(await hubPin(), 7);
    });
  });

  describe("withdrawal notices", () => {
    const orderRows = async () => num((await db.query<{ n: unknown }>("select count(*) as n from erasure_order"))[0].n);
    const erasureRows = async () => num((await db.query<{ n: unknown }>("select count(*) as n from erasure"))[0].n);
    const erases = (to: Outgoing[], gateId: number) => to.filter((m) => m.topic === topic(COMPOUND, gateId, "erase")).length;

    it("HELD: many copies of one notice (resends queued at the broker while the hub was down) add no rows; each gets the answer naming it, no order goes back to its gate, nothing is erased again", async () => {
      for (const id of [10, 11, 12]) (await fleet.addGate(id)).templates.add(42);
      await fleet.drain();
      const notice = fleet.gates.get(10)!.withdrawHere(42);
      for (let i = 0; i < 20; i++) fleet.wire.push(notice);
      const carried: string[] = [];
      const answers = answersTo(10);
      const answered = fleet.filter;
      fleet.filter = (m) => { carried.push(m.topic.split("/").slice(2).join("/")); return answered(m); };
      await fleet.drain();
      assert.equal(await orderRows(), 1);
      assert.equal(await erasureRows(), 3);
      assert.equal(carried.filter((c) => c === "10/erase").length, 0, "no order back to gate 10");
      assert.equal(answers.length, 20, "one answer per copy");
      assert.ok(answers.every((a) => a.kind === "notice" && a.outcome === "taken" && a.residentId === 42 && same(a.digest, answerDigest(notice.payload))));
      assert.deepEqual([10, 11, 12].map((id) => fleet.gates.get(id)!.erasedLog.filter((r) => r === 42).length), [1, 1, 1]);
      assert.deepEqual(fleet.drops, []);
    });

    it("HELD: copies of one notice handled at the same time: one fan-out, every copy answered, no order back, no error", async () => {
      for (const id of [10, 11, 12]) (await fleet.addGate(id)).templates.add(42);
      await fleet.drain();
      const notice = fleet.gates.get(10)!.withdrawHere(42);
      fleet.wire.length = 0;
      await Promise.all([0, 1, 2].map(() => fleet.hub.receive(notice.topic, notice.payload)));
      assert.equal(fleet.wire.filter((m) => m.topic === topic(COMPOUND, 10, "answer")).length, 3, "every copy answered");
      assert.deepEqual([10, 11, 12].map((id) => erases(fleet.wire, id)), [0, 1, 1], "fanned out once, to the other gates");
      await fleet.drain();
      assert.equal(await orderRows(), 1);
      assert.deepEqual((await fleet.hub.erasureStatus(COMPOUND, 42)).map((s) => s.state), ["done", "done", "done"]);
    });

    it("HELD: a gate's notice reusing the id of an office order, of another gate's notice, or its own for another resident gets no order and no answer, and changes nothing", async () => {
      for (const id of [10, 11]) (await fleet.addGate(id)).templates.add(42);
      await fleet.drain();
      const office = await fleet.hub.withdrawConsent(COMPOUND, 42);
      await fleet.drain();
      const fromEleven = fleet.gates.get(11)!.withdrawHere(43);
      const fromTen = fleet.gates.get(10)!.withdrawHere(44);
      fleet.wire.push(fromEleven, fromTen);
      await fleet.drain();
      const elevenId = decodeErasure(fromEleven.payload).message.orderId;
      const tenId = decodeErasure(fromTen.payload).message.orderId;
      const rows = [await orderRows(), await erasureRows()];
      fleet.wire.length = 0;
      const gate10 = signer(10);
      for (const [orderId, residentId] of [[office, 42], [elevenId, 43], [office, 7], [tenId, 45]] as const) {
        const forged = encodeGateErasure({ type: "withdrawn", gateId: 10, residentId, orderId, held: true, time: fleet.now }, (b) => gate10.sign(b));
        await fleet.hub.receive(topic(COMPOUND, 10, "withdrawn"), forged);
      }
      assert.deepEqual(fleet.wire.map((m) => m.topic), [], "nothing signed for gate 10");
      assert.deepEqual([await orderRows(), await erasureRows()], rows);
    });

    it("FIXED (was ENABLER): a notice replayed a month after its fan-out gets only an answer, no order to any gate: templates re-enrolled after re-consent stay", async () => {
      for (const id of [10, 11]) (await fleet.addGate(id)).templates.add(42);
      await fleet.drain();
      const notice = fleet.gates.get(10)!.withdrawHere(42);
      fleet.wire.push(notice);
      await fleet.drain();
      // The resident consents again and is enrolled again at both gates.
      for (const id of [10, 11]) fleet.gates.get(id)!.templates.add(42);
      fleet.now += 30 * 24 * 3600_000;
      fleet.wire.length = 0;
      await fleet.hub.receive(notice.topic, notice.payload);
      assert.deepEqual(fleet.wire.map((m) => m.topic), [topic(COMPOUND, 10, "answer")], "an answer to gate 10, no order anywhere");
      const a = readHubAnswer(fleet.wire[0].payload, 10, [fleet.hub.publicKey]);
      assert.ok(typeof a !== "string", String(a));
      assert.deepEqual([a.kind, a.outcome, a.residentId, a.issuedAt], ["notice", "taken", 42, fleet.now]);
      assert.ok(same(a.digest, answerDigest(notice.payload)), "it names that very notice");
      await fleet.drain();
      assert.ok(fleet.gates.get(10)!.templates.has(42) && fleet.gates.get(11)!.templates.has(42), "both re-enrolments stay");
      assert.deepEqual([10, 11].map((id) => fleet.gates.get(id)!.erasedLog.filter((r) => r === 42).length), [1, 1], "erased once, at the withdrawal");
    });
  });
});
