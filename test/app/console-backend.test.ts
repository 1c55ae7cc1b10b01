// The console end to end over the real core: Console → CoreConsoleBackend →
// GateCore (registry, policy, audit chain, consent ledger, face gallery).
import assert from "node:assert/strict";
import { CoreConsoleBackend } from "../../src/app/console-backend";
import { verifyChain } from "../../src/core/audit/audit-log";
import { decodeRecord } from "../../src/core/audit/audit-record";
import { UNKEYED } from "../../src/core/audit/chain-key";
import { fromHex } from "../../src/core/crypto";
import { consoleRig, T0 } from "./console-rig";

describe("console over the real core", () => {
  it("status shows a quarantined registry, and registry clear-damage trusts it again (audited)", () => {
    const { t, core, type, login } = consoleRig();
    login();
    type("resident add --unit 3-1202 --role owner --card 04a1b2c3");
    core.registry.quarantine("1 committed store record(s) lost");
    assert.equal(core.access.decide({ kind: "card", uid: fromHex("04a1b2c3") }, t.now).reason, "registry-damaged");
    assert.match(type("status"), /DAMAGE: +registry quarantined \(1 committed store record\(s\) lost\)/);
    assert.match(type("registry clear-damage"), /Registry trusted again/);
    assert.doesNotMatch(type("status"), /DAMAGE/);
    assert.equal(core.access.decide({ kind: "card", uid: fromHex("04a1b2c3") }, t.now).grant, true);
    assert.ok(core.audit.entries().some((e) => e.kind === "registry-restored" && e.actorKind === "technician"));
    assert.match(type("registry clear-damage"), /not quarantined/);
  });

  it("adds a renter with a card valid six months and a PIN; the gate honours both, and the log shows it", () => {
    const { t, core, type, json, login } = consoleRig();
    login();
    const added = type("resident add --unit 3-1202 --role renter --until +6m --card 04a1b2c3");
    assert.match(added, /Added as R00001\./);
    assert.match(added, /valid: {5}until 2027-05-25 08:59:59 \+08:00\r\n/);
    type("pin set R00001");
    type("482913");
    assert.match(type("482913"), /PIN set for R00001\./);
    const r = json("resident show R00001").data;
    assert.deepEqual([r.role, r.cards, r.pin, r.validUntil, r.groups], ["renter", ["04A1B2C3"], true, Date.UTC(2027, 4, 25, 1), ["all"]]);

    assert.equal(core.access.decide({ kind: "card", uid: fromHex("04a1b2c3") }, t.now).grant, true);
    assert.equal(core.access.decide({ kind: "pin", keypad: 1, resident: 1, pin: "482913" }, t.now + 1000).grant, true);
    const later = Date.UTC(2027, 5, 1, 1);
    const expired = core.access.decide({ kind: "card", uid: fromHex("04a1b2c3") }, later);
    assert.deepEqual([expired.grant, expired.reason], [false, "expired"]);

    const log = type("log show");
    assert.match(log, /tech1\s+technician-login\s+info/);
    assert.match(log, /tech1\s+resident-added/);
    assert.match(log, /tech1\s+pin-set/);
    assert.match(log, /R00001\s+card\s+grant\s+granted/);
    assert.match(log, /R00001\s+card\s+deny\s+expired/);
    assert.ok(!log.includes("482913"));
    assert.equal(json("log verify").data.ok, true);
  });

  it("exports the log so a host can re-verify the chain, and a changed byte is caught", () => {
    const { json, login, type } = consoleRig();
    login();
    type("resident add --unit 1-101 --role owner --card 04000001");
    type("door open --seconds 3");
    const page = json("log export --log security --limit 100").data;
    const records = page.records.map((h: string) => fromHex(h));
    const anchor = { seq: page.anchor.seq, hash: fromHex(page.anchor.hash), watermark: -Infinity };
    const head = { seq: page.head.seq, hash: fromHex(page.head.hash) };
    assert.ok(records.length >= 3);
    assert.deepEqual(verifyChain(UNKEYED, anchor, records, head), { ok: true, count: records.length, breaks: [] });
    records[1][10] ^= 1;
    assert.equal(verifyChain(UNKEYED, anchor, records, head).ok, false);
  });

  it("keeps every resident on a non-face credential and refuses bad input unchanged", () => {
    const { core, type, login } = consoleRig();
    login();
    type("resident add --unit 1-101 --role owner --card 04000001");
    assert.match(type("card remove 04000001"), /E_LAST_NON_FACE_CREDENTIAL/);
    assert.match(type("pin reset R00001"), /E_NO_PIN/);
    assert.match(type("resident add --unit 1-101 --role owner --card 04000001"), /E_DUPLICATE_CARD/);
    assert.match(type("resident add --unit toolong12 --role owner --card 04000002"), /E_BAD_UNIT/);
    assert.match(type("resident add --unit 1-102 --role visitor --card 04000003"), /E_VALIDITY_REQUIRED/);
    assert.match(type("card add R00099 04000004"), /E_UNKNOWN_RESIDENT/);
    assert.equal(core.registry.size, 1);
    assert.equal(core.registry.cardCount, 1);
  });

  it("a resident without a card gets a PIN at once (typed hidden), since face is never enough", () => {
    const { core, type, login } = consoleRig();
    login();
    assert.match(type("resident add --unit 2-202 --role owner"), /New PIN for the new resident \(4-12 digits, hidden\): $/);
    type("246813");
    assert.match(type("246813"), /Added as R00001/);
    assert.equal(core.registry.get(1)!.hasPin, true);
  });

  it("consent: the technician arms, the resident confirms with their own PIN at the keypad; enrolment, then withdrawal erases the template", () => {
    const { t, core, camera, type, json, login, keypad } = consoleRig();
    login();
    type("resident add --unit 3-303 --role owner --card 04112233");
    type("pin set R00001"); type("135724"); type("135724");
    assert.match(type("consent grant R00001"), /E_NO_NOTICE/);
    assert.match(type(`notice set --purpose "Open the gate by face" --method "On-device matching" --scope gate-1 --retention 365`), /notice v1/);
    assert.equal(keypad("#8#1#135724#"), "No consent request is waiting; ask the technician.");
    type("consent grant R00001");
    const armed = type("yes");
    assert.match(armed, /At the gate keypad R00001 types: {2}#8#1#<PIN># {3}\(4x4 keypad: C1#<PIN>#\)/);
    assert.match(armed, /before 2026-11-25 01:02:00Z/);
    assert.equal(core.ledger.isActive("R00001"), false, "arming records nothing");
    assert.equal(json("consent show R00001").data.pending.expiresAt, t.now + 120_000);
    assert.equal(keypad("#8#1#9999#"), "Wrong PIN.");
    assert.equal(core.ledger.isActive("R00001"), false);
    t.now += 10_000;
    assert.match(keypad("C1#135724#"), /^Consent recorded\. Receipt: \d{4}-\d{4}$/);
    assert.equal(core.ledger.isActive("R00001"), true);
    assert.match(type("consent show R00001"), /consent: {4}active.*witness: {4}tech1.*request: {4}-/s);
    assert.equal(json("consent show R00001").data.grantedAt, t.now);
    assert.equal(camera.powerOns, 0, "consent alone never powers the camera");
    type("face enrol R00001");
    assert.match(type("go"), /R00001 enrolled under notice v1/);
    assert.equal(camera.powered, false);
    assert.equal(core.gallery.entry("R00001") !== undefined, true);
    assert.equal(core.registry.get(1)!.faceEnrolled, true);
    const withdrawn = type("consent withdraw R00001");
    assert.match(withdrawn, /Consent withdrawn\. Receipt \d{4}-\d{4}.*erased: face template, template key/);
    assert.equal(core.gallery.entry("R00001"), undefined);
    assert.equal(core.registry.get(1)!.faceEnrolled, false);
    assert.match(type("report R00001"), /consent\.1\.event: withdrawn/);
  });

  it("named groups and schedules compile into the gate policy and persist", () => {
    const { t, core, type, login, stored } = consoleRig();
    login();
    type("schedule set daytime --days mon,tue,wed,thu,fri --from 07:00 --to 19:00");
    type("group add cleaners --schedules daytime");
    assert.match(type("resident add --unit 1-1 --role staff --groups cleaners --card 04000009"), /groups: {4}cleaners/);
    assert.equal(core.access.decide({ kind: "card", uid: fromHex("04000009") }, t.now).grant, true, "Wednesday 09:00 local");
    const saturday = Date.UTC(2026, 10, 28, 2);
    assert.equal(core.access.decide({ kind: "card", uid: fromHex("04000009") }, saturday).reason, "outside-schedule");
    type("holiday add 2026-12-02 \"Founders day\"");
    assert.equal(core.access.decide({ kind: "card", uid: fromHex("04000009") }, Date.UTC(2026, 11, 2, 2)).reason, "holiday");
    assert.match(type("group remove cleaners"), /E_GROUP_IN_USE/);
    assert.match(type("schedule remove daytime"), /E_SCHEDULE_IN_USE/);
    assert.ok(stored.get("console/settings"));
  });

  it("config set changes the policy, and a policy without any non-face mode is refused", () => {
    const { t, core, type, login } = consoleRig();
    login();
    type("resident add --unit 1-101 --role owner --card 04000001");
    assert.match(type("config set mode.card off"), /mode\.card = false/);
    assert.equal(core.access.decide({ kind: "card", uid: fromHex("04000001") }, t.now).reason, "mode-not-allowed");
    type("config set mode.pin off");
    type("config set mode.cardPin off");
    assert.match(type("config set mode.code off"), /E_BAD_POLICY.*face is never required/);
    assert.equal(core.access.policy.modes.code, true);
    assert.match(type("config set mode.card maybe"), /E_BAD_SETTING/);
    assert.match(type("config set no.such 1"), /E_NO_SETTING/);
  });

  it("face 1:N is off until a technician turns it on; the face session follows at once", () => {
    const { core, type, login } = consoleRig();
    login();
    assert.notEqual(core.access.policy.modes.faceOneToN, true);
    assert.equal(core.session.available(), "one-to-n-not-allowed");
    assert.match(type("config set mode.faceOneToN on"), /mode\.faceOneToN = true/);
    assert.equal(core.access.policy.modes.faceOneToN, true);
    assert.equal(core.session.available(), "no-consenting-resident", "1:N allowed now; nobody enrolled yet");
    assert.match(type("config set mode.faceOneToN off"), /mode\.faceOneToN = false/);
    assert.equal(core.session.available(), "one-to-n-not-allowed");
  });

  it("door open and clock set go through the board hooks and are audited", () => {
    const { t, opened, type, json, login } = consoleRig();
    login();
    assert.match(type("door open --seconds 4"), /Door released for 4 s/);
    assert.deepEqual(opened, [4]);
    const from = t.now;
    // More than a day away: asked first; anything but yes changes nothing.
    assert.match(type("clock set 2026-12-01T08:00"), /jump \d+ day\(s\) ahead.*Type yes/);
    assert.match(type("no"), /E_NOT_CONFIRMED/);
    assert.equal(t.now, from);
    type("clock set 2026-12-01T08:00"); // the gate's wall clock (UTC+8)
    type("yes");
    assert.equal(t.now, Date.UTC(2026, 11, 1, 0));
    type("clock set 2026-12-01T08:00Z");
    assert.equal(t.now, Date.UTC(2026, 11, 1, 8));
    const events = json("log show").data.map((e: { event: string; actor: string }) => `${e.actor} ${e.event}`);
    assert.ok(events.includes("tech1 exit") && events.includes("tech1 clock-set"), events.join(","));
  });

  it("lists residents in pages, in id order, with filters", () => {
    const { core, json, login } = consoleRig();
    login();
    for (let i = 0; i < 7; i++) core.registry.addResident({ unit: `1-${i}`, role: i % 2 ? "renter" : "owner", groups: 1, cards: [fromHex(`0400000${i}`)], validUntil: i % 2 ? T0 + 1e10 : undefined });
    core.registry.removeResident(3); // ids need not be dense
    const first = json("resident list --limit 3").data;
    assert.deepEqual([first.residents.map((r: { id: string }) => r.id), first.next], [["R00001", "R00002", "R00004"], "R00004"]);
    const second = json("resident list --limit 3 --after R00004").data;
    assert.deepEqual([second.residents.map((r: { id: string }) => r.id), second.next], [["R00005", "R00006", "R00007"], null]);
    const renters = json("resident list --role renter").data;
    assert.deepEqual(renters.residents.map((r: { id: string }) => r.id), ["R00002", "R00004", "R00006"]);
  });

  it("names technicians in the log after a restart, from the accounts in the store", () => {
    const { core, login, type, stored } = consoleRig();
    login();
    type("door open");
    const store = { get: (k: string) => stored.get(k), put: (k: string, v: Uint8Array) => { stored.set(k, v); }, keys: (p: string) => [...stored.keys()].filter((k) => k.startsWith(p)) };
    const clock = { now: () => T0 };
    const again = new CoreConsoleBackend({ core, clock, random: { fill: (b) => b.fill(1) }, settings: store });
    const actors = again.logShow(10, undefined).filter((e) => e.event === "exit").map((e) => e.actor);
    assert.deepEqual(actors, ["tech1"]);
    const blind = new CoreConsoleBackend({ core, clock, random: { fill: (b) => b.fill(1) } });
    assert.match(blind.logShow(10, undefined).find((e) => e.event === "exit")!.actor, /^tech#\d+$/);
  });

  it("before login nothing reaches the core; the refusals are audited in aggregate", () => {
    const { core, type, t } = consoleRig();
    const before = core.audit.security.head().seq;
    const lines = ["resident add --unit 1 --role owner --card 04000001", "door open", "config set mode.card off", "clock set 2030-01-01", "hunter2"];
    for (const line of lines) assert.match(type(line), /E_LOGIN_REQUIRED|E_UNKNOWN_COMMAND/);
    assert.equal(core.registry.size, 0);
    assert.equal(core.access.policy.modes.card, true);
    // One record for the first refusal, the rest counted until a minute has passed.
    t.now += 61_000;
    type("door open");
    const refused = core.audit.entries().filter((e) => e.log === "security" && e.seq > before);
    assert.deepEqual(refused.map((e) => [e.kind, e.actorKind, e.actor]), [["console-refused", "none", 1], ["console-refused", "none", 5]]);
    assert.ok(refused.every((e) => !/hunter2|04000001/.test(e.detail)), "what was typed is never recorded");
  });

  it("audits whom each console mutation was done to: R00042 is subject 42, in log show too", () => {
    const { core, type, json, login } = consoleRig();
    login();
    // 41 residents already on the gate, so the console's next one is R00042.
    for (let i = 1; i <= 41; i++) core.registry.addResident({ unit: `1-${i}`, role: "owner", groups: 1, cards: [fromHex((0x04000000 + i).toString(16).padStart(8, "0"))] });
    const before = core.audit.security.head().seq;
    assert.match(type("resident add --unit 4-242 --role owner --card 04AA0001"), /Added as R00042\./);
    type("card add R00042 04AA0002");
    type("card remove 04AA0002");
    type("pin set 42"); type("482913"); type("482913");
    type("resident suspend R00042");
    type("resident resume R00042");
    const code = json("visitor issue R00042").data.code as string;
    type(`visitor revoke ${code}`);
    assert.match(type("card add R00042 04000001"), /error:/); // R00001's card: refused, still about R00042
    type("door open");
    type("resident edit R00007 --unit 1-77");
    const entries = core.audit.entries().filter((e) => e.log === "security" && e.seq > before);
    assert.deepEqual(entries.map((e) => `${e.kind} ${e.decision} ${e.subject}`), [
      "resident-added info 42", "card-added info 42", "card-removed info 42", "pin-set info 42",
      "resident-updated info 42", "resident-updated info 42", "code-issued info 42", "code-revoked info 42",
      "card-added deny 42", "exit grant 0", "resident-updated info 7",
    ]);
    assert.ok(entries.every((e) => e.actorKind === "technician"));

    const log = type("log show --last 11");
    assert.match(log, /tech1\s+card-added\s+info\s+info\s+R00042/);
    assert.match(log, /tech1\s+card-added\s+deny\s+bad-input\s+R00042/);
    assert.match(log, /tech1\s+exit\s+grant\s+granted\s+-/);
    const rows = json("log show --last 11").data as { event: string; subject: string | null }[];
    assert.deepEqual(rows.map((r) => r.subject), [...Array(9).fill("R00042"), null, "R00007"]);

    // The subject is inside the hash chain: changing only whom a record is about breaks it.
    const page = json("log export --log security --limit 100").data;
    const records = page.records.map((h: string) => fromHex(h));
    const anchor = { seq: page.anchor.seq, hash: fromHex(page.anchor.hash), watermark: -Infinity };
    const head = { seq: page.head.seq, hash: fromHex(page.head.hash) };
    assert.deepEqual(verifyChain(UNKEYED, anchor, records, head), { ok: true, count: records.length, breaks: [] });
    const i = records.findIndex((r: Uint8Array) => decodeRecord(r).kind === "card-removed");
    records[i][22] = 7; // R00042 → R00007
    assert.equal(decodeRecord(records[i]).subject, 7);
    assert.equal(verifyChain(UNKEYED, anchor, records, head).ok, false);
  });

  it("face consent, withdrawal and erasure records name the resident as subject", () => {
    const { core, type, login, keypad } = consoleRig();
    login();
    type("resident add --unit 3-303 --role owner --card 04112233");
    type("pin set R00001"); type("135724"); type("135724");
    type(`notice set --purpose "Open the gate by face" --method "On-device matching" --scope gate-1 --retention 365`);
    const before = core.audit.security.head().seq;
    type("consent grant R00001"); type("yes"); keypad("#8#1#135724#");
    type("face enrol R00001"); type("go");
    type("resident remove R00001"); type("R00001");
    // (The consent PIN check is an access decision by the resident: not a face record.)
    const after = core.audit.entries().filter((e) => e.log === "security" && e.seq > before);
    assert.deepEqual(after.map((e) => `${e.actorKind} ${e.kind} ${e.subject}`), [
      "technician consent-requested 1", "resident consent-given 1",
      "resident face-enrolled 1", "technician face-enrolled 1",
      // Withdrawn and erased at the console: the technician did it, the resident is whom it concerns.
      "technician consent-withdrawn 1", "technician face-erased 1", "technician resident-removed 1",
    ]);
    assert.match(type("log show --last 7"), /tech1\s+consent-withdrawn\s+info\s+info\s+R00001/);
  });

  it("records what changed: settings old -> new, distinct kinds for accounts and settings", () => {
    const { core, type, login } = consoleRig();
    login();
    const before = core.audit.security.head().seq;
    type("config set lockout.keypad 20");
    type("config set pin.min 7");
    type("tech add tech2 --role operator"); type("Second tech 42x"); type("Second tech 42x");
    const records = core.audit.entries().filter((e) => e.log === "security" && e.seq > before);
    assert.deepEqual(records.map((e) => `${e.kind} ${e.detail}`), [
      "setting-changed lockout.keypad 5 -> 20",
      "setting-changed pin.min 6 -> 7",
      "technician-added tech2 role=operator technician=tech2",
    ]);
    assert.ok(records.every((e) => e.actorKind === "technician"));
    assert.ok(records.every((e) => !/Second tech/.test(e.detail)), "no password in a record");
  });

  it("a clock typo erases nothing: a jump over a day is asked first, a jump nobody typed holds the sweeps until confirmed", () => {
    const { core, t, type, login, keypad } = consoleRig();
    login();
    type("resident add --unit 3-303 --role owner --card 04112233");
    type("pin set R00001"); type("135724"); type("135724");
    type(`notice set --purpose "Open the gate by face" --method "On-device matching" --scope gate-1 --retention 30`);
    type("consent grant R00001"); type("yes"); keypad("#8#1#135724#");
    type("face enrol R00001"); type("go");
    assert.ok(core.gallery.entry("R00001"), "enrolled");
    const tick = () => { for (let i = 0; i < 3; i++) { t.now += 61_000; core.tick(t.now); } };
    tick();
    // The typo: 2099. Asked; "no" leaves the clock and the template alone.
    const now = t.now;
    type("");
    login();
    assert.match(type("clock set 2099-12-31"), /jump \d+ day\(s\) ahead/);
    type("no");
    assert.equal(t.now, now);
    tick();
    assert.ok(core.gallery.entry("R00001"), "nothing erased");
    // The board's clock jumps 80 years by itself (an RTC glitch): the sweep holds, status says so.
    t.now += 80 * 365 * 86_400_000;
    tick();
    assert.ok(core.gallery.entry("R00001"), "the retention sweep is held after an unconfirmed jump");
    type(""); // the console logged out while the days went by (that line is not run)
    login();
    assert.match(type("status"), /retention sweeps held; check the time, then: clock confirm/);
    // Confirmed: the rule runs, and the erasure is the retention rule's, not the resident's.
    assert.match(type("clock confirm"), /retention sweeps run again/);
    tick();
    assert.equal(core.gallery.entry("R00001"), undefined, "erased once the time was confirmed");
    const erased = core.audit.entries().filter((e) => e.kind === "face-erased" || e.kind === "consent-withdrawn").at(-1)!;
    assert.deepEqual([erased.actorKind, erased.subject, /^retention/.test(erased.detail)], ["system", 1, true]);
    assert.ok(core.audit.entries().some((e) => e.kind === "clock-confirmed" && e.actorKind === "technician"));
  });
});
