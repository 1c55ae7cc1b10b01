import assert from "node:assert/strict";
import { AccessCore } from "../../../src/core/access/access-core";
import { formatResidentId, parseResidentId } from "../../../src/core/access/types";
import { AuditLog } from "../../../src/core/audit/audit-log";
import { isOptgateError } from "../../../src/core/errors";
import { ConsentLedger } from "../../../src/core/face/consent-ledger";
import { CONSENT_REQUEST_TTL_MS, ConsentRequests, MAX_CONSENT_REQUEST_TTL_MS } from "../../../src/core/face/consent-request";
import { NoticeBoard } from "../../../src/core/face/notices";
import { receiptCode } from "../../../src/core/face/withdrawal";
import { at, basePolicy, newRegistry } from "../access/fixtures";
import { ledgerWorld, TEST_NOTICE } from "./face-fakes";

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const code = (c: string) => (e: unknown) => isOptgateError(e, c);
const message = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as Error).message; } return "no error"; };

function setup() {
  const { notices, registry, audit, ledger } = ledgerWorld();
  const requests = new ConsentRequests({ ledger, notices, residents: registry, pins: { hasPin: (id) => registry.pins.get(id) !== "" } });
  return { notices, registry, audit, ledger, requests };
}

describe("face/consent-request", () => {
  it("records consent only when the resident confirms with their own PIN, witnessed by the technician who armed it", () => {
    const { ledger, requests, audit } = setup();
    const armed = requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    assert.equal(armed.expiresAt, T0 + CONSENT_REQUEST_TTL_MS);
    assert.equal(ledger.isActive("r-101"), false, "arming alone records nothing");
    assert.equal(audit.events.length, 0);
    assert.equal(requests.pending("r-101", T0 + 1000)?.witnessId, "tech1");

    const done = requests.confirm("r-101", "1357", T0 + 30_000);
    assert.equal(ledger.isActive("r-101"), true);
    assert.deepEqual(
      [done.record.event, done.record.noticeVersion, done.record.actorId, done.record.channel, done.record.pinConfirmed, done.record.at],
      ["granted", 1, "tech1", "keypad", true, T0 + 30_000],
    );
    assert.match(done.receipt, /^\d{4}-\d{4}$/);
    assert.equal(done.receipt, receiptCode(done.record));
    assert.equal(requests.pending("r-101", T0 + 30_001), undefined, "a confirmed request is used up");
    assert.throws(() => requests.confirm("r-101", "1357", T0 + 31_000), code("E_NO_CONSENT_REQUEST"));
  });

  it("refuses a confirmation when nothing is waiting, and for another resident's request", () => {
    const { ledger, requests, registry } = setup();
    assert.throws(() => requests.confirm("r-101", "1357", T0), code("E_NO_CONSENT_REQUEST"));
    assert.equal(registry.verifyCalls, 0, "no request: the PIN is not even checked");
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    assert.throws(() => requests.confirm("r-102", "2468", T0 + 1), code("E_NO_CONSENT_REQUEST"));
    assert.equal(ledger.isActive("r-102"), false);
    assert.notEqual(requests.pending("r-101", T0 + 2), undefined);
  });

  it("a wrong PIN records nothing and leaves the request waiting until it expires", () => {
    const { ledger, requests } = setup();
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    assert.throws(() => requests.confirm("r-101", "2468", T0 + 1000), code("E_CONSENT_PIN_REJECTED"));
    assert.throws(() => requests.confirm("r-101", "", T0 + 1000), code("E_CONSENT_PIN_REQUIRED"));
    assert.equal(ledger.isActive("r-101"), false);
    assert.equal(ledger.records().length, 0);
    assert.equal(requests.confirm("r-101", "1357", T0 + 2000).record.event, "granted");
  });

  it("expires after 120 s by default, or at the time the technician chose", () => {
    const { ledger, requests } = setup();
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    assert.notEqual(requests.pending("r-101", T0 + CONSENT_REQUEST_TTL_MS - 1), undefined);
    assert.throws(() => requests.confirm("r-101", "1357", T0 + CONSENT_REQUEST_TTL_MS), code("E_CONSENT_REQUEST_EXPIRED"));
    assert.equal(ledger.isActive("r-101"), false);
    assert.throws(() => requests.confirm("r-101", "1357", T0 + CONSENT_REQUEST_TTL_MS), code("E_NO_CONSENT_REQUEST"), "an expired request is dropped");

    requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: T0, expiresAt: T0 + 10_000 });
    assert.throws(() => requests.confirm("r-102", "2468", T0 + 10_000), code("E_CONSENT_REQUEST_EXPIRED"));
    assert.throws(() => requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: T0, expiresAt: T0 }), code("E_BAD_TIME"));
    assert.throws(() => requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: T0, expiresAt: T0 + 3_600_000 }), code("E_BAD_TIME"));
    assert.throws(() => requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: NaN }), code("E_BAD_TIME"));
  });

  it("a clock set back before the arming ends the request", () => {
    const { requests, ledger } = setup();
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    assert.throws(() => requests.confirm("r-101", "1357", T0 - 60_000), code("E_CONSENT_REQUEST_EXPIRED"));
    assert.equal(ledger.isActive("r-101"), false);
  });

  it("a newer arm replaces the waiting one: one request per resident", () => {
    const { requests } = setup();
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech2", at: T0 + 50_000 });
    requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: T0 + 50_000 });
    assert.equal(requests.waiting(T0 + 50_000), 2);
    // The first arm's 120 s would have run out here; the replacement's has not.
    const done = requests.confirm("r-101", "1357", T0 + 150_000);
    assert.equal(done.record.actorId, "tech2");
    assert.equal(requests.waiting(T0 + 170_000), 0, "r-102's request expired and is dropped");
  });

  it("a notice published between arm and confirm voids the request: the resident must read the current one", () => {
    const { notices, ledger, requests, registry } = setup();
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    notices.publish({ ...TEST_NOTICE, retentionDays: 30 }, T0 + 1000);
    const calls = registry.verifyCalls;
    assert.throws(() => requests.confirm("r-101", "1357", T0 + 2000), code("E_NOTICE_OUTDATED"));
    assert.equal(registry.verifyCalls, calls, "the PIN is not consumed");
    assert.equal(ledger.isActive("r-101"), false);
    assert.throws(() => requests.confirm("r-101", "1357", T0 + 3000), code("E_NO_CONSENT_REQUEST"));
    requests.arm({ residentId: "r-101", noticeVersion: 2, witnessId: "tech1", at: T0 + 4000 });
    assert.equal(requests.confirm("r-101", "1357", T0 + 5000).record.noticeVersion, 2);
  });

  it("arming refuses what could never be confirmed, changing nothing", () => {
    const { notices, requests, registry, ledger } = setup();
    registry.add("r-103", "");
    const bad: [string, () => unknown][] = [
      ["E_RESIDENT_UNKNOWN", () => requests.arm({ residentId: "r-999", noticeVersion: 1, witnessId: "tech1", at: T0 })],
      ["E_NOTICE_OUTDATED", () => requests.arm({ residentId: "r-101", noticeVersion: 2, witnessId: "tech1", at: T0 })],
      ["E_CONSENT_WITNESS_REQUIRED", () => requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "", at: T0 })],
      ["E_CONSENT_NEEDS_PIN", () => requests.arm({ residentId: "r-103", noticeVersion: 1, witnessId: "tech1", at: T0 })],
    ];
    for (const [c, f] of bad) assert.throws(f, code(c), c);
    assert.equal(requests.waiting(T0), 0);

    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    requests.confirm("r-101", "1357", T0 + 1);
    assert.throws(() => requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 + 2 }), code("E_CONSENT_ALREADY_ACTIVE"));
    // Consent to an older notice: fresh consent to the new one may be asked for.
    notices.publish({ ...TEST_NOTICE, retentionDays: 30 }, T0 + 3);
    assert.equal(requests.arm({ residentId: "r-101", noticeVersion: 2, witnessId: "tech1", at: T0 + 4 }).noticeVersion, 2);
    assert.equal(ledger.activeGrant("r-101")!.noticeVersion, 1);

    const empty = new ConsentRequests({ ledger, notices: new NoticeBoard(), residents: registry });
    assert.throws(() => empty.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 }), code("E_NO_NOTICE"));
  });

  it("cancel drops the waiting request; cancelling nothing is refused", () => {
    const { requests, ledger } = setup();
    assert.throws(() => requests.cancel("r-101", T0), code("E_NO_CONSENT_REQUEST"));
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    assert.equal(requests.cancel("r-101", T0 + 1).witnessId, "tech1");
    assert.throws(() => requests.confirm("r-101", "1357", T0 + 2), code("E_NO_CONSENT_REQUEST"));
    assert.equal(ledger.isActive("r-101"), false);
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    assert.throws(() => requests.cancel("r-101", T0 + CONSENT_REQUEST_TTL_MS), code("E_NO_CONSENT_REQUEST"), "an expired request is not waiting");
  });

  it("wrong PINs go through the access core's lockout: after 5, even the right PIN is refused", () => {
    const registry = newRegistry();
    const n = registry.addResident({ unit: "B3-1204", role: "owner", groups: 0b01, pin: "482913" });
    const resident = formatResidentId(n);
    const auditLog = new AuditLog({ capacity: 64 });
    const access = new AccessCore({ registry, policy: basePolicy(), audit: auditLog });
    const now = { t: at("2026-06-03", "10:00") };
    const notices = new NoticeBoard();
    notices.publish(TEST_NOTICE, now.t);
    // Wired as src/app/core.ts wires the gate's ledger.
    const ledger = new ConsentLedger({
      notices,
      residents: { exists: (id) => registry.has(parseResidentId(id)) },
      pins: { verify: (id, pin) => access.confirmPin(parseResidentId(id), pin, now.t, 1).grant },
    });
    const requests = new ConsentRequests({ ledger, notices, residents: { exists: (id) => registry.has(parseResidentId(id)) }, pins: { hasPin: (id) => registry.get(parseResidentId(id))!.hasPin } });
    requests.arm({ residentId: resident, noticeVersion: 1, witnessId: "tech1", at: now.t, expiresAt: now.t + 600_000 });
    for (let i = 0; i < 5; i++) {
      assert.throws(() => requests.confirm(resident, "000000", now.t), code("E_CONSENT_PIN_REJECTED"));
      now.t += 60_000; // a resident's pace: the keypad throttle stays quiet, the resident's counter counts
    }
    assert.throws(() => requests.confirm(resident, "482913", now.t), code("E_CONSENT_PIN_REJECTED"), "locked out");
    assert.equal(ledger.isActive(resident), false);
    const pins = auditLog.entries().filter((e) => e.kind === "pin");
    assert.deepEqual(pins.map((e) => e.reason), ["wrong-pin", "wrong-pin", "wrong-pin", "wrong-pin", "wrong-pin", "locked-out"]);
    now.t += 3_600_000; // one wrong PIN leaks away per hour (the request meanwhile expired: armed again)
    requests.arm({ residentId: resident, noticeVersion: 1, witnessId: "tech1", at: now.t, expiresAt: now.t + 600_000 });
    assert.equal(requests.confirm(resident, "482913", now.t).record.event, "granted");
  });

  it("a request may last exactly 15 minutes, not one millisecond more, and is over at its expiry", () => {
    const { requests } = setup();
    assert.equal(MAX_CONSENT_REQUEST_TTL_MS, 900_000);
    const armed = requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0, expiresAt: T0 + MAX_CONSENT_REQUEST_TTL_MS });
    assert.equal(armed.expiresAt, T0 + 900_000);
    assert.equal(requests.pending("r-101", T0)?.armedAt, T0, "live from the moment it is armed");
    assert.equal(requests.pending("r-101", T0 + 899_999)?.witnessId, "tech1");
    assert.equal(requests.pending("r-101", T0 + 900_000), undefined, "over at its expiry");
    assert.equal(requests.pending("r-101", T0 + 899_999), undefined, "and dropped, not merely hidden");
    assert.equal(requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: T0, expiresAt: T0 + 1 }).expiresAt, T0 + 1);
    const tooLong = "E_BAD_TIME: A consent request must expire within 15 minutes of being armed.";
    assert.equal(message(() => requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: T0, expiresAt: T0 + 900_001 })), tooLong);
    assert.equal(message(() => requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: T0, expiresAt: T0 })), tooLong);
    assert.equal(message(() => requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: T0, expiresAt: NaN })), tooLong);
    // A number in a string compares and subtracts like a number; it is still not a time.
    assert.equal(message(() => requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: T0, expiresAt: String(T0 + 1000) as unknown as number })), tooLong);
    const notATime = "E_BAD_TIME: The time of the consent request is not a valid time.";
    for (const bad of [NaN, Infinity, -Infinity]) {
      assert.equal(message(() => requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: bad, expiresAt: T0 })), notATime, String(bad));
      assert.equal(message(() => requests.arm({ residentId: "r-102", noticeVersion: 1, witnessId: "tech1", at: bad })), notATime, String(bad));
    }
    assert.equal(requests.waiting(T0), 1, "r-101 was dropped, r-102 (armed for 1 ms) waits");
  });

  it("says in full why arming was refused", () => {
    const { notices, registry, ledger } = setup();
    registry.add("r-103", "");
    // A lookup that knows everyone: only the type check keeps a non-string id out.
    const requests = new ConsentRequests({ ledger, notices, residents: { exists: () => true }, pins: { hasPin: (id) => registry.pins.get(id) !== "" } });
    const arm = (r: Partial<Parameters<typeof requests.arm>[0]>) => message(() => requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0, ...r }));
    assert.equal(arm({ residentId: 101 as unknown as string }), "E_RESIDENT_UNKNOWN: Resident 101 is not registered; register them before asking for consent.");
    assert.equal(message(() => setup().requests.arm({ residentId: "r-999", noticeVersion: 1, witnessId: "tech1", at: T0 })), "E_RESIDENT_UNKNOWN: Resident r-999 is not registered; register them before asking for consent.");
    assert.equal(arm({ noticeVersion: 2 }), "E_NOTICE_OUTDATED: Notice version 2 is not the published one (version 1); show the resident the current notice.");
    assert.equal(arm({ witnessId: "" }), "E_CONSENT_WITNESS_REQUIRED: A consent request needs the witnessing technician's id.");
    assert.equal(arm({ witnessId: undefined as unknown as string }), "E_CONSENT_WITNESS_REQUIRED: A consent request needs the witnessing technician's id.");
    assert.equal(arm({ residentId: "r-103" }), "E_CONSENT_NEEDS_PIN: Resident r-103 has no PIN to confirm with on the keypad; set one first (pin set r-103).");
    assert.equal(requests.waiting(T0), 0);
    assert.equal(message(() => new ConsentRequests({ ledger, notices: new NoticeBoard(), residents: registry }).arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 })),
      "E_NO_NOTICE: No face notice is published; publish one (notice set) before asking for consent.");
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    requests.confirm("r-101", "1357", T0 + 1);
    assert.equal(arm({ at: T0 + 2 }), "E_CONSENT_ALREADY_ACTIVE: Resident r-101 already consented to notice version 1.");
  });

  it("without a PIN register, arming does not ask about PINs", () => {
    const { notices, registry, ledger } = setup();
    registry.add("r-103", "");
    const requests = new ConsentRequests({ ledger, notices, residents: registry });
    assert.equal(requests.arm({ residentId: "r-103", noticeVersion: 1, witnessId: "tech1", at: T0 }).residentId, "r-103");
  });

  it("says in full why a confirmation or a cancel was refused", () => {
    const { notices, requests } = setup();
    assert.equal(message(() => requests.confirm("r-101", "1357", T0)), "E_NO_CONSENT_REQUEST: No consent request is waiting for r-101; ask the technician to arm one at the console.");
    assert.equal(message(() => requests.cancel("r-101", T0)), "E_NO_CONSENT_REQUEST: No consent request is waiting for r-101; nothing to cancel.");
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    assert.equal(message(() => requests.confirm("r-101", "1357", T0 + CONSENT_REQUEST_TTL_MS)), "E_CONSENT_REQUEST_EXPIRED: The consent request for r-101 has expired; ask the technician to arm it again.");
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    notices.publish({ ...TEST_NOTICE, retentionDays: 30 }, T0 + 1);
    assert.equal(message(() => requests.confirm("r-101", "1357", T0 + 2)),
      "E_NOTICE_OUTDATED: Notice version 1 was replaced by version 2 after the request was armed; the resident must read the current notice first.");
  });

  it("a board with no notice in force at confirmation voids the request without a crash", () => {
    const { notices, ledger, registry } = setup();
    let gone = false;
    const board = { current: () => (gone ? undefined : notices.current()) } as unknown as NoticeBoard;
    const requests = new ConsentRequests({ ledger, notices: board, residents: registry });
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    gone = true;
    assert.throws(() => requests.confirm("r-101", "1357", T0 + 1), code("E_NOTICE_OUTDATED"));
    assert.equal(ledger.isActive("r-101"), false);
    assert.equal(requests.pending("r-101", T0 + 2), undefined);
  });

  it("a refusal from the ledger other than the PIN ends the request: retrying cannot succeed", () => {
    const { ledger, requests } = setup();
    requests.arm({ residentId: "r-101", noticeVersion: 1, witnessId: "tech1", at: T0 });
    // Consent recorded by another way while the request waited.
    ledger.grant({ residentId: "r-101", noticeVersion: 1, witnessId: "tech2", pin: "1357", at: T0 + 1 });
    assert.throws(() => requests.confirm("r-101", "1357", T0 + 2), code("E_CONSENT_ALREADY_ACTIVE"));
    assert.equal(requests.pending("r-101", T0 + 3), undefined);
    assert.throws(() => requests.confirm("r-101", "1357", T0 + 3), code("E_NO_CONSENT_REQUEST"));
  });
});
