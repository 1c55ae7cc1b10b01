// The hub's side of visitor codes (tools/hub/codes.ts) over the in-process
// fleet (protocol gates running the real sync core, registry and code
// opening): sealed copies only for gates that hold the resident and have a
// seal key, uses counted once from the gates' audit records (a batch resent
// counts nothing), used up means removed at every gate, a full resync carries
// the live codes with their uses left, and a gate added later gets none.
import assert from "node:assert/strict";
import { CODE_USE_DETAIL } from "../../../src/core/access/access-core";
import { AuditLog } from "../../../src/core/audit/audit-log";
import { decodeMessage } from "../../../src/core/sync/messages";
import { gateSealKeys } from "../../../src/core/sync/gate-seal";
import { COMPOUND, Fleet, gateSeed, person } from "./fleet";
import { forEachDatabase } from "./servers";
import { ISSUE_CLOCK_SKEW_MS } from "../../../tools/hub/codes";
import { HUB_CLOCK_SLACK_MS } from "../../../src/core/time/hub-clock";

forEachDatabase("hub: visitor codes", (kind) => {
  let fleet: Fleet, close: () => Promise<void>;
  /** Each gate's access log in this test. */
  const logs = new Map<number, AuditLog>();
  beforeEach(async () => {
    const db = await kind.open();
    fleet = await Fleet.open(db);
    close = () => db.close();
    logs.clear();
  });
  afterEach(async () => { await close(); });

  const issue = (uses: number, residentId = 1) => fleet.hub.codes.issue(COMPOUND, residentId, { validUntil: fleet.now + 86_400_000, uses }, "op");
  /** Gate `gateId` reports that the code with validity start `from` opened for resident 1 (a fresh record each call, the earlier ones sent again). */
  const used = async (gateId: number, from: number, residentId = 1) => {
    const log = logs.get(gateId) ?? new AuditLog();
    logs.set(gateId, log);
    log.append({ time: fleet.now, actorKind: "resident", actor: residentId, kind: "code", decision: "grant", reason: "granted", detail: `${CODE_USE_DETAIL}${from}` });
    const batch = decodeMessage(fleet.gates.get(gateId)!.auditBatch("access", log.records()).payload).message as never;
    await fleet.hub.ingestAudit(batch);
    await fleet.drain();
  };
  const fromOf = async (id: number) => (await fleet.hub.codes.list(COMPOUND, 1)).find((c) => c.id === id)!.validFrom / 1000;

  it("seals only to gates that hold the resident; a gate added later gets none", async () => {
    await fleet.addGate(10);
    await fleet.addGate(11, 0b10); // serves group 2 only: resident 1 is not there
    await fleet.hub.putResidents(COMPOUND, [person(1, { role: "visitor" })]);
    await fleet.drain();
    const { code, gates } = await issue(1);
    await fleet.drain();
    assert.deepEqual(gates, [10]);
    assert.ok(fleet.gates.get(10)!.registry.findCode(code));
    assert.equal(fleet.gates.get(11)!.registry.findCode(code), undefined);
    const late = await fleet.addGate(12);
    await fleet.drain();
    assert.ok(late.registry.has(1));
    assert.equal(late.registry.findCode(code), undefined, "issued before the gate was added");
    // Replays of sets a gate holds are refused as usual (the hub pumps after an edit and after an ack); nothing failed to apply.
    for (const g of [10, 11, 12]) assert.deepEqual(fleet.gates.get(g)!.audit.filter((a) => a.detail?.includes("apply-failed")).map((a) => a.detail), [], `gate ${g}`);
  });

  it("counts each use once, across gates; used up, the code goes at every gate", async () => {
    for (const g of [10, 11]) await fleet.addGate(g);
    await fleet.hub.putResidents(COMPOUND, [person(1, { role: "visitor" })]);
    await fleet.drain();
    const { code, id } = await issue(2);
    await fleet.drain();
    const from = await fromOf(id);
    await used(10, from);
    await used(10, from); // the first record comes again in the batch: one more use only
    let [c] = await fleet.hub.codes.list(COMPOUND, 1);
    assert.deepEqual([c.usesSeen, c.endedWhy], [2, "used"]);
    for (const g of [10, 11]) assert.equal(fleet.gates.get(g)!.registry.findCode(code), undefined, `gone at gate ${g}`);
    // A use that names no live code (the ended one reported late, another resident) changes nothing.
    const second = await issue(1);
    await fleet.drain();
    await used(11, from);
    await used(11, await fromOf(second.id), 2);
    [c] = await fleet.hub.codes.list(COMPOUND, 1);
    assert.deepEqual([c.id, c.usesSeen, c.endedWhy], [second.id, 0, undefined]);
    assert.ok(fleet.gates.get(10)!.registry.findCode(second.code));
  });

  // A gate's clock may trail the hub's by a time grant's slack: a code shown "valid from now" must
  // already be valid there when the visitor types it (the simulator's gates trail by seconds).
  it("a code valid from now starts a grant's clock slack earlier; a start in the future is kept", async () => {
    await fleet.addGate(10);
    await fleet.hub.putResidents(COMPOUND, [person(1, { role: "visitor" })]);
    await fleet.drain();
    const now = await issue(1);
    const later = await fleet.hub.codes.issue(COMPOUND, 1, { validFrom: fleet.now + 3_600_000, validUntil: fleet.now + 86_400_000, uses: 1 }, "op");
    await fleet.drain();
    assert.equal(await fromOf(now.id), Math.floor((fleet.now - ISSUE_CLOCK_SKEW_MS) / 1000));
    assert.equal(ISSUE_CLOCK_SKEW_MS, HUB_CLOCK_SLACK_MS);
    assert.equal(await fromOf(later.id), Math.floor((fleet.now + 3_600_000) / 1000));
  });

  it("gives two live codes of one resident distinct validity starts, and a full resync carries the uses left", async () => {
    const gate = await fleet.addGate(10);
    await fleet.hub.putResidents(COMPOUND, [person(1, { role: "visitor" })]);
    await fleet.drain();
    const a = await issue(3), b = await issue(1);
    await fleet.drain();
    assert.notEqual(await fromOf(a.id), await fromOf(b.id));
    await used(10, await fromOf(a.id));
    await fleet.hub.resync(10);
    await fleet.drain();
    assert.ok(gate.persisted.at(-1)?.full, "a full resync was applied");
    assert.equal(gate.registry.findCode(a.code)?.uses, 2);
    assert.equal(gate.registry.findCode(b.code)?.uses, 1);
  });

  // The hub cannot open what it seals, so a mistyped seal key (or another gate's) goes unnoticed
  // until the gate fails to open the code. That one code must not wedge the gate's sync: a resident
  // removed at the office afterwards must be removed at the gate (else their card keeps opening).
  it("a code sealed to a wrong seal key does not wedge the gate: a later removal still reaches it", async () => {
    const gate = await fleet.addGate(10);
    await fleet.hub.setSealKey(10, gateSealKeys(gateSeed(99)).publicKey);
    await fleet.hub.putResidents(COMPOUND, [person(1, { role: "visitor" }), person(2)]);
    await fleet.drain();
    await issue(1);
    await fleet.drain();
    await fleet.hub.removeResidents(COMPOUND, [2]);
    await fleet.drain();
    assert.equal(gate.registry.has(2), false, "the removed resident is gone from the gate");
    assert.ok(gate.registry.has(1), "the visitor is there, without the code it cannot open");
  });

  it("a one-time code used at a gate before the hub saw the use is not reopened by a full resync", async () => {
    const gate = await fleet.addGate(10);
    await fleet.hub.putResidents(COMPOUND, [person(1, { role: "visitor" })]);
    await fleet.drain();
    const { code } = await issue(1);
    await fleet.drain();
    const entry = gate.registry.findCode(code)!;
    gate.registry.consumeCode(entry.hash); // admitted here; the access record has not reached the hub
    await fleet.hub.resync(10);
    await fleet.drain();
    assert.ok(gate.persisted.at(-1)?.full, "a full resync was applied");
    assert.equal(gate.registry.findCode(code)?.uses, 0, "still used up at the gate");
  });
});
