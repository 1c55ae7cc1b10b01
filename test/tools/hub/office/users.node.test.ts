// Office accounts: only installers manage them; a disabled account's sessions
// end; a password change needs the current one and ends every session.
import assert from "node:assert/strict";
import { forEachDatabase } from "../servers";
import { OfficeRig, PASSWORD } from "./rig";

forEachDatabase("office page: accounts (hub web)", (kind) => {
  let rig: OfficeRig;
  beforeEach(async () => { rig = await OfficeRig.open(kind); });
  afterEach(async () => { await rig.close(); });

  it("refuses every installer route to an operator", async () => {
    const operator = await rig.login("operator");
    const routes = rig.office.routes.filter((r) => r.access?.role === "installer");
    assert.ok(routes.length >= 4);
    for (const r of routes) {
      const url = r.url.replace(":id", "1");
      const res = r.method === "GET" ? await operator.get(url) : await operator.post(url, { username: "mallory", role: "installer", password: "x".repeat(20) });
      assert.equal(res.statusCode, 403, `${r.method} ${url}`);
    }
    assert.equal((await rig.db.query("select 1 from office_user where username = 'mallory'")).length, 0);
  });

  it("lets an installer add, disable and enable an account, recorded with who did it", async () => {
    const installer = await rig.login("installer");
    await installer.get("/users");
    assert.match((await installer.post("/users", { username: "Alice", role: "operator", password: "short" })).body, /at least 12 characters/);
    assert.match((await installer.post("/users", { username: "operator", role: "operator", password: "long enough password" })).body, /user name is taken/);
    assert.equal((await installer.post("/users", { username: "Alice", role: "operator", password: "alice's long password" })).statusCode, 200);
    const alice = await rig.login("alice", "alice's long password");
    assert.equal((await alice.get("/residents")).statusCode, 200);
    const [{ id }] = await rig.db.query<{ id: unknown }>("select id from office_user where username = 'alice'");
    await installer.get("/users");
    assert.equal((await installer.post(`/users/${Number(id)}/disable`, {})).statusCode, 303);
    assert.equal((await alice.get("/residents")).headers.location, "/login");
    assert.equal((await rig.browser().post("/login", { username: "alice", password: "alice's long password" })).statusCode, 401);
    await installer.get("/users");
    await installer.post(`/users/${Number(id)}/enable`, {});
    await rig.login("alice", "alice's long password");
    const [{ id: own }] = await rig.db.query<{ id: unknown }>("select id from office_user where username = 'installer'");
    assert.equal((await installer.post(`/users/${Number(own)}/disable`, {})).statusCode, 409);
    const actions = (await rig.db.query<{ username: string; action: string; detail: string }>("select username, action, detail from office_audit where action like 'office user%' order by id")).map((r) => `${r.username} ${r.action} ${r.detail}`);
    assert.deepEqual(actions, ["installer office user add alice operator", "installer office user disable alice", "installer office user enable alice"]);
  });

  it("changes a password only with the current one, and ends every session", async () => {
    const first = await rig.login("auditor"), second = await rig.login("auditor");
    await first.get("/password");
    assert.equal((await first.post("/password", { current: "wrong password here", next: "a brand new password" })).statusCode, 403);
    assert.equal((await first.post("/password", { current: PASSWORD, next: "too short" })).statusCode, 400);
    assert.equal((await first.post("/password", { current: PASSWORD, next: "a brand new password" })).headers.location, "/login");
    assert.equal((await second.get("/residents")).headers.location, "/login");
    assert.equal((await rig.browser().post("/login", { username: "auditor", password: PASSWORD })).statusCode, 401);
    await rig.login("auditor", "a brand new password");
  });

  it("throttles guessing the current password from a logged-in session", async () => {
    const session = await rig.login("operator");
    await session.get("/password");
    for (let i = 0; i < 5; i++) assert.equal((await session.post("/password", { current: `guess number ${i}`, next: "a brand new password" })).statusCode, 403);
    assert.equal((await session.post("/password", { current: PASSWORD, next: "a brand new password" })).statusCode, 429);
    assert.equal((await rig.browser("10.9.9.9").post("/login", { username: "operator", password: PASSWORD })).statusCode, 429, "the name is throttled everywhere");
  });
});
