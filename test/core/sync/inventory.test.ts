// Resident digests for the hub's comparison: the gate's registry and the
// hub's desired record digest alike, whatever the order of cards, and any
// field change shows (portable: Node and XS).
import assert from "node:assert/strict";
import { decodeChange } from "../../../src/core/access/changes";
import type { Registry } from "../../../src/core/access/registry";
import { unframeSnapshot } from "../../../src/core/access/snapshot-frame";
import { CARD_ROWS_PER_STEP, inventorySteps, registryInventory, residentDigest, type CanonicalResident } from "../../../src/core/sync/inventory";
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

  /** The inventory as the registry's snapshot says it (the way it was computed before it went step by step). */
  const fromSnapshot = (registry: Registry) => unframeSnapshot(registry.exportSnapshot()).map((bytes) => decodeChange(bytes))
    .flatMap((c) => (c.kind === "add-resident" ? [{ id: c.id, digest: residentDigest(c) }] : [])).sort((a, b) => a.id - b.id);

  function varied(): Registry {
    const registry = newRegistry();
    let seed = 12345;
    for (let i = 0; i < 300; i++) {
      const cards = [uid(4, 1, i >> 8, i & 0xff), uid(4, 2, i >> 8, i & 0xff)].slice(0, i % 3);
      const id = registry.addResident({ unit: `U${i}`, role: i % 2 ? "renter" : "owner", groups: 1 + (i % 7), cards: cards.length ? cards : [uid(4, 3, i >> 8, i & 0xff)] });
      if (i % 3 === 0 || i % 5 === 0) {
        // A PIN the strength rules take (a few candidates are dates or runs).
        for (;;) {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          try { registry.setPin(id, String(seed % 1_000_000).padStart(6, "0")); break; } catch { /* weak: the next one */ }
        }
      }
    }
    for (const id of [5, 77, 150]) registry.removeResident(id); // rows swapped into the holes
    return registry;
  }

  it("step by step, from the registry's own tables, it equals the snapshot's inventory, a resident or a slice of cards per step", () => {
    const registry = varied();
    const steps = inventorySteps(registry);
    let n = 0, result;
    for (;;) {
      const next = steps.next();
      if (next.done) { result = next.value; break; }
      n++;
    }
    assert.deepEqual(result, fromSnapshot(registry));
    assert.equal(n, registry.size + Math.floor(registry.cardCount / CARD_ROWS_PER_STEP), "one step per resident and per slice of cards");
  });

  it("starts again when the registry changes under it, so the entries are of one moment", () => {
    for (const change of [
      (r: Registry) => r.removeResident(1),
      (r: Registry) => r.updateResident(2, { unit: "moved" }),
      (r: Registry) => r.addCard(4, uid(4, 9, 9, 9)),
      (r: Registry) => { r.addResident({ unit: "new", role: "owner", groups: 1, cards: [uid(4, 8, 8, 8)] }); },
    ]) {
      const registry = varied();
      const steps = inventorySteps(registry);
      for (let i = 0; i < registry.size / 2; i++) assert.equal(steps.next().done, false);
      change(registry); // half of the residents digested already
      let next = steps.next();
      while (!next.done) next = steps.next();
      assert.deepEqual(next.value, fromSnapshot(registry), change.toString());
    }
  });
});
