// The fleet load bench at a tiny scale (3 gates, one of them the firmware in
// XS, 200 residents, a few seconds of changes): it runs end to end and its
// figures are consistent. No timing is asserted: only that every gate ends
// at its desired version holding what the hub says it should, that every
// change was acknowledged by every gate, and that the loads were counted.
import assert from "node:assert/strict";
import { runFleetBench, type FleetBenchResult } from "../../../tools/bench/fleet/run";
import { fleetRows } from "../../../tools/bench/suites/fleet";

describe("fleet load bench (tiny scale)", function () {
  this.timeout(300_000);
  let r: FleetBenchResult;

  before(async () => {
    r = await runFleetBench({ gates: 3, xsGates: 1, residents: 200, changesPerMinute: 300, windowMs: 3000, inventoryQuietMs: 300, phaseTimeoutMs: 120_000 });
  });

  it("every gate ends at its desired version, holding its desired residents, without errors", () => {
    assert.deepEqual([r.behind, r.diverged, r.errors, r.linkDrops], [[], [], [], []], "and no gate's link dropped at this load");
    assert.deepEqual([r.protocolGates, r.xsGates, r.residents], [2, 1, 200]);
    // 200 residents at each of the 3 gates, desired and reported.
    assert.equal(r.rows.resident, 200);
    assert.equal(r.rows.desired_record, 600);
    assert.equal(r.rows.inventory, 600);
  });

  it("measures the new gates' sync and every change's lag to the last gate's ack", () => {
    assert.ok(r.fleetSyncMs > 0 && r.newGate.protocolMs > 0 && r.newGate.xsMs! > 0);
    assert.ok(r.newGate.xsComputronsPerResident! > 0);
    const { changes } = r;
    assert.ok(changes.issued >= 5, `${changes.issued} changes in 3 s at 300/min`);
    assert.equal(changes.unacked, 0);
    assert.equal(changes.lag.count, changes.issued);
    assert.ok(changes.lag.p50 <= changes.lag.p99 && changes.lag.p99 <= changes.lag.max);
    // The last gate's ack is the later of the last protocol gate's and the XS gate's.
    assert.equal(changes.lag.max, Math.max(changes.lagProtocol.max, changes.lagXs!.max));
    // Each change reached each of the 3 gates in some version: one each at most, fewer when
    // edits saved while a set was on its way joined one (hub coalescing).
    assert.equal(changes.gates, 3);
    assert.ok(changes.versions >= 3 && changes.versions <= 3 * changes.issued, `${changes.versions} versions for ${changes.issued} changes`);
    assert.ok(r.rows.change_set >= changes.versions);
  });

  it("times the withdrawal until all three receipts and counts the hub's database and broker load", () => {
    assert.deepEqual([r.erasure.done, r.erasure.gates], [true, 3]);
    assert.ok(r.erasure.ms > 0);
    assert.equal(Math.max(r.erasure.protocolMs, r.erasure.xsMs!), r.erasure.ms, "the last receipt is the last of one kind");
    const u = r.erasureUnderInventories;
    assert.deepEqual([u.done, u.gates, r.rows.erasure], [true, 3, 6], "two withdrawals, three gates each");
    assert.ok(u.ms > 0 && u.inventoryParts >= 0);
    const window = r.phases.find((p) => p.phase.includes("changes,"))!;
    // Each change is a transaction at the hub, and each gate's ack of each version a statement more.
    assert.ok(window.db.transactions >= r.changes.issued, `${window.db.transactions} transactions`);
    assert.ok(window.db.statements >= r.changes.issued + r.changes.versions, `${window.db.statements} statements`);
    assert.ok(window.broker.published >= 2 * r.changes.versions, "each version and its ack pass the broker");
    assert.ok(window.broker.tcpIn > window.broker.payloadBytes);
    const rows = fleetRows(r);
    assert.ok(rows.some((row) => row.case.includes("while the gates' inventories arrive") && /inventory parts meanwhile$/.test(row.note ?? "")));
    assert.ok(rows.some((row) => row.case.includes("withdrawal") && /^(goal met|GOAL MISSED); last protocol gate [\d.]+ s, XS gate\(s\) [\d.]+ s$/.test(row.note ?? "")));
    assert.ok(rows.every((row) => Number.isFinite(row.value)), "every row has a number");
  });
});
