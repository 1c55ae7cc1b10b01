// Entries per hour of the compound's day from the gates' records (grants only,
// last seven days), and chart data that cannot break out of its script block.
import assert from "node:assert/strict";
import { AuditLog } from "../../../../src/core/audit/audit-log";
import type { AuditEntry } from "../../../../src/core/audit/audit-record";
import { jsonForScript } from "../../../../tools/hub/web/assets";
import { T0 } from "../fleet";
import { forEachDatabase } from "../servers";
import { OfficeRig } from "./rig";

const HOUR = 3_600_000;

function records(entries: Partial<AuditEntry>[]): Uint8Array[] {
  const log = new AuditLog();
  for (const e of entries) log.append({ actorKind: "resident", actor: 1, kind: "card", decision: "grant", reason: "granted", time: T0, ...e });
  return log.records();
}

describe("office chart data", () => {
  it("cannot close its script element or start markup", () => {
    const text = jsonForScript({ unit: "</script><script>alert(1)</script>", amp: "&lt;" });
    assert.ok(!/[<>&]/.test(text));
    assert.deepEqual(JSON.parse(text), { unit: "</script><script>alert(1)</script>", amp: "&lt;" });
  });
});

forEachDatabase("office page: activity (hub web)", (kind) => {
  let rig: OfficeRig;
  beforeEach(async () => { rig = await OfficeRig.open(kind); });
  afterEach(async () => { await rig.close(); });

  it("counts granted entries per local hour and way in, over the last seven days", async () => {
    const g10 = await rig.fleet.addGate(10), g11 = await rig.fleet.addGate(11);
    // T0 is 09:00 UTC, 17:00 in China.
    rig.fleet.wire.push(
      g10.auditBatch("access", records([{}, { time: T0 + 60_000 }, { kind: "pin", time: T0 + HOUR }, { decision: "deny", reason: "unknown-card", time: T0 + HOUR + 1 },
        { kind: "exit", actorKind: "system", actor: 0, time: T0 + 2 * HOUR }, { kind: "resident-added", decision: "info", reason: "info", time: T0 + 2 * HOUR + 1 }])),
      g11.auditBatch("access", records([{ kind: "face", time: T0 - 8 * 24 * HOUR }, { kind: "face", time: T0 - 16 * HOUR }])));
    await rig.fleet.drain();
    rig.fleet.now = T0 + 3 * HOUR;
    const auditor = await rig.login("auditor");
    const page = (await auditor.get("/activity")).body;
    assert.match(page, /5 entries in the last 7 days\./);
    const row = (hour: string) => [...new RegExp(`<tr><td>${hour}</td>((?:<td>\\d+</td>)+)</tr>`).exec(page)![1].matchAll(/<td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
    // columns: card, PIN, visitor code, face, exit button
    assert.deepEqual(row("17:00"), [2, 0, 0, 0, 0]);
    assert.deepEqual(row("18:00"), [0, 1, 0, 0, 0]);
    assert.deepEqual(row("19:00"), [0, 0, 0, 0, 1]);
    assert.deepEqual(row("01:00"), [0, 0, 0, 1, 0]);
    assert.match(page, /<script type="application\/json" data-chart="chart-entries">\{/);
    assert.match(page, /<link rel="stylesheet" href="\/assets\/uplot.css">/);
    const script = await auditor.get("/assets/charts.js");
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers["content-type"]), /text\/javascript/);
    assert.ok(script.body.length > 10_000 && !/\bimport\s/.test(script.body.slice(0, 200)), "one bundled script");
  });
});
