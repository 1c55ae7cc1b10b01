// The office's gate and audit views over the in-process fleet: versions and
// differences as the gates reported them, chains as witnessed, alarms, the
// cross-gate search and one gate's signed export.
import assert from "node:assert/strict";
import { AuditLog } from "../../../../src/core/audit/audit-log";
import { AuditKey } from "../../../../src/core/audit/chain-key";
import { decodeRecord } from "../../../../src/core/audit/audit-record";
import { anchorHead, recordsDigest, signHead, statementBytes } from "../../../../src/core/audit/head-signature";
import { Ed25519Signer, ed25519Verify } from "../../../../src/core/ed25519";
import { COMPOUND, T0, card, gateSeed, person } from "../fleet";
import { forEachDatabase } from "../servers";
import { OfficeRig } from "./rig";

const auditKey = new AuditKey(new Uint8Array(32).fill(4));

function gateLog(n: number, subject = 0): AuditLog {
  const log = new AuditLog({ key: auditKey });
  for (let i = 0; i < n; i++) log.append({ time: T0 + i * 60_000, actorKind: "resident", actor: i + 1, kind: i % 2 ? "pin" : "card", decision: i % 3 ? "grant" : "deny", reason: i % 3 ? "granted" : "unknown-card", subject });
  return log;
}

const signed = (gateId: number, log: AuditLog) =>
  signHead(new Ed25519Signer(gateSeed(gateId)), { gateId, log: "access", anchor: anchorHead(log.anchor()), head: log.head(), digest: recordsDigest(log.records()), time: T0 });

forEachDatabase("office page: gates and audit (hub web)", (kind) => {
  let rig: OfficeRig;
  beforeEach(async () => { rig = await OfficeRig.open(kind); });
  afterEach(async () => { await rig.close(); });

  it("shows each gate's desired and applied version, and what differs from what it reported", async () => {
    const a = await rig.fleet.addGate(10);
    await rig.fleet.addGate(11);
    await rig.fleet.hub.putResidents(COMPOUND, [person(1), person(2, { cards: [card(2), card(102)] })]);
    // Gate 10 gets everything and reports; gate 11's sets are lost on the way.
    rig.fleet.filter = (m) => !m.topic.includes("/11/");
    await rig.fleet.drain();
    rig.fleet.wire.push(...a.inventory());
    await rig.fleet.drain();
    a.registry.removeCard(a.registry.cardsOf(2)[0]); // the gate's copy drifts (e.g. a console edit)
    rig.fleet.wire.push(...a.inventory());
    await rig.fleet.drain();
    const auditor = await rig.login("auditor");
    const list = (await auditor.get("/gates")).body;
    assert.match(list, /<a href="\/gates\/10">10<\/a><\/td><td>gate 10<\/td><td>offline<\/td>\s*<td>(\d+)<\/td><td>\1 \(in step\)/);
    assert.match(list, /<a href="\/gates\/11">11<\/a><\/td><td>gate 11<\/td><td>offline<\/td>\s*<td>[1-9]\d*<\/td><td>0<\/td>/);
    const detail = (await auditor.get("/gates/10")).body;
    assert.match(detail, /<dd data-diff="missing">–<\/dd>/);
    assert.match(detail, /<dd data-diff="different"><a href="\/residents\/2">2<\/a><\/dd>/);
    assert.match((await auditor.get("/gates/11")).body, /has not reported what it holds yet/);
    assert.equal((await auditor.get("/gates/12")).statusCode, 404);
    for (const id of ["4294967296", "1x", "-1"]) assert.equal((await auditor.get(`/gates/${id}`)).statusCode, 404, id);
  });

  it("shows the firmware a gate says it runs with its online flag, kept while it is offline; a malformed flag is offline", async () => {
    await rig.fleet.addGate(10);
    const auditor = await rig.login("auditor");
    const firmwareOf = async () => /<td data-firmware>([^<]*)<\/td>/.exec((await auditor.get("/gates")).body)![1];
    const online = (text: string) => rig.fleet.hub.receive(`optgate/${COMPOUND}/10/online`, new TextEncoder().encode(text));
    assert.equal(await firmwareOf(), "–");
    await online("1 optgate/0.1.0");
    assert.equal(await firmwareOf(), "optgate/0.1.0");
    assert.match((await auditor.get("/gates")).body, /<td>gate 10<\/td><td>online<\/td>/);
    assert.match((await auditor.get("/gates/10")).body, /<dt>Firmware<\/dt><dd>optgate\/0\.1\.0<\/dd>/);
    await online("0"); // the last will
    assert.match((await auditor.get("/gates")).body, /<td>gate 10<\/td><td>offline<\/td>/);
    assert.equal(await firmwareOf(), "optgate/0.1.0", "kept while offline");
    await online("1 optgate 0.2"); // a space inside: not a flag
    assert.match((await auditor.get("/gates")).body, /<td>gate 10<\/td><td>offline<\/td>/);
    assert.equal(await firmwareOf(), "optgate/0.1.0");
    await online("1 <script>alert(1)</script>"); // whoever holds the gate's broker credential: shown inert
    assert.match((await auditor.get("/gates")).body, /<td>gate 10<\/td><td>online<\/td>/);
    assert.equal(await firmwareOf(), "&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("shows the gate's clock against the hub's and the alarms in its own log", async () => {
    const gate = await rig.fleet.addGate(10);
    await rig.fleet.hub.putResidents(COMPOUND, [person(1)]);
    await rig.fleet.drain();
    const log = new AuditLog({ key: auditKey });
    const alarm = (kind: "door-forced" | "door-held" | "guessing-alarm", time: number) => log.append({ time, actorKind: "system", actor: 0, kind, decision: "info", reason: "info" });
    alarm("door-held", T0 - 8 * 86_400_000);
    alarm("door-forced", T0 - 3600_000);
    alarm("guessing-alarm", T0 - 1800_000);
    alarm("door-forced", T0 - 60_000);
    rig.fleet.wire.push(gate.auditBatch("access", log.records()));
    await rig.fleet.drain();
    const auditor = await rig.login("auditor");
    const page = (await auditor.get("/gates/10")).body;
    assert.match(page, /<dd data-clock>\+0 s against the hub at the last acknowledgement<\/dd>/);
    assert.match(page, /<li data-alarm="door-forced">door-forced: 2<\/li>/);
    assert.match(page, /<li data-alarm="door-held">door-held: 0<\/li>/);
    assert.match(page, /<li data-alarm="guessing-alarm">guessing-alarm: 1<\/li>/);
    // A gate whose clock runs 10 minutes fast is flagged.
    await rig.db.query("update ack_log set gate_time = received_at + 600000 where gate_id = 10");
    assert.match((await auditor.get("/gates/10")).body, /\+600 s against the hub at the last acknowledgement: check the gate&#39;s clock/);
  });

  it("shows a witnessed chain as verified, and a cut-back log as an alarm", async () => {
    const gate = await rig.fleet.addGate(10);
    const log = gateLog(5);
    rig.fleet.wire.push(gate.auditBatch("access", log.records()), gate.head(signed(10, log)));
    await rig.fleet.drain();
    const auditor = await rig.login("auditor");
    assert.match((await auditor.get("/gates/10")).body, /<td>access<\/td><td>#5 <code>[0-9a-f]{16}…<\/code> records verified<\/td><td>5<\/td>/);
    assert.match((await auditor.get("/gates/10")).body, /No alarms\./);
    rig.fleet.wire.push(gate.head(signed(10, gateLog(3))));
    await rig.fleet.drain();
    assert.match((await auditor.get("/gates/10")).body, /access · truncated #3/);
    assert.match((await auditor.get("/gates")).body, /<td>1<\/td><td data-firmware>/);
  });

  it("searches records across gates by gate, kind, decision and resident, with filters posted", async () => {
    const g10 = await rig.fleet.addGate(10), g11 = await rig.fleet.addGate(11);
    rig.fleet.wire.push(g10.auditBatch("access", gateLog(6, 7).records()), g11.auditBatch("access", gateLog(4, 9).records()));
    await rig.fleet.drain();
    const auditor = await rig.login("auditor");
    const rows = (body: string) => [...body.matchAll(/<tr><td>[^<]+<\/td><td>(\d+)<\/td><td>access<\/td><td>(\d+)<\/td><td>(\w+)<\/td><td>(\w+)<\/td><td>[\w-]+<\/td><td>(\d+)<\/td>/g)].map((m) => m.slice(1).join(" "));
    assert.equal(rows((await auditor.get("/audit")).body).length, 10);
    assert.deepEqual(rows((await auditor.post("/audit/search", { gate: "11", kind: "card", decision: "", subject: "" })).body).sort(), ["11 1 card deny 9", "11 3 card grant 9"]);
    assert.deepEqual(rows((await auditor.post("/audit/search", { gate: "", kind: "", decision: "deny", subject: "7" })).body).sort(), ["10 1 card deny 7", "10 4 pin deny 7"]);
    // Times are the compound's (UTC+8): T0 is 09:00 UTC.
    assert.match((await auditor.get("/audit")).body, /<td>2026-12-04 17:00:00 \+08:00<\/td><td>10<\/td>/);
  });

  it("exports one gate's records with the heads it signed, checkable without the hub", async () => {
    const gate = await rig.fleet.addGate(10);
    const log = gateLog(4);
    rig.fleet.wire.push(gate.auditBatch("access", log.records()), gate.head(signed(10, log)));
    await rig.fleet.drain();
    const auditor = await rig.login("auditor");
    const res = await auditor.get("/audit/export/10");
    assert.match(String(res.headers["content-disposition"]), /attachment; filename="gate-10-audit.json"/);
    type Head = { gateId: number; log: "access"; anchor: { seq: number; hash: string }; head: { seq: number; hash: string }; digest: string; time: number; signature: string; recordsVerified: boolean };
    const out = JSON.parse(res.body) as { gatePublicKey: string; heads: Head[]; records: { seq: number; record: string }[] };
    assert.equal(out.gatePublicKey, Buffer.from(gate.signer.publicKey).toString("hex"));
    assert.deepEqual(out.records.map((r) => r.seq), [1, 2, 3, 4]);
    const records = out.records.map((r) => new Uint8Array(Buffer.from(r.record, "hex")));
    assert.equal(decodeRecord(records[3]).seq, 4);
    // A third party checks the gate's signature from the file alone, then the records against it.
    const h = out.heads[0];
    const bin = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
    const statement = statementBytes({ gateId: h.gateId, log: h.log, anchor: { seq: h.anchor.seq, hash: bin(h.anchor.hash) }, head: { seq: h.head.seq, hash: bin(h.head.hash) }, digest: bin(h.digest), time: h.time });
    assert.ok(ed25519Verify(bin(out.gatePublicKey), statement, bin(h.signature)));
    assert.equal(h.head.seq, 4);
    assert.equal(h.digest, Buffer.from(recordsDigest(records)).toString("hex"));
    // An edited record in the file no longer matches the signed digest.
    records[1][30] ^= 1;
    assert.notEqual(Buffer.from(recordsDigest(records)).toString("hex"), h.digest);
    const [{ n }] = await rig.db.query<{ n: unknown }>("select count(*) as n from office_audit where action = 'audit export'");
    assert.equal(Number(n), 1);
  });
});
