// PIN verifiers under a compound key (portable: Node and XS): a PIN set at one
// gate opens another gate holding the same compound key; old device-key
// verifiers keep working; a verifier under another compound's key, a verifier
// moved to another resident, or one the hub made up never opens.
import assert from "node:assert/strict";
import { AccessCore } from "../../../src/core/access/access-core";
import { decodeChange, encodeChange } from "../../../src/core/access/changes";
import {
  COMPOUND_PIN_KEY_BYTES, compoundPinKey, compoundPinKeyFingerprint, hashCompoundPin, pinMatchesUnder,
} from "../../../src/core/access/compound-pin";
import { Registry } from "../../../src/core/access/registry";
import { hashPin } from "../../../src/core/access/secrets";
import { AuditLog } from "../../../src/core/audit/audit-log";
import { hmacSha256, toHex, utf8 } from "../../../src/core/crypto";
import { isOptgateError } from "../../../src/core/errors";
import { at, basePolicy, testRandom } from "./fixtures";

const compoundKey = Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + 5) & 0xff);
const otherCompound = Uint8Array.from({ length: 32 }, (_, i) => (i * 29 + 1) & 0xff);
const deviceA = Uint8Array.from({ length: 32 }, (_, i) => i);
const deviceB = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);

function gate(device: Uint8Array, compound?: Uint8Array, seed = 7): Registry {
  return new Registry({ deviceKey: device, random: testRandom(seed), compoundPinKey: compound });
}

function throwsCode(f: () => unknown, code: string): void {
  assert.throws(f, (e: unknown) => isOptgateError(e, code));
}

/** Every change gate `from` commits, replayed on `to` (what the hub carries, verifiers only). */
function relay(from: Registry, to: Registry): Uint8Array[] {
  const sent: Uint8Array[] = [];
  from.onChange = (bytes) => {
    const kind = decodeChange(bytes).kind;
    if (kind !== "rate-pin") { sent.push(bytes); to.apply(bytes); }
  };
  return sent;
}

describe("compound PIN key", () => {
  it("names the key by an id and a fingerprint that are not the key, and refuses other lengths", () => {
    const k = compoundPinKey(compoundKey);
    const mac = hmacSha256(compoundKey, utf8("optgate compound pin key id v1"));
    assert.equal(k.id, ((mac[0] << 24) | (mac[1] << 16) | (mac[2] << 8) | mac[3]) >>> 0);
    assert.notEqual(k.id, 0);
    assert.equal(compoundPinKeyFingerprint(compoundKey), toHex(mac.subarray(0, 8)));
    assert.ok(!toHex(compoundKey).includes(compoundPinKeyFingerprint(compoundKey)));
    assert.notEqual(compoundPinKey(otherCompound).id, k.id);
    for (const n of [0, 16, 31, 33]) throwsCode(() => compoundPinKey(new Uint8Array(n)), "E_BAD_PIN_KEY");
    assert.equal(COMPOUND_PIN_KEY_BYTES, 32);
  });

  it("binds the verifier to the resident and the salt, and matches only under the key it names", () => {
    const salt = Uint8Array.of(1, 2, 3, 4);
    const k = compoundPinKey(compoundKey);
    const v = hashCompoundPin(compoundKey, 42, salt, "583017");
    assert.equal(v.length, 16);
    assert.notDeepEqual(hashCompoundPin(compoundKey, 43, salt, "583017"), v);
    assert.notDeepEqual(hashCompoundPin(compoundKey, 42, Uint8Array.of(1, 2, 3, 5), "583017"), v);
    assert.notDeepEqual(hashPin(compoundKey, salt, "583017"), v, "not the device-key formula under the compound key");
    const keys = { device: deviceA, compound: k };
    assert.equal(pinMatchesUnder(keys, k.id, 42, salt, v, "583017"), true);
    assert.equal(pinMatchesUnder(keys, k.id, 42, salt, v, "583018"), false);
    assert.equal(pinMatchesUnder(keys, k.id, 43, salt, v, "583017"), false, "moved to another resident");
    assert.equal(pinMatchesUnder(keys, k.id ^ 1, 42, salt, v, "583017"), false, "another key id");
    assert.equal(pinMatchesUnder({ device: deviceA }, k.id, 42, salt, v, "583017"), false, "no compound key held");
    // Key id 0 is the device key, as before.
    const d = hashPin(deviceA, salt, "583017");
    assert.equal(pinMatchesUnder(keys, 0, 42, salt, d, "583017"), true);
    assert.equal(pinMatchesUnder(keys, k.id, 42, salt, d, "583017"), false);
    // Even a verifier equal to the device-key hash never passes under an unknown key id.
    assert.equal(pinMatchesUnder({ device: deviceA }, 12345, 42, salt, d, "583017"), false);
  });

  it("a PIN set at one gate opens another gate of the compound; the other gate's device key plays no part", () => {
    const a = gate(deviceA, compoundKey, 1), b = gate(deviceB, compoundKey, 2);
    relay(a, b);
    const id = a.addResident({ unit: "B3-1204", role: "owner", groups: 1, cards: [Uint8Array.of(4, 1, 2, 3)] });
    a.setPin(id, "583017");
    const rowB = b.residents.find(id);
    assert.equal(b.pinMatchesAt(rowB, "583017"), true);
    assert.equal(b.pinMatchesAt(rowB, "583018"), false);
    assert.equal(b.pinVerifier(id)?.keyId, compoundPinKey(compoundKey).id);
    // The access core decides on it like any PIN (resident#PIN at the keypad).
    const core = new AccessCore({ registry: b, policy: basePolicy(), audit: new AuditLog({ capacity: 16 }) });
    const d = core.decide({ kind: "pin", keypad: 1, resident: id, pin: "583017" }, at("2026-06-03", "10:00"));
    assert.equal(d.reason, "granted");
  });

  it("old device-key verifiers keep working after the key is installed; new PINs are made under it", () => {
    const r = gate(deviceA);
    const id = r.addResident({ unit: "A1", role: "owner", groups: 1, pin: "583017" });
    assert.equal(r.pinVerifier(id)?.keyId, undefined);
    const changes: Uint8Array[] = [];
    r.onChange = (b) => changes.push(b);
    r.setCompoundPinKey(compoundKey);
    assert.equal(r.compoundPinKeyId, compoundPinKey(compoundKey).id);
    assert.equal(r.pinMatchesAt(r.residents.find(id), "583017"), true, "the device-key verifier still opens");
    r.setPin(id, "720461");
    assert.equal(decodeChange(changes[0]).kind, "set-compound-pin");
    assert.equal(r.pinMatchesAt(r.residents.find(id), "720461"), true);
    assert.equal(r.pinMatchesAt(r.residents.find(id), "583017"), false);
    // Without the key (removed) the compound verifier opens nothing; putting it back opens again.
    r.setCompoundPinKey(undefined);
    assert.equal(r.pinMatchesAt(r.residents.find(id), "720461"), false);
    r.setCompoundPinKey(compoundKey);
    assert.equal(r.pinMatchesAt(r.residents.find(id), "720461"), true);
  });

  it("a verifier from another compound's key never matches, even with the right PIN", () => {
    const other = gate(deviceA, otherCompound, 3), here = gate(deviceB, compoundKey, 4);
    relay(other, here);
    const id = other.addResident({ unit: "C9", role: "renter", groups: 1, cards: [Uint8Array.of(4, 9, 9, 9)] });
    other.setPin(id, "583017");
    assert.equal(here.pinMatchesAt(here.residents.find(id), "583017"), false);
    assert.equal(here.pinVerifier(id)?.keyId, compoundPinKey(otherCompound).id, "kept with the key it names");
  });

  it("a verifier forged without the key (random bytes, the device formula, another resident's) never opens", () => {
    const r = gate(deviceB, compoundKey, 5);
    const id1 = r.addResident({ unit: "A1", role: "owner", groups: 1, pin: "583017" });
    const id2 = r.addResident({ unit: "A2", role: "owner", groups: 1, cards: [Uint8Array.of(4, 2, 2, 2)] });
    const keyId = compoundPinKey(compoundKey).id;
    const stolen = r.pinVerifier(id1)!;
    const forged = [
      { salt: Uint8Array.of(0, 0, 0, 0), hash: new Uint8Array(16) },
      { salt: Uint8Array.of(9, 9, 9, 9), hash: hashPin(new Uint8Array(32), Uint8Array.of(9, 9, 9, 9), "583017") },
      { salt: Uint8Array.of(9, 9, 9, 9), hash: hashCompoundPin(otherCompound, id2, Uint8Array.of(9, 9, 9, 9), "583017") },
      { salt: stolen.salt, hash: stolen.hash }, // resident 1's verifier moved to resident 2
    ];
    for (const f of forged) {
      r.apply(encodeChange({ kind: "set-compound-pin", id: id2, keyId, ...f }));
      for (const pin of ["583017", "000000", "123456"]) assert.equal(r.pinMatchesAt(r.residents.find(id2), pin), false);
    }
  });

  it("encodes the key id in set-compound-pin and in add-resident (snapshots), and refuses key id 0", () => {
    const keyId = 0x89abcdef;
    const salt = Uint8Array.of(1, 2, 3, 4), hash = new Uint8Array(16).fill(7);
    const bytes = encodeChange({ kind: "set-compound-pin", id: 9, keyId, salt, hash });
    assert.deepEqual(decodeChange(bytes), { kind: "set-compound-pin", id: 9, keyId, salt, hash });
    const zero = bytes.slice();
    zero.fill(0, 5, 9);
    throwsCode(() => decodeChange(zero), "E_BAD_CHANGE");
    throwsCode(() => encodeChange({ kind: "set-compound-pin", id: 9, keyId: 0, salt, hash }), "E_BAD_CHANGE");
    const add = { kind: "add-resident" as const, id: 9, role: 0, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "A", pin: { salt, hash, keyId }, cards: [], codes: [] };
    assert.deepEqual(decodeChange(encodeChange(add)), add);
    const plain = { ...add, pin: { salt, hash } };
    assert.deepEqual(decodeChange(encodeChange(plain)), plain, "flag 1: the device key, no id on the wire");
    const flag3 = encodeChange(plain);
    flag3[1 + 4 + 1 + 1 + 4 + 4 + 4 + 2] = 3;
    throwsCode(() => decodeChange(flag3), "E_BAD_CHANGE");
  });

  it("a snapshot keeps each verifier's key: restored, both kinds still open", () => {
    const r = gate(deviceA);
    const old = r.addResident({ unit: "A1", role: "owner", groups: 1, pin: "583017" });
    r.setCompoundPinKey(compoundKey);
    const fresh = r.addResident({ unit: "A2", role: "owner", groups: 1, pin: "720461" });
    const back = Registry.fromSnapshot(r.exportSnapshot(), { deviceKey: deviceA, random: testRandom(), compoundPinKey: compoundKey });
    assert.equal(back.pinMatchesAt(back.residents.find(old), "583017"), true);
    assert.equal(back.pinMatchesAt(back.residents.find(fresh), "720461"), true);
    assert.equal(back.pinVerifier(fresh)?.keyId, compoundPinKey(compoundKey).id);
    // importSnapshot keeps the installed key.
    r.importSnapshot(r.exportSnapshot());
    assert.equal(r.pinMatchesAt(r.residents.find(fresh), "720461"), true);
  });

  it("the same verifier again (the hub echoing a PIN set here) keeps the gate's rating; clearing frees the key slot", () => {
    const r = gate(deviceA, compoundKey);
    const id = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [Uint8Array.of(4, 1, 1, 1)] });
    r.setPin(id, "583017");
    const v = r.pinVerifier(id)!;
    assert.equal(r.get(id)?.pinQuality, "ok");
    r.apply(encodeChange({ kind: "set-compound-pin", id, keyId: v.keyId!, salt: v.salt, hash: v.hash }));
    assert.equal(r.get(id)?.pinQuality, "ok");
    r.clearPin(id);
    assert.equal(r.residents.flags[r.residents.find(id)] & 0b1100, 0);
  });

  it("holds verifiers under at most three compound keys at once, reusing a slot no resident uses", () => {
    const r = gate(deviceA);
    const ids = [1, 2, 3, 4].map((n) => r.addResident({ unit: `A${n}`, role: "owner", groups: 1, cards: [Uint8Array.of(4, n, n, n)] }));
    const salt = Uint8Array.of(1, 1, 1, 1), hash = new Uint8Array(16);
    const set = (id: number, keyId: number) => r.apply(encodeChange({ kind: "set-compound-pin", id, keyId, salt, hash }));
    set(ids[0], 11); set(ids[1], 22); set(ids[2], 33);
    throwsCode(() => set(ids[3], 44), "E_TOO_MANY_PIN_KEYS");
    assert.equal(r.get(ids[3])?.hasPin, false, "nothing written");
    set(ids[0], 44); // resident 1 leaves key 11: its slot takes 44
    set(ids[3], 44);
    assert.deepEqual(ids.map((id) => r.pinVerifier(id)?.keyId), [44, 22, 33, 44]);
    r.clearPin(ids[1]);
    set(ids[1], 55);
    assert.deepEqual(ids.map((id) => r.pinVerifier(id)?.keyId), [44, 55, 33, 44]);
  });
});
