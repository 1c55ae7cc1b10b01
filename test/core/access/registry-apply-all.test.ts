// Registry.applyAll: a run of changes all or nothing (portable: Node and XS).
import assert from "node:assert/strict";
import { encodeChange } from "../../../src/core/access/changes";
import { isOptgateError } from "../../../src/core/errors";
import { Registry } from "../../../src/core/access/registry";
import { newRegistry, uid } from "./fixtures";

const T = Date.UTC(2026, 5, 1);

describe("Registry.applyAll", () => {
  it("applies every change when all fit", () => {
    const r = newRegistry();
    r.applyAll([
      encodeChange({ kind: "add-resident", id: 5, role: 0, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "A1", cards: [uid(4, 1, 1, 1)], codes: [] }),
      encodeChange({ kind: "add-card", id: 5, uid: uid(4, 2, 2, 2) }),
      encodeChange({ kind: "update-resident", id: 5, role: 1, status: 0, groups: 3, from: 0, until: 0xffffffff, unit: "A2" }),
    ]);
    assert.deepEqual(r.cardsOf(5), [uid(4, 1, 1, 1), uid(4, 2, 2, 2)]);
    assert.equal(r.get(5)?.unit, "A2");
    assert.equal(r.nextId, 6);
  });

  it("puts everything back when a later change is refused: residents, cards, codes and their uses, next id", () => {
    const r = newRegistry();
    const a = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [uid(4, 1, 1, 1)], pin: "482913" });
    const v = r.addResident({ unit: "V1", role: "visitor", groups: 1, codes: [{ code: "73910264", validUntil: T + 86_400_000, uses: 2 }] });
    const before = r.exportSnapshot();
    const code = r.findCode("73910264")!;
    assert.throws(() => r.applyAll([
      encodeChange({ kind: "add-resident", id: 40, role: 0, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "N", cards: [uid(4, 9, 9, 9)], codes: [] }),
      encodeChange({ kind: "use-code", hash: code.hash }),
      encodeChange({ kind: "remove-card", uid: uid(4, 1, 1, 1) }),
      encodeChange({ kind: "add-card", id: a, uid: uid(4, 9, 9, 9) }), // resident 40 holds it: refused
    ]), (e) => isOptgateError(e, "E_DUPLICATE_CARD"));
    assert.deepEqual(r.exportSnapshot(), before);
    assert.equal(r.findCard(uid(4, 1, 1, 1)), a, "the card index works after the rollback");
    assert.equal(r.findCard(uid(4, 9, 9, 9)), undefined);
    assert.equal(r.findCode("73910264")?.uses, 2);
    assert.equal(r.nextId, v + 1);
    assert.equal(r.has(40), false);
    // And the registry goes on working normally.
    r.addCard(a, uid(4, 9, 9, 9));
    assert.equal(r.findCard(uid(4, 9, 9, 9)), a);
  });

  it("refuses a malformed change before changing anything", () => {
    const r = newRegistry();
    r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [uid(4, 1, 1, 1)] });
    const before = r.exportSnapshot();
    assert.throws(() => r.applyAll([encodeChange({ kind: "remove-resident", id: 1 }), new Uint8Array([0xee])]), (e) => isOptgateError(e, "E_BAD_CHANGE"));
    assert.deepEqual(r.exportSnapshot(), before);
  });
});

describe("Registry.exportSnapshot keeps each resident's cards and codes", () => {
  it("after cards added, moved and removed across residents in mixed order", () => {
    const r = newRegistry();
    const ids = [1, 2, 3].map((i) => r.addResident({ unit: `U${i}`, role: "owner", groups: 1, cards: [uid(4, i, 0, 0)] }));
    r.addCard(ids[0], uid(4, 1, 0, 1));
    r.addCard(ids[2], uid(4, 3, 0, 1));
    r.addCard(ids[0], uid(4, 1, 0, 2));
    r.removeCard(uid(4, 1, 0, 0));
    r.addCard(ids[1], uid(4, 1, 0, 0));
    r.issueCode(ids[1], { code: "55120987", validUntil: T + 86_400_000, uses: 1 });
    const copy = Registry.fromSnapshot(r.exportSnapshot(), { deviceKey: new Uint8Array(32).fill(1), random: { fill() {} } });
    for (const id of ids) {
      assert.deepEqual(copy.cardsOf(id), r.cardsOf(id), `cards of ${id}`);
      assert.equal(copy.get(id)?.codes, r.get(id)?.codes, `codes of ${id}`);
    }
    assert.deepEqual(copy.exportSnapshot(), r.exportSnapshot());
  });
});
