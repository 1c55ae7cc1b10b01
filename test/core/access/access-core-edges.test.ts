// AccessCore at its edges, as an adversary would probe it: exact decisions,
// exact audit records, which keypad a failure counts against, what a reboot
// restores (portable: Node and XS).
import assert from "node:assert/strict";
import { AccessCore, type AccessEvent } from "../../../src/core/access/access-core";
import { AuditLog } from "../../../src/core/audit/audit-log";
import type { AuditRecord } from "../../../src/core/audit/audit-record";
import type { GatePolicy } from "../../../src/core/access/policy";
import type { ReasonCode } from "../../../src/core/access/types";
import { at, basePolicy, newRegistry, uid } from "./fixtures";

const T = at("2026-06-03", "10:00"); // a Wednesday
const DAY = 86_400_000;
const ownerCard = uid(0x04, 0xa1, 0xb2, 0xc3);
const staffCard = uid(0x04, 0x51, 0x52, 0x53);

function setup(policy: Partial<GatePolicy> = {}) {
  const registry = newRegistry();
  const owner = registry.addResident({ unit: "B3-1204", role: "owner", groups: 0b01, cards: [ownerCard], pin: "482913" });
  const staff = registry.addResident({ unit: "STAFF", role: "staff", groups: 0b10, cards: [staffCard], pin: "736402" });
  const audit = new AuditLog({ capacity: 512 });
  const core = new AccessCore({ registry, policy: basePolicy(policy), audit });
  return { registry, audit, core, owner, staff };
}

const last = (audit: AuditLog): AuditRecord => { const e = audit.entries(); return e[e.length - 1]; };
const pick = (e: AuditRecord) => ({ time: e.time, actorKind: e.actorKind, actor: e.actor, kind: e.kind, decision: e.decision, reason: e.reason });
const stranger = (keypad?: number): AccessEvent => ({ kind: "pin", keypad: keypad as number, resident: 9_999, pin: "123456" });

describe("AccessCore edges: decisions carry exactly what they should", () => {
  it("a refusal names no resident and no wait unless it has them", () => {
    const { core } = setup();
    assert.deepEqual(core.decide({ kind: "card", uid: uid(1, 2, 3, 4) }, T), { grant: false, reason: "unknown-card", clockTrusted: true });
    assert.deepEqual(core.decide(stranger(1), T), { grant: false, reason: "unknown-resident", clockTrusted: true });
    assert.deepEqual(core.decide("card" as unknown as AccessEvent, T), { grant: false, reason: "bad-input", clockTrusted: true });
    assert.equal(core.decide({ kind: "card", uid: ownerCard }, Number.POSITIVE_INFINITY).reason, "bad-input");
  });

  it("an event that is not a plain object is refused, even a function carrying kind exit", () => {
    const { core } = setup();
    const exit = Object.assign(() => undefined, { kind: "exit" }) as unknown as AccessEvent;
    assert.deepEqual(core.decide(exit, T), { grant: false, reason: "bad-input", clockTrusted: true });
    assert.deepEqual(core.decide({ kind: "exit" }, T), { grant: true, reason: "granted", clockTrusted: true });
  });

  it("status shows the keypad's score to a tenth, its wait, the alarm count and a copy of the last alarm", () => {
    const { core } = setup();
    assert.deepEqual(core.guessing(T), {
      keypad: { score: 0, waitMs: 0, engaged: false }, reader: { score: 0, waitMs: 0, engaged: false }, alarms: 0,
    });
    for (let i = 0; i < 6; i++) core.decide(stranger(1), T);
    assert.deepEqual(core.guessing(T), {
      keypad: { score: 6, waitMs: 2_000, engaged: true }, reader: { score: 0, waitMs: 0, engaged: false }, alarms: 1,
      lastAlarm: { source: "keypad", id: 1, at: T },
    });
    const later = core.guessing(T + 6_000); // 0.1 leaked
    assert.deepEqual(later.keypad, { score: 5.9, waitMs: 0, engaged: true });
    (later.lastAlarm as { id: number }).id = 77;
    assert.equal(core.guessing(T).lastAlarm?.id, 1);
    assert.equal(core.guessing(T, 2).keypad.score, 0);
  });

  it("the alarm records name the keypad, or the system for the reader", () => {
    const { core, audit } = setup();
    for (let i = 0; i < 6; i++) core.decide(stranger(3), T);
    assert.deepEqual(pick(audit.entries().filter((e) => e.kind === "guessing-alarm")[0]),
      { time: T, actorKind: "keypad", actor: 3, kind: "guessing-alarm", decision: "info", reason: "locked-out" });
    for (let i = 0; i < 6; i++) core.decide({ kind: "card", uid: uid(9, 9, 9, i + 1) }, T + 1);
    assert.deepEqual(pick(audit.entries().filter((e) => e.kind === "guessing-alarm")[1]),
      { time: T + 1, actorKind: "system", actor: 0, kind: "guessing-alarm", decision: "info", reason: "locked-out" });
    assert.deepEqual(core.guessing(T + 1).lastAlarm, { source: "reader", id: 0, at: T + 1 });
    assert.equal(core.guessing(T + 1).alarms, 2);
    assert.deepEqual(core.decide({ kind: "card", uid: uid(9, 9, 9, 99) }, T + 1),
      { grant: false, reason: "locked-out", clockTrusted: true, retryAfterMs: 2_000 });
  });
});

describe("AccessCore edges: which keypad a failure counts against", () => {
  it("keypad 0 is a keypad; a missing, negative or fractional keypad is none, and none is not keypad 1", () => {
    for (const [keypad, key] of [[0, 0], [undefined, -1], [-2, -1], [1.5, -1], ["3", -1]] as [unknown, number][]) {
      const { core } = setup();
      for (let i = 0; i < 6; i++) core.decide(stranger(keypad as number), T);
      assert.equal(core.guessing(T, key).keypad.score, 6, `keypad ${String(keypad)}`);
      assert.equal(core.guessing(T, 1).keypad.score, 0, `keypad ${String(keypad)}`);
      if (key !== 0) assert.equal(core.guessing(T, 0).keypad.score, 0, `keypad ${String(keypad)}`);
    }
  });

  it("the audit names keypad 0 as a keypad, a missing or non-number keypad as none", () => {
    const { core, audit } = setup();
    const cases: [unknown, string, number][] = [[0, "keypad", 0], [undefined, "none", 0], ["3", "none", 0], [-2, "none", 0], [0xffffffff, "keypad", 0xffffffff], [2 ** 32, "keypad", 0], [2 ** 32 + 3, "keypad", 0]];
    for (const [keypad, actorKind, actor] of cases) {
      core.decide(stranger(keypad as number), T);
      assert.deepEqual(pick(last(audit)), { time: T, actorKind, actor, kind: "pin", decision: "deny", reason: "unknown-resident" }, `keypad ${String(keypad)}`);
    }
    core.decide({ kind: "teleport" } as unknown as AccessEvent, Number.NaN);
    assert.deepEqual(pick(last(audit)), { time: 0, actorKind: "none", actor: 0, kind: "malformed-event", decision: "deny", reason: "bad-input" });
    for (const kind of ["card", "pin", "code", "face", "exit"]) {
      core.decide({ kind, keypad: 4 } as unknown as AccessEvent, T + 1);
      assert.equal(last(audit).kind, kind);
    }
  });

  it("a card's or face's PIN counts against the resident only, never a keypad", () => {
    const { core, registry, owner } = setup();
    registry.setFaceEnrolled(owner, true);
    for (let i = 0; i < 3; i++) core.decide({ kind: "card", uid: ownerCard, keypad: 1, pin: String(100_000 + i) }, T);
    assert.equal(core.decide({ kind: "card", uid: ownerCard, keypad: 1, pin: "12" }, T).reason, "bad-input");
    core.decide({ kind: "face", resident: owner, matched: true, keypad: 1, pin: "100009" }, T);
    core.decide({ kind: "face", resident: owner, matched: true, keypad: 1, pin: "100010" }, T);
    assert.deepEqual(core.decide({ kind: "card", uid: ownerCard, keypad: 1, pin: "482913" }, T),
      { grant: false, reason: "locked-out", resident: owner, clockTrusted: true, retryAfterMs: 3_600_000 });
    assert.equal(core.guessing(T, 1).keypad.score, 0);
    assert.equal(core.guessing(T, -1).keypad.score, 0);
    assert.equal(core.decide({ kind: "card", uid: ownerCard, keypad: 1, pin: "482913" }, T + 3_600_000).grant, true);
  });

  it("a wrong confirmation PIN counts against the keypad; one typed during its wait is refused unread", () => {
    const { core, audit, owner } = setup();
    for (let i = 0; i < 6; i++) core.confirmPin(owner, String(100_000 + i), T, 2);
    assert.equal(core.guessing(T, 2).keypad.score, 6);
    assert.deepEqual(core.confirmPin(owner, "482913", T + 1, 2), { grant: false, reason: "locked-out", clockTrusted: true, retryAfterMs: 1_999 });
    assert.equal(core.guessing(T + 1, 2).keypad.score, 6);
    assert.deepEqual(pick(last(audit)), { time: T + 1, actorKind: "keypad", actor: 2, kind: "pin", decision: "deny", reason: "locked-out" });
    core.confirmPin(9_999, "482913", T, 0);
    assert.deepEqual(pick(last(audit)), { time: T, actorKind: "keypad", actor: 0, kind: "pin", decision: "deny", reason: "unknown-resident" });
    core.confirmPin(9_999, "482913", T);
    assert.deepEqual(pick(last(audit)), { time: T, actorKind: "none", actor: 0, kind: "pin", decision: "deny", reason: "unknown-resident" });
    assert.equal(core.guessing(T, 0).keypad.score, 1);
  });
});

describe("AccessCore edges: the clock floor and confirmation keypads", () => {
  it("trusts the clock from exactly the floor, not a millisecond before", () => {
    const floor = Date.UTC(2025, 0, 1);
    const { core } = setup({ clockFloorMs: floor });
    assert.equal(core.clockTrusted(floor), true);
    assert.equal(core.clockTrusted(floor - 1), false);
    assert.equal(core.clockTrusted("1800000000000" as never), false);
  });

  it("audits a confirmation's keypad up to 0xffffffff, and none beyond", () => {
    const { core, audit } = setup();
    core.confirmPin(9_999, "482913", T, 0xffffffff);
    assert.deepEqual(pick(last(audit)), { time: T, actorKind: "keypad", actor: 0xffffffff, kind: "pin", decision: "deny", reason: "unknown-resident" });
    core.confirmPin(9_999, "482913", T, 2 ** 32);
    assert.deepEqual(pick(last(audit)), { time: T, actorKind: "keypad", actor: 0, kind: "pin", decision: "deny", reason: "unknown-resident" });
    core.confirmPin(9_999, "482913", Number.NaN, 1);
    assert.deepEqual(pick(last(audit)), { time: 0, actorKind: "keypad", actor: 1, kind: "pin", decision: "deny", reason: "bad-input" });
  });
});

describe("AccessCore edges: confirmations", () => {
  it("a confirmation names the resident in the audit, and a resident number that is no integer names nobody", () => {
    const { core, audit, owner } = setup();
    assert.deepEqual(core.confirmPin(owner, "482913", T, 2), { grant: true, reason: "granted", resident: owner, clockTrusted: true });
    assert.deepEqual(pick(last(audit)), { time: T, actorKind: "resident", actor: owner, kind: "pin", decision: "info", reason: "granted" });
    // The staff member's right PIN under a resident number that is no integer finds no one.
    for (const resident of [Number.NaN, 1.5, "2"]) {
      assert.deepEqual(core.confirmPin(resident as number, "736402", T + 1, 2), { grant: false, reason: "unknown-resident", clockTrusted: true });
    }
  });

  it("a face or PIN entry whose resident number is no integer finds no one, not the resident in row 1", () => {
    const { core, registry, staff } = setup();
    registry.setFaceEnrolled(staff, true);
    for (const resident of [Number.NaN, 1.5, "2"]) {
      assert.deepEqual(core.decide({ kind: "face", resident, matched: true } as unknown as AccessEvent, T), { grant: false, reason: "unknown-resident", clockTrusted: true });
      assert.deepEqual(core.decide({ kind: "pin", keypad: 1, resident, pin: "736402" } as unknown as AccessEvent, T), { grant: false, reason: "unknown-resident", clockTrusted: true });
    }
  });
});

describe("AccessCore edges: the resident's last-failure time", () => {
  it("a failure on a clock set back keeps the later time, unless nothing was counted", () => {
    const { core, registry, owner } = setup();
    const row = registry.residents.find(owner);
    const card = (pin: string, now: number) => core.decide({ kind: "card", uid: ownerCard, pin }, now);
    card("100001", T);
    assert.equal(registry.residents.pinFailedAt[row], Math.floor(T / 1000));
    card("100002", T - 10_000);
    assert.equal(registry.residents.pinFailures[row], 2);
    assert.equal(registry.residents.pinFailedAt[row], Math.floor(T / 1000));
    assert.equal(card("482913", T).grant, true);
    assert.equal(registry.residents.pinFailures[row], 0);
    card("100003", T - 20_000);
    assert.equal(registry.residents.pinFailures[row], 1);
    assert.equal(registry.residents.pinFailedAt[row], Math.floor((T - 20_000) / 1000));
  });
});

describe("AccessCore edges: a wrong PIN on a clock before 1970", () => {
  it("is stamped at second 0, never wrapped to a time after 2100, so it leaks once the clock is right", () => {
    const { core, registry, owner } = setup();
    const row = registry.residents.find(owner);
    assert.equal(core.decide({ kind: "card", uid: ownerCard, pin: "100001" }, -10_000).reason, "wrong-pin");
    assert.equal(registry.residents.pinFailures[row], 1);
    assert.equal(registry.residents.pinFailedAt[row], 0);
    for (let i = 0; i < 4; i++) core.decide({ kind: "card", uid: ownerCard, pin: String(100_002 + i) }, -10_000);
    assert.equal(core.decide({ kind: "card", uid: ownerCard, pin: "482913" }, -10_000).reason, "locked-out");
    assert.equal(core.decide({ kind: "card", uid: ownerCard, pin: "482913" }, T).reason, "granted");
  });
});

describe("AccessCore edges: bursts", () => {
  it("refused cards past the tenth, and entries typed during a wait, are counted into one record; a resident's lock never is", () => {
    const { core, audit, owner } = setup();
    for (let i = 0; i < 12; i++) core.decide({ kind: "card", uid: uid(9, 9, 9, i + 1) }, T + i);
    assert.equal(audit.entries().filter((e) => e.kind === "card").length, 10);
    for (let i = 0; i < 6; i++) core.decide(stranger(1), T);
    for (let i = 0; i < 6; i++) core.decide(stranger(1), T + 100 + i);
    for (let i = 0; i < 6; i++) core.decide({ kind: "code", keypad: 1, code: "11112222" }, T + 200 + i);
    const throttled = audit.entries().filter((e) => (e.kind === "pin" || e.kind === "code") && e.reason === "locked-out");
    assert.equal(throttled.length, 10);
    core.flushBursts(T + 205 + 59_999);
    assert.equal(audit.entries().filter((e) => e.kind === "throttled-entries").length, 0);
    core.flushBursts(T + 205 + 60_000);
    const bursts = audit.entries().filter((e) => e.kind === "throttled-entries" || e.kind === "unknown-cards");
    assert.deepEqual(bursts.map((e) => [e.kind, e.actor]).sort(), [["throttled-entries", 2], ["unknown-cards", 2]]);
    // The owner's own lock: every refusal is a record of its own, attributed to them.
    for (let i = 0; i < 5; i++) core.decide({ kind: "card", uid: ownerCard, pin: String(100_000 + i) }, T + DAY);
    for (let i = 0; i < 12; i++) core.decide({ kind: "card", uid: ownerCard, pin: "482913" }, T + DAY + 1 + i);
    assert.equal(audit.entries().filter((e) => e.kind === "card" && e.actorKind === "resident" && e.actor === owner).length, 17);
  });
});

describe("AccessCore edges: what a burst absorbs", () => {
  it("card refusals for other reasons (no second factor, a noise UID) are each a record of their own", () => {
    const { core, audit } = setup({ modes: { card: false, pin: true, cardPin: true, face: false, facePin: false, code: true } });
    for (let i = 0; i < 12; i++) core.decide({ kind: "card", uid: uid(9, 9, 9, i + 1) }, T + i);
    for (let i = 0; i < 12; i++) core.decide({ kind: "card", uid: uid(0, 0, 0, 0), pin: "482913" }, T + 20 + i);
    core.flushBursts(T + DAY);
    assert.deepEqual(audit.entries().filter((e) => e.kind === "card").map((e) => e.reason),
      [...new Array(12).fill("second-factor-required"), ...new Array(12).fill("bad-input")]);
    assert.equal(audit.entries().filter((e) => e.kind === "unknown-cards").length, 0);
  });
});

describe("AccessCore edges: codes", () => {
  function codes() {
    const s = setup();
    const visitor = s.registry.addResident({
      unit: "B3-1204", role: "visitor", groups: 0b01, validFrom: at("2026-06-01", "00:00"), validUntil: at("2026-06-04", "00:00"),
      codes: [{ code: "73910264", validFrom: at("2026-06-02", "00:00"), validUntil: at("2026-06-05", "00:00"), uses: 2 }],
    });
    return { ...s, visitor };
  }

  it("a code opens from exactly its first second and not a millisecond before", () => {
    const { core } = codes();
    const from = at("2026-06-02", "00:00");
    assert.equal(core.decide({ kind: "code", keypad: 1, code: "73910264" }, from - 1).reason, "code-not-yet-valid");
    assert.equal(core.decide({ kind: "code", keypad: 1, code: "73910264" }, from).reason, "granted");
  });

  it("a code typed as a number (or in an array) is no code, even when its digits are an issued one", () => {
    const { core, registry } = codes();
    const now = at("2026-06-02", "10:00");
    for (const code of [73910264, ["73910264"]]) {
      assert.equal(registry.findCode(code as never), undefined);
      assert.equal(core.decide({ kind: "code", keypad: 1, code } as unknown as AccessEvent, now).reason, "unknown-code");
    }
    assert.equal(registry.findCode("73910264")?.uses, 2);
  });

  it("a code whose holder may not enter is refused and keeps its uses", () => {
    const { core, registry } = codes();
    assert.equal(core.decide({ kind: "code", keypad: 1, code: "73910264" }, at("2026-06-04", "09:00")).reason, "expired");
    assert.equal(registry.findCode("73910264")?.uses, 2);
  });

  it("only a code attempt drops used-up codes past their expiry", () => {
    const { core } = codes();
    core.decide({ kind: "code", keypad: 1, code: "73910264" }, at("2026-06-02", "10:00"));
    core.decide({ kind: "code", keypad: 1, code: "73910264" }, at("2026-06-02", "11:00"));
    core.decide({ kind: "card", uid: ownerCard }, at("2026-06-06", "10:00"));
    core.decide({ kind: "exit" }, at("2026-06-06", "10:01"));
    assert.equal(core.decide({ kind: "code", keypad: 1, code: "73910264" }, at("2026-06-06", "10:02")).reason, "code-used-up");
    assert.equal(core.decide({ kind: "code", keypad: 1, code: "73910264" }, at("2026-06-06", "10:03")).reason, "unknown-code");
  });
});

describe("AccessCore edges: an untrusted clock", () => {
  const EARLY = Date.UTC(2024, 5, 5, 2); // before the clock floor
  it("admits owners and renters without a window whatever their group, staff only in an always-open group", () => {
    // group 0 follows a schedule, group 1 is around the clock
    const base = basePolicy();
    const { core, registry } = setup({ groups: [{ group: 0, schedule: base.groups[1].schedule }, { group: 1, schedule: base.groups[0].schedule }] });
    let n = 0;
    const add = (role: "owner" | "renter" | "staff", groups: number, extra: { validFrom?: number; validUntil?: number } = {}) =>
      registry.addResident({ unit: "X", role, groups, cards: [uid(5, 5, 5, ++n)], ...extra });
    const tap = (id: number) => core.decide({ kind: "card", uid: registry.cardsOf(id)[0] }, EARLY);
    assert.deepEqual(tap(add("owner", 0b01)), { grant: true, reason: "granted", resident: registry.findCard(uid(5, 5, 5, 1)), clockTrusted: false });
    assert.equal(tap(add("renter", 0b01)).reason, "granted");
    assert.equal(tap(add("staff", 0b01)).reason, "clock-untrusted");
    assert.equal(tap(add("staff", 0b10)).reason, "granted");
    assert.equal(tap(add("owner", 0b01, { validUntil: T + DAY })).reason, "clock-untrusted");
    assert.equal(tap(add("owner", 0b01, { validFrom: T - DAY })).reason, "clock-untrusted");
  });
});

describe("AccessCore edges: restoreLimits reads each kind of record back", () => {
  it("counts each keypad failure against its keypad, a resident's lock against the gate's, cards against the reader", () => {
    const { registry, audit, owner, staff } = setup();
    const add = (kind: string, decision: string, reason: ReasonCode, actorKind: string, actor: number) =>
      audit.append({ time: T, actorKind, actor, kind, decision, reason } as Parameters<AuditLog["append"]>[0]);
    for (const reason of ["unknown-resident", "wrong-pin", "bad-input", "code-used-up", "code-expired", "code-not-yet-valid"] as ReasonCode[]) add("pin", "deny", reason, "keypad", 3);
    add("code", "deny", "unknown-code", "keypad", 3);
    add("pin", "deny", "locked-out", "keypad", 3); // typed during a wait: not counted
    add("card", "deny", "bad-input", "none", 0); // not at a keypad
    add("face", "deny", "wrong-pin", "none", 0);
    // owner: three wrong PINs, a lock (counts at the gate's keypad, clears nothing), a confirmation clears, two more
    for (let i = 0; i < 3; i++) add("pin", "deny", "wrong-pin", "resident", owner);
    add("pin", "deny", "locked-out", "resident", owner);
    add("pin", "info", "granted", "resident", owner);
    for (let i = 0; i < 2; i++) add("card", "deny", "wrong-pin", "resident", owner);
    // staff: two wrong PINs after a card, a PIN grant clears, one more; a card grant clears nothing
    for (let i = 0; i < 2; i++) add("card", "deny", "wrong-pin", "resident", staff);
    add("pin", "grant", "granted", "resident", staff);
    add("card", "deny", "wrong-pin", "resident", staff);
    add("card", "grant", "granted", "resident", staff);
    add("card", "deny", "suspended", "resident", staff);
    // the reader: a burst of 7, one unknown card, one refused during its wait
    audit.append({ time: T, actorKind: "system", actor: 7, kind: "unknown-cards", decision: "deny", reason: "unknown-card", subject: 30 });
    add("card", "deny", "unknown-card", "none", 0);
    add("card", "deny", "locked-out", "none", 0);

    const fresh = new AccessCore({ registry, policy: basePolicy(), audit });
    fresh.restoreLimits(1);
    assert.equal(fresh.guessing(T, 3).keypad.score, 7);
    // owner's 3 + lock + 2 wrong PINs at the keypad (pin kind only); the card ones name no keypad
    assert.equal(fresh.guessing(T, 1).keypad.score, 4);
    assert.equal(fresh.guessing(T, 0).keypad.score, 0);
    assert.equal(fresh.guessing(T).reader.score, 9);
    assert.equal(registry.residents.pinFailures[registry.residents.find(owner)], 2);
    assert.equal(registry.residents.pinFailures[registry.residents.find(staff)], 1);
  });
});

describe("AccessCore edges: restoreLimits, one kind of record at a time", () => {
  type Rec = [kind: string, decision: string, reason: ReasonCode, actorKind: string, actor: number];
  /** A gate whose log holds just `records` (at T), rebooted: what its limits read back. */
  function restore(records: Rec[], policy: Partial<GatePolicy> = {}) {
    const { registry, audit, owner } = setup(policy);
    for (const [kind, decision, reason, actorKind, actor] of records) {
      audit.append({ time: T, actorKind, actor: actor < 0 ? owner : actor, kind, decision, reason } as Parameters<AuditLog["append"]>[0]);
    }
    const fresh = new AccessCore({ registry, policy: basePolicy(policy), audit });
    fresh.restoreLimits(1);
    const g = (keypad: number) => fresh.guessing(T, keypad);
    return { reader: g(1).reader.score, keypad1: g(1).keypad.score, keypad3: g(3).keypad.score, owner: registry.residents.pinFailures[registry.residents.find(owner)] };
  }
  const OWNER = -1; // stands for the owner's id

  it("only refused cards count against the reader, not a keypad's entries refused for a wait", () => {
    assert.deepEqual(restore([["card", "deny", "unknown-card", "none", 0], ["card", "deny", "locked-out", "none", 0]]), { reader: 2, keypad1: 0, keypad3: 0, owner: 0 });
    assert.deepEqual(restore([["pin", "deny", "locked-out", "keypad", 3], ["code", "deny", "locked-out", "keypad", 3]]), { reader: 0, keypad1: 0, keypad3: 0, owner: 0 });
  });

  it("a record that is not a refusal counts against nothing, whatever reason it carries", () => {
    assert.deepEqual(restore([["card", "info", "locked-out", "none", 0], ["card", "grant", "unknown-card", "none", 0]]), { reader: 0, keypad1: 0, keypad3: 0, owner: 0 });
    assert.deepEqual(restore([["pin", "info", "unknown-resident", "keypad", 3], ["code", "grant", "unknown-code", "keypad", 3]]), { reader: 0, keypad1: 0, keypad3: 0, owner: 0 });
  });

  it("a resident refused after a right PIN (suspended, outside their schedule) costs the keypad nothing", () => {
    assert.deepEqual(restore([["pin", "deny", "suspended", "resident", OWNER], ["pin", "deny", "outside-schedule", "resident", OWNER]]), { reader: 0, keypad1: 0, keypad3: 0, owner: 0 });
    assert.deepEqual(restore([["pin", "deny", "locked-out", "resident", OWNER]]), { reader: 0, keypad1: 1, keypad3: 0, owner: 0 });
  });

  it("a resident's lock or malformed PIN clears none of their wrong PINs; only a grant or a confirmation does", () => {
    const wrong: Rec[] = [["pin", "deny", "wrong-pin", "resident", OWNER], ["pin", "deny", "wrong-pin", "resident", OWNER], ["pin", "deny", "wrong-pin", "resident", OWNER]];
    assert.equal(restore([...wrong, ["pin", "deny", "locked-out", "resident", OWNER]]).owner, 3);
    assert.equal(restore([...wrong, ["pin", "deny", "bad-input", "resident", OWNER]]).owner, 3);
    assert.equal(restore([...wrong, ["pin", "grant", "granted", "resident", OWNER]]).owner, 0);
    assert.equal(restore([...wrong, ["pin", "info", "granted", "resident", OWNER]]).owner, 0);
  });

  it("a record that names a keypad (or nothing) never touches the resident whose id equals its number", () => {
    assert.equal(restore([["pin", "deny", "wrong-pin", "keypad", 1], ["card", "deny", "wrong-pin", "none", 1]]).owner, 0);
    const wrong: Rec = ["pin", "deny", "wrong-pin", "resident", OWNER];
    assert.equal(restore([wrong, wrong, ["pin", "info", "granted", "keypad", 1], ["pin", "grant", "granted", "technician", 1]]).owner, 2);
  });

  it("a burst record replays at most 1000 refused cards, however many it counted", () => {
    const high = { lockout: { ...basePolicy().lockout, keypadThreshold: 5_000 } };
    const burst = (n: number): Rec => ["unknown-cards", "deny", "unknown-card", "system", n];
    assert.equal(restore([burst(999)], high).reader, 999);
    assert.equal(restore([burst(3_000)], high).reader, 1_000);
    assert.equal(restore([burst(3_000), burst(2)], high).reader, 1_002);
  });
});
