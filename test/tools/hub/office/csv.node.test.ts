// Residents' CSV at the office: every bad row named with its line before
// anything changes, a good file applied whole and reaching the gate, PINs
// never in the file, the export read back unchanged.
import assert from "node:assert/strict";
import { COMPOUND, card, person } from "../fleet";
import { forEachDatabase } from "../servers";
import { OfficeRig, type Browser } from "./rig";

const HEADER = "id,unit,role,status,valid_from,valid_until,groups,cards,pin";

async function upload(browser: Browser, csv: string) {
  await browser.get("/residents/import");
  const boundary = "----optgate" + Math.random().toString(16).slice(2);
  const body = [`--${boundary}`, 'Content-Disposition: form-data; name="_csrf"', "", browser.csrf,
    `--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="r.csv"', "Content-Type: text/csv", "", csv, `--${boundary}--`, ""].join("\r\n");
  return browser.raw("POST", "/residents/import", body, `multipart/form-data; boundary=${boundary}`);
}

forEachDatabase("office page: residents CSV (hub web)", (kind) => {
  let rig: OfficeRig;
  beforeEach(async () => { rig = await OfficeRig.open(kind); });
  afterEach(async () => { await rig.close(); });

  it("lists every bad row with its line and changes nothing", async () => {
    const pin = { salt: new Uint8Array(4).fill(1), hash: new Uint8Array(16).fill(2) };
    await rig.fleet.hub.putResidents(COMPOUND, [person(1, { pin }), person(2), person(3)]);
    const operator = await rig.login("operator");
    const csv = [HEADER,
      ",A1,owner,,,,1,04000001,",              // 2 good
      ",A2,landlord,,,,1,04000002,",           // 3 bad role
      "x,A3,owner,,,,1,04000003,",             // 4 bad id
      ",A4,owner,,2026-13-01,,1,04000004,",    // 5 bad date
      ",A5,owner,,,,1,04000001,",              // 6 card also on line 2
      `,A6,owner,,,,1,${Buffer.from(card(3)).toString("hex")},`, // 7 card of resident 3, not in the file
      ",A7,owner,,,,1,,1234",                  // 8 a PIN in the file
      ",A8,owner,,,,1,,",                      // 9 no credential
      "2,B2,owner,,,,1,04000009,set",          // 10 resident 2 has no PIN to keep
      "1,B1,owner,,,,1,,reset",                // 11 PIN cleared and no card: no credential
      "1,B1b,owner,,,,1,04000010,",            // 12 resident 1 twice
      "only,three,fields",                     // 13
      '",A9,owner,,,,1,04000011,',             // 14 unclosed quote
    ].join("\n");
    const res = await upload(operator, csv);
    assert.equal(res.statusCode, 400, res.body);
    const problems = [...res.body.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => `${m[1]}: ${m[2]}`);
    const lines = problems.map((p) => Number(p.split(":")[0]));
    assert.deepEqual([...new Set(lines)], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], problems.join("\n"));
    assert.match(problems.join("\n"), /8: pin &quot;1234&quot; must be empty/);
    assert.match(problems.join("\n"), /7: card 04c00003 is held by resident 3, who is not in this file/);
    assert.match(problems.join("\n"), /6: card 04000001 is also on line 2/);
    assert.match(problems.join("\n"), /12: resident 1 is also on line 11/);
    assert.equal((await rig.db.query("select 1 from resident")).length, 3);
    assert.equal((await rig.db.query("select 1 from resident where pin_hash is not null")).length, 1);
  });

  it("applies a good file whole: new residents, a changed one, a PIN reset, and the gate gets them", async () => {
    const gate = await rig.fleet.addGate(10);
    const pin = { salt: new Uint8Array(4).fill(1), hash: new Uint8Array(16).fill(2) };
    await rig.fleet.hub.putResidents(COMPOUND, [person(1, { pin }), person(2, { pin })]);
    await rig.fleet.drain();
    const operator = await rig.login("operator");
    const csv = [HEADER, ",N1,renter,,2026-12-01,2027-06-30,1 2,04a1b2c3,", "1,U1,owner,suspended,,,1,,reset", "2,U2x,staff,,,,3,04c00002,set"].join("\r\n");
    const preview = await upload(operator, csv);
    assert.equal(preview.statusCode, 200, preview.body);
    assert.match(preview.body, /1 new residents and 2 changed/);
    assert.equal((await rig.db.query("select 1 from resident")).length, 2, "nothing before apply");
    const applied = await operator.post("/residents/import/apply", { csv });
    assert.match(applied.body, /Applied: 1 new residents, 2 changed/);
    await rig.fleet.drain();
    assert.equal(gate.registry.get(3)?.unit, "N1");
    assert.equal(gate.registry.get(3)?.validUntil, Date.UTC(2027, 5, 30, 16));
    assert.equal(gate.registry.findCard(Uint8Array.from([0x04, 0xa1, 0xb2, 0xc3])), 3);
    assert.equal(gate.registry.get(1)?.status, "suspended");
    assert.equal(gate.registry.get(2)?.unit, "U2x");
    const pins = await rig.db.query<{ id: number }>("select id from resident where pin_hash is not null order by id");
    assert.deepEqual(pins.map((r) => Number(r.id)), [2]);
    const [log] = await rig.db.query<{ username: string; detail: string }>("select username, detail from office_audit where action = 'residents import'");
    assert.deepEqual({ ...log }, { username: "operator", detail: "1 added, 2 changed" });
  });

  it("plans again when applying: a file that went stale is refused", async () => {
    const operator = await rig.login("operator");
    const csv = [HEADER, ",N1,owner,,,,1,04a1b2c3,"].join("\n");
    assert.equal((await upload(operator, csv)).statusCode, 200);
    await rig.fleet.hub.putResidents(COMPOUND, [person(7, { cards: [Uint8Array.from([0x04, 0xa1, 0xb2, 0xc3])] })]);
    const res = await operator.post("/residents/import/apply", { csv });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /card 04a1b2c3 is held by resident 7/);
    assert.equal((await rig.db.query("select 1 from resident")).length, 1);
  });

  it("exports what it imports: the export read back changes nothing, and holds no PIN", async () => {
    const pin = { salt: new Uint8Array(4).fill(1), hash: new Uint8Array(16).fill(2) };
    await rig.fleet.hub.putResidents(COMPOUND, [person(1, { pin, unit: "=1+1", validUntil: Date.UTC(2027, 0, 31, 16), validFrom: Date.UTC(2026, 0, 1, 16) }), person(2, { groups: 5 })]);
    const auditor = await rig.login("auditor");
    const res = await auditor.get("/residents/export.csv");
    assert.match(String(res.headers["content-disposition"]), /residents\.csv/);
    const csv = res.body.replace(/^\ufeff/, "");
    assert.match(csv, /^id,unit,role,status,valid_from,valid_until,groups,cards,pin\r\n1,"'=1\+1",owner,active,2026-01-02,2027-01-31,1,04c00001,set\r\n2,U2,owner,active,,,1 3,04c00002,\r\n$/);
    assert.ok(!csv.includes("0202020202"));
    const before = await rig.db.query("select * from resident order by id");
    const operator = await rig.login("operator");
    assert.match((await upload(operator, csv)).body, /0 new residents and 2 changed/);
    await operator.post("/residents/import/apply", { csv });
    assert.deepEqual(await rig.db.query("select * from resident order by id"), before);
  });
});
