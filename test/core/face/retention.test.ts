import assert from "node:assert/strict";
import { DAY_MS } from "../../../src/core/face/retention";
import { consentAndEnrol, faceWorld, runFace } from "./face-fakes";

describe("face/retention", () => {
  it("deletes templates past the notice's retention, lapses that consent, and audits", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "gate", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    const t0 = w.clock.now;
    consentAndEnrol(w, "r-1", 1);
    w.clock.now += 10 * DAY_MS;
    consentAndEnrol(w, "r-2", 2);
    assert.deepEqual(w.retention.sweep(t0 + 30 * DAY_MS - 1), []);
    const done = w.retention.sweep(t0 + 30 * DAY_MS);
    assert.deepEqual(done, [{ residentId: "r-1", reason: "retention" }]);
    assert.equal(w.gallery.entry("r-1"), undefined);
    assert.equal(w.vault.get("r-1"), undefined);
    assert.ok(!w.ledger.isActive("r-1"));
    assert.equal(w.ledger.history("r-1").at(-1)!.event, "lapsed");
    assert.ok(w.gallery.entry("r-2"), "the later enrolment is kept");
    assert.ok(w.audit.events.some((e) => e.kind === "face.expired" && e.residentId === "r-1"));
    w.clock.now = t0 + 30 * DAY_MS;
    assert.equal(runFace(w, { kind: "face", identity: 1 }).result!.matched, false);
  });

  it("deletes templates unused for the inactivity period but keeps consent; use resets the clock", () => {
    const w = faceWorld({ inactivityDays: 7 });
    w.notices.publish({ purpose: "gate", method: "m", gates: ["north"], retentionDays: 365 }, w.clock.now);
    consentAndEnrol(w, "r-1", 1);
    consentAndEnrol(w, "r-2", 2);
    w.clock.now += 5 * DAY_MS;
    assert.ok(runFace(w, { kind: "face", identity: 2 }).result!.matched);
    w.clock.now += 3 * DAY_MS;
    assert.deepEqual(w.retention.sweep(w.clock.now), [{ residentId: "r-1", reason: "inactivity" }]);
    assert.ok(w.ledger.isActive("r-1"), "inactivity removes the template, not the consent");
    assert.ok(w.gallery.entry("r-2"));
    assert.ok(w.audit.events.some((e) => e.kind === "face.inactive" && e.residentId === "r-1"));
  });

  it("deletes nothing when the clock runs backwards", () => {
    const w = faceWorld({ inactivityDays: 1 });
    w.notices.publish({ purpose: "gate", method: "m", gates: ["north"], retentionDays: 1 }, w.clock.now);
    consentAndEnrol(w, "r-1", 1);
    assert.deepEqual(w.retention.sweep(0), []);
    assert.ok(w.gallery.entry("r-1"));
  });

  it("inactivity ends exactly at the limit, not a millisecond before", () => {
    const w = faceWorld({ inactivityDays: 7 });
    w.notices.publish({ purpose: "gate", method: "m", gates: ["north"], retentionDays: 365 }, w.clock.now);
    const t0 = w.clock.now;
    consentAndEnrol(w, "r-1", 1);
    assert.deepEqual(w.retention.sweep(t0 + 7 * DAY_MS - 1), []);
    assert.deepEqual(w.retention.sweep(t0 + 7 * DAY_MS), [{ residentId: "r-1", reason: "inactivity" }]);
  });

  it("a template whose consent ended behind the gallery's back is erased as no-consent, the consent record untouched", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "gate", method: "m", gates: ["north"], retentionDays: 365 }, w.clock.now);
    consentAndEnrol(w, "r-1", 1);
    consentAndEnrol(w, "r-2", 2);
    w.ledger.withdraw({ channel: "console", residentId: "r-1", technicianId: "t", at: w.clock.now });
    const records = w.ledger.records().length;
    assert.deepEqual(w.retention.sweep(w.clock.now + 1), [{ residentId: "r-1", reason: "no-consent" }]);
    assert.equal(w.gallery.entry("r-1"), undefined);
    assert.equal(w.vault.get("r-1"), undefined);
    assert.equal(w.ledger.records().length, records, "nothing lapses: the consent had already ended");
    assert.deepEqual(w.audit.events.at(-1), { at: w.clock.now + 1, kind: "face.expired", residentId: "r-1", noticeVersion: 1 });
    assert.ok(w.gallery.entry("r-2"));
  });
});
