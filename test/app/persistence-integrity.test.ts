// Corrupt flash never grants access (src/app/persistence.ts, docs/internals.md, "Integrity"):
// a corrupt committed registry change quarantines the registry (every credential
// denied with "registry-damaged", exit still opens) until a technician clears
// it; a broken audit chain leaves the clock untrusted until it is set; every
// kind of store damage is described; boot reserves the registry's tables.
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import { auditRegistryDamage, describeDamage, loadRegistry } from "../../src/app/persistence";
import { openAudit } from "./audit-rig";
import { AccessCore } from "../../src/core/access/access-core";
import { Registry } from "../../src/core/access/registry";
import { LogStore } from "../../src/core/store/log-store";
import { at, basePolicy } from "../core/access/fixtures";

const SIZE = 64 * 1024;
const deviceKey = new Uint8Array(32).fill(9);
let counter = 7;
const random = { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };
const NOW = at("2026-06-03", "10:00");

const card = (n: number) => Uint8Array.of(0x04, 0x5a, 0x5b, n);

function boot(nor: NorFlash) {
  const store = LogStore.open(nor, { random });
  const registry = loadRegistry(store, { deviceKey, random });
  const auditStore = openAudit(store, { capacity: 64, now: NOW });
  const audit = auditStore.trail;
  const core = new AccessCore({ registry, policy: basePolicy(), audit });
  return { store, registry, audit, auditStore, core };
}

function lastIndexOf(image: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = image.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (image[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A resident with two cards, one revoked, then more changes after the revocation. */
function revokedCardGate(nor: NorFlash) {
  const gate = boot(nor);
  const owner = gate.registry.addResident({ unit: "1-101", role: "owner", groups: 0b01, cards: [card(1), card(2)] });
  gate.registry.removeCard(card(1));
  gate.registry.addResident({ unit: "1-102", role: "owner", groups: 0b01, cards: [card(3)] });
  gate.registry.addCard(owner, card(4));
  return owner;
}

describe("persistence integrity: corrupt flash never grants", () => {
  it("a bit flipped in a committed remove-card does not resurrect the card: the registry loads quarantined", () => {
    const nor = new NorFlash(SIZE);
    revokedCardGate(nor);
    assert.equal(boot(nor).core.decide({ kind: "card", uid: card(1) }, NOW).reason, "unknown-card", "revoked before any damage");
    // The newest copy of card 1's UID on flash is the remove-card change.
    nor.image[lastIndexOf(nor.image, card(1))] ^= 0x10;
    const gate = boot(nor);
    assert.match(gate.registry.damage ?? "", /lost|missing/);
    for (const uid of [card(1), card(2), card(3)]) {
      const decision = gate.core.decide({ kind: "card", uid }, NOW);
      assert.deepEqual([decision.grant, decision.reason], [false, "registry-damaged"]);
    }
    assert.equal(gate.core.decide({ kind: "exit" }, NOW).grant, true, "the exit button still opens");
    auditRegistryDamage(gate.audit, gate.registry, NOW);
    assert.ok(gate.audit.entries().some((e) => e.kind === "store-damage" && e.reason === "registry-damaged"));
    // Recovery scrubbed the damaged sector; the quarantine survives the next boot anyway.
    const next = boot(nor);
    assert.equal(next.store.report.lostRecords, 0);
    assert.equal(next.core.decide({ kind: "card", uid: card(2) }, NOW).reason, "registry-damaged");
  });

  it("the newest registry change lost ahead of later records (no hole to see) still quarantines", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    gate.registry.addResident({ unit: "1-101", role: "owner", groups: 0b01, cards: [card(1), card(2)] });
    gate.registry.removeCard(card(1));
    gate.core.decide({ kind: "card", uid: card(2) }, NOW); // audited after the revocation
    nor.image[lastIndexOf(nor.image, card(1))] ^= 0x10;
    const again = boot(nor);
    assert.deepEqual(again.store.report.streamHoles, {});
    assert.equal(again.store.report.lostRecords, 1);
    assert.equal(again.core.decide({ kind: "card", uid: card(1) }, NOW).reason, "registry-damaged");
  });

  it("a technician's clear stores the registry as it stands, and the gate grants from it again", () => {
    const nor = new NorFlash(SIZE);
    revokedCardGate(nor);
    nor.image[lastIndexOf(nor.image, card(1))] ^= 0x10;
    const gate = boot(nor);
    // The technician checks the residents: card 1 is back by the damage and is revoked again.
    if (gate.registry.findCard(card(1)) !== undefined) gate.registry.removeCard(card(1));
    gate.registry.clearDamage();
    assert.equal(gate.registry.damage, undefined);
    const after = boot(nor);
    assert.equal(after.registry.damage, undefined, "the clear was stored");
    assert.equal(after.core.decide({ kind: "card", uid: card(2) }, NOW).grant, true);
    assert.equal(after.core.decide({ kind: "card", uid: card(4) }, NOW).grant, true);
    assert.equal(after.core.decide({ kind: "card", uid: card(1) }, NOW).reason, "unknown-card");
  });

  it("a power cut while the registry changes is not damage: the registry loads trusted", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    gate.registry.addResident({ unit: "1-101", role: "owner", groups: 0b01, cards: [card(1)] });
    nor.cutAt = nor.ops + 1;
    assert.throws(() => gate.registry.addResident({ unit: "1-102", role: "owner", groups: 0b01, cards: [card(2)] }));
    nor.powerOn();
    const again = boot(nor);
    assert.equal(again.registry.damage, undefined);
    assert.equal(again.core.decide({ kind: "card", uid: card(1) }, NOW).grant, true);
  });

  it("a corrupt audit record is kept as a break (audited, remembered), and the clock is untrusted until it is set", () => {
    const nor = new NorFlash(SIZE);
    const gate = boot(nor);
    const renter = gate.registry.addResident({ unit: "1-103", role: "renter", groups: 0b01, cards: [card(5)], validUntil: at("2027-01-01", "00:00") });
    // Time moves forward, then the clock is set back a day (the watermark catches it).
    gate.core.decide({ kind: "card", uid: card(5) }, NOW + 86_400_000);
    assert.equal(gate.core.decide({ kind: "card", uid: card(5) }, NOW).reason, "clock-untrusted");
    // Damage an audit record in the middle of the chain (the first one carries sequence number 1).
    const first = gate.audit.access.records()[0];
    const at0 = lastIndexOf(nor.image, first);
    assert.ok(at0 > 0);
    nor.image[at0 + 6] ^= 0x01;
    const again = boot(nor);
    assert.deepEqual(again.store.report.streamHoles, { audit: 1 });
    assert.equal(again.registry.damage, undefined, "the loss is accounted for by the audit hole");
    // The chain is not restarted: what is left stays, and the break is where the record went missing.
    assert.deepEqual(again.audit.access.verify().breaks, [{ seq: 2, problem: "seq" }]);
    assert.equal(again.audit.access.size, 1);
    assert.deepEqual(again.auditStore.found.map((b) => `${b.log} ${b.seq} ${b.problem}`), ["access 2 seq"]);
    const breakRecord = again.audit.security.entries().at(-1)!;
    assert.deepEqual([breakRecord.kind, breakRecord.actorKind, breakRecord.detail], ["audit-break", "system", "A2 seq"]);
    // Even the clock that used to be trusted is not, until a technician sets it.
    assert.equal(again.core.decide({ kind: "card", uid: card(5) }, NOW + 2 * 86_400_000).reason, "clock-untrusted");
    const rebooted = boot(nor);
    assert.deepEqual(rebooted.auditStore.found, [], "a known break is not audited again");
    assert.deepEqual(rebooted.auditStore.standing().map((b) => b.seq), [2], "it stands until acknowledged");
    assert.equal(rebooted.core.decide({ kind: "card", uid: card(5) }, NOW + 2 * 86_400_000).reason, "clock-untrusted", "still after a reboot");
    rebooted.audit.append({ time: NOW + 2 * 86_400_000, actorKind: "technician", actor: 1, kind: "clock-set", decision: "info", reason: "info" });
    assert.equal(rebooted.core.decide({ kind: "card", uid: card(5) }, NOW + 2 * 86_400_000 + 1000).grant, true);
    assert.ok(renter > 0);
  });

  it("describes every kind of store damage", () => {
    const report = {
      formatted: false, records: 9, droppedRecords: 1, droppedBytes: 40, garbageSectors: 2, retiredSectors: 1, scrubbedSectors: 3,
      keyRepaired: true, keyLost: true, readOnly: true, lostRecords: 4, damagedKeys: { "notice/1": 1 }, unknownLost: 3, streamHoles: { registry: 2 },
    };
    const lines = describeDamage(report).join("\n");
    for (const part of ["1 record", "40 torn", "4 committed", "notice/1", "3 of unknown key", `"registry" misses 2`, "2 sector", "1 interrupted", "3 sector", "repaired", "key lost", "read-only"]) {
      assert.ok(lines.includes(part), part);
    }
    assert.deepEqual(describeDamage({ ...report, droppedRecords: 0, droppedBytes: 0, garbageSectors: 0, retiredSectors: 0, scrubbedSectors: 0, keyRepaired: false, keyLost: false, readOnly: false, lostRecords: 0, damagedKeys: {}, unknownLost: 0, streamHoles: {} }), []);
  });

  it("boot reserves the registry's tables from the stored size, so replay does not grow them", () => {
    const nor = new NorFlash(256 * 1024);
    const gate = boot(nor);
    for (let i = 1; i <= 300; i++) gate.registry.addResident({ unit: `U${i}`, role: "owner", groups: 1, cards: [Uint8Array.of(0x04, 1, i >> 8, i & 255), Uint8Array.of(0x04, 2, i >> 8, i & 255)] });
    const reserved = boot(nor).registry;
    assert.equal(reserved.size, 300);
    assert.equal(reserved.cardCount, 600);
    const exact = new Registry({ deviceKey, random });
    exact.reserve(300, 600);
    assert.equal(reserved.byteLength, exact.byteLength, "tables exactly as reserve(300, 600)");
    // An image without the stored size (older firmware) grows the tables during replay, and stores the size.
    const store = LogStore.open(nor, { random });
    store.delete("registry/size");
    const grown = loadRegistry(store, { deviceKey, random }).byteLength;
    assert.ok(grown > exact.byteLength, `grown ${grown} > reserved ${exact.byteLength}`);
    assert.equal(boot(nor).registry.byteLength, exact.byteLength);
  });
});
