// PINs set here under the compound key, kept for the hub (src/app/pin-reports.ts)
// over a real LogStore on a NorFlash: a report per local compound PIN, the newest
// per resident, with a seq that only grows; a power cut at any flash operation
// leaves the report with its seq or neither. Portable (Node and XS).
import assert from "node:assert/strict";
import { NorFlash, PowerCut } from "../../boards/host/nor-flash";
import { PinReports } from "../../src/app/pin-reports";
import { encodeChange } from "../../src/core/access/changes";
import { LogStore } from "../../src/core/store/log-store";
import { keyIdOf } from "../../src/core/sync/messages";
import { answerDigest, type HubAnswer, type AnswerOutcome } from "../../src/core/sync/hub-answer";
import { decodePinReport, verifyPinReport } from "../../src/core/sync/pin-report";
import { gateSign, gateSigner, hubSigner } from "../core/sync/fixtures";
import { lcgRandom } from "./console-rig";

const SIZE = 64 * 1024;
const KEY_ID = 0x5eed1234;
const salt = Uint8Array.of(1, 2, 3, 4);
const hash = (n: number) => new Uint8Array(16).fill(n);
const setPin = (id: number, n: number) => encodeChange({ kind: "set-compound-pin", id, keyId: KEY_ID, salt, hash: hash(n) });

function open(flash: NorFlash, now?: number) {
  const store = LogStore.open(flash, { random: lcgRandom(5) });
  const sent: { id: number; seq: number }[] = [];
  const logs: string[] = [];
  const reports = new PinReports({ store, gateId: 3, sign: gateSign, trustedNow: () => now, log: (l) => logs.push(l) });
  reports.onReport = (id, r) => sent.push({ id, seq: decodePinReport(r).report.seq });
  return { store, reports, sent, logs };
}

/** The hub's answer to `report` (PinReports trusts its caller to have verified it: fleet.ts does). */
function answer(report: Uint8Array, outcome: AnswerOutcome, hubSeq?: number): HubAnswer {
  const r = decodePinReport(report).report;
  return { kind: "pin", gateId: r.gateId, seq: r.seq, residentId: r.residentId, outcome, hubSeq: hubSeq ?? r.seq, digest: answerDigest(report), issuedAt: 0, keyId: keyIdOf(hubSigner.publicKey) };
}

const seqs = (r: PinReports) => r.pending().map((p) => decodePinReport(p.report).report.seq).sort((a, b) => a - b);

describe("PIN reports kept for the hub", () => {
  it("reports each compound PIN set here, newest per resident, seq growing; device-key PINs and other changes are not reported", () => {
    const { reports, sent } = open(new NorFlash(SIZE));
    reports.changedHere(setPin(42, 1));
    const pendingBefore = reports.pending()[0].report;
    reports.changedHere(encodeChange({ kind: "set-pin", id: 43, salt, hash: hash(2) }));
    reports.changedHere(encodeChange({ kind: "clear-pin", id: 42 }));
    reports.changedHere(encodeChange({ kind: "add-resident", id: 44, role: 0, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "A", pin: { salt, hash: hash(3), keyId: KEY_ID }, cards: [], codes: [] }));
    reports.changedHere(setPin(42, 4));
    assert.deepEqual(sent, [{ id: 42, seq: 1 }, { id: 44, seq: 2 }, { id: 42, seq: 3 }]);
    const firstOf42 = pendingBefore;
    const pending = reports.pending().sort((a, b) => a.residentId - b.residentId);
    assert.deepEqual(pending.map((p) => p.residentId), [42, 44]);
    const r42 = decodePinReport(pending[0].report);
    assert.deepEqual({ ...r42.report, salt: undefined }, { gateId: 3, seq: 3, residentId: 42, keyId: KEY_ID, salt: undefined, hash: hash(4), time: 0 });
    assert.equal(verifyPinReport(r42, gateSigner.publicKey), true);
    // The hub's answer to 42's first report (replaced since) leaves the newer one waiting; its own settles it.
    reports.answered(answer(firstOf42, "taken"));
    assert.equal(reports.pending().length, 2);
    reports.answered(answer(pending[0].report, "taken"));
    assert.deepEqual(reports.pending().map((p) => p.residentId), [44]);
  });

  it("keeps a report until the hub answers it: refused outcomes settle it (logged), a replayed one is made again past the hub's seq", () => {
    const { reports, sent, logs } = open(new NorFlash(SIZE));
    reports.changedHere(setPin(42, 1));
    reports.changedHere(setPin(43, 2));
    const [r42, r43] = reports.pending().map((p) => p.report);
    reports.answered(answer(r43, "superseded"));
    assert.deepEqual(reports.pending().map((p) => p.residentId), [42]);
    assert.match(logs.join("\n"), /did not take the PIN of 43 \(superseded\)/);
    // The hub had taken seq 9 from this gate: the same PIN again, under seq 10.
    reports.answered(answer(r42, "replayed", 9));
    const [again] = reports.pending();
    const before = decodePinReport(r42).report, after = decodePinReport(again.report).report;
    assert.equal(after.seq, 10);
    assert.deepEqual({ ...after, seq: 0 }, { ...before, seq: 0 }, "the same verifier, resident and time");
    assert.equal(verifyPinReport(decodePinReport(again.report), gateSigner.publicKey), true);
    assert.deepEqual(sent.at(-1), { id: 42, seq: 10 }, "handed to the link");
    // The old answer replayed changes nothing now; the new report's answer settles it.
    reports.answered(answer(r42, "replayed", 9));
    reports.answered(answer(r42, "taken"));
    assert.equal(reports.pending().length, 1);
    reports.answered(answer(again.report, "taken"));
    assert.deepEqual(reports.pending(), []);
    // The next report is numbered past the made-again one.
    reports.changedHere(setPin(44, 3));
    assert.deepEqual(sent.at(-1), { id: 44, seq: 11 });
  });

  it("survives a reboot; a seq record lost to damage still gives seqs above the trusted time in seconds", () => {
    const flash = new NorFlash(SIZE);
    const now = Date.UTC(2026, 11, 4, 22);
    open(flash, now).reports.changedHere(setPin(42, 1));
    const again = open(flash, now + 5000);
    assert.deepEqual(seqs(again.reports), [Math.floor(now / 1000)]);
    again.store.delete("fleet/pin-seq");
    again.reports.changedHere(setPin(43, 2));
    assert.deepEqual(again.sent, [{ id: 43, seq: Math.floor(now / 1000) + 5 }]);
  });

  it("a power cut at any flash operation of a report: after the reboot the report with its seq, or neither", () => {
    const base = new NorFlash(SIZE);
    open(base).reports.changedHere(setPin(42, 1));
    const image = base.image.slice();
    const clean = new NorFlash(SIZE, { image });
    const c = open(clean);
    const ops = clean.ops;
    c.reports.changedHere(setPin(43, 2));
    const total = clean.ops - ops;
    const seen = { before: 0, after: 0 };
    for (let k = 1; k <= total; k++) {
      const nor = new NorFlash(SIZE, { image, seed: k });
      const g = open(nor);
      nor.cutAt = nor.ops + k;
      assert.throws(() => g.reports.changedHere(setPin(43, 2)), (e) => e instanceof PowerCut);
      nor.powerOn();
      const after = open(nor);
      const found = seqs(after.reports);
      if (found.length === 1) seen.before++;
      else {
        assert.deepEqual(found, [1, 2], `cut at op ${k}`);
        seen.after++;
      }
      // The next report is numbered past everything kept: the hub never sees a seq twice.
      after.reports.changedHere(setPin(44, 3));
      assert.deepEqual(after.sent.map((s) => s.seq), [found.length === 1 ? 2 : 3], `cut at op ${k}`);
      assert.equal(nor.violations, 0);
    }
    assert.ok(seen.before > 0, JSON.stringify(seen));
  });
});
