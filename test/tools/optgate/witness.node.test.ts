// The host's witness against a gate that lies: a cut-back log, a rewritten
// record, a forged signature, another signing key. The gate side is the real
// audit store (keyed chains, Ed25519 heads); verification is Node's crypto.
import assert from "node:assert/strict";
import { createPrivateKey, randomBytes, sign } from "node:crypto";
import { NorFlash } from "../../../boards/host/nor-flash";
import { ConsoleLog } from "../../../src/app/console-log";
import type { AuditEntry } from "../../../src/core/audit/audit-record";
import type { AuditLogName } from "../../../src/core/audit/audit-trail";
import { Ed25519Signer } from "../../../src/core/ed25519";
import { fromHex, toHex } from "../../../src/core/crypto";
import { LogStore } from "../../../src/core/store/log-store";
import { type DownloadedLog, type Witness, witness } from "../../../tools/optgate/log";
import { openAudit, testKeyRoot } from "../../app/audit-rig";
import { recordsDigest, signHead } from "../../../src/core/audit/head-signature";

const T0 = Date.UTC(2026, 5, 1);
let n = 3;
const random = { fill(b: Uint8Array) { for (let i = 0; i < b.length; i++) b[i] = (n = (n * 1103515245 + 12345) >>> 0) >>> 24; } };

function entry(i: number): AuditEntry {
  return { time: T0 + i * 1000, actorKind: "resident", actor: 1, kind: "card", decision: "grant", reason: "granted", subject: 1 };
}

function gate(board?: string) {
  const audit = openAudit(LogStore.open(new NorFlash(256 * 1024), { random }), { now: T0, board });
  const log = new ConsoleLog(audit.trail, audit, () => "x");
  const download = (name: AuditLogName = "access"): DownloadedLog => {
    const page = log.export(name, 0, 100000, T0);
    return {
      log: name, records: page.records.map(fromHex), anchor: { seq: page.anchor.seq, hash: fromHex(page.anchor.hash) },
      head: { seq: page.head.seq, hash: fromHex(page.head.hash) }, signed: page.signed,
    };
  };
  return { audit, download };
}

describe("optgate log witness", () => {
  it("Node's Ed25519 agrees with the gate's signer on random keys and messages", () => {
    for (let i = 0; i < 20; i++) {
      const seed = randomBytes(32);
      const message = randomBytes(i * 7);
      const signer = new Ed25519Signer(seed);
      const key = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: seed.toString("base64url"), x: Buffer.from(signer.publicKey).toString("base64url") }, format: "jwk" });
      assert.equal(toHex(signer.sign(message)), toHex(sign(null, message, key)));
    }
  });

  it("pins the key, then accepts a gate whose log only grew", () => {
    const { audit, download } = gate();
    for (let i = 1; i <= 5; i++) audit.trail.append(entry(i));
    const kept: Witness = { logs: {} };
    assert.deepEqual(witness(download(), kept), { ok: true, problems: [] });
    assert.equal(kept.publicKey, toHex(audit.publicKey));
    for (let i = 6; i <= 8; i++) audit.trail.append(entry(i));
    assert.deepEqual(witness(download(), kept), { ok: true, problems: [] });
    assert.equal(kept.logs.access?.head.seq, 8);
  });

  it("reports a cut-back log (the gate's head below the kept one)", () => {
    const { audit, download } = gate();
    for (let i = 1; i <= 5; i++) audit.trail.append(entry(i));
    const kept: Witness = { logs: {} };
    witness(download(), kept);
    const honest = download();
    // The gate (or whoever holds its key) re-signs a shorter window: valid signature, fewer records.
    const shorter: DownloadedLog = { ...honest, records: honest.records.slice(0, 3), head: { seq: 3, hash: audit.trail.access.mac(honest.records[2]) } };
    // The store signs only its real window, so the test signs the forged one with the gate's own key.
    shorter.signed = resign(audit, shorter);
    const result = witness(shorter, kept);
    assert.equal(result.ok, false);
    assert.match(result.problems.join(";"), /CUT BACK: the gate's access head is 3, a head kept earlier was 5/);
  });

  it("reports a rewritten record, even re-linked and re-signed by the gate's own key", () => {
    const { audit, download } = gate();
    for (let i = 1; i <= 5; i++) audit.trail.append(entry(i));
    const kept: Witness = { logs: {} };
    witness(download(), kept);
    const honest = download();
    const records = honest.records.map((r) => r.slice());
    records[1][18] = 0; // grant -> deny
    const rewritten: DownloadedLog = { ...honest, records };
    rewritten.signed = resign(audit, rewritten);
    const result = witness(rewritten, kept);
    assert.equal(result.ok, false);
    assert.match(result.problems.join(";"), /REWRITTEN: record 2 differs from the one witnessed/);
  });

  it("refuses a forged signature, edited records under a real signature, and another key", () => {
    const { audit, download } = gate();
    for (let i = 1; i <= 3; i++) audit.trail.append(entry(i));
    const kept: Witness = { logs: {} };
    witness(download(), kept);
    const bad = download();
    bad.signed = { ...bad.signed!, signature: "00".repeat(64) };
    assert.match(witness(bad, kept).problems.join(";"), /BAD SIGNATURE/);
    const edited = download();
    edited.records[0] = edited.records[0].slice();
    edited.records[0][13] ^= 1;
    assert.match(witness(edited, kept).problems.join(";"), /not the ones the gate signed/);
    const other = gate("another board");
    for (let i = 1; i <= 3; i++) other.audit.trail.append(entry(i));
    assert.match(witness(other.download(), kept).problems.join(";"), /SIGNED BY ANOTHER KEY/);
    assert.equal(witness({ ...download(), signed: undefined }, kept).ok, false);
  });
});

/** Signs a doctored window with the gate's own signing key: the strongest liar (an insider with the key). */
function resign(audit: ReturnType<typeof openAudit>, d: DownloadedLog): DownloadedLog["signed"] {
  const s = signHead(new Ed25519Signer(testKeyRoot("audit-sign")), { gateId: 1, log: d.log, anchor: d.anchor, head: d.head, digest: recordsDigest(d.records), time: T0 });
  return { gateId: 1, digest: toHex(s.digest), time: s.time, signature: toHex(s.signature), publicKey: toHex(audit.publicKey) };
}
