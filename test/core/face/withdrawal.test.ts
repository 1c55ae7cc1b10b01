import assert from "node:assert/strict";
import { receiptCode } from "../../../src/core/face/withdrawal";
import { isOptgateError } from "../../../src/core/errors";
import { consentAndEnrol, faceWorld, runFace } from "./face-fakes";

const code = (c: string) => (e: unknown) => isOptgateError(e, c);

function world() {
  const written: Uint8Array[] = [];
  const w = faceWorld({ vaultWrites: (_id, b) => written.push(b) });
  w.notices.publish({ purpose: "gate", method: "face model", gates: ["north"], retentionDays: 365 }, w.clock.now);
  return { w, written };
}

describe("face/withdrawal", () => {
  it("at the keypad: code + PIN destroy template and key at once, clear the slot, audit, and give a receipt", () => {
    const { w, written } = world();
    consentAndEnrol(w, "r-1", 1, "1357");
    consentAndEnrol(w, "r-2", 2, "2468");
    const slot = w.gallery.entry("r-1")!.slot;
    assert.ok(runFace(w, { kind: "face", identity: 1 }).result!.matched);
    w.clock.now += 1000;
    const receipt = w.withdrawal.atKeypad({ code: "*0", residentId: "r-1", pin: "1357", at: w.clock.now });
    assert.match(receipt.code, /^\d{4}-\d{4}$/);
    assert.equal(receipt.code, receiptCode(receipt.record), "the receipt can be checked against the ledger record");
    assert.ok(receipt.templateDestroyed);
    assert.equal(receipt.record.channel, "keypad");
    // Erased, not unlinked: every byte array the vault wrote for r-1 (key + sealed) is now zero.
    const r1Writes = written.slice(0, 2);
    for (const bytes of r1Writes) assert.ok(bytes.every((b) => b === 0));
    assert.equal(w.vault.get("r-1"), undefined);
    assert.ok(w.matcher.gallery.subarray(slot * w.dimension, (slot + 1) * w.dimension).every((b) => b === 0), "matcher slot zeroed");
    const audited = w.audit.events.find((e) => e.kind === "face.withdrawn")!;
    assert.deepEqual([audited.residentId, audited.receipt, audited.channel], ["r-1", receipt.code, "keypad"]);
    // Face stops at once for r-1 (1:N and 1:1); r-2 is unaffected; r-1's PIN still verifies.
    assert.equal(runFace(w, { kind: "face", identity: 1 }).result!.matched, false);
    assert.equal(runFace(w, { kind: "face", identity: 1 }, "r-1").response.reason, "claim-not-enrolled");
    assert.equal(runFace(w, { kind: "face", identity: 2 }).result!.residentId, "r-2");
    assert.ok(w.registry.verify("r-1", "1357"));
  });

  it("from the console with a technician id", () => {
    const { w } = world();
    consentAndEnrol(w, "r-1", 1);
    const receipt = w.withdrawal.fromConsole({ residentId: "r-1", technicianId: "tech-3", at: w.clock.now });
    assert.equal(receipt.record.actorId, "tech-3");
    assert.equal(w.gallery.size, 0);
    assert.deepEqual(w.vault.residents(), []);
  });

  it("from the hub (an erase order): template destroyed, consent ended here with channel hub and no actor", () => {
    const { w } = world();
    consentAndEnrol(w, "r-1", 1, "1357");
    const receipt = w.withdrawal.fromHub({ residentId: "r-1", at: w.clock.now });
    assert.deepEqual([receipt.record.channel, receipt.record.actorId, receipt.record.pinConfirmed, receipt.templateDestroyed], ["hub", "", false, true]);
    assert.equal(w.ledger.isActive("r-1"), false);
    assert.equal(w.gallery.size, 0);
    assert.deepEqual(w.vault.residents(), []);
    assert.equal(w.audit.events.find((e) => e.kind === "face.withdrawn")!.channel, "hub");
    assert.throws(() => w.withdrawal.fromHub({ residentId: "r-1", at: w.clock.now }), code("E_CONSENT_NOT_ACTIVE"), "once");
    assert.throws(() => w.ledger.withdraw({ channel: "fax" as never, residentId: "r-1", at: 1 } as never), code("E_CONSENT_NOT_ACTIVE"));
  });

  it("by the hub's erase order: ends consent in force like fromHub; without it, records the order and removes any template", () => {
    const { w } = world();
    consentAndEnrol(w, "r-1", 1, "1357");
    assert.deepEqual(w.withdrawal.byHubOrder({ residentId: "r-1", at: w.clock.now }), { held: true });
    assert.equal(w.ledger.isActive("r-1"), false);
    assert.equal(w.gallery.size, 0);
    // No consent here (none given, or already ended): the order is recorded with its time, nothing held.
    w.registry.add("r-2", "2468");
    w.clock.now += 1000;
    assert.deepEqual(w.withdrawal.byHubOrder({ residentId: "r-2", at: w.clock.now }), { held: false });
    const marker = w.ledger.history("r-2").at(-1)!;
    assert.deepEqual([marker.event, marker.channel, marker.at], ["withdrawn", "hub", w.clock.now]);
    assert.deepEqual(w.withdrawal.byHubOrder({ residentId: "r-1", at: w.clock.now }), { held: false });
    assert.equal(w.ledger.history("r-1").at(-1)!.at, w.clock.now, "a newer order after the withdrawal is recorded too");
  });

  it("refuses a wrong code, a wrong PIN and a resident without consent, changing nothing", () => {
    const { w } = world();
    consentAndEnrol(w, "r-1", 1, "1357");
    w.registry.add("r-3", "3333");
    const before = { records: w.ledger.records().length, audit: w.audit.events.length, vault: w.vault.residents().length };
    assert.throws(() => w.withdrawal.atKeypad({ code: "*9", residentId: "r-1", pin: "1357", at: 1 }), code("E_WITHDRAW_CODE"));
    assert.throws(() => w.withdrawal.atKeypad({ code: "*0", residentId: "r-1", pin: "0000", at: 1 }), code("E_WITHDRAW_PIN_REJECTED"));
    assert.throws(() => w.withdrawal.atKeypad({ code: "*0", residentId: "r-3", pin: "3333", at: 1 }), code("E_CONSENT_NOT_ACTIVE"));
    assert.throws(() => w.withdrawal.fromConsole({ residentId: "r-3", technicianId: "t", at: 1 }), code("E_CONSENT_NOT_ACTIVE"));
    assert.deepEqual({ records: w.ledger.records().length, audit: w.audit.events.length, vault: w.vault.residents().length }, before);
    assert.ok(runFace(w, { kind: "face", identity: 1 }).result!.matched);
  });

  it("works for consent without a template, and a second withdrawal is refused", () => {
    const { w } = world();
    w.registry.add("r-1", "1357");
    w.ledger.grant({ residentId: "r-1", noticeVersion: 1, witnessId: "t", pin: "1357", at: 1 });
    const receipt = w.withdrawal.atKeypad({ code: "*0", residentId: "r-1", pin: "1357", at: 2 });
    assert.equal(receipt.templateDestroyed, false);
    assert.throws(() => w.withdrawal.atKeypad({ code: "*0", residentId: "r-1", pin: "1357", at: 3 }), code("E_CONSENT_NOT_ACTIVE"));
  });

  it("gives different receipts for different withdrawals", () => {
    const { w } = world();
    consentAndEnrol(w, "r-1", 1);
    consentAndEnrol(w, "r-2", 2);
    const a = w.withdrawal.fromConsole({ residentId: "r-1", technicianId: "t", at: 5 });
    const b = w.withdrawal.fromConsole({ residentId: "r-2", technicianId: "t", at: 5 });
    assert.notEqual(a.code, b.code);
  });

  it("audits who withdrew: the technician from the console, nobody but the resident at the keypad", () => {
    const { w } = world();
    consentAndEnrol(w, "r-1", 1, "1357");
    consentAndEnrol(w, "r-2", 2, "2468");
    const byConsole = w.withdrawal.fromConsole({ residentId: "r-1", technicianId: "tech-3", at: 50 });
    const keypad = w.withdrawal.atKeypad({ code: "*0", residentId: "r-2", pin: "2468", at: 60 });
    assert.deepEqual(w.audit.events.filter((e) => e.kind === "face.withdrawn"), [
      { at: 50, kind: "face.withdrawn", residentId: "r-1", channel: "console", receipt: byConsole.code, actorId: "tech-3" },
      { at: 60, kind: "face.withdrawn", residentId: "r-2", channel: "keypad", receipt: keypad.code },
    ]);
  });

  it("says what a wrong withdrawal code did: nothing", () => {
    const { w } = world();
    consentAndEnrol(w, "r-1", 1, "1357");
    let said = "no error";
    try { w.withdrawal.atKeypad({ code: "*9", residentId: "r-1", pin: "1357", at: 1 }); } catch (e) { said = (e as Error).message; }
    assert.equal(said, "E_WITHDRAW_CODE: That is not the withdrawal code; nothing was changed.");
  });
});
