import assert from "node:assert/strict";
import { AccessCore } from "../../../src/core/access/access-core";
import { AuditLog } from "../../../src/core/audit/audit-log";
import { NOW, benchPolicy, buildResidents, cardFor } from "./scale-fixture";

describe("Registry at scale", () => {
  // Full size in Node; a smaller compound inside XS keeps the file fast there.
  const n = (globalThis as { __XS__?: boolean }).__XS__ ? 2_000 : 20_000;
  const registry = buildResidents(n);

  it(`holds ${n} residents with two cards each in columns of 84 bytes a resident plus indexes`, () => {
    assert.equal(registry.size, n);
    assert.equal(registry.cardCount, 2 * n);
    // 54 B resident columns (6 of them the guessing counter and PIN rating every resident has)
    // + 2 × 15 B card columns, plus index slots (4 B, load ≤ 0.7, power of two).
    const perResident = registry.byteLength / n;
    assert.ok(perResident >= 84 && perResident < 84 + (4 * 3 * 2) / 0.7, `${perResident} bytes per resident`);
    // The budget is 2 MiB of RAM for the registry at 20,000 residents (1.98 MiB here).
    if (n === 20_000) assert.ok(registry.byteLength < 2 * 1024 * 1024, `${registry.byteLength} bytes`);
  });

  it("finds every card's owner and decides on it", () => {
    for (let i = 1; i <= n; i += 97) {
      assert.equal(registry.findCard(cardFor(i, 0)), i);
      assert.equal(registry.findCard(cardFor(i, 1)), i);
    }
    assert.equal(registry.findCard(cardFor(n + 1, 0)), undefined);
    const core = new AccessCore({ registry, policy: benchPolicy, audit: new AuditLog({ capacity: 64 }) });
    const decide = (i: number, pin?: string) => {
      const { grant, reason, resident } = core.decide({ kind: "card", uid: cardFor(i, 1), ...(pin ? { pin, keypad: 1 } : {}) }, NOW);
      return { grant, reason, resident };
    };
    assert.deepEqual(decide(n), { grant: true, reason: "granted", resident: n });
    assert.deepEqual(decide(1), { grant: true, reason: "granted", resident: 1 });
    // The fixture's PIN hash matches no PIN: card + PIN is refused for that resident.
    assert.deepEqual(decide(n, "2468"), { grant: false, reason: "wrong-pin", resident: n });
    assert.deepEqual(decide(n + 5), { grant: false, reason: "unknown-card", resident: undefined });
  });

  it("stays consistent while residents are removed from the middle", () => {
    for (let i = 2; i <= n; i += 3) registry.removeResident(i);
    for (let i = 1; i <= Math.min(n, 600); i++) {
      const expected = i % 3 === 2 ? undefined : i;
      assert.equal(registry.findCard(cardFor(i, 0)), expected);
      assert.equal(registry.has(i), expected !== undefined);
    }
    assert.equal(registry.cardCount, 2 * registry.size);
  });
});
