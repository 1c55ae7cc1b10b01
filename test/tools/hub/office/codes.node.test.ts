// Visitor codes on the office page, over the in-process fleet (protocol gates
// running the real sync core, registry and code opening): an operator issues
// a code and sees it once; the gates take it sealed; nothing at the hub (its
// tables, the office log, later pages) holds the code; revoke takes it away
// at every gate; roles and CSRF are enforced.
import assert from "node:assert/strict";
import { COMPOUND, person } from "../fleet";
import { forEachDatabase } from "../servers";
import { OfficeRig } from "./rig";

/** Every text and byte column of every table the hub keeps, as one string (hex for bytes). */
async function everything(rig: OfficeRig): Promise<string> {
  const tables = await rig.db.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'");
  let all = "";
  for (const { table_name } of tables) {
    for (const row of await rig.db.query<Record<string, unknown>>(`select * from "${table_name}"`)) {
      for (const v of Object.values(row)) all += (v instanceof Uint8Array ? `${Buffer.from(v).toString("hex")}|${Buffer.from(v).toString("latin1")}` : String(v)) + "\n";
    }
  }
  return all;
}

forEachDatabase("office page: visitor codes", (kind) => {
  let rig: OfficeRig;
  beforeEach(async () => { rig = await OfficeRig.open(kind); });
  afterEach(async () => { await rig.close(); });

  const issueAt = async (gates: number[]) => {
    for (const id of gates) await rig.fleet.addGate(id);
    await rig.fleet.hub.putResidents(COMPOUND, [person(1, { role: "visitor" })]);
    await rig.fleet.drain();
    const operator = await rig.login("operator");
    await operator.get("/residents/1");
    const res = await operator.post("/residents/1/codes", { hours: "48", uses: "1" });
    await rig.fleet.drain();
    const code = /<strong id="issued-code">([0-9]+)<\/strong>/.exec(res.body)?.[1];
    return { operator, res, code };
  };

  it("issues a code shown once, sealed to each gate holding the resident, stored nowhere at the hub", async () => {
    const { operator, res, code } = await issueAt([10, 11]);
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    assert.match(code ?? "", /^[0-9]{8}$/);
    assert.equal(res.headers["cache-control"], "no-store");
    assert.ok(!String(res.headers.location ?? "").includes(code!));
    for (const id of [10, 11]) {
      const entry = rig.fleet.gates.get(id)!.registry.findCode(code!);
      assert.deepEqual([entry?.resident, entry?.uses], [1, 1], `gate ${id} holds the code`);
      assert.equal(entry?.until, Math.floor((rig.fleet.now + 48 * 3_600_000) / 1000));
    }
    const stored = await everything(rig);
    assert.ok(stored.includes("code issue"), "the office log has the issue");
    assert.ok(!stored.includes(code!), "no table holds the code (sealed copies are ciphertext)");
    const [log] = await rig.db.query<{ username: string; detail: string }>("select username, detail from office_audit where action = 'code issue'");
    assert.equal(log.username, "operator");
    assert.match(log.detail, /^resident 1 code \d+ uses 1 hours 48 gates 10,11$/);
    const page = await operator.get("/residents/1");
    assert.ok(!page.body.includes(code!), "the resident page never shows it again");
    assert.match(page.body, /Visitor codes/);
    assert.match(page.body, /0 \/ 1/);
  });

  it("revokes a code at every gate, recorded with who did it", async () => {
    const { operator, code } = await issueAt([10, 11]);
    const [{ id }] = await rig.fleet.hub.codes.list(COMPOUND, 1);
    await operator.get("/residents/1");
    const res = await operator.post(`/residents/1/codes/${id}/revoke`, {});
    assert.equal(res.statusCode, 303, res.body.slice(0, 300));
    await rig.fleet.drain();
    for (const gate of [10, 11]) assert.equal(rig.fleet.gates.get(gate)!.registry.findCode(code!), undefined, `gone at gate ${gate}`);
    const [log] = await rig.db.query<{ username: string; detail: string }>("select username, detail from office_audit where action = 'code revoke'");
    assert.deepEqual({ ...log }, { username: "operator", detail: `resident 1 code ${id}` });
    assert.match((await operator.get("/residents/1")).body, /revoked/);
    // Revoking again, or another resident's code, finds nothing.
    await operator.get("/residents/1");
    assert.equal((await operator.post(`/residents/1/codes/${id}/revoke`, {})).statusCode, 404);
    await rig.fleet.hub.putResidents(COMPOUND, [person(2)]);
    await operator.get("/residents/2");
    assert.equal((await operator.post(`/residents/2/codes/${id}/revoke`, {})).statusCode, 404);
  });

  it("refuses a bad form, an auditor and a post without the CSRF token, issuing nothing", async () => {
    await rig.fleet.addGate(10);
    await rig.fleet.hub.putResidents(COMPOUND, [person(1, { role: "courier" })]);
    const operator = await rig.login("operator");
    await operator.get("/residents/1");
    for (const form of [{ hours: "0", uses: "1" }, { hours: "721", uses: "1" }, { hours: "2", uses: "21" }, { hours: "2.5", uses: "1" }, { hours: "x", uses: "1" }]) {
      const res = await operator.post("/residents/1/codes", form);
      assert.equal(res.statusCode, 400, JSON.stringify(form));
      assert.match(res.body, /Hours must be 1 to 720 and uses 1 to 20/);
    }
    assert.equal((await operator.post("/residents/1/codes", { hours: "2", uses: "1" }, false)).statusCode, 403, "no CSRF token");
    const auditor = await rig.login("auditor");
    const page = await auditor.get("/residents/1");
    assert.doesNotMatch(page.body, /Issue code/);
    assert.equal((await auditor.post("/residents/1/codes", { hours: "2", uses: "1" })).statusCode, 403);
    assert.equal((await operator.post("/residents/9/codes", { hours: "2", uses: "1" })).statusCode, 404);
    assert.deepEqual(await rig.fleet.hub.codes.list(COMPOUND, 1), []);
  });

  it("speaks Chinese and escapes the resident's unit on the issue page", async () => {
    await rig.fleet.addGate(10);
    await rig.fleet.hub.putResidents(COMPOUND, [person(1, { role: "visitor", unit: "<b>1</b>" })]);
    await rig.fleet.drain();
    const operator = await rig.login("operator");
    await operator.post("/lang", { lang: "zh" });
    await operator.get("/residents/1");
    const res = await operator.post("/residents/1/codes", { hours: "1", uses: "1" });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /只显示这一次/);
    assert.ok(!res.body.includes("<b>1</b>") && res.body.includes("&lt;b&gt;1&lt;/b&gt;"));
  });
});
