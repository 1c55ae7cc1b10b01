// The registry at its edges: the exact sentence behind every refusal a
// technician reads, bounds of replayed changes, snapshots cut short, and the
// credential rules on activation and removal (portable: Node and XS).
import assert from "node:assert/strict";
import { encodeChange } from "../../../src/core/access/changes";
import { Registry } from "../../../src/core/access/registry";
import { PIN_HASH_BYTES, PIN_SALT_BYTES } from "../../../src/core/access/resident-table";
import { MAX_CARDS_PER_RESIDENT, MAX_RESIDENT_ID } from "../../../src/core/access/types";
import { isOptgateError } from "../../../src/core/errors";
import { deviceKey, newRegistry, testRandom, uid } from "./fixtures";

const DAY = 86_400_000;
const T = Date.UTC(2026, 5, 3, 2);

function message(f: () => unknown, code?: string): string {
  try { f(); } catch (e) {
    if (code !== undefined) assert.ok(isOptgateError(e, code), `${code}: ${(e as Error).message}`);
    return (e as Error).message;
  }
  return "no error";
}

function visitor(r: Registry, code: string, uses = 1, status: "active" | "suspended" = "active"): number {
  return r.addResident({ unit: "V", role: "visitor", groups: 1, status, codes: [{ code, validUntil: T + DAY, uses }] });
}

describe("registry edges: refusals say exactly what is wrong", () => {
  it("the device key, an unknown resident, a resident without a credential, a weak PIN, a bad time", () => {
    assert.equal(message(() => new Registry({ deviceKey: new Uint8Array(15), random: testRandom() }), "E_BAD_DEVICE_KEY"), "E_BAD_DEVICE_KEY: The device key must be at least 16 bytes.");
    assert.equal(message(() => new Registry({ deviceKey: Array.from(deviceKey) as never, random: testRandom() }), "E_BAD_DEVICE_KEY"), "E_BAD_DEVICE_KEY: The device key must be at least 16 bytes.");
    assert.equal(new Registry({ deviceKey: new Uint8Array(16), random: testRandom() }).size, 0);
    const r = newRegistry();
    assert.equal(message(() => r.setPin(99, "583017"), "E_UNKNOWN_RESIDENT"), "E_UNKNOWN_RESIDENT: There is no resident R00099.");
    assert.equal(message(() => r.addResident({ unit: "A", role: "owner", groups: 1 }), "E_NO_NON_FACE_CREDENTIAL"),
      "E_NO_NON_FACE_CREDENTIAL: An active resident needs a card, a PIN or a one-time code; face is optional and never enough.");
    assert.equal(message(() => r.addResident({ unit: "A", role: "owner", groups: 1, pin: "345678" }), "E_WEAK_PIN"),
      "E_WEAK_PIN: That PIN is easy to guess (it is a run of consecutive digits); choose another.");
    assert.ok(message(() => r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017", validFrom: 5 }), "E_BAD_TIME").startsWith("E_BAD_TIME: validFrom must be"));
    assert.ok(message(() => r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017", validUntil: 5 }), "E_BAD_TIME").startsWith("E_BAD_TIME: validUntil must be"));
    assert.ok(message(() => r.addResident({ unit: "A", role: "visitor", groups: 1, codes: [{ code: "73910264", validFrom: 5, validUntil: T, uses: 1 }] }), "E_BAD_TIME").startsWith("E_BAD_TIME: validFrom must be"));
    assert.ok(message(() => r.addResident({ unit: "A", role: "visitor", groups: 1, codes: [{ code: "73910264", validUntil: 5, uses: 1 }] }), "E_BAD_TIME").startsWith("E_BAD_TIME: validUntil must be"));
    assert.ok(message(() => r.addResident({ unit: "A", role: "visitor", groups: 1, codes: [{ code: "12", validUntil: T, uses: 1 }] }), "E_BAD_CODE").startsWith("E_BAD_CODE: A one-time code "));
    assert.equal(message(() => r.addResident({ unit: "A", role: "visitor", groups: 1, codes: [{ code: "73910264", validFrom: T, validUntil: T, uses: 1 }] }), "E_BAD_WINDOW"),
      "E_BAD_WINDOW: A one-time code must expire after it becomes valid.");
    const id = r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    assert.ok(message(() => r.updateResident(id, { validFrom: 5 }), "E_BAD_TIME").startsWith("E_BAD_TIME: validFrom must be"));
    assert.ok(message(() => r.updateResident(id, { validUntil: 5 }), "E_BAD_TIME").startsWith("E_BAD_TIME: validUntil must be"));
  });

  it("cards and codes: duplicates, unknown ones, the last credential", () => {
    const r = newRegistry();
    const a = r.addResident({ unit: "A", role: "owner", groups: 1, cards: [uid(4, 1, 2, 3)] });
    assert.equal(message(() => r.addResident({ unit: "B", role: "owner", groups: 1, cards: [uid(4, 1, 2, 3)] }), "E_DUPLICATE_CARD"),
      "E_DUPLICATE_CARD: That card already belongs to R00001; remove it there first.");
    assert.equal(message(() => r.addResident({ unit: "B", role: "owner", groups: 1, cards: [uid(4, 9, 9, 9), uid(4, 9, 9, 9)] }), "E_DUPLICATE_CARD"),
      "E_DUPLICATE_CARD: The same card is listed twice.");
    assert.equal(message(() => r.removeCard(uid(4, 7, 7, 7)), "E_UNKNOWN_CARD"), "E_UNKNOWN_CARD: No resident holds that card.");
    const last = (what: string, id: number) => `E_LAST_NON_FACE_CREDENTIAL: ${what} is the last card/PIN/code of active resident R0000${id} (one-time codes do not count once face is enrolled); face never replaces it. Give them another card or a PIN first, or suspend them.`;
    assert.equal(message(() => r.removeCard(uid(4, 1, 2, 3)), "E_LAST_NON_FACE_CREDENTIAL"), last("This card", a));
    const b = r.addResident({ unit: "B", role: "owner", groups: 1, pin: "583017" });
    assert.equal(message(() => r.clearPin(b), "E_LAST_NON_FACE_CREDENTIAL"), last("The PIN", b));
    assert.equal(message(() => r.clearPin(a), "E_NO_PIN"), "E_NO_PIN: Resident R00001 has no PIN to clear.");
    assert.equal(message(() => r.apply(encodeChange({ kind: "rate-pin", id: a, quality: 1 })), "E_NO_PIN"), "E_NO_PIN: Resident R00001 has no PIN to rate.");
    const c = visitor(r, "73910264");
    assert.equal(message(() => r.revokeCode("73910264"), "E_LAST_NON_FACE_CREDENTIAL"), last("This code", c));
    assert.equal(message(() => r.revokeCode("55550001"), "E_UNKNOWN_CODE"), "E_UNKNOWN_CODE: No such one-time code.");
    assert.equal(message(() => r.issueCode(a, { code: "73910264", validUntil: T + DAY, uses: 1 }), "E_DUPLICATE_CODE"),
      "E_DUPLICATE_CODE: That one-time code is already issued; choose another.");
    assert.equal(message(() => r.consumeCode(new Uint8Array(16)), "E_UNKNOWN_CODE"), "E_UNKNOWN_CODE: No such one-time code.");
    const hash = r.findCode("73910264")!.hash;
    r.consumeCode(hash);
    assert.equal(message(() => r.consumeCode(hash), "E_CODE_USED_UP"), "E_CODE_USED_UP: The one-time code has no uses left.");
    assert.equal(r.get(c)?.codes, 0, "a used-up code is no credential");
    r.revokeCode("73910264"); // used up: removable even as the last
    assert.equal(r.findCode("73910264"), undefined);
    assert.equal(r.findCode("12"), undefined);
    assert.equal(r.findCard(uid(4, 7, 7, 7)), undefined);
    assert.equal(r.findCard(uid(4, 1, 2, 3)), a);
  });

  it("a code valid from its last second is refused; one second earlier is accepted", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    assert.equal(message(() => r.issueCode(id, { code: "73910264", validFrom: T, validUntil: T + 999, uses: 1 }), "E_BAD_WINDOW"), "E_BAD_WINDOW: A one-time code must expire after it becomes valid.");
    r.issueCode(id, { code: "73910264", validFrom: T, validUntil: T + 1_000, uses: 1 });
    assert.equal(r.findCode("73910264")?.uses, 1);
  });
});

describe("registry edges: what each change leaves behind", () => {
  it("updates keep, clear or set each field; the role changes", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A", role: "renter", groups: 1, pin: "583017", validFrom: T, validUntil: T + DAY });
    r.updateResident(id, { unit: "B" });
    assert.deepEqual([r.get(id)?.validFrom, r.get(id)?.validUntil, r.get(id)?.role, r.get(id)?.unit], [T, T + DAY, "renter", "B"]);
    r.updateResident(id, { role: "owner", validFrom: null, validUntil: null });
    const view = r.get(id)!;
    assert.equal(view.role, "owner");
    assert.equal("validFrom" in view, false);
    assert.equal("validUntil" in view, false);
    r.updateResident(id, { validUntil: T + 2 * DAY + 1_500 });
    assert.equal(r.get(id)?.validUntil, T + 2 * DAY + 1_000);
    assert.equal(r.get(99), undefined);
  });

  it("setPinLength applies to PINs set afterwards", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    r.setPinLength({ min: 8, max: 8 });
    assert.notEqual(message(() => r.setPin(id, "583019"), "E_BAD_PIN"), "no error");
    r.setPin(id, "58301746");
  });

  it("rates a PIN only when there is one and the rating changes", () => {
    const r = newRegistry();
    const seen: number[] = [];
    const withPin = r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    const cardOnly = r.addResident({ unit: "B", role: "owner", groups: 1, cards: [uid(4, 1, 2, 3)] });
    r.onChange = (bytes) => seen.push(bytes[0]);
    r.ratePin(withPin, "ok");
    r.ratePin(cardOnly, "weak");
    r.ratePin(99, "weak");
    assert.equal(seen.length, 0);
    r.ratePin(withPin, "weak");
    assert.equal(seen.length, 1);
    assert.equal(r.get(withPin)?.pinQuality, "weak");
    assert.equal(r.get(cardOnly)?.hasPin, false);
  });

  it("clearing a PIN zeroes that resident's salt and hash and no one else's", () => {
    const r = newRegistry();
    const ids = ["583017", "629184", "740295"].map((pin, i) => r.addResident({ unit: `U${i}`, role: "owner", groups: 1, pin, cards: [uid(4, 1, 2, i + 1)] }));
    const t = r.residents;
    const salt = (row: number) => Array.from(t.pinSalts.subarray(row * PIN_SALT_BYTES, (row + 1) * PIN_SALT_BYTES));
    const hash = (row: number) => Array.from(t.pinHashes.subarray(row * PIN_HASH_BYTES, (row + 1) * PIN_HASH_BYTES));
    const before = [0, 2].map((row) => [salt(row), hash(row)]);
    r.clearPin(ids[1]);
    const row = t.find(ids[1]);
    assert.equal(row, 1);
    assert.ok(salt(1).every((b) => b === 0) && hash(1).every((b) => b === 0));
    assert.deepEqual([0, 2].map((row) => [salt(row), hash(row)]), before);
    assert.equal(r.pinMatchesAt(0, "583017"), true);
    assert.equal(r.pinMatchesAt(1, "629184"), false);
  });

  it("un-enrolling a face clears that flag alone", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A", role: "owner", groups: 1, cards: [uid(4, 1, 2, 3)] });
    r.setFaceEnrolled(id, true);
    r.setFaceEnrolled(id, false);
    assert.deepEqual([r.get(id)?.faceEnrolled, r.get(id)?.hasPin], [false, false]);
  });

  it("removing a resident drops their codes and no one else's", () => {
    const r = newRegistry();
    const a = visitor(r, "73910264");
    visitor(r, "48205713");
    r.removeResident(a);
    assert.equal(r.findCode("73910264"), undefined);
    assert.equal(r.findCode("48205713")?.uses, 1);
  });

  it("reserves room for residents and cards, counts both in its bytes, lists ids in row order", () => {
    const r = newRegistry();
    r.reserve(100, 300);
    assert.equal(r.residents.ids.length, 100);
    assert.equal(r.byteLength, r.residents.byteLength + r.cards.byteLength);
    assert.equal(r.byteLength, 100 * 54 + 256 * 4 + 300 * 15 + 512 * 4);
    const a = r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    const b = r.addResident({ unit: "B", role: "owner", groups: 1, pin: "629184" });
    const c = r.addResident({ unit: "C", role: "owner", groups: 1, pin: "740295" });
    r.removeResident(a);
    assert.deepEqual(r.ids(), [c, b]);
    assert.equal(r.nextId, 4);
  });

  it("purging needs a finite time", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    r.issueCode(id, { code: "73910264", validUntil: T + DAY, uses: 1 });
    r.consumeCode(r.findCode("73910264")!.hash);
    assert.equal(r.purgeUsedUpCodes(Number.POSITIVE_INFINITY), 0);
    assert.equal(r.purgeUsedUpCodes(Number.NaN), 0);
    assert.equal(r.findCode("73910264")?.uses, 0);
    assert.equal(r.purgeUsedUpCodes(T + DAY), 1);
  });

  it("clearDamage tells onRepaired once, only when there was damage, and works without a listener", () => {
    const r = newRegistry();
    let told = 0;
    r.onRepaired = () => told++;
    r.clearDamage();
    assert.equal(told, 0);
    r.quarantine("store recovery");
    r.clearDamage();
    r.clearDamage();
    assert.equal(told, 1);
    const quiet = newRegistry();
    quiet.quarantine("x");
    quiet.clearDamage();
    assert.equal(quiet.damage, undefined);
  });
});

describe("registry edges: states only a replay or the columns can reach", () => {
  it("a replayed code that never expires is refused", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    const code = { hash: new Uint8Array(16).fill(3), from: 0, uses: 1 };
    assert.equal(message(() => r.apply(encodeChange({ kind: "add-code", id, ...code, until: 0xffffffff })), "E_BAD_WINDOW"), "E_BAD_WINDOW: A one-time code must expire after it becomes valid.");
    r.apply(encodeChange({ kind: "add-code", id, ...code, until: 0xfffffffe }));
    assert.equal(r.get(id)?.codes, 1);
  });

  it("a suspended resident left without a credential can still be updated while they stay suspended", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A", role: "owner", groups: 1, cards: [uid(4, 1, 2, 3)] });
    r.updateResident(id, { status: "suspended" });
    r.removeCard(uid(4, 1, 2, 3));
    r.updateResident(id, { unit: "B" });
    assert.deepEqual([r.get(id)?.unit, r.get(id)?.status], ["B", "suspended"]);
    assert.equal(message(() => r.updateResident(id, { status: "active" }), "E_NO_NON_FACE_CREDENTIAL").startsWith("E_NO_NON_FACE_CREDENTIAL: Resident R00001 has no card, PIN or code"), true);
  });

  it("a PIN quality the gate does not know reads as unknown", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    r.residents.pinQuality[r.residents.find(id)] = 200;
    assert.equal(r.get(id)?.pinQuality, "unknown");
  });
});

describe("registry edges: whose codes count", () => {
  it("a resident's working codes are their own: another visitor's codes neither show nor keep them in", () => {
    const r = newRegistry();
    const a = visitor(r, "73910264");
    const b = visitor(r, "55554444", 3);
    r.issueCode(b, { code: "66667777", validUntil: T + DAY, uses: 1 });
    assert.deepEqual([r.get(a)?.codes, r.get(b)?.codes], [1, 2]);
    assert.equal(message(() => r.revokeCode("73910264"), "E_LAST_NON_FACE_CREDENTIAL").startsWith("E_LAST_NON_FACE_CREDENTIAL: This code is the last"), true);
    r.revokeCode("66667777");
    assert.deepEqual([r.get(a)?.codes, r.get(b)?.codes], [1, 1]);
  });
});

describe("registry edges: activation needs a credential that works", () => {
  it("an active resident with only a used-up code can still be edited; a suspended one with a live code can be activated", () => {
    const r = newRegistry();
    const used = visitor(r, "73910264");
    r.consumeCode(r.findCode("73910264")!.hash);
    r.updateResident(used, { unit: "V2" });
    assert.equal(r.get(used)?.unit, "V2");
    const sleeping = visitor(r, "48205713", 1, "suspended");
    r.updateResident(sleeping, { status: "active" });
    assert.equal(r.get(sleeping)?.status, "active");
  });

  it("refuses activation without a card, PIN or live code, and with face but only codes", () => {
    const r = newRegistry();
    const none = visitor(r, "73910264", 1, "suspended");
    r.consumeCode(r.findCode("73910264")!.hash);
    assert.equal(message(() => r.updateResident(none, { status: "active" }), "E_NO_NON_FACE_CREDENTIAL"),
      `E_NO_NON_FACE_CREDENTIAL: Resident R0000${none} has no card, PIN or code; give them one before activating.`);
    const face = visitor(r, "48205713", 1, "suspended");
    r.setFaceEnrolled(face, true);
    assert.equal(message(() => r.updateResident(face, { status: "active" }), "E_NO_NON_FACE_CREDENTIAL"),
      `E_NO_NON_FACE_CREDENTIAL: Resident R0000${face} has face enrolled but no card or PIN (one-time codes do not count then); give them one before activating.`);
  });
});

describe("registry edges: replayed changes at their bounds", () => {
  it("the next id: 1 to MAX + 1, never lowered", () => {
    const r = newRegistry();
    for (const nextId of [0]) assert.equal(message(() => r.apply(encodeChange({ kind: "meta", nextId })), "E_BAD_CHANGE"), "E_BAD_CHANGE: The next resident id is out of range.");
    r.apply(encodeChange({ kind: "meta", nextId: 1 }));
    r.apply(encodeChange({ kind: "meta", nextId: 40 }));
    r.apply(encodeChange({ kind: "meta", nextId: 7 }));
    assert.equal(r.nextId, 40);
    r.apply(encodeChange({ kind: "meta", nextId: MAX_RESIDENT_ID + 1 }));
    assert.equal(r.nextId, MAX_RESIDENT_ID + 1);
  });

  it("resident ids 1 to MAX, each once; at most MAX_CARDS_PER_RESIDENT cards", () => {
    const r = newRegistry();
    const add = (id: number, cards: Uint8Array[] = [uid(4, 0, id & 0xff, 1)]) => r.apply(encodeChange({ kind: "add-resident", id, role: 0, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "A", cards, codes: [] }));
    assert.equal(message(() => add(0), "E_BAD_RESIDENT_ID"), "E_BAD_RESIDENT_ID: Resident id 0 is out of range.");
    add(1);
    assert.equal(message(() => add(1, [uid(4, 0, 1, 2)]), "E_DUPLICATE_RESIDENT"), "E_DUPLICATE_RESIDENT: Resident R00001 already exists.");
    assert.equal(message(() => add(MAX_RESIDENT_ID + 1), "E_BAD_RESIDENT_ID"), "E_BAD_RESIDENT_ID: Resident id 4294967295 is out of range.");
    add(MAX_RESIDENT_ID);
    assert.ok(r.has(MAX_RESIDENT_ID));
    const cards = (n: number, tag: number) => Array.from({ length: n }, (_, i) => uid(4, tag, 0, i + 1));
    assert.equal(message(() => add(5, cards(MAX_CARDS_PER_RESIDENT + 1, 5)), "E_TOO_MANY_CARDS"), `E_TOO_MANY_CARDS: Resident R00005 already holds ${MAX_CARDS_PER_RESIDENT} cards; remove one first.`);
    assert.equal(r.has(5), false);
    add(6, cards(MAX_CARDS_PER_RESIDENT, 6));
    assert.equal(r.get(6)?.cards, MAX_CARDS_PER_RESIDENT);
    const code = { hash: new Uint8Array(16).fill(3), from: 0, until: 2_000_000_000, uses: 1 };
    assert.equal(message(() => r.apply(encodeChange({ kind: "add-resident", id: 7, role: 0, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "A", cards: [], codes: [code, code] })), "E_DUPLICATE_CODE"),
      "E_DUPLICATE_CODE: The same code is listed twice.");
  });
});

describe("registry edges: snapshots", () => {
  function sample() {
    const r = newRegistry();
    r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    r.addResident({ unit: "B", role: "owner", groups: 1, cards: [uid(4, 1, 2, 3)] });
    const gone = r.addResident({ unit: "C", role: "owner", groups: 1, cards: [uid(4, 1, 2, 4)] });
    r.removeResident(gone);
    r.ratePin(1, "weak");
    return r;
  }
  const restore = (bytes: Uint8Array) => Registry.fromSnapshot(bytes, { deviceKey, random: testRandom() });

  it("carries the next id past removed residents and the PIN rating of residents with a PIN", () => {
    const back = restore(sample().exportSnapshot());
    assert.equal(back.nextId, 4);
    assert.equal(back.get(1)?.pinQuality, "weak");
    assert.equal(back.get(2)?.hasPin, false);
    const fresh = newRegistry();
    fresh.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    assert.equal(restore(fresh.exportSnapshot()).get(1)?.pinQuality, "ok");
  });

  it("refuses a wrong start, a cut-short body and trailing bytes with their own sentences", () => {
    const good = sample().exportSnapshot();
    const start = "E_BAD_SNAPSHOT: The registry snapshot does not start with OGR1.";
    assert.equal(message(() => restore(Array.from(good) as never), "E_BAD_SNAPSHOT"), start);
    assert.equal(message(() => restore(good.slice(0, 7)), "E_BAD_SNAPSHOT"), start);
    const wrong = good.slice();
    wrong[3] ^= 0xff;
    assert.equal(message(() => restore(wrong), "E_BAD_SNAPSHOT"), start);
    const early = "E_BAD_SNAPSHOT: The registry snapshot ends early.";
    assert.equal(message(() => restore(good.slice(0, good.length - 1)), "E_BAD_SNAPSHOT"), early);
    const more = good.slice();
    new DataView(more.buffer).setUint32(4, new DataView(good.buffer).getUint32(4) + 1);
    assert.equal(message(() => restore(more), "E_BAD_SNAPSHOT"), early);
    const moreWithLength = new Uint8Array(good.length + 2);
    moreWithLength.set(more);
    assert.equal(message(() => restore(moreWithLength), "E_BAD_SNAPSHOT"), early);
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    assert.equal(message(() => restore(trailing), "E_BAD_SNAPSHOT"), "E_BAD_SNAPSHOT: The registry snapshot has trailing bytes.");
    assert.equal(restore(good).size, 2);
  });

  it("writes a PIN's rating only when the gate knows it: a PIN of unknown strength adds no change", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A", role: "owner", groups: 1, cards: [uid(4, 1, 2, 3)] });
    r.apply(encodeChange({ kind: "set-pin", id, salt: new Uint8Array(PIN_SALT_BYTES).fill(1), hash: new Uint8Array(PIN_HASH_BYTES).fill(2) }));
    assert.equal(r.get(id)?.pinQuality, "unknown");
    const changes = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(4);
    assert.equal(changes(r.exportSnapshot()), 2, "meta and add-resident");
    r.ratePin(id, "weak");
    assert.equal(changes(r.exportSnapshot()), 3, "meta, add-resident and rate-pin");
    assert.equal(restore(r.exportSnapshot()).get(id)?.pinQuality, "weak");
  });

  it("reads the header alone as no changes, and a change of length 0 as an empty change, not a short snapshot", () => {
    const header = Uint8Array.from([0x4f, 0x47, 0x52, 0x31, 0, 0, 0, 0]);
    const empty = restore(header);
    assert.deepEqual([empty.size, empty.nextId], [0, 1]);
    const emptyChange = Uint8Array.from([0x4f, 0x47, 0x52, 0x31, 0, 0, 0, 1, 0, 0, 0, 0]);
    assert.equal(message(() => restore(emptyChange), "E_BAD_CHANGE"), "E_BAD_CHANGE: The registry change cannot be read: it is empty.");
  });
});
