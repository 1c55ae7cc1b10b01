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
});
