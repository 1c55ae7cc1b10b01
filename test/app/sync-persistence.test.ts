// Fleet sync's state in the power-safe store (src/app/sync-persistence.ts) over
// the NOR flash model, with real signed change sets through GateSync: a set
// and its version survive a reboot together, a refused set leaves RAM and
// flash as they were, a power cut at any flash write of an incremental set or
// of a full resync leaves the old version with the old registry or the new
// with the new, damage to the version record costs a full resync (never the
// boot), and erasure receipts are remembered across a reboot, bounded.
// Portable: Node and XS (XS cuts at a sample of the flash operations).
import assert from "node:assert/strict";
import { NorFlash, PowerCut } from "../../boards/host/nor-flash";
import type { Change } from "../../src/core/access/changes";
import type { Registry } from "../../src/core/access/registry";
import { toHex } from "../../src/core/crypto";
import { isOptgateError } from "../../src/core/errors";
import { openRegistry } from "../../src/app/persistence";
import { openSyncState } from "../../src/app/sync-persistence";
import { auditSetCutShort } from "../../src/app/fleet";
import { AuditTrail } from "../../src/core/audit/audit-trail";
import { LogStore } from "../../src/core/store/log-store";
import { GateErasures, REMEMBERED_ORDERS, encodeEraseOrder, encodeGateErasure } from "../../src/core/sync/erasure";
import { GateSync } from "../../src/core/sync/gate-sync";
import { decodeMessage, keyIdOf, type ChangeSet } from "../../src/core/sync/messages";
import { GATE, T0, changeSet, gateSign, hubSigner, resident } from "../core/sync/fixtures";

const XS = (globalThis as { __XS__?: boolean }).__XS__ === true;
const SIZE = 64 * 1024;
const deviceKey = new Uint8Array(32).fill(9);
let counter = 3;
const random = { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };

const card = (n: number) => [4, 0x5c, (n >> 8) & 0xff, n & 0xff];
const residents = (from: number, count: number): Change[] => Array.from({ length: count }, (_, i) => resident(from + i, card(from + i)));

/** A gate as it boots: store recovery, registry, sync state, GateSync at the stored version. */
function boot(nor: NorFlash, audit?: AuditTrail) {
  const store = LogStore.open(nor, { random });
  const damage: string[] = [];
  const stored = openRegistry(store, { deviceKey, random, onDamage: (line) => damage.push(line) });
  const state = openSyncState(store, stored, { gateId: GATE, onDamage: (line) => damage.push(line), ...(audit ? { auditSeq: () => audit.security.head().seq } : {}) });
  const sync = new GateSync({ gateId: GATE, hubKeys: [hubSigner.publicKey], sign: gateSign, applied: state.applied });
  return { store, registry: stored.registry, state, sync, damage };
}

/** What the registry holds, independent of table row order (a rebase replays in another order). */
function contents(registry: Registry): string {
  const ids = registry.ids().sort((a, b) => a - b);
  return JSON.stringify(ids.map((id) => ({ ...registry.get(id), cards: registry.cardsOf(id).map(toHex).sort() })));
}

/** Everything a reboot must agree on: version, registry, templates still to erase. */
function gateState(gate: ReturnType<typeof boot>) {
  return { applied: gate.state.applied, registry: contents(gate.registry), erase: gate.state.pendingErasures().sort((a, b) => a - b) };
}

/** Cut points: every flash operation in Node, a spread sample in XS. */
function cutPoints(total: number, xsStride: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= total; k += XS ? xsStride : 1) out.push(k);
  if (out[out.length - 1] !== total) out.push(total);
  return out;
}

/**
 * From a gate's flash `image`, records the clean outcome of `set`,
 * then cuts power at each flash operation `set` performs and checks every
 * reboot holds exactly the state before or the state after, and converges
 * when the hub resends the same set.
 */
function cutCampaign(image: Uint8Array, set: Uint8Array, xsStride: number) {
  const before = gateState(boot(new NorFlash(SIZE, { image })));
  const clean = new NorFlash(SIZE, { image });
  const cleanGate = boot(clean);
  const opsBefore = clean.ops, erasesBefore = clean.erases;
  assert.equal(cleanGate.sync.handleChangeSet(set, T0, cleanGate.state.target).refused, undefined);
  const total = clean.ops - opsBefore, erases = clean.erases - erasesBefore;
  const after = gateState(boot(clean));
  assert.notDeepEqual(after, before);
  const outcomes = { old: 0, new: 0 };
  for (const k of cutPoints(total, xsStride)) {
    const nor = new NorFlash(SIZE, { image, seed: k });
    const gate = boot(nor);
    nor.cutAt = nor.ops + k;
    assert.throws(() => gate.sync.handleChangeSet(set, T0, gate.state.target), (e) => e instanceof PowerCut, `cut at op ${k}`);
    nor.powerOn();
    const again = boot(nor);
    const found = gateState(again);
    assert.deepEqual(again.damage, [], `cut at op ${k}: a power cut is not damage`);
    assert.equal(again.registry.damage, undefined, `cut at op ${k}: registry not quarantined`);
    if (found.applied === before.applied) {
      assert.deepEqual(found, before, `cut at op ${k}: old version, old registry`);
      outcomes.old++;
      assert.equal(again.sync.handleChangeSet(set, T0, again.state.target).applied, after.applied, `cut at op ${k}: the resent set applies`);
    } else {
      assert.deepEqual(found, after, `cut at op ${k}: new version, new registry`);
      outcomes.new++;
      assert.equal(again.sync.handleChangeSet(set, T0, again.state.target).refused, "replay", `cut at op ${k}: the resent set is a replay`);
    }
    assert.deepEqual(gateState(boot(nor)), after, `cut at op ${k}: converged`);
    assert.equal(nor.violations, 0);
  }
  // A cut at the set's last write tears its final group: "new" is seen only when writes follow the commit.
  assert.ok(outcomes.old > 0, `the old state was seen: ${JSON.stringify(outcomes)}`);
  return { total, outcomes, erases };
}

/**
 * A gate at version 1 (a full resync of `count` residents) whose resident 1
 * has face enrolled here; then `churn` overwrites of a 900-byte value, so the
 * log is full of dead records and further writes go through compactions.
 */
function atVersion1(count: number, churn = 0) {
  return (gate: ReturnType<typeof boot>) => {
    assert.equal(gate.sync.handleChangeSet(changeSet(1, residents(1, count), { full: true }), T0, gate.state.target).applied, 1);
    gate.registry.setFaceEnrolled(1, true);
    for (let i = 0; i < churn; i++) gate.store.put("churn", new Uint8Array(900).fill(i));
  };
}

/** The flash image of a gate brought to `prepare`'s state. */
function prepared(prepare: (gate: ReturnType<typeof boot>) => void): Uint8Array {
  const nor = new NorFlash(SIZE);
  prepare(boot(nor));
  return nor.image.slice();
}

/** A churned gate at version 1, padded until its head sector is too full for `set`: storing it needs a compaction (an erase). */
function compactingGate(count: number, set: Uint8Array): Uint8Array {
  const padded = new NorFlash(SIZE, { image: prepared(atVersion1(count, 60)) });
  const store = boot(padded).store;
  const { changes, version } = decodeMessage(set).message as ChangeSet;
  for (let pads = 0; pads < 120; pads++) {
    store.put(`pad/${pads}`, new Uint8Array(300).fill(pads));
    const image = padded.image.slice();
    const trial = new NorFlash(SIZE, { image });
    boot(trial).state.target.apply(changes, false, version);
    if (trial.erases > 0) return image;
  }
  throw new Error("no padding makes the set compact");
}

/** Puts 900-byte values fill/0, fill/1, ... until the store is full; returns how many went in. */
function fillStore(store: LogStore): number {
  for (let n = 0; ; n++) {
    try {
      store.put(`fill/${n}`, new Uint8Array(900).fill(n));
    } catch (error) {
      assert.ok(isOptgateError(error, "E_STORE_FULL"), String(error));
      return n;
    }
  }
}

describe("sync persistence (version, registry, erasures and receipts in the store)", () => {
  it("an applied set and its version survive a reboot together; a replay after it is refused", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    assert.equal(gate.state.applied, 0);
    atVersion1(3)(gate);
    const v2 = changeSet(2, [{ kind: "remove-resident", id: 1 }, resident(9, card(9)), { kind: "add-card", id: 2, uid: Uint8Array.from(card(99)) }]);
    assert.equal(gate.sync.handleChangeSet(v2, T0, gate.state.target).applied, 2);
    assert.deepEqual(gate.state.pendingErasures(), [1], "resident 1 had face enrolled: its template must go");
    const again = boot(nor);
    assert.deepEqual(again.damage, []);
    assert.deepEqual(gateState(again), gateState(gate));
    assert.equal(again.sync.applied, 2);
    assert.equal(again.registry.findCard(Uint8Array.from(card(99))), 2);
    assert.equal(again.sync.handleChangeSet(v2, T0, again.state.target).refused, "replay");
    assert.equal(again.sync.handleChangeSet(changeSet(3, [resident(10, card(10))]), T0, again.state.target).applied, 3);
    assert.equal(boot(nor).state.applied, 3);
  });

  it("a set whose sync-applied record a power cut took gets it at boot, once, saying so; one on record gets none", () => {
    const nor = new NorFlash(SIZE);
    const trail = new AuditTrail(); // the audit chain, kept elsewhere on the board (audit-store.ts)
    const gate = boot(nor, trail);
    assert.equal(gate.state.auditDue, undefined, "nothing stored yet");
    // v1 stored, and the power goes before its record is appended.
    assert.equal(gate.sync.handleChangeSet(changeSet(1, residents(1, 3)), T0, gate.state.target).applied, 1);
    let again = boot(nor, trail);
    assert.deepEqual(again.state.auditDue, { version: 1, full: false, changes: 3, seq: 0 });
    assert.equal(auditSetCutShort(trail, again.state.auditDue!, T0), true);
    assert.deepEqual(trail.security.entries().map((e) => [e.kind, e.detail]), [["sync-applied", "v1 3 change(s), power cut"]]);
    assert.equal(auditSetCutShort(trail, again.state.auditDue!, T0), false, "made once");
    // v2 stored and recorded as usual, then other records: nothing to make at boot.
    const v2 = again.sync.handleChangeSet(changeSet(2, residents(10, 2)), T0, again.state.target);
    trail.append(v2.audit!);
    trail.append({ time: T0, actorKind: "system", actor: 0, kind: "clock-synced", decision: "info", reason: "info", detail: "hub time" });
    again = boot(nor, trail);
    assert.deepEqual(again.state.auditDue, { version: 2, full: false, changes: 2, seq: 1 });
    assert.equal(auditSetCutShort(trail, again.state.auditDue!, T0), false);
    assert.equal(trail.security.entries().length, 3);
    // A chain shorter than when the set was stored is its own damage: no record is made up for it.
    assert.equal(auditSetCutShort(new AuditTrail(), again.state.auditDue!, T0), false);
    // An unreadable marker is no marker (it only ever adds a record).
    again.store.commit([{ put: "sync/audit-due", value: new Uint8Array(3) }]);
    assert.equal(boot(nor, trail).state.auditDue, undefined);
  });

  it("templates to erase stay listed across reboots until erased", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    atVersion1(4)(gate);
    gate.registry.setFaceEnrolled(2, true);
    // A full resync without residents 1 and 2: both had face enrolled here.
    gate.sync.handleChangeSet(changeSet(2, residents(3, 2), { full: true }), T0, gate.state.target);
    assert.deepEqual(boot(nor).state.pendingErasures().sort(), [1, 2]);
    const later = boot(nor);
    later.state.erased([2]);
    assert.deepEqual(boot(nor).state.pendingErasures(), [1]);
    boot(nor).state.erased([1]);
    assert.deepEqual(boot(nor).state.pendingErasures(), []);
  });

  it("a set the registry refuses changes nothing in RAM or on flash", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    atVersion1(3)(gate);
    const before = gateState(gate);
    const length = gate.store.streamLength("registry.1");
    // Resident 10 is added, then a card resident 2 already holds is given to resident 3.
    const bad = changeSet(2, [resident(10, card(10)), { kind: "add-card", id: 3, uid: Uint8Array.from(card(2)) }]);
    assert.equal(gate.sync.handleChangeSet(bad, T0, gate.state.target).refused, "apply-failed");
    assert.deepEqual(gateState(gate), before);
    assert.equal(gate.store.streamLength("registry.1"), length, "nothing appended");
    assert.deepEqual(gateState(boot(nor)), before);
  });

  it("a set the store refuses (full) is taken back out of RAM; after room is made the resend applies", () => {
    for (const full of [false, true]) {
      const nor = new NorFlash(SIZE);
      const gate = boot(nor);
      atVersion1(3)(gate);
      const n = fillStore(gate.store);
      const before = gateState(gate);
      const set = full ? changeSet(2, residents(20, 60), { full: true }) : changeSet(2, residents(20, 30));
      const out = gate.sync.handleChangeSet(set, T0, gate.state.target);
      assert.equal(out.refused, "apply-failed", `full ${full}`);
      assert.equal(gate.sync.applied, 1);
      assert.deepEqual(gateState(gate), before, `full ${full}: RAM as before`);
      assert.equal(gate.registry.findCard(Uint8Array.from(card(20))), undefined);
      assert.deepEqual(gateState(boot(nor)), before, `full ${full}: flash as before`);
      // The hub resends once the store has room: it applies whole, and survives a reboot.
      for (let i = 0; i < n; i++) gate.store.delete(`fill/${i}`);
      assert.equal(gate.sync.handleChangeSet(set, T0, gate.state.target).applied, 2, `full ${full}`);
      const again = boot(nor);
      assert.deepEqual(again.damage, []);
      assert.deepEqual(gateState(again), gateState(gate));
      assert.equal(again.registry.size, full ? 60 : 33);
    }
  });

  it("a full resync the store refuses part-way leaves no trace: the resend writes its generation afresh", () => {
    const set = changeSet(2, residents(3, 150), { full: true });
    let refusedMidway = false;
    // Room for some of the new generation's groups but not all: found by freeing filler one value at a time.
    for (let freed = 1; freed < 40 && !refusedMidway; freed++) {
      const nor = new NorFlash(SIZE);
      const gate = boot(nor);
      atVersion1(4)(gate);
      const n = fillStore(gate.store);
      for (let i = 0; i < freed; i++) gate.store.delete(`fill/${i}`);
      const before = gateState(gate);
      const out = gate.sync.handleChangeSet(set, T0, gate.state.target);
      if (out.applied !== undefined) break;
      assert.equal(out.refused, "apply-failed");
      assert.deepEqual(gateState(gate), before);
      refusedMidway = gate.store.streamLength("registry.2") > 0;
      if (!refusedMidway) continue;
      for (let i = freed; i < n; i++) gate.store.delete(`fill/${i}`);
      assert.equal(gate.sync.handleChangeSet(set, T0, gate.state.target).applied, 2);
      const again = boot(nor);
      assert.deepEqual(again.damage, []);
      assert.equal(again.registry.damage, undefined, "no change replayed twice");
      assert.deepEqual(gateState(again), gateState(gate));
      assert.equal(again.registry.size, 150);
    }
    assert.ok(refusedMidway, "a refusal after part of the new generation was written");
  });

  it("a power cut at any flash write of an incremental set: old version and registry, or new and new", () => {
    const set = changeSet(2, [{ kind: "remove-resident", id: 1 }, resident(20, card(20)), { kind: "add-card", id: 2, uid: Uint8Array.from(card(77)) }]);
    const { total } = cutCampaign(prepared(atVersion1(4)), set, 2);
    assert.ok(total >= 3, `${total} flash operations`);
  });

  it("... and when storing it needs a compaction first", () => {
    const set = changeSet(2, [{ kind: "remove-resident", id: 1 }, resident(20, card(20)), { kind: "add-card", id: 2, uid: Uint8Array.from(card(77)) }]);
    const { erases } = cutCampaign(compactingGate(4, set), set, 7);
    assert.ok(erases > 0, "the set's writes include an erase");
  });

  it("... and when that set makes the change stream due for a rebase", () => {
    const prepare = (gate: ReturnType<typeof boot>) => {
      atVersion1(6)(gate);
      // Local changes (a unit edited at the console) up to the rebase point (64 + 4 per resident).
      for (let i = 0; gate.store.streamLength("registry.1") < 64 + 4 * 6; i++) gate.registry.updateResident(3, { unit: `U-${i}` });
    };
    const set = changeSet(2, [{ kind: "remove-resident", id: 1 }, resident(20, card(20)), { kind: "add-card", id: 2, uid: Uint8Array.from(card(77)) }]);
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    prepare(gate);
    assert.deepEqual(gate.store.get("registry/gen"), Uint8Array.of(0, 0, 0, 1), "the full resync wrote generation 1");
    gate.sync.handleChangeSet(set, T0, gate.state.target);
    assert.deepEqual(gate.store.get("registry/gen"), Uint8Array.of(0, 0, 0, 2), "the set was followed by a rebase to generation 2");
    const { outcomes } = cutCampaign(prepared(prepare), set, 5);
    assert.ok(outcomes.new > 0, `cuts during the rebase after the set keep it: ${JSON.stringify(outcomes)}`);
  });

  it("a power cut at any flash write of a full resync (new generation, several groups): old or new, never a mix", () => {
    const set = changeSet(2, residents(3, 150), { full: true });
    const { total, erases } = cutCampaign(prepared(atVersion1(4, 60)), set, 55);
    assert.ok(total > 150 && erases > 0, `${total} flash operations, ${erases} erases (compactions on the way)`);
  });

  it("a damaged version record costs a full resync, never the boot; the resync clears it", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    atVersion1(3)(gate);
    const v1 = changeSet(1, residents(1, 3));
    assert.equal(gate.sync.handleChangeSet(changeSet(2, [resident(5, card(5))]), T0, gate.state.target).applied, 2);
    // Torn or rewritten value under a valid record: the wrong length.
    gate.store.put("sync/version", Uint8Array.of(0, 2, 0));
    const damaged = boot(nor);
    assert.equal(damaged.state.applied, 0);
    assert.match(damaged.damage.join("\n"), /sync version unusable \(its record is 3 bytes, not 4\)/);
    assert.equal(damaged.registry.damage, undefined, "the registry itself still serves");
    assert.equal(damaged.registry.findCard(Uint8Array.from(card(5))), 5);
    // A reboot still knows (the note is on flash), and an incremental set cannot apply on top.
    const still = boot(nor);
    assert.match(still.damage.join("\n"), /sync version lost at an earlier boot/);
    assert.equal(still.sync.handleChangeSet(v1, T0, still.state.target).refused, "needs-resync");
    assert.equal(still.registry.has(5), true, "nothing applied");
    const resync = changeSet(3, residents(1, 2), { full: true });
    assert.equal(still.sync.handleChangeSet(resync, T0, still.state.target).applied, 3);
    const healed = boot(nor);
    assert.deepEqual(healed.damage, []);
    assert.equal(healed.state.applied, 3);
    assert.equal(healed.registry.size, 2);
    assert.equal(healed.sync.handleChangeSet(changeSet(4, [resident(6, card(6))]), T0, healed.state.target).applied, 4);
  });

  it("a version record lost to flash corruption is reported as damage, and the gate boots at version 0", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    atVersion1(2)(gate);
    assert.equal(gate.sync.handleChangeSet(changeSet(2, [resident(7, card(7))]), T0, gate.state.target).applied, 2);
    gate.registry.updateResident(7, { unit: "after" }); // a later record: the damage is not the torn end of the log
    const key = Array.from("sync/version", (c) => c.charCodeAt(0));
    let at = -1;
    for (let i = nor.image.length - key.length; i >= 0 && at < 0; i--) if (key.every((b, j) => nor.image[i + j] === b)) at = i;
    assert.ok(at > 0);
    nor.image[at + key.length + 3] ^= 0x01; // the version's last byte: 2 becomes 3, and the CRC no longer holds
    const damaged = boot(nor);
    assert.equal(damaged.state.applied, 0);
    assert.ok(damaged.damage.some((line) => line.startsWith("sync version unusable")), damaged.damage.join("; "));
    assert.equal(damaged.registry.damage, undefined, "the registry's own records are intact: not quarantined");
    assert.equal(damaged.sync.handleChangeSet(changeSet(1, residents(1, 2)), T0, damaged.state.target).refused, "needs-resync");
    // The next boot no longer sees the damage in the store (recovery scrubbed it), but the note stays, and no stale version comes back.
    const later = boot(nor);
    assert.equal(later.state.applied, 0);
    assert.match(later.damage.join("\n"), /sync version lost at an earlier boot \(its newest record was lost to flash damage\)/);
    assert.equal(later.sync.handleChangeSet(changeSet(3, residents(1, 2), { full: true }), T0, later.state.target).applied, 3);
    assert.deepEqual(boot(nor).damage, []);
  });

  it("unreadable erasure and receipt records are reported as damage; the readable ones are kept", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    atVersion1(3)(gate);
    gate.sync.handleChangeSet(changeSet(2, [{ kind: "remove-resident", id: 1 }]), T0, gate.state.target);
    const receipt = encodeGateErasure({ type: "erase-receipt", gateId: GATE, residentId: 1, orderId: new Uint8Array(16).fill(1), held: true, time: T0 }, gateSign);
    gate.state.saveReceipts([receipt]);
    gate.store.append("sync/erase", Uint8Array.of(1, 2, 3));
    gate.store.append("sync/receipts", Uint8Array.of(0x4f, 0x47, 0x45, 0x31, 9));
    const again = boot(nor);
    assert.deepEqual(again.damage, [
      "1 pending face template erasure record(s) lost: templates of residents the hub removed may remain until the resident is erased or re-enrolled",
      "1 erasure receipt(s) lost: an order among them, if resent, is executed and receipted again",
    ]);
    assert.deepEqual(again.state.pendingErasures(), [1]);
    assert.deepEqual(again.state.receipts, [receipt]);
    assert.equal(again.state.applied, 2);
  });

  it("an erasure order executed before a reboot is answered with the same receipt and erases nothing again", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    const order = encodeEraseOrder({ gateId: GATE, residentId: 42, orderId: new Uint8Array(16).fill(5), issuedAt: T0, keyId: keyIdOf(hubSigner.publicKey) }, (b) => hubSigner.sign(b));
    const templates = new Set([42]);
    const erasedLog: number[] = [];
    const port = { eraseTemplate: (id: number) => { erasedLog.push(id); return { held: templates.delete(id) }; } };
    const erasures = new GateErasures({ gateId: GATE, hubKeys: [hubSigner.publicKey], sign: gateSign, receipts: gate.state.receipts });
    const first = erasures.handleOrder(order, T0, port);
    assert.equal(first.erased, true);
    gate.state.saveReceipts(erasures.receipts());
    const again = boot(nor);
    assert.equal(again.state.receipts.length, 1);
    const rebooted = new GateErasures({ gateId: GATE, hubKeys: [hubSigner.publicKey], sign: gateSign, receipts: again.state.receipts });
    const resent = rebooted.handleOrder(order, T0 + 60_000, port);
    assert.equal(resent.erased, false);
    assert.deepEqual(resent.receipt, first.receipt, "the same receipt, held flag and time included");
    assert.deepEqual(erasedLog, [42], "erased once");
  });

  it("the receipts kept are bounded: the newest, oldest first, as GateErasures remembers them", () => {
    const nor = new NorFlash(4 * SIZE);
    const gate = boot(nor);
    const sign = () => new Uint8Array(64); // the store does not verify: only GateErasures' own receipts reach it
    const receipt = (n: number) => encodeGateErasure({ type: "erase-receipt", gateId: GATE, residentId: n, orderId: Uint8Array.from({ length: 16 }, (_, i) => (n >> (8 * (i % 2))) & 0xff), held: true, time: T0 + n }, sign);
    const count = 2 * REMEMBERED_ORDERS + 64;
    const all = Array.from({ length: count }, (_, n) => receipt(n));
    // As GateErasures hands them over: its window of the newest, after each order.
    for (let n = 0; n < count; n++) gate.state.saveReceipts(all.slice(Math.max(0, n + 1 - REMEMBERED_ORDERS), n + 1));
    const kept = gate.store.streamLength("sync/receipts") - gate.store.streamStart("sync/receipts");
    assert.ok(kept <= REMEMBERED_ORDERS + 64, `${kept} receipts on flash`);
    assert.equal(gate.store.streamLength("sync/receipts"), count, "each stored once");
    // One of another gate id (the board re-provisioned): dropped at boot, as GateErasures would refuse it.
    gate.store.append("sync/receipts", encodeGateErasure({ type: "erase-receipt", gateId: GATE + 1, residentId: 1, orderId: new Uint8Array(16).fill(0xee), held: true, time: T0 }, sign));
    const again = boot(nor);
    assert.deepEqual(again.state.receipts, all.slice(-REMEMBERED_ORDERS));
    // And they are what GateErasures takes back.
    new GateErasures({ gateId: GATE, hubKeys: [hubSigner.publicKey], sign: gateSign, receipts: again.state.receipts });
  });
});
