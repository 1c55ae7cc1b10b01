// Floods of refusals as one record per burst, at the exact counts and times
// (portable: Node and XS).
import assert from "node:assert/strict";
import { BURST_INDIVIDUAL, BURST_MAX_SPAN_MS, BURST_QUIET_MS, BurstLog } from "../../../src/core/access/burst-log";
import { AuditLog } from "../../../src/core/audit/audit-log";
import type { AuditRecord } from "../../../src/core/audit/audit-record";

const T = Date.UTC(2026, 5, 3, 2);
const pick = (e: AuditRecord) => ({ time: e.time, actorKind: e.actorKind, actor: e.actor, kind: e.kind, decision: e.decision, reason: e.reason, subject: e.subject });

function burst() {
  const audit = new AuditLog({ capacity: 64 });
  return { audit, log: new BurstLog(audit) };
}

describe("BurstLog", () => {
  it("lets the first ten through as themselves, counts the rest, and writes one record once quiet", () => {
    const { audit, log } = burst();
    assert.equal(BURST_INDIVIDUAL, 10);
    for (let i = 0; i < 10; i++) assert.equal(log.absorb("unknown-cards", T + i * 1_000), false, `refusal ${i + 1}`);
    for (let i = 0; i < 31; i++) assert.equal(log.absorb("unknown-cards", T + 10_000 + i * 1_000), true);
    const last = T + 40_000;
    log.flush(last, false);
    log.flush(last + BURST_QUIET_MS - 1, false);
    assert.equal(audit.size, 0);
    log.flush(last + BURST_QUIET_MS, false);
    assert.deepEqual(audit.entries().map(pick), [{ time: last, actorKind: "system", actor: 31, kind: "unknown-cards", decision: "deny", reason: "unknown-card", subject: 30 }]);
    // A new burst starts over with ten individual ones.
    assert.equal(log.absorb("unknown-cards", last + 120_000), false);
  });

  it("a burst of only individual refusals writes no count", () => {
    const { audit, log } = burst();
    for (let i = 0; i < 10; i++) log.absorb("throttled-entries", T + i);
    log.flush(T + 3_600_000, true);
    assert.equal(audit.size, 0);
  });

  it("a long burst is written every ten minutes, exactly at the span", () => {
    const { audit, log } = burst();
    for (let i = 0; i < 10; i++) log.absorb("throttled-entries", T);
    const first = T + 1_000;
    for (let t = first; t < first + BURST_MAX_SPAN_MS; t += 30_000) log.absorb("throttled-entries", t);
    assert.equal(audit.size, 0);
    log.absorb("throttled-entries", first + BURST_MAX_SPAN_MS);
    assert.deepEqual(audit.entries().map(pick), [{ time: first + BURST_MAX_SPAN_MS, actorKind: "system", actor: 21, kind: "throttled-entries", decision: "deny", reason: "locked-out", subject: 600 }]);
    log.absorb("throttled-entries", first + BURST_MAX_SPAN_MS + 5_000);
    log.flush(first + BURST_MAX_SPAN_MS + 5_000, true);
    assert.deepEqual(pick(audit.entries()[1]), { time: first + BURST_MAX_SPAN_MS + 5_000, actorKind: "system", actor: 1, kind: "throttled-entries", decision: "deny", reason: "locked-out", subject: 0 });
  });

  it("a clock that went back closes the open burst", () => {
    const { audit, log } = burst();
    for (let i = 0; i < 12; i++) log.absorb("unknown-cards", T);
    log.flush(T, false);
    assert.equal(audit.size, 0);
    log.flush(T - 1_000, false);
    assert.equal(audit.size, 1);
    assert.equal(audit.entries()[0].actor, 2);
  });
});
