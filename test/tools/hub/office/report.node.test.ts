// The compliance report: its figures against the database (residents counted
// by SQL, consent events as the gates reported them), on the page and in the
// PDF (text read back out of its content streams).
import assert from "node:assert/strict";
import { AuditLog } from "../../../../src/core/audit/audit-log";
import type { AuditKind } from "../../../../src/core/audit/audit-record";
import { COMPOUND, T0, person } from "../fleet";
import { forEachDatabase } from "../servers";
import { translator } from "../../../../tools/hub/web/i18n";
import { pdfText } from "./pdf-text";
import { OfficeRig } from "./rig";

const MIN = 60_000;

function log(events: [number, AuditKind, number, string?][]): Uint8Array[] {
  const l = new AuditLog();
  for (const [at, kind, subject, detail] of events) l.append({ time: T0 + at, actorKind: "resident", actor: subject, kind, decision: "info", reason: "info", subject, detail });
  return l.records();
}

forEachDatabase("office page: compliance report (hub web)", (kind) => {
  let rig: OfficeRig;
  beforeEach(async () => { rig = await OfficeRig.open(kind); });
  afterEach(async () => { await rig.close(); });

  /** Seven residents, consents, withdrawals and erasures at two gates; the figures the report must show, by English label. */
  async function reportFixture(): Promise<Record<string, string>> {
    await rig.fleet.hub.putResidents(COMPOUND, Array.from({ length: 7 }, (_, i) => person(i + 1)));
    const g10 = await rig.fleet.addGate(10), g11 = await rig.fleet.addGate(11);
    rig.fleet.wire.push(
      g10.auditBatch("security", log([
        [0, "consent-given", 1], [MIN, "face-enrolled", 1], [2 * MIN, "consent-given", 2], [3 * MIN, "face-enrolled", 2],
        [4 * MIN, "consent-given", 3], [5 * MIN, "face-enrolled", 3],
        [10 * MIN, "consent-withdrawn", 1], [10 * MIN + 4000, "face-erased", 1],
        [20 * MIN, "consent-withdrawn", 2], [20 * MIN + 30_000, "face-erased", 2],
        [30 * MIN, "face-erased", 3, "retention: period ended"], [31 * MIN, "consent-withdrawn", 3, "retention: consent lapsed"],
      ])),
      g11.auditBatch("security", log([[0, "consent-given", 4], [MIN, "face-enrolled", 4], [2 * MIN, "consent-given", 5], [3 * MIN, "face-enrolled", 5], [9 * MIN, "consent-withdrawn", 5]])));
    await rig.fleet.drain();
    const [{ n }] = await rig.db.query<{ n: unknown }>("select count(*) as n from resident where compound_id = $1", [COMPOUND]);
    return {
      Residents: String(n), "Consenting to face now": "1", "Card or PIN only (no consent)": String(Number(n) - 1), "Consents given": "5", Withdrawals: "4",
      "Erasures done": "2", "Erasures pending": "1", "Withdrawal to last erasure, median": "4 s", "Withdrawal to last erasure, longest": "30 s",
      "Erased by the retention rule": "1", "Templates held (gate: residents)": "11: 2",
    };
  }

  it("gives the same figures as the database on the page and in the PDF", async () => {
    const expected = await reportFixture();
    const auditor = await rig.login("auditor");
    const page = (await auditor.get("/report")).body;
    for (const [label, value] of Object.entries(expected)) assert.match(page, new RegExp(`<th scope="row">${label.replace(/[()]/g, "\\$&")}</th><td>${value}</td>`), label);
    const res = await auditor.get("/report.pdf");
    assert.equal(res.headers["content-type"], "application/pdf");
    const pdf = res.rawPayload;
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    assert.match(pdf.subarray(-6).toString(), /%%EOF/);
    const text = pdfText(pdf);
    for (const [label, value] of Object.entries(expected)) assert.match(text, new RegExp(`^${label.replace(/[()]/g, "\\$&")}\\n${value}$`, "m"), label);
    assert.match(text, /Face processing: compliance report/);
    // English stays in pdfkit's built-in Helvetica: no font embedded.
    assert.doesNotMatch(pdf.toString("latin1"), /FontFile|NotoSans/);
    assert.deepEqual(new Set(pdf.toString("latin1").match(/\/BaseFont \/[\w-]+/g)), new Set(["/BaseFont /Helvetica", "/BaseFont /Helvetica-Bold"]));
    const [{ c }] = await rig.db.query<{ c: unknown }>("select count(*) as c from office_audit where action = 'compliance report'");
    assert.equal(Number(c), 1);
  });

  it("prints the same figures in Chinese in the PDF, set in the embedded Noto Sans SC", async () => {
    const expected = await reportFixture();
    const en = translator("en"), zh = translator("zh");
    const auditor = await rig.login("auditor");
    await auditor.post("/lang", { lang: "zh" });
    const res = await auditor.get("/report.pdf");
    assert.equal(res.headers["content-type"], "application/pdf");
    assert.match(String(res.headers["content-disposition"]), /compound-1-zh\.pdf/);
    const pdf = res.rawPayload;
    assert.match(pdf.toString("latin1"), /\/BaseFont \/[A-Z]{6}\+NotoSansSC/);
    assert.match(pdf.toString("latin1"), /\/FontFile2 \d+ 0 R/);
    // Each label is followed by its figure (runs of one line come out as separate strings: joined here).
    const text = pdfText(pdf).replace(/\n/g, "");
    assert.ok(text.startsWith(zh("pdfTitle")), text.slice(0, 40));
    assert.ok(text.includes(zh("purposeText")));
    const keys = ["rResidents", "rConsenting", "rCardOnly", "rConsents", "rWithdrawals", "rErased", "rPending", "rMedian", "rLongest", "rRetention", "rHeld"] as const;
    for (const key of keys) assert.ok(text.includes(zh(key) + expected[en(key)]), `${zh(key)} ${expected[en(key)]}`);
    assert.ok(text.includes(`${zh("rCameraByGate")}10: 0.0, 11: 0.0`));
    assert.doesNotMatch(text, /\ufffd/);
  });

  it("reads in Chinese on the page", async () => {
    const auditor = await rig.login("auditor");
    await auditor.post("/lang", { lang: "zh" });
    const page = (await auditor.get("/report")).body;
    assert.match(page, /<h1>合规报告<\/h1>/);
    assert.match(page, /<th scope="row">仅用门卡或密码（未同意）<\/th><td>0<\/td>/);
  });
});
