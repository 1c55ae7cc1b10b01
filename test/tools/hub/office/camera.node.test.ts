// Camera-on time per gate per local day, from the face records the gates
// streamed up: on the gates page (last 14 days) and in the compliance report
// (page and PDF, the report's period), a session across local midnight split
// there, a gate without face use at 0.
import assert from "node:assert/strict";
import { AuditLog } from "../../../../src/core/audit/audit-log";
import type { AuditEntry } from "../../../../src/core/audit/audit-record";
import { parseTimeZone } from "../../../../src/core/time/posix-tz";
import { cameraOnPerDay, cameraOnTable, faceSessions, SESSION_CAP_MS } from "../../../../tools/hub/web/camera-data";
import { COMPOUND, T0 } from "../fleet";
import { forEachDatabase } from "../servers";
import { pdfText } from "./pdf-text";
import { OfficeRig } from "./rig";

const HOUR = 3_600_000, DAY = 24 * HOUR;
const CHINA = parseTimeZone("CST-8");
// T0 is 09:00 UTC, 17:00 on 2026-12-04 in China; local midnight is T0 + 7 h.
const MIDNIGHT = T0 + 7 * HOUR;

function records(entries: Partial<AuditEntry>[]): Uint8Array[] {
  const log = new AuditLog();
  for (const e of entries) log.append({ actorKind: "resident", actor: 1, subject: 1, kind: "face", decision: "grant", reason: "granted", time: T0, ...e });
  return log.records();
}

/** Gate 10's face use: 15 sessions on 12-04, one across midnight (2 s before, 6 s after), one 20 days back. */
const GATE_10: Partial<AuditEntry>[] = [
  ...Array.from({ length: 12 }, (_, i) => ({ time: T0 + i * 60_000 })),
  // 1:N, nobody recognised: a session all the same.
  { actorKind: "keypad", actor: 0, subject: 0, decision: "deny", reason: "face-not-matched", time: T0 + HOUR },
  // The gate's own suspension after failures: no camera.
  { actorKind: "system", actor: 0, subject: 0, decision: "deny", reason: "locked-out", time: T0 + HOUR },
  // Face + PIN: a match whose PIN step was abandoned, then a match (camera off) and its PIN step: two sessions.
  { actor: 5, subject: 5, decision: "deny", reason: "second-factor-required", time: T0 + 2 * HOUR - 60_000 },
  { actor: 5, subject: 5, decision: "deny", reason: "second-factor-required", time: T0 + 2 * HOUR },
  { actor: 5, subject: 5, time: T0 + 2 * HOUR + 4000 },
  { time: MIDNIGHT + 6000 },
  { time: T0 - 20 * DAY },
  // Not face: no camera.
  { kind: "card", time: T0 + 3 * HOUR },
];

forEachDatabase("office page: camera-on time (hub web)", (kind) => {
  let rig: OfficeRig;
  beforeEach(async () => { rig = await OfficeRig.open(kind); });
  afterEach(async () => { await rig.close(); });

  async function ingest(): Promise<void> {
    const g10 = await rig.fleet.addGate(10), g11 = await rig.fleet.addGate(11);
    rig.fleet.wire.push(g10.auditBatch("access", records(GATE_10)), g11.auditBatch("access", records([{ kind: "card" }, { kind: "pin", time: T0 + HOUR }])));
    await rig.fleet.drain();
    rig.fleet.now = T0 + DAY; // 17:00 on 12-05
  }

  it("sums a gate's camera-session records exactly (cancelled sessions too), ignoring its face decisions, split at local midnight", async () => {
    const g12 = await rig.fleet.addGate(12);
    const camera = (time: number, ms: number): Partial<AuditEntry> => ({ actorKind: "system", actor: 0, subject: 0, kind: "camera-session", decision: "info", reason: "info", detail: `on ${ms} ms`, time });
    rig.fleet.wire.push(g12.auditBatch("access", records([
      camera(T0 + 1000, 3200), { time: T0 + 1000 }, // a match: its decision is not counted again
      camera(T0 + HOUR, 750), // cut short by a card: no face decision at all
      camera(MIDNIGHT + 1500, 4000), // 2.5 s before local midnight, 1.5 s after
      { actorKind: "system", actor: 0, subject: 0, kind: "camera-session", decision: "info", reason: "info", detail: "on many ms", time: T0 + 2 * HOUR }, // damaged detail: nothing
    ])));
    await rig.fleet.drain();
    rig.fleet.now = T0 + DAY;
    const { sessions, estimated } = await faceSessions(rig.db, COMPOUND, T0 - DAY, T0 + DAY);
    assert.equal(estimated.size, 0);
    assert.deepEqual(sessions.map((s) => s.end - s.start), [3200, 750, 4000]);
    const perDay = cameraOnPerDay(sessions, CHINA).get(12)!;
    assert.equal(perDay.get("2026-12-04"), 3200 + 750 + 2500);
    assert.equal(perDay.get("2026-12-05"), 1500);
    const table = await cameraOnTable(rig.db, COMPOUND, CHINA, rig.fleet.now, 14);
    assert.deepEqual(table.gates.map((g) => [g.gate, g.total, g.estimated]), [[12, 7950, false]]);
  });

  // The adversary on the gate's audit topic (its broker credential, or the broker): records forged
  // ahead of the gate's own, claiming the camera on for 10 minutes three times over one 10-minute
  // stretch. The hub cannot check a record's chain MAC, so it keeps what came first; the sum must
  // not count the same minutes three times, and the gate's own records arriving after raise the alarm.
  it("forged camera-session records: overlapping claims count once, and the gate's own records raise the alarm", async () => {
    const g12 = await rig.fleet.addGate(12);
    const camera = (time: number, ms: number): Partial<AuditEntry> => ({ actorKind: "system", actor: 0, subject: 0, kind: "camera-session", decision: "info", reason: "info", detail: `on ${ms} ms`, time });
    rig.fleet.wire.push(g12.auditBatch("access", records([camera(T0 + 600_000, 600_000), camera(T0 + 601_000, 600_000), camera(T0 + 602_000, 600_000)])));
    await rig.fleet.drain();
    const table = await cameraOnTable(rig.db, COMPOUND, CHINA, T0 + DAY, 14);
    assert.deepEqual(table.gates.map((g) => [g.gate, g.total]), [[12, 602_000]], "the union of the claims, not their sum (1,800,000)");
    rig.fleet.wire.push(g12.auditBatch("access", records([camera(T0 + 1000, 3200), { time: T0 + 1000 }, camera(T0 + HOUR, 750)])));
    await rig.fleet.drain();
    assert.deepEqual((await rig.fleet.hub.auditAlarms(12)).map((a) => [a.kind, a.seq]), [["rewritten", 1], ["rewritten", 2], ["rewritten", 3]]);
  });

  it("counts each recorded session as the time-out, per local day, split at local midnight", async () => {
    await ingest();
    const { sessions, estimated } = await faceSessions(rig.db, COMPOUND, T0 - 30 * DAY, T0 + DAY);
    assert.equal(sessions.length, 17);
    assert.ok(sessions.every((e) => e.gate === 10 && e.end - e.start === SESSION_CAP_MS));
    assert.deepEqual([...estimated], [10], "gate 10's firmware writes no camera-session records: estimated");
    const perDay = cameraOnPerDay(sessions, CHINA).get(10)!;
    assert.equal(SESSION_CAP_MS, 8000);
    assert.equal(perDay.get("2026-12-04"), 15 * 8000 + 2000);
    assert.equal(perDay.get("2026-12-05"), 6000);
    assert.equal(perDay.get("2026-11-14"), 8000);
    const table = await cameraOnTable(rig.db, COMPOUND, CHINA, rig.fleet.now, 14);
    assert.equal(table.days.length, 14);
    assert.equal(table.days[13], "2026-12-05");
    assert.equal(table.days[0], "2026-11-22");
    assert.deepEqual(table.gates.map((g) => [g.gate, g.total, g.estimated]), [[10, 128_000, true], [11, 0, false]]);
  });

  it("shows minutes per gate per day on the gates page, a gate without face use at 0", async () => {
    await ingest();
    const auditor = await rig.login("auditor");
    const page = (await auditor.get("/gates")).body;
    const row = (day: string) => [...new RegExp(`<tr><td>${day}</td>((?:<td>[\\d.]+</td>)+)</tr>`).exec(page)![1].matchAll(/<td>([\d.]+)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(row("2026-12-04"), ["2.0", "0.0"]); // 122 s
    assert.deepEqual(row("2026-12-05"), ["0.1", "0.0"]); // 6 s
    assert.deepEqual(row("2026-12-03"), ["0.0", "0.0"]);
    assert.doesNotMatch(page, /<tr><td>2026-11-14<\/td>/); // outside the 14 days
    const chart = /<script type="application\/json" data-chart="chart-camera">([^<]*)<\/script>/.exec(page);
    assert.ok(chart, "chart data");
    const data = JSON.parse(chart[1]) as { labels: string[]; series: { name: string; values: number[] }[] };
    assert.equal(data.labels.length, 14);
    assert.deepEqual(data.series.map((s) => s.values.slice(-2)), [[2, 0.1], [0, 0]]);
  });

  it("gives the report period's total and per gate on the page and in the PDF, as the database has them", async () => {
    await ingest();
    const table = await cameraOnTable(rig.db, COMPOUND, CHINA, rig.fleet.now, 30);
    assert.equal(table.total, 136_000); // the 20-day-old session is inside the 30 days
    const auditor = await rig.login("auditor");
    const page = (await auditor.get("/report")).body;
    assert.match(page, /<th scope="row">Camera-on time, 2026-11-06 to 2026-12-05 \(min\)<\/th><td>2\.3<\/td>/);
    assert.match(page, /<th scope="row">Camera-on time by gate \(gate: min\)<\/th><td>10: ~2\.3, 11: 0\.0<\/td>/);
    const text = pdfText((await auditor.get("/report.pdf")).rawPayload);
    assert.match(text, /^Camera-on time, 2026-11-06 to 2026-12-05 \(min\)\n2\.3$/m);
    assert.match(text, /^Camera-on time by gate \(gate: min\)\n10: ~2\.3, 11: 0\.0$/m);
  });
});
