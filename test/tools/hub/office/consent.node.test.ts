// The consent register from the gates' own records: who consents now, each
// withdrawal with every gate's erasure done (and how long it took) or pending,
// residents on card or PIN only counted, and one resident's subject report.
import assert from "node:assert/strict";
import { AuditLog } from "../../../../src/core/audit/audit-log";
import type { AuditKind } from "../../../../src/core/audit/audit-record";
import { COMPOUND, T0, person } from "../fleet";
import { forEachDatabase } from "../servers";
import { OfficeRig } from "./rig";

const MIN = 60_000;

function log(events: [number, AuditKind, number, string?][]): Uint8Array[] {
  const l = new AuditLog();
  for (const [at, kind, subject, detail] of events) l.append({ time: T0 + at, actorKind: "resident", actor: subject, kind, decision: "info", reason: "info", subject, detail });
  return l.records();
}

forEachDatabase("office page: consent register (hub web)", (kind) => {
  let rig: OfficeRig;
  beforeEach(async () => { rig = await OfficeRig.open(kind); });
  afterEach(async () => { await rig.close(); });

  it("shows who consents, each withdrawal's erasures done or pending, and the delay to the last", async () => {
    await rig.fleet.hub.putResidents(COMPOUND, [person(1), person(2), person(3), person(4), person(5)]);
    const g10 = await rig.fleet.addGate(10), g11 = await rig.fleet.addGate(11);
    rig.fleet.wire.push(g10.auditBatch("security", log([
      [0, "consent-given", 1, "receipt A1"], [1 * MIN, "face-enrolled", 1], [2 * MIN, "consent-given", 2], [3 * MIN, "face-enrolled", 2],
      [4 * MIN, "consent-given", 3], [5 * MIN, "consent-withdrawn", 3], [6 * MIN, "consent-given", 4], [7 * MIN, "face-enrolled", 4],
      [10 * MIN, "consent-withdrawn", 1, "receipt W1"], [10 * MIN + 5000, "face-erased", 1],
      [11 * MIN, "card", 2],
    ])), g11.auditBatch("security", log([[20 * MIN, "consent-withdrawn", 2, "receipt W2"]])));
    await rig.fleet.drain();
    const auditor = await rig.login("auditor");
    const page = (await auditor.get("/consent")).body;
    assert.match(page, /5 residents: 1 consent to face now, 4 use card or PIN only; 3 withdrawals, 1 erasures pending\./);
    const consenting = [...page.matchAll(/<tr><td><a href="\/consent\/(\d+)">\d+<\/a><\/td><td>(\d+)<\/td><td>[^<]+<\/td><\/tr>/g)].map((m) => `${m[1]}@${m[2]}`);
    assert.deepEqual(consenting, ["4@10"]);
    const rows = [...page.matchAll(/<tr><td><a href="\/consent\/(\d+)">\d+<\/a><\/td><td>(\d+)<\/td><td>[^<]+<\/td>\s*<td>(.*?)<\/td>\s*<td>(.*?)<\/td><\/tr>/g)].map((m) => [m[1], m[2], m[3].replace(/<\/?div>/g, ""), m[4]]);
    assert.deepEqual(rows, [
      ["3", "10", "no template was held", "–"],
      ["1", "10", "erased at gate 10 after 5 s", "5 s"],
      ["2", "11", "pending at gate 10 (offline)", "–"],
    ]);
  });

  it("prints one resident's subject report: what the hub holds, the gates' events, never a template", async () => {
    const pin = { salt: new Uint8Array(4).fill(3), hash: new Uint8Array(16).fill(4) };
    await rig.fleet.hub.putResidents(COMPOUND, [person(1, { pin, unit: "B3-1204" }), person(2)]);
    const g10 = await rig.fleet.addGate(10);
    rig.fleet.wire.push(g10.auditBatch("security", log([[0, "consent-given", 1, "receipt A1"], [MIN, "face-enrolled", 1], [2 * MIN, "consent-given", 2], [3 * MIN, "consent-withdrawn", 1], [3 * MIN + 200, "face-erased", 1]])));
    await rig.fleet.drain();
    const auditor = await rig.login("auditor");
    const report = (await auditor.get("/consent/1")).body;
    assert.match(report, /<dt>Unit<\/dt><dd>B3-1204<\/dd>/);
    assert.match(report, /<dt>PIN<\/dt><dd>set<\/dd>/);
    const kinds = [...report.matchAll(/<td>10<\/td><td>([\w-]+)<\/td><td>([^<]*)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`.trim());
    assert.deepEqual(kinds, ["consent-given receipt A1", "face-enrolled", "consent-withdrawn", "face-erased"]);
    assert.match(report, /<h1>Subject report · Id 1<\/h1>/);
    assert.equal((await auditor.get("/consent/9")).statusCode, 404);
    assert.equal((await auditor.get("/consent/16777216")).statusCode, 404);
    const [{ n }] = await rig.db.query<{ n: unknown }>("select count(*) as n from office_audit where action = 'subject report' and detail = 'resident 1'");
    assert.equal(Number(n), 1);
  });

  it("withdraws at the office: every gate erases and receipts, an offline gate shows pending until it is back", async () => {
    await rig.fleet.hub.putResidents(COMPOUND, [person(42)]);
    for (const id of [10, 11, 12]) (await rig.fleet.addGate(id)).templates.add(42);
    await rig.fleet.drain();
    const operator = await rig.login("operator");
    const report = await operator.get("/consent/42");
    assert.match(report.body, /Withdraw consent: erase the template at every gate/);
    rig.fleet.filter = (m) => !m.topic.startsWith(`optgate/${COMPOUND}/12/`); // gate 12 is away
    rig.fleet.now += 1000;
    assert.equal((await operator.post("/consent/42/withdraw", {})).headers.location, "/consent/42");
    rig.fleet.now += 2000;
    await rig.fleet.drain();
    assert.equal(rig.fleet.gates.get(10)!.templates.has(42), false);
    assert.equal(rig.fleet.gates.get(12)!.templates.has(42), true);
    const cells = (body: string) => [...body.matchAll(/<tr data-order="[0-9a-f]+">[\s\S]*?<td>((?:<div>.*?<\/div>)+)<\/td>\s*<td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1].replace(/<\/?div>/g, "|"), m[2]]);
    const pending = cells((await operator.get("/consent")).body);
    assert.deepEqual(pending, [["|gate 10: erased, receipt after 2 s||gate 11: erased, receipt after 2 s||pending at gate 12 (offline)|", "–"]]);
    // A week later gate 12 is back: the order is resent, it erases and receipts.
    rig.fleet.filter = () => true;
    rig.fleet.now += 7 * 86_400_000;
    await rig.fleet.hub.pumpAll();
    rig.fleet.wire.push(...rig.fleet.gates.get(12)!.hello());
    await rig.fleet.drain();
    assert.equal(rig.fleet.gates.get(12)!.templates.has(42), false);
    const later = await rig.login("operator"); // the morning's session has long expired
    const done = cells((await later.get("/consent/42")).body);
    assert.match(done[0][0], /gate 12: erased, receipt after 7\.0 d/);
    assert.equal(done[0][1], "7.0 d");
    const [log] = await rig.db.query<{ username: string; detail: string }>("select username, detail from office_audit where action = 'consent withdraw'");
    assert.equal(log.username, "operator");
    assert.match(log.detail, /^resident 42 order [0-9a-f]+$/);
    const auditor = await rig.login("auditor");
    assert.equal((await auditor.post("/consent/42/withdraw", {})).statusCode, 403);
  });
});
