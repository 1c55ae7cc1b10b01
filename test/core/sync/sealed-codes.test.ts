// One-time codes issued at the hub (portable: Node and XS): sealed to one gate
// for one resident, opened only there, and turned into the registry's own
// add-code / remove-code with the gate's keyed hash before anything applies.
import assert from "node:assert/strict";
import { decodeChange, encodeChange, type Change } from "../../../src/core/access/changes";
import type { Registry } from "../../../src/core/access/registry";
import { hashCode } from "../../../src/core/access/secrets";
import { gateSealKeys, sealKeyPair } from "../../../src/core/sync/gate-seal";
import type { SyncTarget } from "../../../src/core/sync/gate-sync";
import { applyToRegistry } from "../../../src/core/sync/registry-apply";
import { openCode, openSealedChanges, sealCode } from "../../../src/core/sync/sealed-codes";
import { sealTemplate } from "../../../src/core/sync/template-seal";
import { deviceKey, newRegistry, testRandom } from "../access/fixtures";
import { GATE, T0, changeSet, gateSigner, newGateSync, resident } from "./fixtures";

const random = testRandom(99);
const gate = gateSealKeys(Uint8Array.from({ length: 32 }, (_, i) => (i * 5) & 0xff));
const other = gateSealKeys(new Uint8Array(32).fill(3));
const CODE = "58392017";
const FROM = Math.floor(T0 / 1000) - 60, UNTIL = FROM + 86_400;
const bind = { gateId: GATE, residentId: 4 };
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function opener(registry: Registry) {
  return (changes: Uint8Array[], full: boolean) => openSealedChanges(changes, full, { gateId: GATE, keys: gate, deviceKey, find: (c) => registry.findCode(c) });
}

function target(registry: Registry, stored: Uint8Array[][]): SyncTarget {
  return { apply: (changes, full) => { applyToRegistry(registry, changes, full, (a) => { stored.push(a.changes); }, opener(registry)); } };
}

const addSealed = (code = CODE, over: Partial<{ id: number; uses: number; sealed: Uint8Array }> = {}): Change =>
  ({ kind: "add-sealed-code", id: 4, from: FROM, until: UNTIL, uses: 1, sealed: sealCode(gate.publicKey, code, bind, random), ...over });

describe("sealed codes: the seal", () => {
  it("derives the gate's seal key from its device secret: the same pair each time, another secret another pair", () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => (i * 5) & 0xff);
    assert.deepEqual(gateSealKeys(secret).publicKey, gate.publicKey);
    assert.notDeepEqual(gate.publicKey, other.publicKey);
    // Its own label: not the signing key's public half, nor the secret taken as an X25519 key.
    assert.notDeepEqual(gate.publicKey, gateSigner.publicKey);
    assert.notDeepEqual(gate.publicKey, sealKeyPair(secret).publicKey);
  });

  it("opens at its gate for its resident; every code length seals to the same size", () => {
    const sealed = sealCode(gate.publicKey, CODE, bind, random);
    assert.equal(openCode(gate, sealed, bind), CODE);
    assert.equal(sealCode(gate.publicKey, "123456", bind, random).length, sealCode(gate.publicKey, "1234567890", bind, random).length);
    assert.ok(!hex(sealed).includes(hex(Uint8Array.from(CODE, (c) => c.charCodeAt(0)))), "no code digits in the blob");
  });

  const refusals: [string, () => unknown][] = [
    ["another gate's key", () => openCode(other, sealCode(gate.publicKey, CODE, bind, random), bind)],
    ["another gate id", () => openCode(gate, sealCode(gate.publicKey, CODE, bind, random), { ...bind, gateId: GATE + 1 })],
    ["another resident", () => openCode(gate, sealCode(gate.publicKey, CODE, bind, random), { ...bind, residentId: 5 })],
    ["one tampered byte", () => { const s = sealCode(gate.publicKey, CODE, bind, random); s[s.length - 20] ^= 1; return openCode(gate, s, bind); }],
    ["a template's seal passed off as a code", () => openCode(gate, sealTemplate(gate.publicKey, new Uint8Array(11), { ...bind, scope: 0 }, random), bind)],
  ];
  for (const [what, attempt] of refusals) it(`refuses ${what}`, () => assert.throws(attempt, /E_SEAL_OPEN/));

  it("seals only 6-10 digits", () => {
    for (const bad of ["12345", "12345678901", "12ab56"]) assert.throws(() => sealCode(gate.publicKey, bad, bind, random), /E_BAD_CODE/);
  });
});

describe("sealed codes: the change kinds", () => {
  it("encode and decode both kinds", () => {
    const add = addSealed();
    assert.deepEqual(decodeChange(encodeChange(add)), add);
    const remove: Change = { kind: "remove-sealed-code", id: 4, sealed: (add as { sealed: Uint8Array }).sealed };
    assert.deepEqual(decodeChange(encodeChange(remove)), remove);
    assert.throws(() => encodeChange({ kind: "remove-sealed-code", id: 4, sealed: new Uint8Array(256) }), /E_BAD_CHANGE/);
  });

  it("are never applied to a registry as they are", () => {
    const registry = newRegistry();
    registry.apply(encodeChange(resident(4, [4, 1, 2, 3])));
    assert.throws(() => registry.apply(encodeChange(addSealed())), /E_SEALED_CHANGE/);
    assert.throws(() => applyToRegistry(registry, [encodeChange(addSealed())], false), /E_SEALED_CHANGE/);
  });
});

describe("sealed codes: at the gate", () => {
  it("a set's sealed code becomes add-code with the gate's hash: that opens, and is all that is stored", () => {
    const registry = newRegistry(), stored: Uint8Array[][] = [], sync = newGateSync();
    const out = sync.handleChangeSet(changeSet(1, [resident(4, [4, 1, 2, 3]), addSealed()]), T0, target(registry, stored));
    assert.equal(out.applied, 1, out.audit?.detail);
    const entry = registry.findCode(CODE);
    assert.deepEqual([entry?.resident, entry?.uses, entry?.from, entry?.until], [4, 1, FROM, UNTIL]);
    const kinds = stored[0].map((c) => decodeChange(c).kind);
    assert.deepEqual(kinds, ["add-resident", "add-code"]);
    assert.deepEqual((decodeChange(stored[0][1]) as { hash: Uint8Array }).hash, hashCode(deviceKey, CODE));
    assert.ok(!stored[0].some((c) => hex(c).includes(hex(Uint8Array.from(CODE, (d) => d.charCodeAt(0))))), "no digits stored");
  });

  for (const [what, change] of [
    ["sealed for another gate", () => addSealed(CODE, { sealed: sealCode(other.publicKey, CODE, { ...bind, gateId: GATE + 1 }, random) })],
    ["sealed for another resident", () => addSealed(CODE, { sealed: sealCode(gate.publicKey, CODE, { ...bind, residentId: 5 }, random) })],
    ["tampered", () => { const c = addSealed() as { sealed: Uint8Array }; c.sealed[40] ^= 0x80; return c as Change; }],
  ] as [string, () => Change][]) {
    it(`refuses the whole set when a code is ${what}, and audits it`, () => {
      const registry = newRegistry(), stored: Uint8Array[][] = [], sync = newGateSync();
      const out = sync.handleChangeSet(changeSet(1, [resident(4, [4, 1, 2, 3]), resident(5, [4, 1, 2, 5]), change()]), T0, target(registry, stored));
      assert.equal(out.refused, "apply-failed");
      assert.equal(out.audit?.kind, "sync-refused");
      assert.match(out.audit?.detail ?? "", /apply-failed E_SEAL_OPEN/);
      assert.deepEqual(registry.ids(), [], "nothing of the set applied");
      assert.equal(stored.length, 0, "nothing stored");
      assert.equal(sync.applied, 0);
    });
  }

  it("revoking uses the code up (one end-code, whatever its uses) and removes it, even when it is the visitor's only credential", () => {
    const registry = newRegistry(), stored: Uint8Array[][] = [], sync = newGateSync();
    const visitor: Change = { kind: "add-resident", id: 4, role: 3, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "V1", cards: [], codes: [] };
    const add = addSealed(CODE, { uses: 20 }) as Change & { sealed: Uint8Array };
    sync.handleChangeSet(changeSet(1, [visitor, add]), T0, target(registry, stored));
    assert.ok(registry.findCode(CODE));
    const out = sync.handleChangeSet(changeSet(2, [{ kind: "remove-sealed-code", id: 4, sealed: add.sealed }]), T0, target(registry, stored));
    assert.equal(out.applied, 2, out.audit?.detail);
    assert.equal(registry.findCode(CODE), undefined);
    assert.deepEqual(stored[1].map((c) => decodeChange(c).kind), ["end-code", "remove-code"]);
    // Sent again (a code the gate no longer holds): nothing to do, the set still applies.
    assert.equal(sync.handleChangeSet(changeSet(3, [{ kind: "remove-sealed-code", id: 4, sealed: add.sealed }]), T0, target(registry, stored)).applied, 3);
    assert.deepEqual(stored[2], []);
  });

  it("the hub may not send use-code or end-code itself, though a revoke opens into end-code", () => {
    const registry = newRegistry(), stored: Uint8Array[][] = [], sync = newGateSync();
    sync.handleChangeSet(changeSet(1, [resident(4, [4, 1, 2, 3]), addSealed()]), T0, target(registry, stored));
    for (const kind of ["use-code", "end-code"] as const) {
      // The same version each time: a refused set is not applied, so the next one is still v2.
      const out = sync.handleChangeSet(changeSet(2, [{ kind, hash: hashCode(deviceKey, CODE) }]), T0, target(registry, stored));
      assert.equal(out.refused, "apply-failed", kind);
      assert.match(out.audit?.detail ?? "", /E_SYNC_GATE_ONLY/, kind);
      assert.equal(registry.findCode(CODE)?.uses, 1);
    }
  });

  it("revoking a code already used up at this gate removes it without an end-code", () => {
    const registry = newRegistry(), stored: Uint8Array[][] = [], sync = newGateSync();
    const add = addSealed() as Change & { sealed: Uint8Array };
    sync.handleChangeSet(changeSet(1, [resident(4, [4, 1, 2, 3]), add]), T0, target(registry, stored));
    registry.consumeCode(hashCode(deviceKey, CODE));
    assert.equal(registry.findCode(CODE)?.uses, 0);
    const out = sync.handleChangeSet(changeSet(2, [{ kind: "remove-sealed-code", id: 4, sealed: add.sealed }]), T0, target(registry, stored));
    assert.equal(out.applied, 2, out.audit?.detail);
    assert.deepEqual(stored[1].map((c) => decodeChange(c).kind), ["remove-code"]);
    assert.equal(registry.findCode(CODE), undefined);
  });

  it("a code the gate already holds is not added twice; a full resync adds its codes afresh", () => {
    const registry = newRegistry(), stored: Uint8Array[][] = [], sync = newGateSync();
    sync.handleChangeSet(changeSet(1, [resident(4, [4, 1, 2, 3]), addSealed()]), T0, target(registry, stored));
    assert.equal(sync.handleChangeSet(changeSet(2, [addSealed()]), T0, target(registry, stored)).applied, 2);
    assert.deepEqual(stored[1], []);
    const full = sync.handleChangeSet(changeSet(3, [resident(4, [4, 1, 2, 3]), addSealed(CODE, { uses: 2 })], { full: true }), T0, target(registry, stored));
    assert.equal(full.applied, 3, full.audit?.detail);
    assert.equal(registry.findCode(CODE)?.uses, 2);
  });
});
