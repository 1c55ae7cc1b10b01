import assert from "node:assert/strict";
import { renderSubjectReport, subjectReport } from "../../../src/core/face/subject-report";
import { toHex } from "../../../src/core/crypto";
import type { CredentialSource, DecisionSource } from "../../../src/core/face/ports";
import { consentAndEnrol, faceWorld } from "./face-fakes";

describe("face/subject-report", () => {
  it("lists credentials by type, consent history with notice texts, face facts and decisions, with no secret bytes", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "north gate", method: "face model", gates: ["north"], retentionDays: 90 }, w.clock.now);
    const templates: Int8Array[] = [];
    w.matcher.onBytes = (what, bytes) => { if (what === "template") templates.push(bytes.slice()); };
    consentAndEnrol(w, "r-1", 1, "1357");
    w.notices.publish({ purpose: "north and garage", method: "face model", gates: ["north", "garage"], retentionDays: 60 }, w.clock.now);
    w.ledger.withdraw({ channel: "console", residentId: "r-1", technicianId: "tech-2", at: w.clock.now + 5 });
    consentAndEnrol(w, "r-1", 1, "1357");
    const credentials: CredentialSource = {
      credentialsOf: () => [
        { type: "card", label: "card …3F (7-byte UID)", active: true },
        // A sloppy source that carries a secret: only the named fields are copied.
        { type: "pin", label: "PIN set 2026-01-01", active: true, hash: "deadbeef" } as never,
      ],
    };
    const decisions: DecisionSource = {
      recentDecisions: (_id, limit) => Array.from({ length: Math.min(limit, 3) }, (_, i) => ({ at: i, gateId: "north", mode: "face", granted: true, reason: "FACE_MATCH" })),
    };
    const report = subjectReport("r-1", { ledger: w.ledger, gallery: w.gallery, notices: w.notices, credentials, decisions, validityOf: () => "until 2026-06-30 23:59:59 +08:00" }, w.clock.now);
    assert.deepEqual(report.credentials.map((c) => c.type), ["card", "pin"]);
    assert.deepEqual(report.consent.map((c) => `${c.event}@v${c.noticeVersion}`), ["granted@v1", "withdrawn@v1", "granted@v2"]);
    assert.deepEqual(report.consent[2].notice.gates, ["north", "garage"]);
    assert.equal(report.face.enrolled, true);
    assert.equal(report.face.noticeVersion, 2);
    assert.equal(report.decisions.length, 3);
    const text = JSON.stringify(report) + renderSubjectReport(report).join("\n");
    assert.ok(!text.includes("deadbeef"), "no PIN hash");
    assert.ok(!text.includes("1357"), "no PIN");
    const held = w.vault.get("r-1")!;
    assert.ok(!text.includes(toHex(held.key).slice(0, 16)), "no key");
    for (const t of templates) assert.ok(!text.includes(Array.from(t.subarray(0, 8)).join(",")), "no template values");
    assert.ok(renderSubjectReport(report).some((l) => l.includes("consent withdrawn") && l.includes("tech-2")));
    assert.ok(renderSubjectReport(report).includes("valid: until 2026-06-30 23:59:59 +08:00"));
  });

  it("says plainly when no face is held", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 9 }, w.clock.now);
    w.registry.add("r-9", "9999");
    const report = subjectReport("r-9", { ledger: w.ledger, gallery: w.gallery, notices: w.notices, credentials: { credentialsOf: () => [] }, decisions: { recentDecisions: () => [] }, validityOf: () => "permanent (no validity window)" }, 1);
    assert.deepEqual(report.face, { enrolled: false, consentActive: false });
    assert.ok(renderSubjectReport(report).includes("face: no template held"));
  });

  it("renders a granted, withdrawn, lapsed and granted-again history line by line, exactly", () => {
    const w = faceWorld();
    const t0 = w.clock.now;
    w.notices.publish({ purpose: "north gate", method: "face model", gates: ["north"], retentionDays: 90 }, t0);
    consentAndEnrol(w, "r-1", 1, "1357"); // granted at t0, witnessed by tech-7
    w.withdrawal.atKeypad({ code: "*0", residentId: "r-1", pin: "1357", at: t0 + 10 });
    w.notices.publish({ purpose: "north and garage", method: "face model", gates: ["north", "garage"], retentionDays: 30 }, t0 + 20);
    w.clock.now = t0 + 30;
    consentAndEnrol(w, "r-1", 1, "1357"); // granted under v2
    const lapseAt = t0 + 30 + 30 * 86_400_000;
    assert.deepEqual(w.retention.sweep(lapseAt), [{ residentId: "r-1", reason: "retention" }]);
    w.clock.now = lapseAt + 5;
    consentAndEnrol(w, "r-1", 1, "1357");
    w.gallery.touch("r-1", lapseAt + 99);
    w.ledger.withdraw({ channel: "console", residentId: "r-1", technicianId: "tech-2", at: lapseAt + 100 });
    const credentials: CredentialSource = {
      credentialsOf: () => [
        { type: "card", label: "card …3F", active: true },
        // Anything but true is inactive: a report must not call a half-set flag active.
        { type: "pin", label: "PIN", active: "yes" as unknown as boolean },
        { type: "fob", label: "fob 12", active: false },
      ],
    };
    const decisions: DecisionSource = {
      recentDecisions: (_id, limit) => [
        { at: 7, gateId: "north", mode: "face", granted: true, reason: "FACE_MATCH" },
        { at: "8" as unknown as number, gateId: 9 as unknown as string, mode: "pin", granted: 1 as unknown as boolean, reason: "OK" },
        { at: 10, gateId: "north", mode: "card", granted: false, reason: "OUTSIDE_WINDOW" },
      ].slice(0, limit),
    };
    const sources = { ledger: w.ledger, gallery: w.gallery, notices: w.notices, credentials, decisions, validityOf: () => "permanent (no validity window)" };
    const report = subjectReport("r-1", sources, 1234);
    assert.deepEqual(report.credentials, [
      { type: "card", label: "card …3F", active: true },
      { type: "pin", label: "PIN", active: false },
      { type: "fob", label: "fob 12", active: false },
    ]);
    assert.deepEqual(report.decisions, [
      { at: 7, gateId: "north", mode: "face", granted: true, reason: "FACE_MATCH" },
      { at: 8, gateId: "9", mode: "pin", granted: false, reason: "OK" },
      { at: 10, gateId: "north", mode: "card", granted: false, reason: "OUTSIDE_WINDOW" },
    ]);
    assert.deepEqual(report.face, { enrolled: true, enrolledAt: lapseAt + 5, lastUsedAt: lapseAt + 99, noticeVersion: 2, consentActive: false });
    assert.deepEqual(renderSubjectReport(report), [
      "subject report for r-1 at 1234",
      "credential card: card …3F",
      "credential pin: PIN (inactive)",
      "credential fob: fob 12 (inactive)",
      "valid: permanent (no validity window)",
      `face: enrolled at ${lapseAt + 5} under notice v2, last used ${lapseAt + 99}`,
      `consent granted at ${t0} via keypad, notice v1 (north gate; gates north; 90 days), PIN-confirmed, by tech-7`,
      `consent withdrawn at ${t0 + 10} via keypad, notice v1 (north gate; gates north; 90 days), PIN-confirmed`,
      `consent granted at ${t0 + 30} via keypad, notice v2 (north and garage; gates north,garage; 30 days), PIN-confirmed, by tech-7`,
      `consent lapsed at ${lapseAt} via retention, notice v2 (north and garage; gates north,garage; 30 days)`,
      `consent granted at ${lapseAt + 5} via keypad, notice v2 (north and garage; gates north,garage; 30 days), PIN-confirmed, by tech-7`,
      `consent withdrawn at ${lapseAt + 100} via console, notice v2 (north and garage; gates north,garage; 30 days), by tech-2`,
      "decision at 7 gate north face: granted (FACE_MATCH)",
      "decision at 8 gate 9 pin: refused (OK)",
      "decision at 10 gate north card: refused (OUTSIDE_WINDOW)",
    ]);
    assert.deepEqual(subjectReport("r-1", { ...sources, decisionLimit: 1 }, 1234).decisions.map((d) => d.at), [7]);
    let asked = 0;
    subjectReport("r-1", { ...sources, decisions: { recentDecisions: (_id, limit) => { asked = limit; return []; } } }, 1);
    assert.equal(asked, 20, "twenty recent decisions by default");
  });
});
