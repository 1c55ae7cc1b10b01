// Where sealed copies sit (src/core/store/sealed-copies.ts): what a secure
// delete must erase, and what an erased sector no longer holds.
import assert from "node:assert/strict";
import { SealedCopies } from "../../../src/core/store/sealed-copies";

const SS = 4096;

describe("sealed copies", () => {
  it("lists each live sector holding a copy other than the live one, once, and nothing for a key it never saw", () => {
    const copies = new SealedCopies(SS);
    copies.note("tpl/1", 2 * SS + 24);
    copies.note("tpl/1", 2 * SS + 600);
    copies.note("tpl/1", 3 * SS + 24);
    copies.note("tpl/1", 5 * SS + 24);
    copies.note("tpl/2", 4 * SS + 24);
    assert.deepEqual(copies.deadSectors("tpl/1", 5 * SS + 24, (s) => s !== 3), [2]);
    assert.deepEqual(copies.deadSectors("tpl/1", -1, () => true), [2, 3, 5]);
    assert.deepEqual(copies.deadSectors("tpl/9", -1, () => true), []);
  });

  it("forgets the copies of an erased sector, and a key with none left", () => {
    const copies = new SealedCopies(SS);
    copies.note("tpl/1", 2 * SS + 24);
    copies.note("tpl/1", 3 * SS + 24);
    copies.note("tpl/2", 2 * SS + 600);
    copies.forgetSector(2);
    assert.deepEqual(copies.deadSectors("tpl/1", -1, () => true), [3], "the sector may be reopened: its old notes must not bring it back");
    assert.deepEqual(copies.deadSectors("tpl/2", -1, () => true), []);
    assert.deepEqual([...copies.keys()], ["tpl/1"]);
  });
});
