import assert from "node:assert/strict";
import { Registry } from "../../../src/core/access/registry";
import { decodeChange } from "../../../src/core/access/changes";
import { isOptgateError } from "../../../src/core/errors";
import { toHex, utf8 } from "../../../src/core/crypto";
import { deviceKey, newRegistry, testRandom, uid } from "./fixtures";

const card1 = uid(0x04, 0xa1, 0xb2, 0xc3);
const card2 = uid(0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66);
const card3 = uid(0x08, 1, 2, 3, 4, 5, 6, 7, 8, 9);
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

function code(e: unknown, expected: string): boolean {
  return isOptgateError(e, expected);
}

/** Runs `fn`, expects it to throw `expected`, and checks the registry did not change at all. */
function refuses(registry: Registry, expected: string, fn: () => unknown): void {
  const before = registry.exportSnapshot();
  let emitted = 0;
  const previous = registry.onChange;
  registry.onChange = () => { emitted++; };
  assert.throws(fn, (e) => code(e, expected), expected);
  registry.onChange = previous;
  assert.equal(emitted, 0, "no change emitted");
  assert.deepEqual(registry.exportSnapshot(), before, "registry unchanged");
}

describe("Registry", () => {
  it("adds a resident with a card and a PIN and reports them without secrets", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "B3-1204", role: "owner", groups: 3, cards: [card1], pin: "482913" });
    const view = r.get(id)!;
    assert.equal(view.label, "R00001");
    assert.deepEqual([view.unit, view.role, view.status, view.groups, view.cards, view.hasPin, view.faceEnrolled], ["B3-1204", "owner", "active", 3, 1, true, false]);
    assert.equal(view.validFrom, undefined);
    assert.equal(r.findCard(card1), id);
    assert.equal(r.findCard(card2), undefined);
    assert.ok(r.pinMatchesAt(r.residents.find(id), "482913"));
    assert.ok(!r.pinMatchesAt(r.residents.find(id), "482914"));
    assert.ok(!JSON.stringify(view).includes("482913"));
  });

  it("assigns stable ids that are never reused after removal", () => {
    const r = newRegistry();
    const a = r.addResident({ unit: "A1", role: "owner", groups: 1, pin: "604185" });
    const b = r.addResident({ unit: "A2", role: "owner", groups: 1, pin: "719046" });
    r.removeResident(b);
    const c = r.addResident({ unit: "A3", role: "owner", groups: 1, pin: "850271" });
    assert.deepEqual([a, b, c], [1, 2, 3]);
    const copy = Registry.fromSnapshot(r.exportSnapshot(), { deviceKey, random: testRandom() });
    assert.equal(copy.addResident({ unit: "A4", role: "owner", groups: 1, pin: "961538" }), 4);
  });

  it("salts PIN hashes and never puts a PIN in a change", () => {
    const r = newRegistry();
    const changes: Uint8Array[] = [];
    r.onChange = (c) => changes.push(c);
    const a = r.addResident({ unit: "A1", role: "owner", groups: 1, pin: "48291357" });
    const b = r.addResident({ unit: "A2", role: "owner", groups: 1, pin: "48291357" });
    const t = r.residents;
    const hash = (row: number) => toHex(t.pinHashes.subarray(row * 16, row * 16 + 16));
    assert.notEqual(hash(t.find(a)), hash(t.find(b)), "same PIN, different salt, different hash");
    const needle = toHex(utf8("48291357"));
    for (const c of changes) assert.ok(!toHex(c).includes(needle));
    assert.ok(!toHex(r.exportSnapshot()).includes(needle));
  });

  it("refuses bad input with a stable code and leaves the registry unchanged", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "B3-1204", role: "owner", groups: 1, cards: [card1], pin: "482913" });
    const other = r.addResident({ unit: "B3-1205", role: "renter", groups: 1, cards: [card2], validUntil: T0 + 30 * DAY });
    refuses(r, "E_BAD_UID", () => r.addCard(id, uid(1, 2, 3)));
    refuses(r, "E_BAD_UID", () => r.addCard(id, new Uint8Array(4)));
    refuses(r, "E_BAD_UID", () => r.addCard(id, new Uint8Array(7).fill(0xff)));
    refuses(r, "E_BAD_UID", () => r.addCard(id, "04a1b2c3" as unknown as Uint8Array));
    refuses(r, "E_DUPLICATE_CARD", () => r.addCard(id, card2));
    refuses(r, "E_DUPLICATE_CARD", () => r.addCard(other, card1));
    refuses(r, "E_DUPLICATE_CARD", () => r.addResident({ unit: "C1", role: "owner", groups: 1, cards: [card3, card3] }));
    refuses(r, "E_UNKNOWN_RESIDENT", () => r.addCard(999, card3));
    refuses(r, "E_UNKNOWN_RESIDENT", () => r.setPin(999, "583017"));
    refuses(r, "E_UNKNOWN_RESIDENT", () => r.updateResident(999, { status: "suspended" }));
    refuses(r, "E_UNKNOWN_RESIDENT", () => r.removeResident(999));
    refuses(r, "E_UNKNOWN_CARD", () => r.removeCard(card3));
    refuses(r, "E_BAD_PIN", () => r.setPin(id, "12a4"));
    refuses(r, "E_BAD_PIN", () => r.setPin(id, "123"));
    refuses(r, "E_BAD_PIN", () => r.setPin(id, "123456789"));
    refuses(r, "E_BAD_PIN", () => r.addResident({ unit: "C1", role: "owner", groups: 1, pin: "" }));
    refuses(r, "E_BAD_UNIT", () => r.addResident({ unit: "B3 1204", role: "owner", groups: 1, pin: "583017" }));
    refuses(r, "E_BAD_UNIT", () => r.addResident({ unit: "TOOLONG-9", role: "owner", groups: 1, pin: "583017" }));
    refuses(r, "E_BAD_UNIT", () => r.updateResident(id, { unit: "" }));
    refuses(r, "E_BAD_ROLE", () => r.addResident({ unit: "C1", role: "landlord" as never, groups: 1, pin: "583017" }));
    refuses(r, "E_BAD_STATUS", () => r.updateResident(id, { status: "gone" as never }));
    refuses(r, "E_BAD_GROUPS", () => r.updateResident(id, { groups: -1 }));
    refuses(r, "E_BAD_GROUPS", () => r.updateResident(id, { groups: 2 ** 32 }));
    refuses(r, "E_BAD_TIME", () => r.updateResident(id, { validUntil: -5 }));
    refuses(r, "E_BAD_TIME", () => r.updateResident(id, { validUntil: Number.NaN }));
    refuses(r, "E_BAD_TIME", () => r.updateResident(id, { validFrom: 1e16 }));
    refuses(r, "E_BAD_WINDOW", () => r.updateResident(other, { validFrom: T0 + 31 * DAY }));
    refuses(r, "E_BAD_CODE", () => r.issueCode(id, { code: "12345", validUntil: T0 + DAY, uses: 1 }));
    refuses(r, "E_BAD_USES", () => r.issueCode(id, { code: "123456", validUntil: T0 + DAY, uses: 0 }));
    refuses(r, "E_BAD_WINDOW", () => r.issueCode(id, { code: "123456", validFrom: T0 + DAY, validUntil: T0, uses: 1 }));
    refuses(r, "E_NO_PIN", () => r.clearPin(other));
    refuses(r, "E_UNKNOWN_CODE", () => r.revokeCode("123456"));
    refuses(r, "E_BAD_CHANGE", () => r.apply(new Uint8Array([99])));
    refuses(r, "E_BAD_CHANGE", () => r.apply(new Uint8Array([])));
    refuses(r, "E_BAD_RESIDENT_ID", () => r.apply(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 255, 255, 255, 255, 1, 65, 0, 0, 0])));
  });

  it("limits cards per resident", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A1", role: "owner", groups: 1, pin: "583017" });
    for (let i = 1; i <= 8; i++) r.addCard(id, uid(9, 9, 9, i));
    refuses(r, "E_TOO_MANY_CARDS", () => r.addCard(id, uid(9, 9, 9, 9)));
    assert.equal(r.cardsOf(id).length, 8);
  });

  describe("invariant: an active resident keeps a non-face credential", () => {
    it("refuses to create an active resident without card, PIN or code", () => {
      const r = newRegistry();
      refuses(r, "E_NO_NON_FACE_CREDENTIAL", () => r.addResident({ unit: "A1", role: "owner", groups: 1 }));
      const id = r.addResident({ unit: "A1", role: "owner", groups: 1, status: "suspended" });
      refuses(r, "E_NO_NON_FACE_CREDENTIAL", () => r.updateResident(id, { status: "active" }));
      r.addCard(id, card1);
      r.updateResident(id, { status: "active" });
      assert.equal(r.get(id)!.status, "active");
    });

    it("refuses removing the last card, clearing the last PIN or revoking the last code, even with face enrolled", () => {
      const r = newRegistry();
      const a = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [card1] });
      r.setFaceEnrolled(a, true);
      refuses(r, "E_LAST_NON_FACE_CREDENTIAL", () => r.removeCard(card1));
      const b = r.addResident({ unit: "A2", role: "owner", groups: 1, pin: "583017" });
      r.setFaceEnrolled(b, true);
      refuses(r, "E_LAST_NON_FACE_CREDENTIAL", () => r.clearPin(b));
      const v = r.addResident({ unit: "A3", role: "visitor", groups: 1, validUntil: T0 + DAY, codes: [{ code: "73910264", validUntil: T0 + DAY, uses: 2 }] });
      refuses(r, "E_LAST_NON_FACE_CREDENTIAL", () => r.revokeCode("73910264"));
      assert.equal(r.get(v)!.codes, 1);
    });

    it("allows the change once another credential exists or the resident is suspended", () => {
      const r = newRegistry();
      const a = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [card1] });
      r.setPin(a, "274839");
      r.removeCard(card1);
      assert.equal(r.get(a)!.cards, 0);
      r.updateResident(a, { status: "suspended" });
      r.clearPin(a);
      assert.equal(r.get(a)!.hasPin, false);
      r.addCard(a, card2);
      r.updateResident(a, { status: "active" });
      r.addCard(a, card3);
      r.removeCard(card2);
      assert.deepEqual(r.cardsOf(a), [card3]);
    });
  });

  it("replays its own changes into an identical registry", () => {
    const r = newRegistry();
    const log: Uint8Array[] = [];
    r.onChange = (c) => log.push(c);
    const a = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [card1, card2], pin: "583017" });
    const v = r.addResident({ unit: "A2", role: "visitor", groups: 2, validFrom: T0, validUntil: T0 + DAY, codes: [{ code: "555666", validUntil: T0 + DAY, uses: 3 }] });
    r.issueCode(v, { code: "777888", validFrom: T0, validUntil: T0 + DAY, uses: 1 });
    r.removeCard(card2);
    r.addCard(v, card3);
    r.setFaceEnrolled(a, true);
    r.updateResident(v, { groups: 6, validUntil: T0 + 2 * DAY });
    r.consumeCode(r.findCode("555666")!.hash);
    r.revokeCode("777888");
    assert.equal(log.length, 10, "nine mutations and the new PIN's rating");
    assert.ok(log.every((c) => decodeChange(c).kind.length > 0));
    const replica = newRegistry();
    for (const c of log) replica.apply(c);
    assert.deepEqual(replica.exportSnapshot(), r.exportSnapshot());
    assert.deepEqual(replica.get(v), r.get(v));
    assert.equal(replica.findCode("555666")!.uses, 2);
    assert.ok(replica.pinMatchesAt(replica.residents.find(a), "583017"));
  });

  it("round-trips through a snapshot and refuses a damaged one without changing", () => {
    const r = newRegistry();
    for (let i = 1; i <= 50; i++) r.addResident({ unit: `U${i}`, role: i % 2 ? "owner" : "staff", groups: i, cards: [uid(4, i, i, 1), uid(7, i, 2, 3, 4, 5, 6)] });
    r.removeResident(10);
    const snapshot = r.exportSnapshot();
    const copy = Registry.fromSnapshot(snapshot, { deviceKey, random: testRandom() });
    assert.equal(copy.size, 49);
    assert.equal(copy.cardCount, 98);
    assert.deepEqual(copy.get(11), r.get(11));
    assert.equal(copy.findCard(uid(4, 10, 10, 1)), undefined);
    assert.equal(copy.findCard(uid(7, 33, 2, 3, 4, 5, 6)), 33);

    const target = newRegistry();
    target.addResident({ unit: "Z9", role: "owner", groups: 1, pin: "395162" });
    const before = target.exportSnapshot();
    for (const damaged of [snapshot.subarray(0, snapshot.length - 3), Uint8Array.from([1, 2, 3, 4, 0, 0, 0, 0]), new Uint8Array(0)]) {
      assert.throws(() => target.importSnapshot(damaged), (e) => isOptgateError(e));
      assert.deepEqual(target.exportSnapshot(), before);
    }
    target.importSnapshot(snapshot);
    assert.deepEqual(target.exportSnapshot(), snapshot);
  });

  it("removes a resident together with their cards and codes", () => {
    const r = newRegistry();
    const a = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [card1, card2] });
    const b = r.addResident({ unit: "A2", role: "owner", groups: 1, cards: [card3], codes: [{ code: "123123", validUntil: T0 + DAY, uses: 1 }] });
    r.removeResident(b);
    assert.equal(r.findCard(card3), undefined);
    assert.equal(r.findCode("123123"), undefined);
    assert.equal(r.findCard(card2), a);
    assert.equal(r.cardCount, 2);
    r.addResident({ unit: "A3", role: "owner", groups: 1, cards: [card3] });
  });
});
