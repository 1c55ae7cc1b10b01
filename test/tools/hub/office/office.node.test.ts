// The office page's guarantees, over the in-process fleet (PGlite, real sync
// core at the gates): who may see and do what, sessions, CSRF, throttled
// logins, escaping, residents reaching the gates, the office log.
import assert from "node:assert/strict";
import { missingChinese } from "../../../../tools/hub/web/i18n";
import { IDLE_MS } from "../../../../tools/hub/web/sessions";
import { MAX_FAILURES, WINDOW_MS } from "../../../../tools/hub/web/throttle";
import { card, COMPOUND, person } from "../fleet";
import { forEachDatabase } from "../servers";
import { OfficeRig, PASSWORD } from "./rig";

forEachDatabase("office page (hub web)", (kind) => {
  let rig: OfficeRig;
  beforeEach(async () => { rig = await OfficeRig.open(kind); });
  afterEach(async () => { await rig.close(); });

  it("declares access on every route, and refuses each non-public one without a session", async () => {
    const publicRoutes = rig.office.routes.filter((r) => r.access?.public).map((r) => `${r.method} ${r.url}`).sort();
    assert.deepEqual(publicRoutes, ["GET /assets/charts.js", "GET /assets/office.css", "GET /assets/uplot.css", "GET /favicon.ico", "GET /login", "POST /lang", "POST /login"]);
    const guarded = rig.office.routes.filter((r) => !r.access?.public);
    assert.ok(guarded.length >= 9, `only ${guarded.length} guarded routes`);
    const anon = rig.browser();
    assert.equal((await anon.get("/no/such/page")).statusCode, 404);
    // The groups & schedules view: reading is an auditor's, every change an operator's.
    const schedules = guarded.filter((r) => r.url.startsWith("/schedules")).map((r) => `${r.method} ${r.url} ${r.access?.role}`).sort();
    assert.deepEqual(schedules, [
      "GET /schedules auditor", "GET /schedules/groups/:number auditor", "GET /schedules/groups/new operator", "POST /schedules/groups operator",
      "POST /schedules/groups/:number/remove operator", "POST /schedules/holidays operator", "POST /schedules/holidays/remove operator",
    ]);
    for (const r of guarded) {
      assert.ok(r.access?.role, `${r.method} ${r.url} declares no role`);
      const url = r.url.replace(":id", "1").replace(":number", "2");
      const res = r.method === "GET" ? await anon.get(url) : await anon.post(url, { unit: "X" }, false);
      if (r.method === "GET") assert.equal(res.headers.location, "/login", `${r.method} ${url}`);
      else assert.equal(res.statusCode, 401, `${r.method} ${url}`);
      assert.ok(!res.body.includes("<table"), `${r.method} ${url} leaked a page`);
    }
  });

  it("lets an auditor read but not change, and refuses every operator route to them", async () => {
    await rig.fleet.hub.putResidents(COMPOUND, [person(1)]);
    const auditor = await rig.login("auditor");
    const list = await auditor.get("/residents");
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /<a href="\/residents\/1">1<\/a>/);
    assert.doesNotMatch(list.body, /href="\/residents\/new"/);
    for (const r of rig.office.routes.filter((x) => x.access?.role === "operator")) {
      const url = r.url.replace(":id", "1").replace(":number", "2");
      const res = r.method === "GET" ? await auditor.get(url) : await auditor.post(url, { unit: "B2", role: "owner", groups: "1", cards: "04c00009", status: "suspended" });
      assert.equal(res.statusCode, 403, `${r.method} ${url}`);
    }
    assert.equal((await rig.fleet.hub.gate(0)), undefined);
    const [row] = await rig.db.query<{ unit: string; status: number }>("select unit, status from resident where id = 1");
    assert.deepEqual({ ...row }, { unit: "U1", status: 0 });
  });

  it("adds a renter with a card and a window in the compound's days; the gate gets them as a signed set", async () => {
    const gate = await rig.fleet.addGate(10);
    await rig.fleet.drain();
    const operator = await rig.login("operator");
    await operator.get("/residents/new");
    const res = await operator.post("/residents", { unit: "B3-1204", role: "renter", groups: "1 3", validFrom: "2026-12-01", validUntil: "2027-06-30", cards: "04:A1:B2:C3" });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, "/residents/1");
    await rig.fleet.drain();
    const r = gate.registry.get(1);
    assert.equal(r?.unit, "B3-1204");
    assert.equal(r?.role, "renter");
    assert.equal(r?.groups, 0b101);
    // Local days in China (UTC+8): from 1 Dec 00:00 +08:00, through 30 June 23:59:59 +08:00.
    assert.equal(r?.validFrom, Date.UTC(2026, 10, 30, 16));
    assert.equal(r?.validUntil, Date.UTC(2027, 5, 30, 16));
    assert.equal(gate.registry.findCard(Uint8Array.from([0x04, 0xa1, 0xb2, 0xc3])), 1);
    const view = await operator.get("/residents/1");
    assert.match(view.body, /name="validUntil" value="2027-06-30"/);
    assert.match(view.body, /name="validFrom" value="2026-12-01"/);
    const [log] = await rig.db.query<{ username: string; action: string; detail: string }>("select username, action, detail from office_audit where action = 'resident add'");
    assert.equal(log.username, "operator");
    assert.match(log.detail, /resident 1 unit B3-1204 role renter cards 1/);
  });

  it("names every mistake in a resident form and changes nothing", async () => {
    const operator = await rig.login("operator");
    const res = await operator.post("/residents", { unit: "much too long", role: "landlord", groups: "0 33 x", validFrom: "2026-02-30", validUntil: "2026-01-01", cards: "04a1 zz 04a1b2c3 04a1b2c3" });
    assert.equal(res.statusCode, 400);
    for (const m of [/Unit: 1 to 8/, /Role: one of/, /&quot;0&quot; is not a group/, /&quot;33&quot; is not a group/, /&quot;x&quot; is not a group/, /Valid from: &quot;2026-02-30&quot; is not a date/, /&quot;04a1&quot; is not a 4, 7 or 10-byte UID/, /04a1b2c3 is listed twice/]) assert.match(res.body, m);
    const active = await operator.post("/residents", { unit: "A1", role: "owner", groups: "1", cards: "" });
    assert.equal(active.statusCode, 400);
    assert.match(active.body, /needs a card or a PIN/);
    assert.equal((await rig.db.query("select 1 from resident")).length, 0);
  });

  it("refuses a card another resident holds", async () => {
    await rig.fleet.hub.putResidents(COMPOUND, [person(1)]);
    const operator = await rig.login("operator");
    const res = await operator.post("/residents", { unit: "A2", role: "owner", groups: "1", cards: Buffer.from(card(1)).toString("hex") });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /already held by another resident/);
    assert.equal((await rig.db.query("select 1 from resident")).length, 1);
  });

  it("suspends and resumes a resident at the gate, and keeps their PIN verifier", async () => {
    const gate = await rig.fleet.addGate(10);
    const pin = { salt: new Uint8Array(4).fill(7), hash: new Uint8Array(16).fill(8) };
    await rig.fleet.hub.putResidents(COMPOUND, [person(5, { pin })]);
    await rig.fleet.drain();
    const operator = await rig.login("operator");
    await operator.get("/residents/5");
    assert.equal((await operator.post("/residents/5/status", { status: "suspended" })).statusCode, 303);
    await rig.fleet.drain();
    assert.equal(gate.registry.get(5)?.status, "suspended");
    await operator.get("/residents/5");
    assert.equal((await operator.post("/residents/5", { unit: "U5b", role: "owner", groups: "1", cards: "" })).statusCode, 303, "a suspended resident may hold no card");
    assert.equal((await operator.post("/residents/5/status", { status: "active" })).statusCode, 303, "the PIN keeps them reachable");
    await rig.fleet.drain();
    assert.equal(gate.registry.get(5)?.status, "active");
    assert.equal(gate.registry.get(5)?.unit, "U5b");
    const [row] = await rig.db.query<{ pin_hash: Uint8Array }>("select pin_hash from resident where id = 5");
    assert.deepEqual(new Uint8Array(row.pin_hash), pin.hash);
    const page = await operator.get("/residents/5");
    assert.ok(!page.body.includes(Buffer.from(pin.hash).toString("hex")) && !page.body.includes("0808080808"), "no verifier on the page");
  });

  it("resets a PIN at every gate without ever showing one, but not a resident's last credential", async () => {
    const gate = await rig.fleet.addGate(10);
    const pin = { salt: new Uint8Array(4).fill(7), hash: new Uint8Array(16).fill(8) };
    await rig.fleet.hub.putResidents(COMPOUND, [person(1, { pin }), person(2, { pin, cards: [] })]);
    await rig.fleet.drain();
    assert.ok(gate.registry.get(1)?.hasPin);
    const operator = await rig.login("operator");
    await operator.get("/residents/1");
    assert.equal((await operator.post("/residents/1/pin-reset", {})).statusCode, 303);
    await rig.fleet.drain();
    assert.equal(gate.registry.get(1)?.hasPin, false);
    assert.equal((await operator.post("/residents/2/pin-reset", {})).statusCode, 409, "the PIN is resident 2's only way in");
    await rig.fleet.drain();
    assert.ok(gate.registry.get(2)?.hasPin);
    const [log] = await rig.db.query<{ username: string }>("select username from office_audit where action = 'pin reset' and detail = 'resident 1'");
    assert.equal(log.username, "operator");
  });

  it("refuses a form posted without the session's CSRF token, or with another session's", async () => {
    const operator = await rig.login("operator");
    const other = await rig.login("installer");
    assert.equal((await operator.post("/residents", { unit: "A1", role: "owner", groups: "1", cards: "04a1b2c3" }, false)).statusCode, 403);
    assert.equal((await operator.post("/residents", { _csrf: other.csrf, unit: "A1", role: "owner", groups: "1", cards: "04a1b2c3" }, false)).statusCode, 403);
    assert.equal((await rig.db.query("select 1 from resident")).length, 0);
    assert.equal((await operator.post("/residents", { unit: "A1", role: "owner", groups: "1", cards: "04a1b2c3" })).statusCode, 303);
  });

  it("ends a session after it idles, and at logout; the token is not stored in the database", async () => {
    const operator = await rig.login("operator");
    const stored = await rig.db.query<{ token_digest: Uint8Array }>("select token_digest from office_session");
    assert.equal(stored.length, 1);
    assert.ok(!Buffer.from(stored[0].token_digest).toString("base64url").includes(operator.session!));
    rig.fleet.now += IDLE_MS - 1000;
    assert.equal((await operator.get("/residents")).statusCode, 200);
    rig.fleet.now += IDLE_MS + 1;
    assert.equal((await operator.get("/residents")).headers.location, "/login");
    const again = await rig.login("operator");
    assert.equal((await again.post("/logout", {})).statusCode, 303);
    assert.equal((await again.get("/residents")).headers.location, "/login");
    // A stolen cookie replayed after logout opens nothing.
    const replay = rig.browser();
    replay.cookies.set("og_session", again.session ?? operator.session!);
    assert.equal((await replay.get("/residents")).headers.location, "/login");
  });

  it("ends the sessions of a disabled account and refuses its logins", async () => {
    const operator = await rig.login("operator");
    await rig.db.query("update office_user set disabled = true where username = 'operator'");
    assert.equal((await operator.get("/residents")).headers.location, "/login");
    assert.equal((await rig.browser().post("/login", { username: "operator", password: PASSWORD })).statusCode, 401);
  });

  it("throttles guessing: after five failures even the right password waits, per name and per address", async () => {
    const guesser = rig.browser("10.0.0.9");
    for (let i = 0; i < MAX_FAILURES; i++) assert.equal((await guesser.post("/login", { username: "operator", password: `wrong guess ${i}` })).statusCode, 401);
    const blocked = await guesser.post("/login", { username: "operator", password: PASSWORD });
    assert.equal(blocked.statusCode, 429);
    assert.ok(Number(blocked.headers["retry-after"]) > 0);
    // The same name from elsewhere waits too (a botnet spreads its guesses over addresses) ...
    assert.equal((await rig.browser("10.0.0.10").post("/login", { username: "operator", password: PASSWORD })).statusCode, 429);
    // ... and the guessing address waits for every name.
    assert.equal((await guesser.post("/login", { username: "auditor", password: PASSWORD })).statusCode, 429);
    rig.fleet.now += WINDOW_MS + 1;
    assert.equal((await guesser.post("/login", { username: "operator", password: PASSWORD })).statusCode, 303);
    assert.equal((await rig.db.query("select 1 from office_session")).length, 1);
  });

  it("renders a unit or a name holding markup as text", async () => {
    await rig.fleet.hub.putResidents(COMPOUND, [person(1, { unit: "<script>" }), person(2, { unit: "\"><img " })]);
    const auditor = await rig.login("auditor");
    for (const url of ["/residents", "/residents/1", "/residents/2"]) {
      const page = await auditor.get(url);
      assert.ok(!page.body.includes("<script>") && !page.body.includes("<img "), url);
    }
    assert.match((await auditor.get("/residents")).body, /&lt;script&gt;/);
    assert.match((await auditor.get("/residents/2")).body, /value="&quot;&gt;&lt;img "/);
    assert.match((await auditor.get("/residents")).headers["content-security-policy"] as string, /default-src 'none'/);
  });

  it("pages 20,000 residents by id and searches units with a posted prefix", async () => {
    await rig.db.query(`insert into resident (compound_id, id, unit, role, status, groups, valid_from, valid_until)
      select 1, n, 'U' || n, 0, 0, 1, 0, 4294967295 from generate_series(1, 20000) n`);
    const auditor = await rig.login("auditor");
    const first = await auditor.get("/residents");
    assert.match(first.body, /20000 residents/);
    assert.equal([...first.body.matchAll(/<tr><td><a href="\/residents\/\d+">/g)].length, 50);
    assert.match(first.body, /href="\/residents\?after=50"/);
    const second = await auditor.get("/residents?after=50");
    const ids = [...second.body.matchAll(/<a href="\/residents\/(\d+)">/g)].map((m) => Number(m[1]));
    assert.deepEqual(ids, Array.from({ length: 50 }, (_, i) => 51 + i));
    const last = await auditor.get("/residents?after=19950");
    assert.doesNotMatch(last.body, /rel="next"/);
    const found = await auditor.post("/residents/search", { unitPrefix: "u1999" });
    const units = [...found.body.matchAll(/<td>(U1999\d*)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(units, ["U1999", ...Array.from({ length: 10 }, (_, i) => `U1999${i}`)]);
    assert.ok(!/u1999/i.test(String(found.headers.location ?? "")));
    const wild = await auditor.post("/residents/search", { unitPrefix: "%" });
    assert.match(wild.body, /<td colspan="7">None<\/td>/, "a LIKE wildcard is a plain character");
  });

  it("speaks Chinese when asked, with every string translated", async () => {
    assert.deepEqual(missingChinese(), []);
    const browser = rig.browser();
    await browser.post("/lang", { lang: "zh" });
    assert.match((await browser.get("/login")).body, /<html lang="zh-CN">[\s\S]*登录/);
  });

  it("keeps an office log of who changed what, readable by auditors", async () => {
    const operator = await rig.login("operator");
    await operator.post("/residents", { unit: "C1", role: "staff", groups: "2", cards: "04a1b2c3" });
    const auditor = await rig.login("auditor");
    const log = await auditor.get("/office-log");
    assert.match(log.body, /<td>operator<\/td><td>resident add<\/td><td>resident 1 unit C1 role staff cards 1<\/td>/);
    assert.match(log.body, /<td>auditor<\/td><td>login<\/td>/);
  });
});
