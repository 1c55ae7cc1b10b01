// The gate's state in the power-safe store (src/app/persistence.ts), over the
// NOR flash model: reopen after restart, registry rebase (also cut by a power
// failure), audit trimming with its anchor, sealed templates erased on destroy.
import assert from "node:assert/strict";
import { NorFlash, PowerCut } from "../../boards/host/nor-flash";
import { loadAudit } from "./audit-rig";
import { readConsentRecords, loadRegistry, StoredNoticeBoard, StoreTemplateVault, storeConsentRecord } from "../../src/app/persistence";
import { LogStore } from "../../src/core/store/log-store";
import { eraseProof } from "../../src/core/store/erase-proof";

const XS = (globalThis as { __XS__?: boolean }).__XS__ === true;
const SIZE = 256 * 1024;
const deviceKey = new Uint8Array(32).fill(9);
let counter = 1;
const random = { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };
const T0 = Date.UTC(2026, 2, 2);

function card(n: number): Uint8Array {
  return Uint8Array.of(0x04, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

function open(nor: NorFlash) {
  const store = LogStore.open(nor, { random });
  return { store, registry: loadRegistry(store, { deviceKey, random }) };
}

describe("persistence (registry, audit, consent, notices, templates in the store)", () => {
  it("registry changes survive a restart", () => {
    const nor = new NorFlash(SIZE);
    const first = open(nor);
    const a = first.registry.addResident({ unit: "1-101", role: "owner", groups: 1, cards: [card(1)] });
    first.registry.addCard(a, card(2));
    first.registry.updateResident(a, { unit: "1-102" });
    const again = open(nor).registry;
    assert.equal(again.get(a)?.unit, "1-102");
    assert.equal(again.findCard(card(2)), a);
  });

  it("rebases the change stream when it grows, keeping exactly the same registry", () => {
    const nor = new NorFlash(SIZE);
    const { store, registry } = open(nor);
    const id = registry.addResident({ unit: "2-201", role: "owner", groups: 1, cards: [card(100)] });
    const churn = XS ? 90 : 200;
    for (let i = 0; i < churn; i++) registry.updateResident(id, { unit: `2-${200 + (i % 50)}` });
    assert.ok(store.get("registry/gen"), "a new generation was written");
    const again = open(nor).registry;
    assert.deepEqual(again.get(id), registry.get(id));
    assert.equal(again.findCard(card(100)), id);
  });

  it("a power cut during a rebase loses nothing: the old generation stays in force until the switch", () => {
    let cutMidRebase = false;
    for (const cutAfter of XS ? [2] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const nor = new NorFlash(SIZE, { seed: cutAfter });
      const { registry } = open(nor);
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) ids.push(registry.addResident({ unit: `3-30${i}`, role: "owner", groups: 1, cards: [card(200 + i)] }));
      // 6 adds + 82 updates = 88 records: the next change crosses the rebase threshold (64 + 4 per resident).
      let units = 0;
      for (; units < 82; units++) registry.updateResident(ids[0], { unit: `9-${units}` });
      nor.cutAt = nor.ops + cutAfter;
      try {
        for (;;) {
          registry.updateResident(ids[0], { unit: `9-${units}` });
          units++; // acknowledged: the call returned
        }
      } catch (error) {
        assert.ok(error instanceof PowerCut, String(error));
      }
      nor.powerOn();
      const store = LogStore.open(nor, { random });
      if (store.streamLength("registry.1") > 0 && !store.get("registry/gen")) cutMidRebase = true;
      const again = loadRegistry(store, { deviceKey, random });
      const unit = again.get(ids[0])?.unit;
      // The change in flight when the power went may or may not have made it; every earlier one did.
      assert.ok(unit === `9-${units - 1}` || unit === `9-${units}`, `acknowledged unit 9-${units - 1} kept (got ${unit})`);
      for (let i = 0; i < 6; i++) assert.equal(again.findCard(card(200 + i)), ids[i]);
      // And the gate goes on: the next rebase succeeds.
      for (let i = 0; i < 100; i++) again.updateResident(ids[1], { unit: `8-${i}` });
      assert.equal(loadRegistry(LogStore.open(nor, { random }), { deviceKey, random }).get(ids[1])?.unit, "8-99");
    }
    if (!XS) assert.ok(cutMidRebase, "at least one cut landed between writing the new generation and switching to it");
  });

  it("the audit stream is trimmed to a bit more than the ring, and still verifies after a restart", () => {
    const nor = new NorFlash(SIZE);
    const store = LogStore.open(nor, { random });
    const audit = loadAudit(store, 32);
    const count = XS ? 320 : 600;
    for (let i = 0; i < count; i++) audit.append({ time: T0 + i, actorKind: "resident", actor: 1 + (i % 5), kind: "card", decision: "grant", reason: "granted" });
    assert.ok(store.streamLength("audit") - store.streamStart("audit") <= 32 + 256);
    const again = loadAudit(LogStore.open(nor, { random }), 32);
    assert.deepEqual(again.access.verify(), { ok: true, count: 32, breaks: [] });
    assert.deepEqual(again.heads(), audit.heads());
  });

  it("consent records and notices come back in order", () => {
    const nor = new NorFlash(SIZE);
    const store = LogStore.open(nor, { random });
    const notices = new StoredNoticeBoard(store);
    notices.publish({ purpose: "Open the gate", method: "1:1 face match", gates: ["gate-1"], retentionDays: 30 }, T0);
    notices.publish({ purpose: "Open the gate (v2)", method: "1:1 face match", gates: ["gate-1", "gate-2"], retentionDays: 60 }, T0 + 1000);
    storeConsentRecord(store, Uint8Array.of(1, 2, 3));
    const reopened = LogStore.open(nor, { random });
    const board = new StoredNoticeBoard(reopened);
    assert.equal(board.current()?.version, 2);
    assert.deepEqual(board.get(2).gates, ["gate-1", "gate-2"]);
    // Garbage is dropped and counted (DAMAGE at boot), not guessed at, and stops nothing.
    assert.deepEqual(readConsentRecords(reopened), { records: [], dropped: 1 });
  });

  it("a full store is reported and the registry keeps working from RAM", () => {
    const nor = new NorFlash(8 * 4096);
    const store = LogStore.open(nor, { random });
    const errors: string[] = [];
    const registry = loadRegistry(store, { deviceKey, random }, (error) => errors.push(error.code));
    let added = 0;
    for (; added < 3000 && errors.length === 0; added++) {
      registry.addResident({ unit: `U-${added % 1000}`, role: "owner", groups: 1, cards: [card(10_000 + added)] });
    }
    assert.equal(errors[0], "E_STORE_FULL");
    assert.equal(registry.size, added, "the change that did not fit on flash still counts in RAM");
    registry.addResident({ unit: "after", role: "owner", groups: 1, cards: [card(99_999)] });
    assert.equal(registry.findCard(card(99_999)) !== undefined, true);
  });

  it("a destroyed template and its key are erased from the flash image, not just unlinked", () => {
    const nor = new NorFlash(SIZE);
    const store = LogStore.open(nor, { random });
    const vault = new StoreTemplateVault(store);
    const key = new Uint8Array(32).map((_, i) => 200 - i);
    const sealed = new Uint8Array(160).map((_, i) => (i * 7 + 3) & 0xff);
    vault.put("R00007", key, sealed);
    const onFlash = [store.storedForm("face/key/R00007")!, store.storedForm("face/tpl/R00007")!];
    for (const bytes of onFlash) assert.ok(eraseProof(nor.image, bytes).length > 0);
    assert.deepEqual(vault.residents(), ["R00007"]);
    assert.deepEqual(vault.get("R00007")?.sealed, sealed);
    assert.equal(vault.destroy("R00007"), true);
    for (const bytes of onFlash) assert.deepEqual(eraseProof(nor.image, bytes), []);
    assert.equal(vault.get("R00007"), undefined);
    assert.equal(vault.destroy("R00007"), false);
  });
});
