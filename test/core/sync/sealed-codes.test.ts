// One-time codes issued at the hub (portable: Node and XS): sealed to one gate
// for one resident, opened only there, and turned into the registry's own
// add-code / remove-code with the gate's keyed hash before anything applies.
import assert from "node:assert/strict";
import { decodeChange, encodeChange, type Change } from "../../../src/core/access/changes";
import type { Registry } from "../../../src/core/access/registry";
import { hashCode } from "../../../src/core/access/secrets";
import { gateSealKeys, seal, sealKeyPair } from "../../../src/core/sync/gate-seal";
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

function opener(registry: Registry, unopened?: string[]) {
  return (changes: Uint8Array[], full: boolean) => openSealedChanges(changes, full, {
    gateId: GATE, keys: gate, deviceKey, find: (c) => registry.findCode(c), unopened: (id, why) => { unopened?.push(`${id} ${why}`); },
  });
}

function target(registry: Registry, stored: Uint8Array[][], unopened?: string[]): SyncTarget {
  return { apply: (changes, full) => { applyToRegistry(registry, changes, full, (a) => { stored.push(a.changes); }, opener(registry, unopened)); } };
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
    for (const bad of ["12345", "12345678901", "12ab56"]) assert.throws(() => sealCode(gate.publicKey, bad, bind, random), /E_BAD_CODE: A one-time code .+/);
  });

  // A hub key holder sealing a plaintext the hub's sealCode would never make: opened, it is not a code.
  it("a well-sealed blob whose plaintext is not a code's shape opens to nothing", () => {
    const plain = (n: number, digits: string, size = 11) => { const p = new Uint8Array(size); p[0] = n; p.set(Uint8Array.from(digits, (c) => c.charCodeAt(0)), 1); return p; };
    const forged = (p: Uint8Array) => () => openCode(gate, seal(gate.publicKey, p, { purpose: "code", scope: 0, ...bind }, random), bind);
    assert.equal(forged(plain(10, "1234567890"))(), "1234567890", "ten digits are a code");
    for (const [what, p] of [
      ["five digits", plain(5, "12345")],
      ["a count past the digits", plain(11, "1234567890")],
      ["a longer plaintext", plain(8, CODE, 12)],
      ["a shorter plaintext", plain(8, CODE, 9)],
      ["letters", plain(8, "1234abcd")],
    ] as const) assert.throws(forged(p), /E_BAD_CODE: The sealed code is not 6-10 digits/, what);
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
    // The set is the hub's (signed), so such a blob can only be the hub's own mistake (a wrong seal
    // key): refusing the whole set would refuse every later one too (removals included) and wedge
    // the gate. The code is left out, nothing of it stored, and the gate says so.
    it(`leaves out a code ${what}, applies the rest of the set, and reports it`, () => {
      const registry = newRegistry(), stored: Uint8Array[][] = [], sync = newGateSync(), unopened: string[] = [];
      const out = sync.handleChangeSet(changeSet(1, [resident(4, [4, 1, 2, 3]), resident(5, [4, 1, 2, 5]), change()]), T0, target(registry, stored, unopened));
      assert.equal(out.applied, 1, out.audit?.detail);
      assert.deepEqual(unopened, ["4 E_SEAL_OPEN"]);
      assert.deepEqual(registry.ids(), [4, 5], "the residents of the set applied");
      assert.equal(registry.findCode(CODE), undefined, "the code opens nothing");
      assert.deepEqual(stored[0].map((c) => decodeChange(c).kind), ["add-resident", "add-resident"], "nothing of the code stored");
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
    const full = sync.handleChangeSet(changeSet(3, [resident(4, [4, 1, 2, 3]), addSealed("73920418", { uses: 2 }), addSealed(CODE, { uses: 1 })], { full: true }), T0, target(registry, stored));
    assert.equal(full.applied, 3, full.audit?.detail);
    assert.equal(registry.findCode("73920418")?.uses, 2, "a code new to the gate comes with the hub's uses");
    assert.equal(registry.findCode(CODE)?.uses, 1);
  });

  it("leaves out a code whose plaintext is not a code's shape (E_BAD_CODE), also with nobody listening; any other failure still refuses", () => {
    const registry = newRegistry(), unopened: string[] = [];
    const badShape: Change = { kind: "add-sealed-code", id: 4, from: FROM, until: UNTIL, uses: 1, sealed: seal(gate.publicKey, new Uint8Array(11).fill(1), { purpose: "code", scope: 0, ...bind }, random) };
    const changes = [encodeChange(resident(4, [4, 1, 2, 3])), encodeChange(badShape)];
    assert.deepEqual(opener(registry, unopened)(changes, false), changes.slice(0, 1));
    assert.deepEqual(unopened, ["4 E_BAD_CODE"]);
    const quiet = openSealedChanges(changes, false, { gateId: GATE, keys: gate, deviceKey, find: (c) => registry.findCode(c) });
    assert.deepEqual(quiet, changes.slice(0, 1), "no callback: left out all the same");
    // A gate without its keys (a bug, not the hub's blob): the set is refused, not silently thinned.
    const broken = { secretKey: gate.secretKey, publicKey: undefined as never };
    assert.throws(() => openSealedChanges(changes, false, { gateId: GATE, keys: broken, deviceKey, find: () => undefined }), (e: unknown) => !(e instanceof Error && "code" in e));
  });

  it("a set that adds a code and revokes it again leaves nothing; a revoke for another resident's code touches nothing", () => {
    const registry = newRegistry(), stored: Uint8Array[][] = [], sync = newGateSync();
    const visitor = (id: number): Change => ({ kind: "add-resident", id, role: 3, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: `V${id}`, cards: [Uint8Array.of(4, 1, 2, id)], codes: [] });
    const add = addSealed(CODE, { uses: 2 }) as Change & { sealed: Uint8Array };
    const out = sync.handleChangeSet(changeSet(1, [visitor(4), visitor(5), add, { kind: "remove-sealed-code", id: 4, sealed: add.sealed }]), T0, target(registry, stored));
    assert.equal(out.applied, 1, out.audit?.detail);
    assert.equal(registry.findCode(CODE), undefined);
    assert.deepEqual(stored[0].slice(2).map((c) => decodeChange(c).kind), ["add-code", "end-code", "remove-code"]);
    // The same digits sealed for resident 5 (a forged revoke naming the wrong holder): the code stays with 4.
    sync.handleChangeSet(changeSet(2, [addSealed(CODE, { uses: 1 })]), T0, target(registry, stored));
    const wrong = sync.handleChangeSet(changeSet(3, [{ kind: "remove-sealed-code", id: 5, sealed: sealCode(gate.publicKey, CODE, { ...bind, residentId: 5 }, random) }]), T0, target(registry, stored));
    assert.equal(wrong.applied, 3, wrong.audit?.detail);
    assert.deepEqual(stored[2], []);
    assert.equal(registry.findCode(CODE)?.resident, 4);
  });

  it("a full resync keeps the gate's count only for the same resident's code", () => {
    const registry = newRegistry(), stored: Uint8Array[][] = [], sync = newGateSync();
    const visitor = (id: number): Change => ({ kind: "add-resident", id, role: 3, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: `V${id}`, cards: [Uint8Array.of(4, 1, 2, id)], codes: [] });
    sync.handleChangeSet(changeSet(1, [visitor(4), visitor(5), addSealed(CODE, { id: 5, uses: 1, sealed: sealCode(gate.publicKey, CODE, { ...bind, residentId: 5 }, random) })]), T0, target(registry, stored));
    registry.consumeCode(hashCode(deviceKey, CODE)); // resident 5's code, used up
    const full = sync.handleChangeSet(changeSet(2, [visitor(4), addSealed(CODE, { uses: 2 })], { full: true }), T0, target(registry, stored));
    assert.equal(full.applied, 2, full.audit?.detail);
    assert.deepEqual([registry.findCode(CODE)?.resident, registry.findCode(CODE)?.uses], [4, 2]);
  });

  // The adversary: a visitor whose code was used here before the access record reached the hub
  // (the gate offline, or its upload queued behind the resync) must not get its uses back from a
  // full resync that carries the hub's older count.
  it("a full resync never gives back uses the gate has seen: the hub's count or the gate's, the lower", () => {
    const registry = newRegistry(), stored: Uint8Array[][] = [], sync = newGateSync();
    const visitor: Change = { kind: "add-resident", id: 4, role: 3, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "V1", cards: [], codes: [] };
    const once = addSealed(CODE, { uses: 1 }), thrice = addSealed("73920418", { uses: 3 });
    assert.equal(sync.handleChangeSet(changeSet(1, [visitor, once, thrice]), T0, target(registry, stored)).applied, 1);
    registry.consumeCode(hashCode(deviceKey, CODE)); // used up here: uses 0, kept until it expires
    registry.consumeCode(hashCode(deviceKey, "73920418"));
    const full = sync.handleChangeSet(changeSet(2, [visitor, addSealed(CODE, { uses: 1 }), addSealed("73920418", { uses: 3 })], { full: true }), T0, target(registry, stored));
    assert.equal(full.applied, 2, full.audit?.detail);
    assert.equal(registry.findCode(CODE)?.uses, 0, "used up here stays used up (code-used-up, not a fresh use)");
    assert.equal(registry.findCode("73920418")?.uses, 2, "one use seen here, two left");
    // What is stored replays to the same counts (the new generation after a reboot).
    const replayed = newRegistry();
    replayed.apply(encodeChange(visitor));
    for (const c of stored[1].slice(1)) replayed.apply(c);
    assert.deepEqual([replayed.findCode(CODE)?.uses, replayed.findCode("73920418")?.uses], [0, 2]);
    // The hub's lower count wins (uses seen at other gates); a code held for another resident is not the same code.
    const next = sync.handleChangeSet(changeSet(3, [visitor, addSealed("73920418", { uses: 1 })], { full: true }), T0, target(registry, stored));
    assert.equal(next.applied, 3, next.audit?.detail);
    assert.equal(registry.findCode("73920418")?.uses, 1);
  });
});
