// The hub's side of PINs across gates (tools/hub/pins.ts), against PGlite and
// PostgreSQL with protocol gates: a gate's signed report becomes the
// resident's verifier and a set-compound-pin change to every gate holding
// them; reports replayed, out of seq, older than the PIN held, for a resident
// the gate does not hold or signed by another gate are dropped; office edits
// and CSV re-imports keep the verifier's key id; and the same under attack.
import assert from "node:assert/strict";
import { NorFlash } from "../../../boards/host/nor-flash";
import { PinReports } from "../../../src/app/pin-reports";
import { decodeChange, encodeChange } from "../../../src/core/access/changes";
import { Ed25519Signer } from "../../../src/core/ed25519";
import { hashPin } from "../../../src/core/access/secrets";
import { utf8 } from "../../../src/core/crypto";
import { LogStore } from "../../../src/core/store/log-store";
import { decodeMessage, type ChangeSet } from "../../../src/core/sync/messages";
import { answerDigest, readHubAnswer } from "../../../src/core/sync/hub-answer";
import { decodePinReport, encodePinReport, type PinReport } from "../../../src/core/sync/pin-report";
import { topic } from "../../../src/core/sync/topics";
import { bytes, num } from "../../../tools/hub/db";
import { residentInput } from "../../../tools/hub/web/residents-data";
import { COMPOUND, Fleet, T0, gateSeed, person, random } from "./fleet";
import { forEachDatabase } from "./servers";

const KEY_ID = 0x2468ace1;
const salt = Uint8Array.of(9, 8, 7, 6);
const hash = (n: number) => new Uint8Array(16).fill(n);
const signer = (gateId: number) => new Ed25519Signer(gateSeed(gateId));


forEachDatabase("hub: PINs reported by gates", (kind) => {
  let fleet: Fleet;
  let db: Awaited<ReturnType<typeof kind.open>>;
  beforeEach(async () => { db = await kind.open(); fleet = await Fleet.open(db); });
  afterEach(async () => { await db.close(); });

  const report = (gateId: number, over: Partial<PinReport>, by = signer(gateId)) =>
    encodePinReport({ gateId, seq: 1, residentId: 1, keyId: KEY_ID, salt, hash: hash(1), time: T0, ...over }, (b) => by.sign(b));
  const send = async (gateId: number, payload: Uint8Array) => { await fleet.hub.receive(topic(COMPOUND, gateId, "pin"), payload); await fleet.drain(); };
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
    // The very report again: the same answer as before (not-held), nothing taken.
    assert.match(fleet.drops.join("; "), /PIN report 3 answered before \(not-held\)/);
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

  // What a forged, truncated, misaddressed, replayed, reordered or stale report can make the hub
  // take, and what it can spend; and whether a gate's own reports, kept across a reboot, reach the
  // hub in an order it takes.
  it("answers every verified report, after the database has the outcome, naming the report: taken or why not", async () => {
    await fleet.addGate(10, 1);
    await fleet.hub.putResidents(COMPOUND, [person(1), person(2, { groups: 2 })]);
    await fleet.drain();
    const answers: Uint8Array[] = [];
    fleet.filter = (m) => { if (m.topic === topic(COMPOUND, 10, "answer")) answers.push(m.payload); return true; };
    const cases: [Uint8Array, string, number][] = [
      [report(10, { seq: 5, hash: hash(5) }), "taken", 5],
      // The very report again (its answer lost): the same answer, nothing written twice.
      [report(10, { seq: 5, hash: hash(5) }), "taken", 5],
      [report(10, { seq: 5, hash: hash(15) }), "replayed", 5],
      [report(10, { seq: 4, hash: hash(4) }), "replayed", 5],
      [report(10, { seq: 6, residentId: 2, hash: hash(6) }), "not-held", 6],
      [report(10, { seq: 7, residentId: 99, hash: hash(7) }), "not-held", 7],
      [report(10, { seq: 8, hash: hash(8), time: T0 - 1 }), "superseded", 8],
    ];
    for (const [bytes, outcome, hubSeq] of cases) {
      answers.length = 0;
      await send(10, bytes);
      assert.equal(answers.length, 1, outcome);
      const a = readHubAnswer(answers[0], 10, [fleet.hub.publicKey]);
      assert.ok(typeof a !== "string", String(a));
      const r = decodePinReport(bytes).report;
      assert.deepEqual([a.outcome, a.seq, a.residentId, a.hubSeq], [outcome, r.seq, r.residentId, hubSeq]);
      assert.deepEqual(Array.from(a.digest), Array.from(answerDigest(bytes)));
    }
    // A forged or misaddressed report gets no answer: the hub cannot tell its gate it came from.
    answers.length = 0;
    await send(10, report(10, { seq: 20, hash: hash(20) }, signer(11)));
    await send(10, report(10, { seq: 21 }).subarray(0, 40));
    assert.equal(answers.length, 0);
  });

  it("a report lost by a hub killed after the broker had it is sent again until answered; one taken whose answer was lost is answered again and changes nothing", async () => {
    const g10 = await fleet.addGate(10), g11 = await fleet.addGate(11);
    await fleet.hub.putResidents(COMPOUND, [person(1), person(2)]);
    await fleet.drain();
    const flash = new NorFlash(64 * 1024);
    const gate10 = signer(10);
    const reports = new PinReports({ store: LogStore.open(flash, { random }), gateId: 10, sign: (b) => gate10.sign(b), trustedNow: () => T0, log: () => undefined });
    // The gate's side of the link (fleet-link.ts, fleet.ts): unanswered reports go out, answers come back verified.
    const answers: Uint8Array[] = [];
    fleet.filter = (m) => {
      if (m.topic !== topic(COMPOUND, 10, "answer")) return true;
      answers.push(m.payload);
      return false;
    };
    const settle = () => {
      for (const payload of answers.splice(0)) {
        const a = readHubAnswer(payload, 10, [fleet.hub.publicKey]);
        assert.ok(typeof a !== "string", String(a));
        reports.answered(a);
      }
    };
    const setPin = (id: number, n: number) => encodeChange({ kind: "set-compound-pin", id, keyId: KEY_ID, salt, hash: hash(n) });
    reports.changedHere(setPin(1, 11));
    reports.changedHere(setPin(2, 22));
    const [lost, taken] = reports.pending();
    // Resident 1's report dies with a hub process (never reaches the database); resident 2's is taken.
    await send(10, taken.report);
    settle();
    assert.deepEqual(reports.pending().map((p) => p.residentId), [1], "taken and answered: settled; the lost one waits");
    assert.equal(verifier(g11, 2), `${KEY_ID}:22`);
    assert.equal(lost.residentId, 1);
    // Sent again: its seq is below the one taken, so the hub says replayed, and the gate reports the PIN again past it.
    for (const p of reports.pending()) await send(10, p.report);
    settle();
    const [again] = reports.pending();
    assert.ok(decodePinReport(again.report).report.seq > decodePinReport(taken.report).report.seq);
    await send(10, again.report);
    settle();
    assert.deepEqual(reports.pending(), [], "answered taken");
    assert.deepEqual([verifier(g10, 1), verifier(g11, 1)], [`${KEY_ID}:11`, `${KEY_ID}:11`], "resident 1's PIN reached every gate");
    // A report taken whose answer was lost: sent again, answered taken again, nothing written twice.
    reports.changedHere(setPin(1, 33));
    const [third] = reports.pending();
    await send(10, third.report);
    answers.length = 0;
    const versionBefore = await fleet.hub.compare(11);
    await send(10, third.report);
    settle();
    assert.deepEqual(reports.pending(), []);
    assert.deepEqual(await fleet.hub.compare(11), versionBefore, "no new version for the same PIN");
    assert.equal(verifier(g11, 1), `${KEY_ID}:33`);
    assert.deepEqual(fleet.drops.filter((d) => !/replayed/.test(d)), []);
  });

  describe("under attack", () => {
    const held = async (id = 1) => {
      const [row] = await db.query<{ pin_hash: unknown }>("select pin_hash from resident where compound_id = $1 and id = $2", [COMPOUND, id]);
      return row.pin_hash == null ? "none" : String(bytes(row.pin_hash)[0]);
    };
    const pinSeq = async (gateId: number) => num((await db.query<{ pin_seq: unknown }>("select pin_seq from gate where id = $1", [gateId]))[0].pin_seq);
    const setup = async () => {
      await fleet.addGate(10);
      await fleet.addGate(11);
      await fleet.hub.putResidents(COMPOUND, [person(1), person(2)]);
      await fleet.drain();
      fleet.drops.length = 0;
    };

    it("a report carries no PIN: only the salt and keyed hash the gate made", () => {
      const pin = "73915024";
      const key = new Uint8Array(32).fill(0x5a);
      const s = Uint8Array.of(1, 2, 3, 4);
      const r = report(10, { salt: s, hash: hashPin(key, s, pin) });
      const text = Buffer.from(r).toString("latin1");
      for (const form of [pin, Buffer.from(utf8(pin)).toString("hex")]) assert.ok(!text.includes(form) && !Buffer.from(r).toString("hex").includes(Buffer.from(utf8(pin)).toString("hex")), form);
      const back = decodePinReport(r).report;
      assert.deepEqual(Object.keys(back).sort(), ["gateId", "hash", "keyId", "residentId", "salt", "seq", "time"]);
    });

    it("a forged, truncated, extended or misaddressed report changes nothing and spends no seq", async () => {
      await setup();
      const good = report(10, { seq: 50, hash: hash(50) });
      const forged = good.slice();
      forged[20] ^= 1; // the resident id, under the signature
      const resigned = report(10, { seq: 50, hash: hash(50) }, signer(11));
      const cases: [number, Uint8Array, RegExp][] = [
        [10, forged, /signature does not verify/],
        [10, resigned, /signature does not verify/],
        [10, good.subarray(0, good.length - 1), /malformed/],
        [10, Uint8Array.from([...good, 0]), /malformed/],
        [11, good, /of gate 10 on gate 11's topic/],
        [10, report(10, { seq: 0xffffffff, hash: hash(77) }, signer(11)), /signature does not verify/],
      ];
      for (const [gate, bytes, why] of cases) {
        fleet.drops.length = 0;
        await send(gate, bytes);
        assert.match(fleet.drops.join("; "), why);
      }
      assert.deepEqual([await held(), await pinSeq(10), await pinSeq(11)], ["none", 0, 0], "nothing taken, no seq spent");
      // The gate's own next report (a low seq) is still taken.
      await send(10, report(10, { seq: 2, hash: hash(2) }));
      assert.equal(await held(), "2");
    });

    it("a replayed or reordered report is refused and does not bring back the PIN it carried", async () => {
      await setup();
      const r5 = report(10, { seq: 5, hash: hash(5), time: T0 });
      const r6 = report(10, { seq: 6, hash: hash(6), time: T0 + 1000 });
      await send(10, r6);
      await send(10, r5);
      assert.match(fleet.drops.join("; "), /PIN report 5 replayed or older than 6/);
      // The very report taken again (a lost answer, or a replay): answered taken again, nothing written.
      const versions = await fleet.hub.compare(11);
      await send(10, r6);
      assert.equal(await held(), "6");
      assert.deepEqual(await fleet.hub.compare(11), versions);
      // Replayed through another gate's topic, it is neither taken nor does it spend that gate's seq.
      await send(11, r6);
      assert.equal(await pinSeq(11), 0);
    });

    it("a report from another gate cannot undo a newer PIN: older gate time is refused", async () => {
      await setup();
      await send(10, report(10, { seq: 1, hash: hash(1), time: T0 + 60_000 }));
      await send(11, report(11, { seq: 1, hash: hash(2), time: T0 }));
      assert.match(fleet.drops.join("; "), /older than the PIN the hub holds/);
      assert.equal(await held(), "1");
    });

    it("a stale report, made before the office changed the PIN at the hub, must not undo that change", async () => {
      await setup();
      // Gate 10 reports a PIN set at T0; the hub takes it.
      await send(10, report(10, { seq: 1, hash: hash(1), time: T0 }));
      assert.equal(await held(), "1");
      // A day later the office clears the resident's PIN (or sets another), e.g. because it leaked.
      fleet.now = T0 + 24 * 3600_000;
      const input = (await residentInput(db, COMPOUND, 1))!;
      await fleet.hub.putResidents(COMPOUND, [{ ...input, pin: undefined }]);
      await fleet.drain();
      assert.equal(await held(), "none", "the office cleared it");
      // Gate 11 was offline: its report of a PIN set there at T0 + 1 h arrives only now.
      fleet.drops.length = 0;
      await send(11, report(11, { seq: 1, hash: hash(9), time: T0 + 3600_000 }));
      assert.equal(await held(), "none", "a report older than the office's change brought a PIN back");
    });

    it("a gate's pending reports, sent after a reboot as the firmware sends them, are all taken (seq order)", async () => {
      await setup();
      const flash = new NorFlash(64 * 1024);
      const gate10 = signer(10);
      const open = () => new PinReports({ store: LogStore.open(flash, { random }), gateId: 10, sign: (b) => gate10.sign(b), trustedNow: () => undefined, log: () => undefined });
      const setPin = (id: number, n: number) => encodeChange({ kind: "set-compound-pin", id, keyId: KEY_ID, salt, hash: hash(n) });
      // Offline: resident 1's PIN, then resident 2's, then resident 1's again (seq 1, 2, 3).
      const before = open();
      before.changedHere(setPin(1, 11));
      before.changedHere(setPin(2, 22));
      before.changedHere(setPin(1, 33));
      // A reboot, then the link opens: src/app/fleet.ts sends pins.pending() in the order it lists them.
      const pending = open().pending();
      assert.deepEqual(pending.map((p) => decodePinReport(p.report).report.seq).sort(), [2, 3]);
      for (const p of pending) await send(10, p.report);
      assert.deepEqual([await held(1), await held(2)], ["33", "22"],
        `sent as seq ${pending.map((p) => decodePinReport(p.report).report.seq).join(", ")}; dropped: ${fleet.drops.join("; ")}`);
    });
  });
});
