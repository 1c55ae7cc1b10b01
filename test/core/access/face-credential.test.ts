// One-time codes run out and expire, so for a resident with face enrolled they
// do not count as the non-face credential the registry must keep: such a
// resident always holds a card or a PIN, or face would become the only way in.
import assert from "node:assert/strict";
import type { Registry } from "../../../src/core/access/registry";
import { encodeChange } from "../../../src/core/access/changes";
import { isOptgateError } from "../../../src/core/errors";
import { newRegistry, uid } from "./fixtures";

const card1 = uid(0x04, 0xa1, 0xb2, 0xc3);
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

function refuses(registry: Registry, expected: string, fn: () => unknown): void {
  const before = registry.exportSnapshot();
  let emitted = 0;
  const previous = registry.onChange;
  registry.onChange = () => { emitted++; };
  assert.throws(fn, (e) => isOptgateError(e, expected), expected);
  registry.onChange = previous;
  assert.equal(emitted, 0, "no change emitted");
  assert.deepEqual(registry.exportSnapshot(), before, "registry unchanged");
}

describe("Registry: face needs a card or a PIN", () => {
  it("refuses face enrolment for a resident whose only credential is a one-time code, with a sentence that says what to do", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A1", role: "owner", groups: 1, codes: [{ code: "73910264", validUntil: T0 + DAY, uses: 1 }] });
    let message = "";
    refuses(r, "E_FACE_NEEDS_CARD_OR_PIN", () => {
      try {
        r.setFaceEnrolled(id, true);
      } catch (e) {
        message = (e as Error).message;
        throw e;
      }
    });
    assert.match(message, /R00001/);
    assert.match(message, /card or a PIN/);
    assert.equal(r.get(id)!.faceEnrolled, false);
    r.setPin(id, "482913");
    r.setFaceEnrolled(id, true);
    assert.equal(r.get(id)!.faceEnrolled, true);
  });

  it("a replayed set-face change for a code-only resident is refused too", () => {
    const r = newRegistry();
    const id = r.addResident({ unit: "A1", role: "owner", groups: 1, codes: [{ code: "73910264", validUntil: T0 + DAY, uses: 1 }] });
    refuses(r, "E_FACE_NEEDS_CARD_OR_PIN", () => r.apply(encodeChange({ kind: "set-face", id, flag: true })));
  });

  it("with face enrolled, a code with uses left does not make the last card or PIN removable", () => {
    const r = newRegistry();
    const a = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [card1], codes: [{ code: "73910264", validUntil: T0 + DAY, uses: 5 }] });
    r.setFaceEnrolled(a, true);
    refuses(r, "E_LAST_NON_FACE_CREDENTIAL", () => r.removeCard(card1));
    const b = r.addResident({ unit: "A2", role: "owner", groups: 1, pin: "583017", codes: [{ code: "55566677", validUntil: T0 + DAY, uses: 5 }] });
    r.setFaceEnrolled(b, true);
    refuses(r, "E_LAST_NON_FACE_CREDENTIAL", () => r.clearPin(b));
    // Without face, the code still counts: the card can go.
    r.setFaceEnrolled(a, false);
    r.removeCard(card1);
    assert.equal(r.get(a)!.cards, 0);
  });

  it("codes of a face-enrolled resident may run out or be revoked: the card or PIN stays", () => {
    const r = newRegistry();
    const a = r.addResident({ unit: "A1", role: "owner", groups: 1, pin: "583017", codes: [{ code: "73910264", validUntil: T0 + DAY, uses: 1 }, { code: "55566677", validUntil: T0 + DAY, uses: 1 }] });
    r.setFaceEnrolled(a, true);
    r.consumeCode(r.findCode("73910264")!.hash);
    r.revokeCode("55566677");
    const view = r.get(a)!;
    assert.deepEqual([view.codes, view.hasPin, view.faceEnrolled], [0, true, true]);
  });

  it("a visitor without face may still hold only a code and use it up", () => {
    const r = newRegistry();
    const v = r.addResident({ unit: "A3", role: "visitor", groups: 1, validUntil: T0 + DAY, codes: [{ code: "73910264", validUntil: T0 + DAY, uses: 1 }] });
    r.consumeCode(r.findCode("73910264")!.hash);
    assert.equal(r.get(v)!.codes, 0);
  });

  it("a suspended face-enrolled resident is not reactivated on a code alone", () => {
    const r = newRegistry();
    const a = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [card1] });
    r.setFaceEnrolled(a, true);
    r.updateResident(a, { status: "suspended" });
    r.removeCard(card1);
    r.issueCode(a, { code: "73910264", validUntil: T0 + DAY, uses: 3 });
    refuses(r, "E_NO_NON_FACE_CREDENTIAL", () => r.updateResident(a, { status: "active" }));
    r.addCard(a, card1);
    r.updateResident(a, { status: "active" });
    assert.equal(r.get(a)!.status, "active");
  });
});

describe("Registry: face rule and snapshots", () => {
  it("a suspended face-enrolled resident without card or PIN survives a snapshot round trip (rebase)", () => {
    const r = newRegistry();
    const a = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [card1] });
    r.setFaceEnrolled(a, true);
    r.updateResident(a, { status: "suspended" });
    r.removeCard(card1);
    const copy = newRegistry();
    copy.importSnapshot(r.exportSnapshot());
    assert.deepEqual(copy.get(a), r.get(a));
    // Enrolment still asks for a card or a PIN, suspended or not.
    assert.throws(() => r.checkFaceEnrolment(a), (e) => isOptgateError(e, "E_FACE_NEEDS_CARD_OR_PIN"));
  });
});
