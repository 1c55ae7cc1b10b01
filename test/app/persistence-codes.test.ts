// Used-up one-time codes through the store (src/app/persistence.ts): a registry
// rebase writes a snapshot, so after a rebase and a reboot a used-up code must
// still read "code-used-up" (not "unknown-code"), never grant again, and not
// quarantine the registry; once past its expiry it is purged for good.
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import { loadRegistry } from "../../src/app/persistence";
import { loadAudit } from "./audit-rig";
import { AccessCore } from "../../src/core/access/access-core";
import type { OptgateError } from "../../src/core/errors";
import { LogStore } from "../../src/core/store/log-store";
import { at, basePolicy } from "../core/access/fixtures";

const SIZE = 64 * 1024;
const deviceKey = new Uint8Array(32).fill(9);
let counter = 11;
const random = { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };
const NOW = at("2026-06-03", "10:00");
const EXPIRY = at("2026-06-05", "00:00");
const CODE = "73910264";

function boot(nor: NorFlash, errors: OptgateError[]) {
  const store = LogStore.open(nor, { random });
  const registry = loadRegistry(store, { deviceKey, random }, (error) => errors.push(error));
  const audit = loadAudit(store, 64, (error) => errors.push(error), NOW);
  const core = new AccessCore({ registry, policy: basePolicy(), audit });
  return { store, registry, audit, core };
}

/** Registry changes until persistence rebases into a new generation; returns that generation. */
function rebase(gate: ReturnType<typeof boot>, owner: number): number {
  const before = gate.store.get("registry/gen")?.[3] ?? 0;
  for (let i = 0; i < 200; i++) {
    gate.registry.updateResident(owner, { unit: `1-${i % 90}` });
    const gen = gate.store.get("registry/gen")?.[3] ?? 0;
    if (gen > before) return gen;
  }
  throw new Error("no rebase happened");
}

function codeAttempt(gate: ReturnType<typeof boot>, now: number) {
  return gate.core.decide({ kind: "code", keypad: 1, code: CODE }, now);
}

describe("persistence: used-up one-time codes across a rebase and a reboot", () => {
  it("a used-up code stays denied with code-used-up after rebase + reboot, and never grants again", () => {
    const nor = new NorFlash(SIZE);
    const errors: OptgateError[] = [];
    const first = boot(nor, errors);
    const courier = first.registry.addResident({ unit: "1-101", role: "courier", groups: 0b01, codes: [{ code: CODE, validUntil: EXPIRY, uses: 1 }] });
    const owner = first.registry.addResident({ unit: "1-102", role: "owner", groups: 0b01, cards: [Uint8Array.of(4, 1, 2, 3)] });
    assert.equal(codeAttempt(first, NOW).reason, "granted");
    assert.equal(codeAttempt(first, NOW + 1000).reason, "code-used-up");
    assert.equal(rebase(first, owner), 1);

    let time = NOW + 10_000;
    for (let reboot = 0; reboot < 3; reboot++) {
      const gate = boot(nor, errors);
      assert.equal(gate.registry.damage, undefined, "the rebased registry replays whole");
      assert.equal(gate.store.get("registry/gen")?.[3], reboot + 1);
      assert.equal(gate.registry.findCode(CODE)?.uses, 0);
      assert.equal(gate.registry.findCode(CODE)?.resident, courier);
      // Retried at a resident's pace (each retry counts as a keypad failure, which leaks away): never a grant.
      for (let i = 0; i < 7; i++) {
        const decision = codeAttempt(gate, (time += 120_000));
        assert.deepEqual([decision.grant, decision.reason, decision.resident], [false, "code-used-up", courier]);
      }
      const last = gate.audit.entries().at(-1)!;
      assert.deepEqual([last.kind, last.decision, last.reason], ["code", "deny", "code-used-up"]);
      // Nothing re-arms it on this side of the store either.
      assert.throws(() => gate.registry.issueCode(courier, { code: CODE, validUntil: EXPIRY, uses: 3 }), /E_DUPLICATE_CODE/);
      // Each boot rebases once more: the used-up code goes through snapshot after snapshot.
      assert.equal(rebase(gate, owner), reboot + 2);
    }
    assert.deepEqual(errors.map((e) => e.code), []);
  });

  it("once past its expiry the used-up code is purged, and the purge survives a reboot", () => {
    const nor = new NorFlash(SIZE);
    const errors: OptgateError[] = [];
    const first = boot(nor, errors);
    const owner = first.registry.addResident({ unit: "1-102", role: "owner", groups: 0b01, cards: [Uint8Array.of(4, 1, 2, 3)] });
    first.registry.addResident({ unit: "1-101", role: "courier", groups: 0b01, codes: [{ code: CODE, validUntil: EXPIRY, uses: 1 }] });
    assert.equal(codeAttempt(first, NOW).reason, "granted");
    rebase(first, owner);
    const gate = boot(nor, errors);
    assert.equal(codeAttempt(gate, EXPIRY + 1000).reason, "code-used-up", "this attempt still hears why");
    assert.equal(gate.registry.codeCount, 0, "then it is purged");
    const again = boot(nor, errors);
    assert.equal(again.registry.damage, undefined);
    assert.equal(again.registry.codeCount, 0);
    rebase(again, owner);
    const last = boot(nor, errors);
    assert.equal(last.registry.damage, undefined, "a courier with no code left still replays");
    assert.equal(codeAttempt(last, EXPIRY + 5000).reason, "unknown-code");
    assert.deepEqual(errors.map((e) => e.code), []);
  });
});
