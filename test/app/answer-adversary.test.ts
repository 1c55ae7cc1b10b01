// Adversary review of "kept until the hub answers", gate side, against the
// design that answers a withdrawal notice with a signed hub answer (kind
// "notice", src/core/sync/hub-answer.ts, bound to the notice by its digest)
// instead of an erase order to the notice's own gate: answers forged, for
// another gate, of another kind or naming another message, old and replayed;
// the notice replayed to the hub after the gate forgot its receipt (the hub
// answers it and orders nothing: answer-adversary.node.test.ts shows the hub's
// side); resends; PIN reports across power cuts and store refusals.
// Portable (Node and XS): only node:assert/strict.
import assert from "node:assert/strict";
import { NorFlash, PowerCut } from "../../boards/host/nor-flash";
import { RESEND_FIRST_MS, RESEND_MAX_MS } from "../../src/app/awaiting-answer";
import { PinReports } from "../../src/app/pin-reports";
import { encodeChange } from "../../src/core/access/changes";
import type { Ed25519Signer } from "../../src/core/ed25519";
import { OptgateError } from "../../src/core/errors";
import { LogStore, type StoreOp } from "../../src/core/store/log-store";
import { REMEMBERED_ORDERS, encodeEraseOrder } from "../../src/core/sync/erasure";
import { answerDigest, encodeHubAnswer, type AnswerOutcome, type AnsweredKind, type HubAnswer } from "../../src/core/sync/hub-answer";
import { keyIdOf } from "../../src/core/sync/messages";
import { decodePinReport } from "../../src/core/sync/pin-report";
import { gateSign } from "../core/sync/fixtures";
import { lcgRandom } from "./console-rig";
import { GATE, T, fleetLinkRig, hub, intruder, leafOf, topic } from "./fleet-link-rig";

const NOTICE_ID = new Uint8Array(16).fill(42);
const DAY = 24 * 3600_000;
const TO_DELIVER = /withdrawal notice\(s\) to deliver/;

type Rig = ReturnType<typeof fleetLinkRig>;

/** The hub's answer to `message`, every field the attacker's choice (the rig's hubAnswer fixes the gate and the time). */
function answerTo(message: Uint8Array, o: { kind?: AnsweredKind; resident?: number; gate?: number; issuedAt?: number; by?: Ed25519Signer } = {}): Uint8Array {
  const by = o.by ?? hub;
  return encodeHubAnswer({
    kind: o.kind ?? "notice", gateId: o.gate ?? GATE, seq: 0, residentId: o.resident ?? 42, outcome: "taken", hubSeq: 0,
    digest: answerDigest(message), issuedAt: o.issuedAt ?? T, keyId: keyIdOf(by.publicKey),
  }, (b) => by.sign(b));
}

/** A hub order under `id` (16 bytes) for `resident`. */
const eraseOrder = (resident: number, id: Uint8Array, issuedAt = T) =>
  encodeEraseOrder({ gateId: GATE, residentId: resident, orderId: id, issuedAt, keyId: keyIdOf(hub.publicKey) }, (b) => hub.sign(b));

/** A 16-byte order id made from `n` (ids the rig's order() cannot make: it has 256). */
function idN(n: number): Uint8Array {
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(0, 0xa0000000 + n);
  return id;
}

/** A link connected to the broker, its clock set by the hub unless `untrusted`. */
function connected(untrusted = false): Rig {
  const r = fleetLinkRig();
  if (untrusted) r.state.clock = undefined;
  r.fleet.start();
  r.run(300);
  if (!untrusted) {
    r.grant();
    r.run(200);
  }
  return r;
}

/** Resident `resident` withdraws consent at this gate (template erased); returns the notice sent. */
function withdrawn(r: Rig, resident = 42, id = NOTICE_ID): Uint8Array {
  r.state.held.delete(resident);
  r.fleet.withdrawnHere(resident, true, id);
  r.run(300);
  const notice = r.state.pending.at(-1)!.at(-1)!;
  assert.ok(r.broker.received.some((p) => leafOf(p) === "withdrawn" && p.payload.length === notice.length && p.payload.every((b, i) => b === notice[i])), "the notice went out");
  return notice;
}

const erases = (r: Rig, resident: number) => r.calls.filter((c) => c === `erase ${resident}`).length;
const withdrawnSent = (r: Rig) => r.broker.received.filter((p) => leafOf(p) === "withdrawn").length;

describe("answer adversary: the hub's answer to a withdrawal notice", () => {
  it("FIXED: the notice replayed to the hub after REMEMBERED_ORDERS later orders evicted its receipt gets only an answer, which erases nothing: the template re-enrolled after re-consent stays", function () {
    this.timeout(600_000);
    const r = connected();
    const notice = withdrawn(r);
    r.broker.publish(topic("answer"), answerTo(notice));
    r.run(300);
    assert.deepEqual(r.state.pending.at(-1), [], "the answer settled the notice");
    // The resident consents again and enrols again at this gate.
    r.state.held.add(42);
    // Ordinary fleet life: other withdrawals, each an order to this gate (a large compound over some months).
    for (let n = 0; n < REMEMBERED_ORDERS; n++) {
      r.broker.publish(topic("erase"), eraseOrder(1000 + n, idN(n)));
      if (n % 4 === 3) r.run(60);
    }
    r.run(500);
    assert.equal(r.calls.filter((c) => c.startsWith("erase 1")).length, REMEMBERED_ORDERS, "every other order executed");
    // A month on, anyone who can publish on the gate's "withdrawn" topic replays the captured notice: the hub
    // (erasure.ts #fanOut) finds its order, same gate and resident, and answers again, freshly signed. Only that.
    r.state.clock = T + 30 * DAY;
    const saves = r.state.pending.length;
    r.broker.publish(topic("answer"), answerTo(notice, { issuedAt: T + 30 * DAY }));
    r.run(300);
    assert.equal(erases(r, 42), 0, "the old withdrawal's answer erased nothing");
    assert.ok(r.state.held.has(42), "the template enrolled after re-consent is still held");
    assert.equal(r.state.pending.length, saves, "no notice waits: nothing saved");
    // Control: the gate no longer remembers the notice (a hub order under its id would erase now): what keeps
    // the re-enrolment is that the hub never signs an order for the notice's own gate (the hub's file).
    r.broker.publish(topic("erase"), eraseOrder(42, NOTICE_ID, T + 30 * DAY));
    r.run(300);
    assert.equal(erases(r, 42), 1, "the receipt was evicted: this is the state the old design's echo erased in");
  });

  it("HELD: while the notice's receipt is remembered, its answer replayed (old or freshly signed) and an order under its id (the earlier design's echo) erase nothing and settle nothing more", () => {
    const r = connected();
    const notice = withdrawn(r);
    r.broker.publish(topic("answer"), answerTo(notice));
    r.run(300);
    assert.deepEqual(r.state.pending.at(-1), []);
    const saves = r.state.pending.length;
    r.state.held.add(42);
    r.broker.publish(topic("answer"), answerTo(notice));
    r.broker.publish(topic("answer"), answerTo(notice, { issuedAt: T + 60_000 }));
    r.broker.publish(topic("erase"), eraseOrder(42, NOTICE_ID, T + 60_000));
    r.run(300);
    assert.ok(r.state.held.has(42));
    assert.equal(erases(r, 42), 0);
    assert.equal(r.state.pending.length, saves, "nothing saved");
    assert.equal(r.sent().filter((l) => l === "erased").length, 1, "the order gets the remembered receipt, nothing more");
  });

  it("HELD: an answer signed by an unknown key, for another gate, of kind share or pin, or naming another notice (another with the same id too), and an order under the notice's id, do not settle the notice; the right one does, once", () => {
    const r = connected();
    const notice = withdrawn(r);
    const saves = r.state.pending.length;
    r.broker.publish(topic("answer"), answerTo(notice, { by: intruder }));
    r.broker.publish(topic("answer"), answerTo(notice, { gate: GATE + 1 }));
    r.broker.publish(topic("answer", GATE + 1), answerTo(notice, { gate: GATE + 1 }));
    r.broker.publish(topic("answer"), answerTo(notice, { kind: "share" }));
    r.broker.publish(topic("answer"), answerTo(notice, { kind: "pin" }));
    r.broker.publish(topic("answer"), answerTo(notice.slice(0, -1)));
    r.broker.publish(topic("answer"), answerTo(sameIdOtherTime()));
    r.broker.publish(topic("erase"), eraseOrder(42, NOTICE_ID));
    r.broker.publish(topic("erase"), eraseOrder(41, NOTICE_ID));
    r.run(300);
    assert.equal(r.state.pending.length, saves, "nothing saved: the notice waits on");
    assert.match(r.fleet.status(), TO_DELIVER);
    assert.ok(r.state.held.has(41), "the order for another resident under the notice's id erased nothing");
    const refusals = r.audit.filter((e) => e.kind === "sync-refused").map((e) => e.detail);
    assert.ok(refusals.includes("hub answer unknown-key") && refusals.includes("hub answer wrong-gate"), refusals.join("; "));
    r.broker.publish(topic("answer"), answerTo(notice));
    r.run(300);
    assert.deepEqual(r.state.pending.at(-1), [], "settled");
    assert.equal(r.state.pending.length, saves + 1);
    assert.doesNotMatch(r.fleet.status(), TO_DELIVER);
    r.broker.publish(topic("answer"), answerTo(notice));
    r.run(300);
    assert.equal(r.state.pending.length, saves + 1, "the answer replayed saves nothing");
  });

  for (const untrusted of [false, true]) {
    it(`HELD: an old answer replayed settles only the very notice it names, never another one waiting (clock ${untrusted ? "not trusted" : "trusted"})`, () => {
      const r = connected(untrusted);
      const first = withdrawn(r, 42, NOTICE_ID);
      const old = answerTo(first, { issuedAt: T - 3 * DAY });
      const second = withdrawn(r, 43, new Uint8Array(16).fill(43));
      assert.equal(r.state.pending.at(-1)!.length, 2);
      // Answers carry no freshness check (bound by digest): three days old, it settles its own notice.
      r.broker.publish(topic("answer"), old);
      r.run(300);
      assert.deepEqual(r.state.pending.at(-1)!.map((n) => n.length === second.length && n.every((b, i) => b === second[i])), [true], "the other notice waits on");
      const saves = r.state.pending.length;
      r.broker.publish(topic("answer"), old);
      r.broker.publish(topic("answer"), answerTo(first, { resident: 43, issuedAt: T - 3 * DAY }));
      r.run(300);
      assert.equal(r.state.pending.length, saves, "replayed, or relabelled for resident 43: nothing settled");
      assert.match(r.fleet.status(), /1 withdrawal notice\(s\) to deliver/);
      r.broker.publish(topic("answer"), answerTo(second, { resident: 43 }));
      r.run(300);
      assert.deepEqual(r.state.pending.at(-1), []);
      assert.deepEqual([erases(r, 42), erases(r, 43)], [0, 0], "answers erase nothing");
    });
  }
});

/** A notice of the same resident and id made at another time (as one made again from the record would be). */
function sameIdOtherTime(): Uint8Array {
  const other = fleetLinkRig();
  other.fleet.withdrawnHere(42, true, NOTICE_ID, T + 1);
  return other.state.pending.at(-1)![0];
}

describe("answer adversary: resends", () => {
  it("HELD: an unanswered notice is resent with a doubling wait capped at RESEND_MAX_MS (about 1 per 15 min after the ramp)", function () {
    this.timeout(600_000);
    const r = connected();
    withdrawn(r);
    // A keep-alive answers the broker; 4 hours idle in 1 s ticks.
    r.run(4 * 3600_000, 1000);
    const n = withdrawnSent(r);
    // 30 s, 60, 120, 240, 480, 900, then every 900 s: about 6 + (14400 - 1830) / 900 ~ 20.
    assert.ok(n >= 10 && n <= 25, `sent ${n} times in 4 h`);
    assert.ok(RESEND_MAX_MS === 15 * 60_000 && RESEND_FIRST_MS === 30_000);
  });

  it("HELD: a flapping connection sends each unanswered notice once per connection, not more", () => {
    const r = fleetLinkRig();
    r.fleet.start();
    r.run(300);
    for (let i = 0; i < 5; i++) r.fleet.withdrawnHere(100 + i, false, new Uint8Array(16).fill(100 + i));
    r.run(300);
    assert.equal(withdrawnSent(r), 5);
    for (let k = 0; k < 10; k++) {
      r.cut();
      r.run(1000, 50);
    }
    const n = withdrawnSent(r);
    assert.ok(n <= 5 * 11, `at most one copy per notice per connection (${n})`);
  });
});

// PinReports over the NorFlash model (test/app/pin-reports.test.ts's campaign pattern).
const SIZE = 64 * 1024;
const KEY_ID = 0x2468ace1;
const salt = Uint8Array.of(9, 8, 7, 6);
const setPin = (id: number, n: number) => encodeChange({ kind: "set-compound-pin", id, salt, hash: new Uint8Array(16).fill(n), keyId: KEY_ID });

function openReports(flash: NorFlash) {
  const store = LogStore.open(flash, { random: lcgRandom(5) });
  const logs: string[] = [];
  const reports = new PinReports({ store, gateId: 3, sign: gateSign, trustedNow: () => undefined, log: (l) => logs.push(l) });
  return { store, reports, logs };
}

/** A verified answer to `report`, as fleet.ts passes it. */
function pinAnswer(report: Uint8Array, outcome: AnswerOutcome, hubSeq: number): HubAnswer {
  const r = decodePinReport(report).report;
  return { kind: "pin", gateId: r.gateId, seq: r.seq, residentId: r.residentId, outcome, hubSeq, digest: answerDigest(report), issuedAt: 0, keyId: keyIdOf(hub.publicKey) };
}

describe("answer adversary: PIN reports across power cuts", () => {
  for (const outcome of ["replayed", "taken"] as const) {
    it(`HELD: a power cut at every flash operation of a '${outcome}' answer leaves the report (old or re-issued past the hub's seq) or, for taken, settles it; never a lost report or a reused seq`, function () {
      this.timeout(600_000);
      const base = new NorFlash(SIZE);
      openReports(base).reports.changedHere(setPin(42, 1));
      const image = base.image.slice();
      const first = openReports(new NorFlash(SIZE, { image })).reports.pending()[0].report;
      const clean = new NorFlash(SIZE, { image });
      const c = openReports(clean);
      const ops = clean.ops;
      assert.equal(c.reports.answered(pinAnswer(first, outcome, 9)), true, "kept");
      const total = clean.ops - ops;
      assert.ok(total > 0);
      for (let k = 1; k <= total; k++) {
        const nor = new NorFlash(SIZE, { image, seed: k });
        const g = openReports(nor);
        nor.cutAt = nor.ops + k;
        assert.throws(() => g.reports.answered(pinAnswer(first, outcome, 9)), (e) => e instanceof PowerCut, `cut at op ${k}`);
        nor.powerOn();
        const after = openReports(nor);
        const pending = after.reports.pending().map((p) => decodePinReport(p.report).report.seq);
        if (outcome === "replayed") assert.ok(pending.length === 1 && (pending[0] === 1 || pending[0] === 10), `cut at op ${k}: ${pending}`);
        else assert.ok(pending.length <= 1 && (pending.length === 0 || pending[0] === 1), `cut at op ${k}: ${pending}`);
        // The next report is numbered past anything the hub may have seen.
        const seen: number[] = [];
        after.reports.onReport = (_id, r) => seen.push(decodePinReport(r).report.seq);
        after.reports.changedHere(setPin(44, 3));
        assert.ok(seen[0] > Math.max(1, ...pending), `cut at op ${k}: next seq ${seen[0]} after ${pending}`);
        assert.equal(nor.violations, 0);
      }
    });
  }

  it("HELD: a store refusing an answer's change says so (false: the link sends the report again), keeps the report as it was, and the same answer later settles it", () => {
    const { store, reports, logs } = openReports(new NorFlash(SIZE));
    reports.changedHere(setPin(42, 1));
    const [{ report }] = reports.pending();
    let refuse = true;
    const full = () => { if (refuse) throw new OptgateError("E_STORE_FULL", "the flash store is full"); };
    const refusing = {
      get: (k: string) => store.get(k),
      keys: (prefix?: string) => store.keys(prefix),
      delete: (k: string) => { full(); store.delete(k); },
      commit: (ops: StoreOp[]) => { full(); return store.commit(ops); },
    } as unknown as LogStore;
    const made: number[] = [];
    const g = new PinReports({ store: refusing, gateId: 3, sign: gateSign, trustedNow: () => undefined, log: (l) => logs.push(l) });
    g.onReport = (_id, r) => made.push(decodePinReport(r).report.seq);
    for (const outcome of ["taken", "replayed", "superseded"] as const) {
      assert.equal(g.answered(pinAnswer(report, outcome, 9)), false, outcome);
      assert.deepEqual(g.pending().map((p) => Array.from(p.report)), [Array.from(report)], `${outcome}: the same report waits`);
    }
    assert.deepEqual(made, [], "no report made again");
    assert.match(logs.join("\n"), /not kept .*the report goes again/);
    refuse = false;
    assert.equal(g.answered(pinAnswer(report, "taken", 9)), true);
    assert.deepEqual(g.pending(), []);
  });
});
