// Resident digests for the hub's comparison: the gate's registry and the
// hub's desired record digest alike, whatever the order of cards, and any
// field change shows (portable: Node and XS).
import assert from "node:assert/strict";
import { registryInventory, residentDigest, type CanonicalResident } from "../../../src/core/sync/inventory";
import { newRegistry, uid } from "../access/fixtures";

describe("sync inventory", () => {
  it("the gate's digest of a resident equals the hub's digest of the same record, cards in any order", () => {
    const registry = newRegistry();
    const a = uid(4, 1, 2, 3), b = uid(4, 9, 9, 9);
    const id = registry.addResident({ unit: "B3-1204", role: "renter", groups: 5, cards: [b, a], pin: "482913", validUntil: Date.UTC(2027, 0, 1) });
    registry.setFaceEnrolled(id, true); // gate-local: not part of the digest
    const pinSalt = registry.residents.pinSalts.slice(0, 4), pinHash = registry.residents.pinHashes.slice(0, 16);
    const hub: CanonicalResident = {
      id, role: 1, status: 0, groups: 5, from: 0, until: Date.UTC(2027, 0, 1) / 1000, unit: "B3-1204",
      pin: { salt: pinSalt, hash: pinHash }, cards: [a, b],
    };
    const [entry] = registryInventory(registry);
    assert.equal(entry.id, id);
    assert.deepEqual(entry.digest, residentDigest(hub));
    assert.equal(entry.digest.length, 8);
    for (const change of [{ unit: "B3-1205" }, { groups: 4 }, { status: 1 }, { cards: [a] }, { pin: undefined }]) {
      assert.notDeepEqual(residentDigest({ ...hub, ...change }), entry.digest, JSON.stringify(Object.keys(change)));
    }
  });

  it("lists every resident in id order", () => {
    const registry = newRegistry();
    for (let i = 0; i < 5; i++) registry.addResident({ unit: `U${i}`, role: "owner", groups: 1, cards: [uid(4, 0, 0, i)] });
    registry.removeResident(2);
    assert.deepEqual(registryInventory(registry).map((e) => e.id), [1, 3, 4, 5]);
  });
});
