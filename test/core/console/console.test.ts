import assert from "node:assert/strict";
import { allCommands } from "../../../src/core/console/commands/index";
import { PASSWORD, Rig, START } from "./harness";

describe("console before login", () => {
  it("greets with a banner and prompt", () => {
    const rig = new Rig();
    assert.equal(rig.type(""), "\r\noptgate> ");
  });

  it("allows only help, version and login", () => {
    const rig = new Rig();
    assert.match(rig.type("version"), /optgate \d+\.\d+\.\d+/);
    assert.match(rig.type("help"), /Log in first/);
    assert.match(rig.type("whoami"), /E_LOGIN_REQUIRED/);
    for (const c of allCommands.filter((x) => x.access !== "public")) {
      const out = rig.type(`${c.path} R00001 x --unit 1`);
      assert.match(out, /E_LOGIN_REQUIRED: Log in first/, c.path);
    }
    assert.equal(rig.backend.mutations, 0);
    assert.equal(rig.audit.length, 0);
  });

  it("refuses protected commands before looking at their arguments", () => {
    const rig = new Rig();
    assert.match(rig.type("resident add"), /E_LOGIN_REQUIRED/);
    assert.equal(rig.json("status").error?.code, "E_LOGIN_REQUIRED");
  });
});

describe("console login", () => {
  it("asks for the password hidden and switches the prompt", () => {
    const rig = new Rig();
    assert.equal(rig.type("login tech1"), "login tech1\r\nPassword: ");
    const out = rig.type(PASSWORD);
    assert.ok(!out.includes(PASSWORD), "password is not echoed");
    assert.match(out, /^\r\nLogged in as tech1\..*\r\noptgate:tech1# $/s);
    assert.deepEqual(rig.audit.map((e) => [e.actor, e.action, e.subject, e.outcome]), [["tech1", "login", "tech1", "ok"]]);
  });

  it("audits failures, locks out, and never echoes what was typed", () => {
    const rig = new Rig();
    for (let i = 0; i < 3; i++) {
      rig.type("login tech1");
      assert.match(rig.type("guess-123"), /E_BAD_LOGIN/);
    }
    // Locked: the password is still asked for hidden, then refused without being checked.
    assert.equal(rig.type("login tech1"), "login tech1\r\nPassword: ");
    const locked = rig.type(PASSWORD);
    assert.ok(!locked.includes(PASSWORD), "password is not echoed");
    assert.match(locked, /E_LOCKED_OUT: Too many failed logins; try again in 30 s/);
    rig.now += 30_000;
    rig.type("login tech1");
    assert.match(rig.type(PASSWORD), /Logged in/);
    assert.deepEqual(rig.audit.map((e) => e.outcome), ["E_BAD_LOGIN", "E_BAD_LOGIN", "E_BAD_LOGIN", "E_LOCKED_OUT", "ok"]);
    assert.ok(rig.audit.every((e) => !e.detail.includes("guess")));
  });

  it("takes the line after any refused login as a hidden password: never echoed, never run", () => {
    const rig = new Rig();
    for (let i = 0; i < 3; i++) { rig.type("login tech1"); rig.type("guess-123"); }
    // The password typed by habit after a refusal; "version" would run and print if taken as a command.
    for (const refused of ["login tech1", "login", "login bad/id!", "login tech1 extra words", 'login "unclosed']) {
      const first = rig.type(refused);
      assert.match(first, /Password: $/, refused);
      const second = rig.type("version");
      assert.doesNotMatch(second, /version|optgate \d|Unknown command/, refused);
      assert.match(second, /error: /, refused);
    }
    assert.equal(rig.backend.mutations, 0);
  });

  it("logs out after inactivity, on tick or on the next line", () => {
    const rig = new Rig();
    rig.login();
    rig.now += 5 * 60_000;
    rig.output = "";
    rig.console.tick();
    assert.match(rig.output, /Logged out after 5 min without input\.\r\noptgate> $/);
    assert.match(rig.type("status"), /E_LOGIN_REQUIRED/);

    rig.login();
    rig.now += 6 * 60_000;
    const out = rig.type("door open");
    assert.match(out, /Logged out after 5 min without input\. That line was not run\.\r\noptgate> $/);
    assert.equal(rig.backend.doorOpens, 0);
  });

  it("drops a hidden answer typed after the timeout instead of running it", () => {
    const rig = new Rig();
    rig.login();
    rig.backend.residentAdd("x", { unit: "1", role: "owner", validFrom: null, validUntil: null, groups: [], card: "0A0B0C0D", pin: null });
    rig.type("pin set R00001");
    rig.now += 10 * 60_000;
    const out = rig.type("123456");
    assert.match(out, /unfinished command was dropped/);
    assert.ok(!out.includes("123456"));
    assert.equal(rig.backend.residentShow("R00001").pin, false);
  });

  it("logout ends the session and is audited", () => {
    const rig = new Rig();
    rig.login();
    assert.match(rig.type("logout"), /Logged out\.\r\noptgate> $/);
    assert.deepEqual(rig.audit.at(-1), { actor: "tech1", action: "logout", subject: "", outcome: "ok", detail: "" });
  });
});

describe("console commands", () => {
  it("help lists every command and help <cmd> explains one with examples", () => {
    const rig = new Rig();
    const list = rig.type("help");
    for (const c of allCommands) assert.ok(list.includes(c.path), c.path);
    const one = rig.type("help resident add");
    assert.match(one, /usage: resident add --unit <unit> --role <role> \[--from <from>\] \[--until <until>\] \[--groups <groups>\] \[--card <card>\]/);
    assert.match(one, /\+6m/);
    assert.match(one, /examples:\r\n  resident add/);
    assert.match(rig.type("help resident"), /resident add.*resident show.*resident remove/s);
    assert.match(rig.type("resident add --help"), /usage: resident add/);
    assert.match(rig.type("help frobnicate"), /E_UNKNOWN_COMMAND/);
    assert.equal(rig.json("help card add").data.params[1].name, "uid");
  });

  it("adds a renter with a card valid six months, sets a PIN, and shows it in the log", () => {
    const rig = new Rig();
    rig.login();
    const added = rig.type("resident add --unit 3-1202 --role renter --until +6m --card 04:a1:b2:c3");
    assert.match(added, /valid: {5}until 2027-05-25 08:59:59 \+00:00\r\n/);
    assert.match(added, /cards: {5}04A1B2C3/);
    assert.match(added, /Added as R00001\./);
    assert.match(rig.type("pin set R00001"), /New PIN for R00001 \(4-12 digits, hidden\): $/);
    const first = rig.type("482913");
    assert.equal(first, "\r\nRepeat the PIN: ");
    assert.match(rig.type("482913"), /PIN set for R00001\./);
    const shown = rig.json("resident show R00001").data;
    assert.deepEqual([shown.role, shown.validUntil, shown.cards, shown.pin], ["renter", Date.UTC(2027, 4, 25, 9), ["04A1B2C3"], true]);
    const log = rig.type("log show");
    assert.match(log, /tech1\s+resident add R00001/);
    assert.match(log, /tech1\s+pin set R00001/);
    assert.ok(!log.includes("482913"));
    assert.deepEqual(rig.audit.slice(1).map((e) => `${e.actor} ${e.action} ${e.subject} ${e.outcome}`),
      ["tech1 resident add  ok", "tech1 pin set R00001 ok"]);
    assert.match(rig.audit[1].detail, /role=renter.*card=04A1B2C3/);
    assert.ok(rig.audit.every((e) => !e.detail.includes("482913")));
  });

  it("refuses bad arguments and domain rules clearly, changing nothing", () => {
    const rig = new Rig();
    rig.login();
    const before = rig.backend.mutations;
    assert.match(rig.type("resident add --unit 1 --role renter --card 01020304"), /E_VALIDITY_REQUIRED: A renter needs an end date: add --until/);
    assert.match(rig.type("resident add --unit 1 --role owner --until 2027-02-30"), /E_BAD_ARGUMENT: until: "2027-02-30" is not a real date/);
    assert.match(rig.type("card add R-9 XYZ"), /E_BAD_ARGUMENT: uid/);
    assert.match(rig.type("card add R-9 04A1B2C3"), /E_NO_RESIDENT/);
    assert.match(rig.type("door open --seconds 99"), /whole number 1\.\.30/);
    assert.match(rig.type("resident"), /E_INCOMPLETE_COMMAND: resident needs one of: add, show/);
    assert.match(rig.type("frobnicate now"), /E_UNKNOWN_COMMAND: Unknown command "frobnicate"/);
    assert.match(rig.type(`notice set --purpose "unfinished`), /E_UNTERMINATED_QUOTE/);
    assert.equal(rig.backend.mutations, before);
    assert.deepEqual(rig.audit.slice(1).map((e) => e.outcome), ["E_VALIDITY_REQUIRED", "E_NO_RESIDENT"], "refused mutations are audited too");
  });

  it("keeps the last non-face credential (backend rule surfaces as is)", () => {
    const rig = new Rig();
    rig.login();
    rig.type("resident add --unit 1 --role owner --card 01020304");
    assert.match(rig.type("card remove 01020304"), /E_LAST_NON_FACE_CREDENTIAL/);
    assert.deepEqual(rig.backend.residentShow("R00001").cards, ["01020304"]);
  });

  it("PIN entry: mismatch, bad format and Ctrl-C change nothing", () => {
    const rig = new Rig();
    rig.login();
    rig.type("resident add --unit 1 --role owner --card 01020304");
    rig.type("pin set R00001");
    rig.type("111111");
    assert.match(rig.type("222222"), /E_MISMATCH/);
    rig.type("pin set R00001");
    assert.match(rig.type("12ab"), /E_BAD_PIN/);
    rig.type("pin set R00001");
    assert.match(rig.send("1234\x03"), /Cancelled; nothing was changed\.\r\noptgate:tech1# $/);
    assert.equal(rig.backend.residentShow("R00001").pin, false);
    assert.match(rig.type("pin set R00001"), /New PIN/);
    rig.type("1234");
    assert.match(rig.type("1234"), /E_PIN_LENGTH: PINs on this gate have 6 digits/);
  });

  it("--json on read commands gives one parseable line", () => {
    const rig = new Rig();
    rig.login();
    rig.type("resident add --unit 1 --role owner --card 01020304");
    for (const cmd of ["status", "resident list", "resident show R00001", "log show", "log verify", "config get", "diag", "notice show", "consent show R00001", "group list", "schedule list", "holiday list", "report R00001", "version", "whoami"]) {
      const r = rig.json(cmd);
      assert.equal(r.ok, true, cmd);
      assert.notEqual(r.data, undefined, cmd);
    }
    assert.equal(rig.json("status").data.residents, 1);
    assert.deepEqual(rig.json("resident show R-404").error?.code, "E_NO_RESIDENT");
  });

  it("consent: the notice is shown first, the technician arms a request, the resident confirms at the keypad; withdrawal gives a receipt", () => {
    const rig = new Rig();
    rig.login();
    rig.type("resident add --unit 1 --role owner --card 01020304");
    const notice = rig.type("consent grant R00001");
    assert.match(notice, /notice v1.*purpose: {4}Open the gate by face.*Face is optional.*Type yes: $/s);
    assert.match(rig.type("no"), /E_NOT_CONFIRMED/);
    assert.equal(rig.backend.requests.size, 0);
    rig.type("consent grant R00001");
    assert.match(rig.type("yes"), /E_CONSENT_NEEDS_PIN/, "a card-only resident could never confirm");
    rig.type("pin set R00001"); rig.type("135790"); rig.type("135790");
    assert.match(rig.type("face enrol R00001"), /E_NO_CONSENT/);
    rig.type("consent grant R00001");
    const armed = rig.type("yes");
    // The console never asks for the resident's PIN: it tells the technician what the resident types.
    assert.ok(!/PIN to confirm|hidden/.test(armed));
    assert.match(armed, /Consent request for R00001 to notice v1, witnessed by tech1\. Nothing is recorded until R00001 confirms\./);
    assert.match(armed, /At the gate keypad R00001 types: {2}#8#1#<PIN>#   \(4x4 keypad: C1#<PIN>#\)/);
    assert.match(armed, /before 2026-\d\d-\d\d \d\d:\d\d:\d\dZ/);
    assert.equal(rig.backend.consentShow("R00001").state, "none", "arming records nothing");
    assert.match(rig.type("consent show R00001"), /request: {4}waiting for the keypad \(notice v1, witness tech1, keys #8#1#<PIN>#/);
    assert.match(rig.type("consent cancel R00001"), /Consent request for R00001 cancelled/);
    assert.match(rig.type("consent show R00001"), /request: {4}-/);
    assert.match(rig.type("consent cancel R00001"), /E_NO_CONSENT_REQUEST/);
    assert.throws(() => rig.backend.keypadConfirm("R00001", "135790"), /E_NO_CONSENT_REQUEST/);

    rig.type("consent grant R00001"); rig.type("yes");
    assert.throws(() => rig.backend.keypadConfirm("R00001", "000000"), /E_CONSENT_PIN_REJECTED/);
    rig.backend.keypadConfirm("R00001", "135790");
    assert.equal(rig.backend.consentShow("R00001").witness, "tech1");
    assert.match(rig.type("consent show R00001"), /consent: {4}active.*witness: {4}tech1/s);
    assert.match(rig.type("face enrol R00001"), /face the gate camera, then type go: $/);
    assert.match(rig.type("go"), /R00001 enrolled under notice v1/);
    assert.match(rig.type("consent withdraw R00001"), /Consent withdrawn\. Receipt RC-1/);
  });

  it("remaining mutations work and are audited", () => {
    const rig = new Rig();
    rig.login();
    const lines = [
      "schedule set weekdays --days mon,tue,wed,thu,fri --from 07:00 --to 19:00",
      "group add cleaners --schedules weekdays",
      "resident add --unit 1 --role staff --groups cleaners --card 01020304",
      "resident edit R00001 --until +1y",
      "resident suspend R00001",
      "resident resume R00001",
      "visitor issue R00001 --uses 2",
      "visitor revoke 73519046",
      "holiday add 2027-02-17 \"Spring Festival\"",
      "holiday remove 2027-02-17",
      "config set pin.length 4",
      "door open --seconds 3",
      "clock set 2026-11-25T10:00",
      "notice set --purpose \"Face entry\" --method \"On device\" --scope main --retention 90",
      "tech add tech2",
    ];
    for (const line of lines) {
      const out = rig.type(line);
      assert.doesNotMatch(out, /error:/, `${line}: ${out}`);
    }
    rig.type("password-two"); rig.type("password-two");
    assert.ok(rig.technicians.find("tech2"));
    assert.match(rig.type("resident remove R00001"), /Type the resident id to confirm: $/);
    assert.match(rig.type("R00001"), /R00001 removed\. Receipt/);
    assert.equal(rig.backend.doorOpens, 1);
    assert.equal(rig.backend.clock, Date.UTC(2026, 10, 25, 10));
    const actions = rig.audit.map((e) => e.action);
    for (const line of [...lines, "resident remove"]) {
      const path = allCommands.find((c) => line.startsWith(`${c.path} `) || line === c.path)!.path;
      assert.ok(actions.includes(path), path);
    }
    assert.ok(rig.audit.every((e) => e.actor === "tech1" && e.outcome === "ok"));
  });

  it("never prints PIN hashes, passwords or keys", () => {
    const rig = new Rig();
    rig.login();
    rig.type("resident add --unit 1 --role owner");
    rig.type("135790"); rig.type("135790");
    let all = "";
    for (const cmd of ["resident show R00001", "resident list", "report R00001", "log show", "log export", "status", "config get"]) {
      all += rig.type(cmd) + rig.type(`${cmd} --json`);
    }
    assert.doesNotMatch(all, /pinHash|135790|salt|deviceKey/);
    assert.ok(!all.includes(PASSWORD));
    const withoutLog = all.replace(/log export[^]*?(?=optgate:tech1# )/g, "");
    assert.ok(!/[0-9a-fA-F]{32}/.test(withoutLog), "no hex secrets outside the exported log records");
  });

  it("survives an internal error without leaking it", () => {
    const rig = new Rig();
    rig.login();
    rig.backend.status = () => { throw new TypeError("secret internals"); };
    const out = rig.type("status");
    assert.match(out, /E_INTERNAL: The command failed unexpectedly/);
    assert.ok(!out.includes("secret internals"));
    assert.match(rig.type("version"), /optgate/);
  });

  it("starts at the configured time", () => {
    const rig = new Rig();
    rig.login();
    assert.equal(rig.json("status").data.clock, START);
  });
});

describe("console audit subject", () => {
  const concerns = (rig: Rig) => rig.audit.slice(1).map((e) => `${e.action} ${e.outcome} ${e.resident ?? "(none)"}`);

  it("names the resident each mutation concerns: typed, or as the reply names them", () => {
    const rig = new Rig();
    rig.login();
    rig.type("resident add --unit 3-1201 --role owner --card 04A1B2C3");
    rig.type("card add R00001 04A1B2C4");
    rig.type("card remove 04A1B2C4");
    const code = rig.json("visitor issue R00001").data.code as string;
    rig.type(`visitor revoke ${code}`);
    rig.type("pin set R00001"); rig.type("482913"); rig.type("482913");
    rig.type("door open");
    rig.type("group add cleaners");
    assert.deepEqual(concerns(rig), [
      "resident add ok R00001", // known only from the reply: the gate assigned the id
      "card add ok R00001", // the typed argument
      "card remove ok R00001", // the card's holder, from the reply
      "visitor issue ok R00001",
      "visitor revoke ok R00001",
      "pin set ok R00001",
      "door open ok (none)",
      "group add ok (none)",
    ]);
    assert.equal("resident" in rig.audit[0], false, "login concerns no resident");
  });

  it("names the typed resident on a refusal too; a refusal that found none names none", () => {
    const rig = new Rig();
    rig.login();
    assert.match(rig.type("card add R00099 04000004"), /error:/);
    assert.match(rig.type("card remove 04000009"), /error:/);
    assert.deepEqual(concerns(rig), [`card add ${rig.audit[1].outcome} R00099`, `card remove ${rig.audit[2].outcome} (none)`]);
    assert.notEqual(rig.audit[1].outcome, "ok");
  });

  it("log show prints the subject column, - when none", () => {
    const rig = new Rig();
    rig.login();
    rig.type("resident add --unit 3-1201 --role owner --card 04A1B2C3");
    rig.type("door open");
    const log = rig.type("log show");
    assert.match(log, /seq\s+time\s+actor\s+event\s+decision\s+reason\s+subject/);
    assert.match(log, /tech1\s+resident add R00001\s+info\s+info\s+R00001/);
    assert.match(log, /tech1\s+door open \s+info\s+info\s+-/);
    const rows = rig.json("log show").data as { event: string; subject: string | null }[];
    assert.deepEqual(rows.map((r) => r.subject), ["R00001", null]);
  });
});
