import assert from "node:assert/strict";
import { ActiveConsent, ConsentLedger } from "../../../src/core/face/consent-ledger";
import { decodeConsentRecord, encodeConsentRecord } from "../../../src/core/face/consent-record";
import { decodeNotice, encodeNotice, NoticeBoard } from "../../../src/core/face/notices";
import { isOptgateError } from "../../../src/core/errors";
import { FakeRegistry, ledgerWorld, TEST_NOTICE } from "./face-fakes";

function setup() {
  const changes: Uint8Array[] = [];
  return { ...ledgerWorld((_r, b) => changes.push(b)), changes };
}

const code = (c: string) => (e: unknown) => isOptgateError(e, c);

describe("face/notices", () => {
  it("versions notices from 1 and refuses an unknown version", () => {
    const notices = new NoticeBoard();
    assert.equal(notices.current(), undefined);
    assert.equal(notices.publish(TEST_NOTICE, 5).version, 1);
    assert.equal(notices.publish({ ...TEST_NOTICE, retentionDays: 30 }, 6).version, 2);
    assert.equal(notices.current()!.retentionDays, 30);
    assert.equal(notices.get(1).retentionDays, 365);
    assert.throws(() => notices.get(3), code("E_NOTICE_UNKNOWN"));
    assert.throws(() => notices.get(0), code("E_NOTICE_UNKNOWN"));
  });

  it("refuses a notice without purpose, gates or a sane retention, publishing nothing", () => {
    const notices = new NoticeBoard();
    assert.throws(() => notices.publish({ ...TEST_NOTICE, purpose: " " }, 1), code("E_NOTICE_INVALID"));
    assert.throws(() => notices.publish({ ...TEST_NOTICE, gates: [] }, 1), code("E_NOTICE_INVALID"));
    assert.throws(() => notices.publish({ ...TEST_NOTICE, retentionDays: 0 }, 1), code("E_NOTICE_INVALID"));
    assert.throws(() => notices.publish({ ...TEST_NOTICE, retentionDays: 1.5 }, 1), code("E_NOTICE_INVALID"));
    assert.equal(notices.all().length, 0);
  });

  it("keeps published texts immutable", () => {
    const notices = new NoticeBoard();
    const gates = ["north"];
    const n = notices.publish({ ...TEST_NOTICE, gates }, 1);
    gates.push("south");
    assert.deepEqual([...n.gates], ["north"]);
    try { (n as { retentionDays: number }).retentionDays = 9999; } catch { /* frozen: strict mode throws */ }
    assert.equal(n.retentionDays, 365);
    assert.ok(Object.isFrozen(n));
  });
});

describe("face/notices storage", () => {
  it("round-trips notices through bytes (long texts, UTF-8) and restores a board", () => {
    const board = new NoticeBoard();
    board.publish({ ...TEST_NOTICE, purpose: "人脸识别仅用于开门。".repeat(40) }, 11);
    board.publish({ ...TEST_NOTICE, gates: ["north", "garage"], retentionDays: 90 }, 12);
    const bytes = board.all().map(encodeNotice);
    const decoded = bytes.map(decodeNotice);
    assert.deepEqual(decoded.map((n) => ({ ...n, gates: [...n.gates] })), board.all().map((n) => ({ ...n, gates: [...n.gates] })));
    const again = new NoticeBoard();
    again.restore(decoded);
    assert.equal(again.current()!.retentionDays, 90);
    assert.throws(() => again.restore(decoded), code("E_NOTICE_BOARD_NOT_EMPTY"));
    assert.throws(() => new NoticeBoard().restore(decoded.slice(1)), code("E_RECORD_CORRUPT"));
    assert.throws(() => decodeNotice(bytes[1].subarray(0, bytes[1].length - 2)), code("E_RECORD_CORRUPT"));
  });
});

describe("face/consent-ledger", () => {
  it("records PIN-confirmed, witnessed consent, audits it and hands the bytes to the store", () => {
    const { ledger, audit, changes } = setup();
    const record = ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "tech-7", pin: "1357", at: 2000 });
    assert.equal(record.event, "granted");
    assert.equal(record.pinConfirmed, true);
    assert.equal(record.actorId, "tech-7");
    assert.ok(ledger.isActive("r-101"));
    assert.ok(!ledger.isActive("r-102"));
    assert.deepEqual(ledger.consenting(), ["r-101"]);
    assert.equal(changes.length, 1);
    assert.deepEqual(decodeConsentRecord(changes[0]), record);
    assert.equal(audit.events[0].kind, "consent.granted");
    assert.ok(ledger.coversGate("r-101", "north"));
    assert.ok(!ledger.coversGate("r-101", "south"));
  });

  it("refuses bad consent requests with clear codes and changes nothing", () => {
    const { ledger, registry, audit, changes } = setup();
    const base = { residentId: "r-101", noticeVersion: 1, witnessId: "tech-7", pin: "1357", at: 2000 };
    assert.throws(() => ledger.grant({ ...base, pin: "" }), code("E_CONSENT_PIN_REQUIRED"));
    assert.throws(() => ledger.grant({ ...base, pin: "9999" }), code("E_CONSENT_PIN_REJECTED"));
    assert.throws(() => ledger.grant({ ...base, noticeVersion: 7 }), code("E_NOTICE_UNKNOWN"));
    assert.throws(() => ledger.grant({ ...base, witnessId: "" }), code("E_CONSENT_WITNESS_REQUIRED"));
    assert.throws(() => ledger.grant({ ...base, residentId: "nobody" }), code("E_RESIDENT_UNKNOWN"));
    assert.ok(registry.verifyCalls >= 1, "the PIN really went through PinCheck");
    assert.equal(ledger.records().length, 0);
    assert.equal(changes.length, 0);
    assert.equal(audit.events.length, 0);
    assert.ok(!ledger.isActive("r-101"));
  });

  it("refuses consent to a replaced notice and a duplicate grant", () => {
    const { ledger, notices } = setup();
    ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    assert.throws(() => ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 2 }), code("E_CONSENT_ALREADY_ACTIVE"));
    notices.publish({ ...TEST_NOTICE, retentionDays: 90 }, 3);
    assert.throws(() => ledger.grant({ residentId: "r-102", noticeVersion: 1, witnessId: "t", pin: "2468", at: 4 }), code("E_NOTICE_OUTDATED"));
    assert.equal(ledger.records().length, 1);
  });

  it("mints ActiveConsent only for consent to the current notice; a new notice needs fresh consent", () => {
    const { ledger, notices } = setup();
    assert.throws(() => ledger.activeConsent("r-101"), code("E_CONSENT_NOT_ACTIVE"));
    ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    const token = ledger.activeConsent("r-101");
    assert.ok(token instanceof ActiveConsent);
    assert.ok(ledger.confirms(token));
    notices.publish({ ...TEST_NOTICE, purpose: "also the garage" }, 2);
    assert.ok(!ledger.confirms(token), "a token from before the new notice no longer enrols");
    assert.throws(() => ledger.activeConsent("r-101"), code("E_CONSENT_NOTICE_CHANGED"));
    assert.ok(ledger.isActive("r-101"), "existing consent stays in force for matching");
    ledger.grant({ residentId: "r-101", noticeVersion: 2, witnessId: "t", pin: "1357", at: 3 });
    assert.ok(ledger.confirms(ledger.activeConsent("r-101")));
  });

  it("cannot be forged: the constructor needs the ledger's private key, and tokens are per ledger", () => {
    const a = setup(), b = setup();
    assert.throws(() => new (ActiveConsent as any)(Symbol("ActiveConsent.mint"), a.ledger, { residentId: "r-101", noticeVersion: 1, seq: 1 }), code("E_CONSENT_FORGED"));
    a.ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    b.ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    const fromA = a.ledger.activeConsent("r-101");
    assert.ok(!b.ledger.confirms(fromA));
    assert.ok(!a.ledger.confirms({ residentId: "r-101", noticeVersion: 1, grantSeq: 1 } as any));
  });

  it("withdraws at the keypad only with the resident's PIN, or from the console with a technician", () => {
    const { ledger } = setup();
    assert.throws(() => ledger.withdraw({ channel: "keypad", residentId: "r-101", pin: "1357", at: 5 }), code("E_CONSENT_NOT_ACTIVE"));
    ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    ledger.grant({ residentId: "r-102", noticeVersion: 1, witnessId: "t", pin: "2468", at: 1 });
    const token = ledger.activeConsent("r-101");
    assert.throws(() => ledger.withdraw({ channel: "keypad", residentId: "r-101", pin: "2468", at: 5 }), code("E_WITHDRAW_PIN_REJECTED"));
    assert.throws(() => ledger.withdraw({ channel: "console", residentId: "r-101", technicianId: "", at: 5 }), code("E_WITHDRAW_TECHNICIAN_REQUIRED"));
    assert.ok(ledger.isActive("r-101"));
    const w = ledger.withdraw({ channel: "keypad", residentId: "r-101", pin: "1357", at: 6 });
    assert.equal(w.event, "withdrawn");
    assert.ok(!ledger.isActive("r-101"));
    assert.ok(!ledger.confirms(token), "a token minted before withdrawal is void");
    const c = ledger.withdraw({ channel: "console", residentId: "r-102", technicianId: "tech-9", at: 7 });
    assert.equal(c.actorId, "tech-9");
    assert.deepEqual(ledger.history("r-101").map((r) => r.event), ["granted", "withdrawn"]);
    assert.throws(() => ledger.withdraw({ channel: "console", residentId: "r-101", technicianId: "t", at: 8 }), code("E_CONSENT_NOT_ACTIVE"));
  });

  it("round-trips every record through bytes and restores an identical ledger", () => {
    const { ledger, changes, notices, registry } = setup();
    ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "技术员-7", pin: "1357", at: 1700000000123 });
    ledger.withdraw({ channel: "console", residentId: "r-101", technicianId: "tech-9", at: 1700000000999 });
    ledger.grant({ residentId: "r-102", noticeVersion: 1, witnessId: "t", pin: "2468", at: 1700000001000 });
    ledger.lapse("r-102", 1700000002000);
    const decoded = changes.map(decodeConsentRecord);
    assert.deepEqual(decoded, [...ledger.records()]);
    for (const r of decoded) assert.deepEqual(encodeConsentRecord(r), changes[r.seq - 1]);
    const again = new ConsentLedger({ notices, pins: registry, residents: registry });
    again.restore(decoded);
    assert.deepEqual(again.history("r-101"), ledger.history("r-101"));
    assert.equal(again.isActive("r-102"), false);
    assert.throws(() => again.restore(decoded), code("E_LEDGER_NOT_EMPTY"));
    const gap = new ConsentLedger({ notices, pins: registry, residents: registry });
    assert.throws(() => gap.restore(decoded.slice(1)), code("E_RECORD_CORRUPT"));
  });

  it("rejects corrupt record bytes", () => {
    const { ledger, changes } = setup();
    ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    const bytes = changes[0];
    assert.throws(() => decodeConsentRecord(bytes.subarray(0, bytes.length - 1)), code("E_RECORD_CORRUPT"));
    assert.throws(() => decodeConsentRecord(Uint8Array.from([...bytes, 0])), code("E_RECORD_CORRUPT"));
    const badEvent = bytes.slice();
    badEvent[5] = 9;
    assert.throws(() => decodeConsentRecord(badEvent), code("E_RECORD_CORRUPT"));
    const badFormat = bytes.slice();
    badFormat[0] = 2;
    assert.throws(() => decodeConsentRecord(badFormat), code("E_RECORD_CORRUPT"));
  });
});

describe("face/consent-ledger: exact refusals and records (found by mutation testing)", () => {
  const message = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as Error).message.replace(/^E_[A-Z_]+: /, ""); } return "no error"; };

  it("says in full why consent or a withdrawal is refused", () => {
    const { ledger, notices } = setup();
    const base = { residentId: "r-101", noticeVersion: 1, witnessId: "tech-7", pin: "1357", at: 2000 };
    assert.deepEqual([
      message(() => ledger.grant({ ...base, residentId: "r-9" })),
      message(() => ledger.grant({ ...base, witnessId: "" })),
      message(() => ledger.grant({ ...base, pin: "" })),
      message(() => ledger.grant({ ...base, pin: "0000" })),
      message(() => ledger.withdraw({ channel: "console", residentId: "r-101", technicianId: "t", at: 1 })),
    ], [
      "Resident r-9 is not registered; register them before recording consent.",
      "Consent needs the witnessing technician's id.",
      "The resident must confirm consent with their own PIN on the keypad.",
      "The PIN did not match; consent was not recorded.",
      "Resident r-101 has no consent in force for face recognition.",
    ]);
    ledger.grant(base);
    assert.equal(message(() => ledger.grant(base)), "Resident r-101 already consented to notice version 1.");
    assert.equal(message(() => ledger.withdraw({ channel: "keypad", residentId: "r-101", pin: "1", at: 3 })), "The PIN did not match; consent is unchanged.");
    assert.equal(message(() => ledger.withdraw({ channel: "console", residentId: "r-101", technicianId: "", at: 3 })), "A console withdrawal needs the technician's id.");
    notices.publish({ ...TEST_NOTICE, retentionDays: 30 }, 4);
    assert.equal(message(() => ledger.grant({ ...base, residentId: "r-102", pin: "2468" })), "Notice version 1 has been replaced by version 2; show the resident the current notice.");
    assert.equal(message(() => ledger.activeConsent("r-101")), "Resident r-101 consented to notice version 1, but version 2 is now published; record fresh consent before enrolling.");
    assert.equal(message(() => new (ActiveConsent as any)(Symbol("x"), ledger, {})), "Only the consent ledger can vouch for consent.");
  });

  it("an empty or missing PIN, or a missing technician, never reaches the PIN check and changes nothing", () => {
    const { ledger, registry } = setup();
    // A PIN check that would accept anything: the ledger's own checks must still refuse.
    registry.verify = () => { registry.verifyCalls++; return true; };
    for (const pin of ["", undefined as never, 1357 as never]) {
      assert.throws(() => ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin, at: 1 }), code("E_CONSENT_PIN_REQUIRED"));
    }
    assert.throws(() => ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: undefined as never, pin: "1357", at: 1 }), code("E_CONSENT_WITNESS_REQUIRED"));
    ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    const calls = registry.verifyCalls;
    for (const pin of ["", undefined as never, 1357 as never]) {
      assert.throws(() => ledger.withdraw({ channel: "keypad", residentId: "r-101", pin, at: 2 }), code("E_WITHDRAW_PIN_REJECTED"));
    }
    assert.throws(() => ledger.withdraw({ channel: "console", residentId: "r-101", technicianId: undefined as never, at: 2 }), code("E_WITHDRAW_TECHNICIAN_REQUIRED"));
    assert.throws(() => ledger.withdraw({ channel: "fax", residentId: "r-101", at: 2 } as never), code("E_WITHDRAW_CHANNEL"));
    assert.equal(registry.verifyCalls, calls, "no empty PIN was offered to the PIN check");
    assert.ok(ledger.isActive("r-101"));
    assert.equal(ledger.records().length, 1);
  });

  it("records who acted: the keypad withdrawal the resident with their PIN, the console the technician, a lapse nobody", () => {
    const { ledger, audit } = setup();
    ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    ledger.grant({ residentId: "r-102", noticeVersion: 1, witnessId: "t", pin: "2468", at: 1 });
    const keypad = ledger.withdraw({ channel: "keypad", residentId: "r-101", pin: "1357", at: 2, technicianId: "sneaky" } as never);
    const lapse = ledger.lapse("r-102", 3);
    assert.deepEqual([keypad.actorId, keypad.channel, keypad.pinConfirmed], ["", "keypad", true]);
    assert.deepEqual([lapse.actorId, lapse.channel, lapse.pinConfirmed, lapse.event], ["", "retention", false, "lapsed"]);
    ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 4 });
    const console = ledger.withdraw({ channel: "console", residentId: "r-101", technicianId: "tech-9", at: 5 });
    assert.deepEqual([console.actorId, console.pinConfirmed], ["tech-9", false]);
    assert.deepEqual(audit.events.map((e) => [e.kind, e.residentId, e.channel, e.actorId]), [
      ["consent.granted", "r-101", "keypad", "t"], ["consent.granted", "r-102", "keypad", "t"],
      ["consent.withdrawn", "r-101", "keypad", undefined], ["consent.lapsed", "r-102", "retention", undefined],
      ["consent.granted", "r-101", "keypad", "t"], ["consent.withdrawn", "r-101", "console", "tech-9"],
    ]);
    assert.ok(audit.events.slice(2, 4).every((e) => !("actorId" in e)), "no empty actor field");
    assert.deepEqual(ledger.consenting(), [], "withdrawn and lapsed residents are not consenting");
    assert.equal(ledger.coversGate("r-102", "north"), false);
    assert.equal(ledger.coversGate("r-404", "north"), false, "an unknown resident covers no gate");
  });

  it("a restored ledger numbers its next record after the last one, gaps allowed only when records were lost", () => {
    const { ledger, changes, notices, registry } = setup();
    ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    ledger.withdraw({ channel: "console", residentId: "r-101", technicianId: "t", at: 2 });
    ledger.grant({ residentId: "r-102", noticeVersion: 1, witnessId: "t", pin: "2468", at: 3 });
    const decoded = changes.map(decodeConsentRecord);
    const again = new ConsentLedger({ notices, pins: registry, residents: registry });
    again.restore(decoded);
    assert.equal(again.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 4 }).seq, 4);
    assert.equal(message(() => new ConsentLedger({ notices, pins: registry, residents: registry }).restore([decoded[0], decoded[2]])), "Consent record 2 is missing or out of order.");
    const lost = new ConsentLedger({ notices, pins: registry, residents: registry });
    lost.restore([decoded[0], decoded[2]], { lost: true });
    assert.equal(lost.lapse("r-102", 4).seq, 4, "never reuses the number of a lost record");
    assert.throws(() => new ConsentLedger({ notices, pins: registry, residents: registry }).restore([decoded[2], decoded[0]], { lost: true }), code("E_RECORD_CORRUPT"));
    assert.throws(() => new ConsentLedger({ notices, pins: registry, residents: registry }).restore([decoded[0], decoded[0]], { lost: true }), code("E_RECORD_CORRUPT"));
    assert.equal(message(() => again.restore(decoded)), "The consent ledger can only be restored into an empty ledger.");
  });
});

describe("face/notices: every refusal and a board with holes (found by mutation testing)", () => {
  const message = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as Error).message; } return "no error"; };

  it("says which part of a notice is missing, and takes retention up to exactly ten years", () => {
    const notices = new NoticeBoard();
    const bad = (text: Partial<typeof TEST_NOTICE>) => message(() => notices.publish({ ...TEST_NOTICE, ...text } as typeof TEST_NOTICE, 1));
    assert.deepEqual([
      bad({ purpose: " " }), bad({ purpose: 7 as never }),
      bad({ method: "  " }), bad({ method: undefined as never }),
      bad({ gates: [] }), bad({ gates: "north" as never }), bad({ gates: ["north", ""] }), bad({ gates: [3 as never] }),
      bad({ retentionDays: 0 }), bad({ retentionDays: 3651 }),
    ], [
      "E_NOTICE_INVALID: The notice has no purpose; nothing was published.", "E_NOTICE_INVALID: The notice has no purpose; nothing was published.",
      "E_NOTICE_INVALID: The notice does not describe the method; nothing was published.", "E_NOTICE_INVALID: The notice does not describe the method; nothing was published.",
      "E_NOTICE_INVALID: The notice names no gates; nothing was published.", "E_NOTICE_INVALID: The notice names no gates; nothing was published.",
      "E_NOTICE_INVALID: The notice names an empty gate id; nothing was published.", "E_NOTICE_INVALID: The notice names an empty gate id; nothing was published.",
      "E_NOTICE_INVALID: The notice retention must be 1..3650 whole days; nothing was published.", "E_NOTICE_INVALID: The notice retention must be 1..3650 whole days; nothing was published.",
    ]);
    assert.equal(notices.all().length, 0);
    assert.equal(notices.publish({ ...TEST_NOTICE, retentionDays: 3650 }, 1).retentionDays, 3650);
    assert.equal(notices.publish({ ...TEST_NOTICE, retentionDays: 1 }, 2).version, 2);
  });

  it("an unknown version is named; versions 0, 1.5 and past the top do not exist", () => {
    const notices = new NoticeBoard();
    notices.publish(TEST_NOTICE, 1);
    for (const v of [0, 1.5, 2, -1]) assert.equal(notices.has(v), false, String(v));
    assert.equal(notices.has(1), true);
    assert.equal(message(() => notices.get(2)), "E_NOTICE_UNKNOWN: Notice version 2 was never published on this board (or was lost to flash damage); use a published version.");
  });

  it("restores with holes: a lost version is never found, never current and never reused", () => {
    const source = new NoticeBoard();
    for (let i = 0; i < 4; i++) source.publish({ ...TEST_NOTICE, retentionDays: 10 + i }, i);
    const [n1, n2, n3, n4] = source.all();
    const board = new NoticeBoard();
    board.restore([n1, n3], { top: 4 });
    assert.equal(board.get(3).retentionDays, 12, "found behind the hole");
    assert.equal(board.get(1).retentionDays, 10);
    assert.equal(board.has(2), false);
    assert.equal(board.has(4), false);
    assert.equal(board.current(), undefined, "the newest version was lost: no older text becomes current");
    assert.equal(board.publish(TEST_NOTICE, 9).version, 5);
    assert.equal(board.current()!.version, 5);
    assert.equal(message(() => new NoticeBoard().restore([n1, n3])), "E_RECORD_CORRUPT: Notice version 2 is missing or out of order.");
    assert.throws(() => new NoticeBoard().restore([n2, n1], { top: 4 }), code("E_RECORD_CORRUPT"));
    assert.throws(() => new NoticeBoard().restore([n2, n2], { top: 4 }), code("E_RECORD_CORRUPT"));
    assert.throws(() => new NoticeBoard().restore([{ ...n1, version: 1.5 }], { top: 4 }), code("E_RECORD_CORRUPT"));
    const whole = new NoticeBoard();
    whole.restore([n1, n2, n3, n4]);
    assert.equal(whole.current()!.version, 4);
    assert.equal(message(() => whole.restore([n1])), "E_NOTICE_BOARD_NOT_EMPTY: Notices can only be restored into an empty board.");
    assert.equal(message(() => decodeNotice(Uint8Array.of(2))), "E_RECORD_CORRUPT: The notice record has an unknown format.");
    const bytes = encodeNotice(n1);
    assert.equal(message(() => decodeNotice(bytes.subarray(0, bytes.length - 1))), "E_RECORD_CORRUPT: The notice record is truncated; restore it from a good copy.");
    assert.equal(message(() => decodeNotice(Uint8Array.of(...bytes, 0))), "E_RECORD_CORRUPT: The notice record has 1 unexpected trailing bytes.");
  });
});

describe("face/consent-ledger: a board whose newest notice was lost to flash damage", () => {
  function damaged() {
    const source = ledgerWorld();
    source.ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    source.notices.publish({ ...TEST_NOTICE, retentionDays: 30 }, 2000);
    const [n1] = source.notices.all();
    const notices = new NoticeBoard();
    notices.restore([n1], { top: 2 });
    const ledger = new ConsentLedger({ notices, pins: source.registry, residents: source.registry });
    ledger.restore(source.ledger.records());
    return ledger;
  }

  it("refuses new consent and enrolment with a sentence, not a TypeError", () => {
    const ledger = damaged();
    const noNotice = (e: unknown) => isOptgateError(e, "E_NO_NOTICE") && /^E_NO_NOTICE: No face notice is in force \(none is published, or the newest was lost to flash damage\); publish one \(notice set\)/.test((e as Error).message);
    assert.throws(() => ledger.grant({ residentId: "r-102", noticeVersion: 1, witnessId: "t", pin: "2468", at: 3 }), noNotice);
    assert.throws(() => ledger.activeConsent("r-101"), noNotice);
    assert.equal(ledger.isActive("r-101"), true, "consent given before stays in force");
    assert.equal(ledger.records().length, 1, "nothing recorded");
  });
});

describe("face/consent-ledger relayed grant (a template shared from another gate)", () => {
  it("records a hub-channel grant to the current notice, without a PIN, once; the ActiveConsent follows", () => {
    const { ledger, changes, audit } = setup();
    const record = ledger.relayGrant({ residentId: "r-101", grantedAt: 1500, origin: "gate-1", at: 2000 });
    assert.deepEqual([record.event, record.channel, record.actorId, record.pinConfirmed, record.noticeVersion], ["granted", "hub", "gate-1", false, 1]);
    assert.ok(ledger.activeConsent("r-101") instanceof ActiveConsent);
    assert.equal(ledger.relayGrant({ residentId: "r-101", grantedAt: 1600, origin: "gate-1", at: 2100 }), record, "already in force: nothing new");
    assert.equal(changes.length, 1);
    assert.deepEqual(decodeConsentRecord(changes[0]), record);
    assert.ok(audit.events.some((e) => e.kind === "consent.granted" && e.channel === "hub"));
  });

  it("refuses an unknown resident, no origin, and a grant older than a withdrawal recorded here", () => {
    const { ledger } = setup();
    assert.throws(() => ledger.relayGrant({ residentId: "r-999", grantedAt: 1500, origin: "gate-1", at: 2000 }), code("E_RESIDENT_UNKNOWN"));
    assert.throws(() => ledger.relayGrant({ residentId: "r-101", grantedAt: 1500, origin: "", at: 2000 }), code("E_CONSENT_WITNESS_REQUIRED"));
    ledger.relayGrant({ residentId: "r-101", grantedAt: 1500, origin: "gate-1", at: 2000 });
    ledger.withdraw({ channel: "hub", residentId: "r-101", at: 3000 });
    // A delivery replayed after the withdrawal carries the old grant time: refused.
    assert.throws(() => ledger.relayGrant({ residentId: "r-101", grantedAt: 1500, origin: "gate-1", at: 3500 }), code("E_CONSENT_WITHDRAWN_SINCE"));
    assert.equal(ledger.isActive("r-101"), false);
    // Consent given again at the origin after the withdrawal is recorded.
    assert.equal(ledger.relayGrant({ residentId: "r-101", grantedAt: 3200, origin: "gate-1", at: 3600 }).event, "granted");
  });

  it("an erase order for a resident with no consent here is recorded, so a delivery of the withdrawn consent is refused later", () => {
    const { ledger, changes } = setup();
    const marker = ledger.withdrawnElsewhere("r-101", 3000)!;
    assert.deepEqual([marker.event, marker.channel, marker.actorId, marker.pinConfirmed, marker.noticeVersion, marker.at], ["withdrawn", "hub", "", false, 1, 3000]);
    assert.deepEqual(decodeConsentRecord(changes.at(-1)!), marker, "persisted like any record");
    // The delivery of the consent given at the origin before the withdrawal, arriving late or replayed.
    assert.throws(() => ledger.relayGrant({ residentId: "r-101", grantedAt: 1500, origin: "gate-1", at: 3500 }), code("E_CONSENT_WITHDRAWN_SINCE"));
    assert.equal(ledger.isActive("r-101"), false);
    // The same order again, or an older one, adds nothing; a newer one is recorded.
    assert.equal(ledger.withdrawnElsewhere("r-101", 3000), undefined);
    assert.equal(ledger.withdrawnElsewhere("r-101", 2000), undefined);
    assert.equal(ledger.withdrawnElsewhere("r-101", 3100)!.at, 3100);
    // Consent given at the origin after the withdrawal is taken.
    assert.equal(ledger.relayGrant({ residentId: "r-101", grantedAt: 3200, origin: "gate-1", at: 3600 }).event, "granted");
    // With consent in force here, the order must go through withdraw (it ends consent); nothing is recorded.
    const count = ledger.records().length;
    assert.throws(() => ledger.withdrawnElsewhere("r-101", 4000), code("E_CONSENT_ACTIVE"));
    assert.equal(ledger.records().length, count);
  });

  it("without a notice ever published there is no consent to mark: nothing is recorded, and no delivery can be granted", () => {
    const registry = new FakeRegistry();
    registry.add("r-101", "1357");
    const ledger = new ConsentLedger({ notices: new NoticeBoard(), pins: registry, residents: registry });
    assert.equal(ledger.withdrawnElsewhere("r-101", 3000), undefined);
    assert.equal(ledger.records().length, 0);
    assert.throws(() => ledger.relayGrant({ residentId: "r-101", grantedAt: 1500, origin: "gate-1", at: 3500 }), code("E_NO_NOTICE"));
  });
});
