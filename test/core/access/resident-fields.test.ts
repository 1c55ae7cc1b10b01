// Field checks shared by every registry change, at each bound and with the
// sentence a technician reads (portable: Node and XS).
import assert from "node:assert/strict";
import { encodeChange } from "../../../src/core/access/changes";
import { checkFields, checkGroups, checkUses, copyBytes, roleIndex, sameBytes, statusIndex } from "../../../src/core/access/resident-fields";
import { isOptgateError } from "../../../src/core/errors";
import { newRegistry, uid } from "./fixtures";

function message(f: () => unknown, code: string): string {
  try { f(); } catch (e) { assert.ok(isOptgateError(e, code), (e as Error).message); return (e as Error).message; }
  return "no error";
}

const fields = { id: 1, role: 0, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "B3-1204" };

describe("resident fields", () => {
  it("roles and statuses by name, and by index in a replayed change, with the list of what is allowed", () => {
    const role = "E_BAD_ROLE: Role must be one of owner, renter, staff, visitor, courier.";
    const status = "E_BAD_STATUS: Status must be one of active, suspended.";
    assert.equal(message(() => roleIndex("landlord" as never), "E_BAD_ROLE"), role);
    assert.equal(message(() => statusIndex("gone" as never), "E_BAD_STATUS"), status);
    assert.equal(roleIndex("courier"), 4);
    assert.equal(statusIndex("suspended"), 1);
    assert.equal(message(() => checkFields({ ...fields, role: 5 }), "E_BAD_ROLE"), role);
    assert.equal(message(() => checkFields({ ...fields, status: 2 }), "E_BAD_STATUS"), status);
    checkFields({ ...fields, role: 4, status: 1 });
  });

  it("groups are a 32-bit mask, uses 1-65535 (0 only from a snapshot)", () => {
    const groups = "E_BAD_GROUPS: Access groups are a 32-bit mask (0 .. 4294967295).";
    for (const bad of [-1, 2 ** 32, 1.5]) assert.equal(message(() => checkGroups(bad), "E_BAD_GROUPS"), groups, String(bad));
    assert.equal(checkGroups(0), 0);
    assert.equal(checkGroups(0xffffffff), 0xffffffff);
    const uses = "E_BAD_USES: A one-time code needs 1-65535 uses.";
    for (const [bad, min] of [[0, 1], [65_536, 0], [1.5, 1], [-1, 0]]) assert.equal(message(() => checkUses(bad, min), "E_BAD_USES"), uses, String(bad));
    checkUses(65_535, 1);
    checkUses(1, 1);
    checkUses(0, 0);
  });

  it("a unit is 1-8 letters, digits or '-'", () => {
    const unit = "E_BAD_UNIT: A unit is 1-8 letters, digits or '-', e.g. B3-1204.";
    for (const bad of ["", "B3-120456", "B3 1204", "B3_1204", 42]) assert.equal(message(() => checkFields({ ...fields, unit: bad as string }), "E_BAD_UNIT"), unit, String(bad));
    for (const good of ["B", "B3-12045", "ABCDEFGH"]) checkFields({ ...fields, unit: good });
  });

  it("the window must not be empty", () => {
    assert.equal(message(() => checkFields({ ...fields, from: 100, until: 100 }), "E_BAD_WINDOW"), "E_BAD_WINDOW: validFrom must be before validUntil.");
    checkFields({ ...fields, from: 100, until: 101 });
  });

  it("a card UID is copied, so the caller's array changing later changes nothing", () => {
    assert.equal(message(() => copyBytes([4, 1, 2, 3] as never), "E_BAD_UID"), "E_BAD_UID: The card UID is not a byte array.");
    const r = newRegistry();
    const id = r.addResident({ unit: "A", role: "owner", groups: 1, pin: "583017" });
    const card = uid(4, 1, 2, 3);
    r.addCard(id, card);
    card[1] = 9;
    assert.equal(r.findCard(uid(4, 1, 2, 3)), id);
    assert.equal(r.findCard(card), undefined);
    assert.equal(message(() => r.addCard(id, [4, 5, 6, 7] as never), "E_BAD_UID"), "E_BAD_UID: The card UID is not a byte array.");
  });

  it("compares bytes by length and every byte", () => {
    assert.equal(sameBytes(uid(1, 2, 3, 4), uid(1, 2, 3, 4)), true);
    assert.equal(sameBytes(uid(1, 2, 3, 4), uid(1, 2, 3, 4, 0)), false);
    assert.equal(sameBytes(uid(1, 2, 3, 4, 0), uid(1, 2, 3, 4)), false);
    assert.equal(sameBytes(uid(1, 2, 3, 4), uid(1, 2, 3, 5)), false);
    // A replayed resident listing the same 4-byte UID twice is refused; a 4-byte and a 7-byte one are two cards.
    const r = newRegistry();
    const add = (cards: Uint8Array[]) => r.apply(encodeChange({ kind: "add-resident", ...fields, cards, codes: [] }));
    assert.equal(message(() => add([uid(4, 1, 2, 3), uid(4, 1, 2, 3)]), "E_DUPLICATE_CARD"), "E_DUPLICATE_CARD: The same card is listed twice.");
    add([uid(4, 1, 2, 3), uid(4, 1, 2, 3, 0, 0, 0)]);
    assert.equal(r.get(1)?.cards, 2);
  });
});
