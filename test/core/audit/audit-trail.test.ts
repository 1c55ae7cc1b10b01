// The two audit chains as the gate uses them: routing, clock changes in both,
// the merged view, sequence receipts, verify over both. Portable.
import assert from "node:assert/strict";
import { AuditLog } from "../../../src/core/audit/audit-log";
import type { AuditEntry } from "../../../src/core/audit/audit-record";
import { AuditTrail, auditLogOf, DEFAULT_SECURITY_CAPACITY, logLetter } from "../../../src/core/audit/audit-trail";
import { MAX_RECORD_BYTES } from "../../../src/core/audit/audit-record";

const T = Date.UTC(2026, 5, 1);
const card = (t: number, actor = 1): AuditEntry => ({ time: t, actorKind: "resident", actor, kind: "card", decision: "grant", reason: "granted", subject: actor });
const tech = (t: number, kind: AuditEntry["kind"] = "resident-added"): AuditEntry => ({ time: t, actorKind: "technician", actor: 9, kind, decision: "info", reason: "info" });

describe("AuditTrail", () => {
  it("routes decisions to the access chain and everything else, a technician's door opening included, to security", () => {
    for (const kind of ["card", "pin", "code", "face", "exit", "unknown-cards", "throttled-entries"] as const) {
      assert.equal(auditLogOf({ kind, actorKind: "resident" }), "access", kind);
      assert.equal(auditLogOf({ kind, actorKind: "technician" }), "security", `${kind} by a technician`);
    }
    for (const kind of ["door-forced", "door-held", "consent-withdrawn", "face-erased", "clock-set", "store-damage", "guessing-alarm", "audit-break", "console-refused"] as const) {
      assert.equal(auditLogOf({ kind, actorKind: "system" }), "security", kind);
    }
    assert.equal(logLetter("access"), "A");
    assert.equal(logLetter("security"), "S");
  });

  it("numbers each chain on its own, tells the next number ahead, and reports appends with their chain", () => {
    const trail = new AuditTrail();
    const seen: string[] = [];
    trail.onAppend = (log, bytes) => seen.push(`${log}:${bytes.length}`);
    assert.deepEqual(trail.nextSeq(card(T)), { log: "access", seq: 1 });
    assert.equal(trail.append(card(T)), 1);
    assert.deepEqual(trail.nextSeq(tech(T)), { log: "security", seq: 1 });
    assert.equal(trail.append(tech(T + 1)), 1);
    assert.equal(trail.append(card(T + 2)), 2);
    assert.deepEqual(trail.nextSeq(card(T)), { log: "access", seq: 3 });
    assert.deepEqual(seen, ["access:55", "security:55", "access:55"]);
    assert.equal(trail.size, 3);
    assert.equal(trail.access.size + trail.security.size, 3);
    assert.equal(trail.byteLength, trail.access.byteLength + trail.security.byteLength);
    assert.deepEqual([trail.heads().access.seq, trail.heads().security.seq], [2, 1]);
  });

  it("sizes the security ring by default and on request", () => {
    assert.equal(new AuditTrail().security.capacity, DEFAULT_SECURITY_CAPACITY);
    const trail = new AuditTrail({ capacity: 4, securityCapacity: 8 });
    assert.deepEqual([trail.access.capacity, trail.security.capacity], [4, 8]);
    assert.equal(trail.access.byteLength, 4 * (MAX_RECORD_BYTES + 1));
  });

  it("writes a clock change into both chains, resets both watermarks, and shows it once", () => {
    const trail = new AuditTrail();
    trail.append(card(T + 10_000));
    trail.append(tech(T + 20_000, "door-forced"));
    assert.equal(trail.watermark, T + 20_000);
    for (const kind of ["clock-set", "clock-confirmed"] as const) {
      trail.append({ ...tech(T, kind) });
      assert.equal(trail.access.watermark, T, `${kind} resets the access chain`);
      assert.equal(trail.security.watermark, T, `${kind} resets the security chain`);
      assert.equal(trail.watermark, T);
    }
    assert.equal(trail.access.entries().filter((e) => e.kind.startsWith("clock")).length, 2, "copies in the access chain");
    assert.deepEqual(trail.entries().filter((e) => e.kind.startsWith("clock")).map((e) => e.log), ["security", "security"]);
    // The watermark is the later of the two chains.
    trail.append(card(T + 5));
    assert.equal(trail.watermark, T + 5);
  });

  it("merges both chains by time, a decision before what followed from it at the same time", () => {
    const trail = new AuditTrail();
    trail.append(card(T + 1));
    trail.append(tech(T + 2, "consent-given"));
    trail.append(tech(T + 3));
    trail.append(card(T + 3, 2));
    trail.append(card(T + 4, 3));
    trail.append(tech(T + 5));
    trail.append(card(T + 6, 4));
    trail.append(card(T + 7, 5));
    assert.deepEqual(trail.entries().map((e) => `${e.log} ${e.seq} ${e.time - T}`), [
      "access 1 1", "security 1 2", "access 2 3", "security 2 3", "access 3 4", "security 3 5", "access 4 6", "access 5 7",
    ]);
    assert.deepEqual(new AuditTrail().entries(), []);
  });

  it("verifies both chains: a break in either one fails the whole", () => {
    const access = new AuditLog({ capacity: 8 });
    const trail = new AuditTrail({ access });
    trail.append(card(T));
    trail.append(tech(T));
    const ok = trail.verify();
    assert.deepEqual([ok.ok, ok.count, ok.access.ok, ok.security.ok], [true, 2, true, true]);
    access.continueAfter({ seq: 5, hash: new Uint8Array(32) }); // a head that claims more than the chain holds
    const broken = trail.verify();
    assert.deepEqual([broken.ok, broken.access.ok, broken.security.ok], [false, false, true]);
    trail.distrustClock();
    assert.equal(trail.watermark, Infinity);
  });
});
