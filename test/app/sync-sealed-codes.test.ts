// Codes the hub sealed to this gate, through the power-safe store
// (src/app/sync-persistence.ts) over the NOR flash model: what reaches flash
// is the add-code with the gate's keyed hash, never the code's digits nor
// the sealed copy, by incremental set and by full resync; the code survives a
// reboot; a code that does not open is left out of its set, nothing of it on flash.
// Portable: Node and XS.
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import type { Change } from "../../src/core/access/changes";
import { hashCode } from "../../src/core/access/secrets";
import { openRegistry } from "../../src/app/persistence";
import { openSyncState } from "../../src/app/sync-persistence";
import { LogStore } from "../../src/core/store/log-store";
import { gateSealKeys } from "../../src/core/sync/gate-seal";
import { GateSync } from "../../src/core/sync/gate-sync";
import { openSealedChanges, sealCode } from "../../src/core/sync/sealed-codes";
import { GATE, T0, changeSet, gateSign, hubSigner, resident } from "../core/sync/fixtures";
import { containsBytes } from "./byte-scan";

const deviceKey = new Uint8Array(32).fill(9);
const keys = gateSealKeys(new Uint8Array(32).fill(21));
let counter = 5;
const random = { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };
const CODE = "40718253";
const FROM = Math.floor(T0 / 1000), UNTIL = FROM + 86_400;
const digits = Uint8Array.from(CODE, (c) => c.charCodeAt(0));

function boot(nor: NorFlash, unopened: string[] = []) {
  const store = LogStore.open(nor, { random });
  const stored = openRegistry(store, { deviceKey, random });
  const registry = stored.registry;
  const state = openSyncState(store, stored, {
    gateId: GATE, openSealed: (changes, full) => openSealedChanges(changes, full, { gateId: GATE, keys, deviceKey, find: (c) => registry.findCode(c), unopened: (id, why) => { unopened.push(`${id} ${why}`); } }),
  });
  const sync = new GateSync({ gateId: GATE, hubKeys: [hubSigner.publicKey], sign: gateSign, applied: state.applied });
  return { registry, state, sync };
}

function sealedCode(residentId = 4): Change & { sealed: Uint8Array } {
  return { kind: "add-sealed-code", id: 4, from: FROM, until: UNTIL, uses: 2, sealed: sealCode(keys.publicKey, CODE, { gateId: GATE, residentId }, random) };
}

function assertOnlyHash(nor: NorFlash, sealed: Uint8Array): void {
  assert.equal(containsBytes(nor.image, digits), false, "no code digits on flash");
  assert.equal(containsBytes(nor.image, sealed.subarray(36, 68)), false, "no sealed copy on flash");
  assert.equal(containsBytes(nor.image, hashCode(deviceKey, CODE)), true, "the keyed hash is on flash");
}

describe("codes sealed to the gate, on flash", () => {
  it("an incremental set stores the add-code with the keyed hash only, and it survives a reboot", () => {
    const nor = new NorFlash(64 * 1024);
    const gate = boot(nor);
    const add = sealedCode();
    const out = gate.sync.handleChangeSet(changeSet(1, [resident(4, [4, 9, 9, 4]), add]), T0, gate.state.target);
    assert.equal(out.applied, 1, out.audit?.detail);
    assertOnlyHash(nor, add.sealed);
    const again = boot(nor);
    assert.equal(again.state.applied, 1);
    assert.deepEqual([again.registry.findCode(CODE)?.resident, again.registry.findCode(CODE)?.uses], [4, 2]);
  });

  it("a full resync stores the same: the hash, not the sealed copy", () => {
    const nor = new NorFlash(64 * 1024);
    const gate = boot(nor);
    const add = sealedCode();
    const out = gate.sync.handleChangeSet(changeSet(1, [resident(4, [4, 9, 9, 4]), add], { full: true }), T0, gate.state.target);
    assert.equal(out.applied, 1, out.audit?.detail);
    assertOnlyHash(nor, add.sealed);
    assert.ok(boot(nor).registry.findCode(CODE));
  });

  it("a set whose code is sealed for another resident applies without it: nothing of the code on flash", () => {
    const nor = new NorFlash(64 * 1024);
    const unopened: string[] = [];
    const gate = boot(nor, unopened);
    gate.sync.handleChangeSet(changeSet(1, [resident(4, [4, 9, 9, 4])]), T0, gate.state.target);
    const code = sealedCode(5);
    const out = gate.sync.handleChangeSet(changeSet(2, [resident(5, [4, 9, 9, 5]), code]), T0, gate.state.target);
    assert.equal(out.applied, 2, out.audit?.detail);
    assert.deepEqual(unopened, ["4 E_SEAL_OPEN"]);
    assert.equal(containsBytes(nor.image, hashCode(deviceKey, CODE)), false, "no code hash on flash");
    assert.equal(containsBytes(nor.image, code.sealed.subarray(36, 68)), false, "no sealed copy on flash");
    const again = boot(nor);
    assert.equal(again.state.applied, 2);
    assert.equal(again.registry.has(5), true);
    assert.equal(again.registry.findCode(CODE), undefined);
  });
});
