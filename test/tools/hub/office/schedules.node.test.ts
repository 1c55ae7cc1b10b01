// The office page's groups & schedules view over the in-process fleet
// (protocol gates running the real sync core): an operator's edits reach the
// gates as signed versions and the office log names who made them; bad input
// is named and saves nothing; an auditor reads but cannot change; CSRF;
// holiday names render inert; both languages.
import assert from "node:assert/strict";
import { forEachDatabase } from "../servers";
import { OfficeRig } from "./rig";

const hours = { mon: "08:00-12:00, 13:00-18:00", tue: "08:00-18:00", wed: "", thu: "", fri: "22:00-06:00", sat: "", sun: "", holiday: "" };

forEachDatabase("office page: groups & schedules", (kind) => {
  let rig: OfficeRig;
  beforeEach(async () => { rig = await OfficeRig.open(kind); });
  afterEach(async () => { await rig.close(); });

  const counts = async () => {
    const [g] = await rig.db.query<{ n: unknown }>("select count(*) as n from access_group");
    const [v] = await rig.db.query<{ n: unknown }>("select count(*) as n from change_set");
    return [Number(g.n), Number(v.n)];
  };

  it("an operator sets a group's hours: the gate gets them, the list shows them, the office log names the operator", async () => {
    const gate = await rig.fleet.addGate(10);
    await rig.fleet.drain();
    const operator = await rig.login("operator");
    await operator.get("/schedules/groups/new");
    const res = await operator.post("/schedules/groups", { number: "4", name: "cleaners", ...hours });
    assert.equal(res.statusCode, 303, res.body);
    await rig.fleet.drain();
    const g = gate.groups.get(3);
    assert.equal(g?.name, "cleaners");
    assert.deepEqual(g?.week[0], [{ from: 480, to: 720 }, { from: 780, to: 1080 }]);
    assert.deepEqual(g?.week[4], [{ from: 1320, to: 360 }]);
    const list = await operator.get("/schedules");
    assert.match(list.body, /<td>cleaners<\/td><td>08:00-12:00, 13:00-18:00<\/td><td>08:00-18:00<\/td><td>closed<\/td>/);
    const edit = await operator.get("/schedules/groups/4");
    assert.match(edit.body, /name="fri" value="22:00-06:00"/);
    // Edit: Tuesday closed now.
    assert.equal((await operator.post("/schedules/groups", { number: "4", name: "cleaners", ...hours, tue: "" })).statusCode, 303);
    await rig.fleet.drain();
    assert.deepEqual(gate.groups.get(3)?.week[1], []);
    const log = await operator.get("/office-log");
    assert.match(log.body, /operator[\s\S]*group set[\s\S]*group 4 cleaners: mon 08:00-12:00, 13:00-18:00; tue closed/);
    assert.equal((await operator.post("/schedules/groups/4/remove", {})).statusCode, 303);
    await rig.fleet.drain();
    assert.equal(gate.groups.has(3), false);
    assert.match((await operator.get("/office-log")).body, /group remove/);
  });

  it("names a malformed window and saves nothing", async () => {
    await rig.fleet.addGate(10);
    await rig.fleet.drain();
    const before = await counts();
    const operator = await rig.login("operator");
    await operator.get("/schedules/groups/new");
    const res = await operator.post("/schedules/groups", { number: "4", name: "cleaners", ...hours, wed: "25:00-26:00" });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Wed: &quot;25:00-26:00&quot; is not a time window like 08:00-18:30/);
    assert.match(res.body, /name="wed" value="25:00-26:00"/, "what was typed comes back to be corrected");
    for (const bad of [{ number: "0" }, { number: "33" }, { name: "no spaces" }, { number: "1", name: "staff" }]) {
      const r = await operator.post("/schedules/groups", { number: "4", name: "cleaners", ...hours, ...bad });
      assert.equal(r.statusCode, 400, JSON.stringify(bad));
    }
    assert.equal((await operator.post("/schedules/holidays", { date: "2027-02-30", name: "x" })).statusCode, 400);
    assert.deepEqual(await counts(), before);
    assert.doesNotMatch((await operator.get("/office-log")).body, /group set|holiday add/);
  });

  it("holidays: added and removed by an operator, names rendered inert, sent to every gate", async () => {
    const gate = await rig.fleet.addGate(10);
    await rig.fleet.drain();
    const operator = await rig.login("operator");
    await operator.get("/schedules");
    assert.equal((await operator.post("/schedules/holidays", { date: "2027-02-17", name: "<script>alert(1)</script>" })).statusCode, 303);
    await rig.fleet.drain();
    assert.deepEqual(gate.holidays, [Date.UTC(2027, 1, 17) / 86_400_000]);
    const page = await operator.get("/schedules");
    assert.ok(!page.body.includes("<script>alert(1)"));
    assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.equal((await operator.post("/schedules/holidays/remove", { date: "2027-02-17" })).statusCode, 303);
    await rig.fleet.drain();
    assert.deepEqual(gate.holidays, []);
    assert.equal((await operator.post("/schedules/holidays/remove", { date: "2027-02-17" })).statusCode, 404);
    assert.match((await operator.get("/office-log")).body, /holiday add[\s\S]*holiday remove|holiday remove[\s\S]*holiday add/);
  });

  it("an auditor reads without edit controls; a post without the CSRF token changes nothing; Chinese labels", async () => {
    await rig.fleet.hub.schedules.putGroup(1, { bit: 2, name: "day", week: Array.from({ length: 7 }, () => [{ from: 420, to: 1140 }]), holiday: [] });
    const auditor = await rig.login("auditor");
    const list = await auditor.get("/schedules");
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /<td>day<\/td><td>07:00-19:00<\/td>/);
    assert.doesNotMatch(list.body, /schedules\/groups\/new|name="date"/);
    const operator = await rig.login("operator");
    await operator.get("/schedules");
    const before = await counts();
    assert.equal((await operator.post("/schedules/groups", { number: "5", name: "x", ...hours }, false)).statusCode, 403);
    assert.deepEqual(await counts(), before);
    await operator.post("/lang", { lang: "zh" });
    assert.match((await operator.get("/schedules")).body, /分组与时段[\s\S]*周一/);
  });
});
