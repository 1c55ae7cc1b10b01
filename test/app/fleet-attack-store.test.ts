// Adversarial tests of fleet sync against the gate's real registry and store
// (src/app/sync-persistence.ts over the NOR flash model, real signed sets
// through GateSync): what a hostile or buggy hub key holder, or the at-least-
// once broker, can make a gate hold. Portable (Node and XS).
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import type { Change } from "../../src/core/access/changes";
import { openRegistry } from "../../src/app/persistence";
import { openSyncState } from "../../src/app/sync-persistence";
import { LogStore } from "../../src/core/store/log-store";
import { GateSync } from "../../src/core/sync/gate-sync";
import { GATE, T0, changeSet, gateSign, hubSigner, resident } from "../core/sync/fixtures";

const SIZE = 64 * 1024;
const deviceKey = new Uint8Array(32).fill(9);
let counter = 11;
const random = { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };
const card = (n: number) => [4, 0x5c, (n >> 8) & 0xff, n & 0xff];

function boot(nor: NorFlash) {
  const store = LogStore.open(nor, { random });
  const stored = openRegistry(store, { deviceKey, random });
  const state = openSyncState(store, stored, { gateId: GATE });
  const sync = new GateSync({ gateId: GATE, hubKeys: [hubSigner.publicKey], sign: gateSign, applied: state.applied });
  return { store, registry: stored.registry, state, sync };
}

/** A full resync of `changes` at `version`, in parts of `per` changes (same issue time: one resync). */
function resyncParts(version: number, changes: Change[], per: number): Uint8Array[] {
  const parts = Math.ceil(changes.length / per);
  return Array.from({ length: parts }, (_, part) => changeSet(version, changes.slice(part * per, (part + 1) * per), { full: true, part, parts, issuedAt: T0 + 1 }));
}

describe("fleet sync on the gate's store under attack", () => {
  it("refuses a set carrying set-face whole: nothing of it in RAM or on flash, across a reboot", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    assert.equal(gate.sync.handleChangeSet(changeSet(1, [resident(1, card(1))], { full: true }), T0, gate.state.target).applied, 1);
    const out = gate.sync.handleChangeSet(changeSet(2, [resident(2, card(2)), { kind: "set-face", id: 2, flag: true }]), T0, gate.state.target);
    assert.equal(out.refused, "apply-failed");
    const again = boot(nor);
    assert.equal(again.state.applied, 1);
    assert.equal(again.registry.has(2), false);
    assert.deepEqual([gate.registry.has(2), again.registry.has(2)], [false, false]);
  });

  it("refuses a set taking the last credential of a face-enrolled resident; a full resync that does so drops the face and lists its template for erasure", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    gate.sync.handleChangeSet(changeSet(1, [resident(1, card(1)), resident(2, card(2))], { full: true }), T0, gate.state.target);
    gate.registry.setFaceEnrolled(1, true);
    const removeCard = gate.sync.handleChangeSet(changeSet(2, [{ kind: "remove-card", uid: Uint8Array.from(card(1)) }]), T0, gate.state.target);
    assert.equal(removeCard.refused, "apply-failed");
    assert.equal(gate.registry.get(1)?.faceEnrolled, true);
    // The hub's full resync: resident 1 still there, without a card or PIN.
    const bare: Change = { ...resident(1, card(1)), cards: [] } as Change;
    assert.equal(gate.sync.handleChangeSet(changeSet(3, [bare, resident(2, card(2))], { full: true }), T0, gate.state.target).applied, 3);
    assert.equal(gate.registry.get(1)?.faceEnrolled, false);
    assert.deepEqual(gate.state.pendingErasures(), [1]);
    assert.deepEqual(boot(nor).state.pendingErasures(), [1], "still listed after a power cut before the erasure");
  });

  it("takes a multi-part resync whose parts the broker delivers twice (QoS 1 redelivery): a duplicate part changes nothing", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    const everyone = Array.from({ length: 12 }, (_, i) => resident(i + 1, card(i + 1)));
    const parts = resyncParts(5, everyone, 4);
    assert.equal(parts.length, 3);
    const outcomes = [parts[0], parts[1], parts[1], parts[0], parts[1], parts[2], parts[2]].map((p) => gate.sync.handleChangeSet(p, T0, gate.state.target));
    assert.deepEqual(outcomes.map((o) => o.refused ?? o.applied ?? "staged"), ["staged", "staged", "staged", "staged", "staged", 5, "replay"]);
    assert.equal(gate.registry.ids().length, 12);
    assert.equal(boot(nor).state.applied, 5);
  });
});
