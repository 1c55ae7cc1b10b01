// Roles over the whole command table: each role runs exactly what it should.
// The table below is this test's own statement of who may do what; a command
// missing from it (or one it names that does not exist) fails the test, so a
// new command has to be placed deliberately.
import assert from "node:assert/strict";
import { allCommands } from "../../../src/core/console/commands/index";
import type { Role } from "../../../src/core/console/roles";
import { makeTechnician } from "../../../src/core/console/technicians";
import { PASSWORD, Rig } from "./harness";

type Who = "anyone" | Role;
const WHO: Record<string, Who> = {
  "help": "anyone", "version": "anyone", "login": "anyone", "install": "anyone",
  // read and export: every role
  "logout": "auditor", "whoami": "auditor", "passwd": "auditor", "status": "auditor", "log show": "auditor", "log verify": "auditor",
  "log export": "auditor", "config get": "auditor", "resident show": "auditor", "resident list": "auditor", "group list": "auditor",
  "schedule list": "auditor", "holiday list": "auditor", "consent show": "auditor", "notice show": "auditor", "report": "auditor", "tech list": "auditor",
  "hub show": "auditor", "wifi show": "auditor", "pin key": "auditor",
  // residents, credentials, schedules, consent requests, the door: operators and installers
  "resident add": "operator", "resident edit": "operator", "resident suspend": "operator", "resident resume": "operator", "resident remove": "operator",
  "card add": "operator", "card remove": "operator", "pin set": "operator", "pin reset": "operator", "visitor issue": "operator", "visitor revoke": "operator",
  "group add": "operator", "group remove": "operator", "schedule set": "operator", "schedule remove": "operator", "holiday add": "operator",
  "holiday remove": "operator", "consent grant": "operator", "consent cancel": "operator", "consent withdraw": "operator",
  "face enrol": "operator", "face delete": "operator", "door open": "operator",
  // accounts, keys, firmware and fleet settings, the clock, damage notes: installers only
  "tech add": "installer", "tech remove": "installer", "tech passwd": "installer", "config set": "installer", "clock set": "installer",
  "registry clear-damage": "installer", "damage clear": "installer", "notice set": "installer", "diag": "installer",
  "log acknowledge": "installer", "clock confirm": "installer",
  "hub set": "installer", "hub key add": "installer", "hub key remove": "installer", "hub off": "installer", "hub password": "installer", "hub transport": "installer", "hub ca": "installer", "wifi set": "installer", "wifi off": "installer",
  "pin key install": "installer",
};
const RANK: Record<Who, number> = { anyone: 0, auditor: 1, operator: 2, installer: 3 };
const ACCOUNT: Record<Role, string> = { installer: "tech1", operator: "op1", auditor: "aud1" };

function rigWithRoles(): Rig {
  const rig = new Rig();
  let n = 5;
  const random = { fill: (b: Uint8Array) => { for (let i = 0; i < b.length; i++) b[i] = (n = (n * 33 + 7) & 0xff); } };
  rig.technicians.save(makeTechnician(rig.deviceKey, random, "op1", PASSWORD, "operator"));
  rig.technicians.save(makeTechnician(rig.deviceKey, random, "aud1", PASSWORD, "auditor"));
  return rig;
}

function loginAs(rig: Rig, id: string, password = PASSWORD): void {
  rig.type(`login ${id}`);
  const out = rig.type(password);
  if (!out.includes(`Logged in as ${id}`)) throw new Error(`login ${id} failed: ${out}`);
}

describe("console roles", () => {
  it("the table names every console command, and only those", () => {
    assert.deepEqual(allCommands.map((c) => c.path).sort(), Object.keys(WHO).sort());
  });

  for (const role of ["installer", "operator", "auditor"] as Role[]) {
    it(`an ${role} runs exactly the commands of its role; every refusal is audited and changes nothing`, () => {
      const rig = rigWithRoles();
      for (const command of allCommands) {
        if (rig.console.session.technician !== ACCOUNT[role]) loginAs(rig, ACCOUNT[role]);
        const mutations = rig.backend.mutations;
        const audited = rig.audit.length;
        const out = rig.type(command.path);
        if (/Password: $|: $/.test(out)) rig.send("\x03"); // a question (hidden or not): cancel it
        const allowed = RANK[role] >= RANK[WHO[command.path]];
        if (allowed) {
          assert.doesNotMatch(out, /E_ROLE|E_LOGIN_REQUIRED/, `${role} may run ${command.path}: ${out}`);
        } else {
          assert.match(out, new RegExp(`error: E_ROLE: ${command.path} needs the ${WHO[command.path]} role`), `${role} may not run ${command.path}`);
          assert.equal(rig.backend.mutations, mutations, `${command.path} changed nothing`);
          const last = rig.audit.slice(audited);
          assert.deepEqual(last.map((e) => [e.actor, e.action, e.outcome]), [[ACCOUNT[role], command.path, "E_ROLE"]], command.path);
        }
      }
    });
  }

  it("tech add gives the role asked for (operator by default); tech list shows roles, not hashes", () => {
    const rig = rigWithRoles();
    loginAs(rig, "tech1");
    rig.type("tech add helper1"); rig.type("helper-password"); rig.type("helper-password");
    rig.type("tech add ops2 --role installer"); rig.type("another-password"); rig.type("another-password");
    const list = rig.json("tech list").data as { id: string; role: Role }[];
    assert.deepEqual(list, [
      { id: "aud1", role: "auditor" }, { id: "helper1", role: "operator" }, { id: "op1", role: "operator" },
      { id: "ops2", role: "installer" }, { id: "tech1", role: "installer" },
    ]);
    assert.match(rig.type("tech add x9 --role king"), /error: /);
  });

  it("the last installer cannot be removed; removing others works and is audited", () => {
    const rig = rigWithRoles();
    loginAs(rig, "tech1");
    assert.match(rig.type("tech remove tech1"), /E_SELF/);
    rig.type("tech add inst2 --role installer"); rig.type("inst2-password"); rig.type("inst2-password");
    assert.match(rig.type("tech remove op1"), /Technician op1 \(operator\) removed/);
    assert.equal(rig.technicians.find("op1"), undefined);
    rig.type("logout");
    loginAs(rig, "inst2", "inst2-password");
    assert.match(rig.type("tech remove tech1"), /Technician tech1 \(installer\) removed/);
    // inst2 is now the only installer: nobody can remove it (not itself, and no other installer exists).
    assert.match(rig.type("tech remove inst2"), /E_SELF/);
    assert.match(rig.type("tech remove ghost"), /E_NOT_FOUND/);
    const removals = rig.audit.filter((e) => e.action === "tech remove").map((e) => [e.actor, e.subject, e.outcome]);
    assert.deepEqual(removals, [["tech1", "tech1", "E_SELF"], ["tech1", "op1", "ok"], ["inst2", "tech1", "ok"], ["inst2", "inst2", "E_SELF"], ["inst2", "ghost", "E_NOT_FOUND"]]);
  });

  it("refuses to remove the last installer, even to a session that was an installer at its login", () => {
    const rig = rigWithRoles();
    // Only tech1 is an installer; an installer role must remain after any removal.
    rig.technicians.save({ ...rig.technicians.find("aud1")!, role: "installer" });
    loginAs(rig, "aud1");
    assert.match(rig.type("tech remove tech1"), /Technician tech1 \(installer\) removed/);
    rig.technicians.save({ ...rig.technicians.find("op1")!, role: "installer" });
    rig.type("logout");
    loginAs(rig, "op1");
    rig.technicians.save({ ...rig.technicians.find("op1")!, role: "operator" }); // demoted while logged in
    assert.match(rig.type("tech remove aud1"), /E_LAST_INSTALLER: aud1 is the last installer/);
    assert.ok(rig.technicians.find("aud1"));
  });

  it("tech passwd sets another account's password and keeps its role", () => {
    const rig = rigWithRoles();
    loginAs(rig, "tech1");
    rig.type("tech passwd aud1"); rig.type("new-auditor-pw"); rig.type("new-auditor-pw");
    rig.type("logout");
    rig.type("login aud1");
    assert.match(rig.type("new-auditor-pw"), /Logged in as aud1/);
    assert.equal(rig.console.session.role, "auditor");
  });
});
