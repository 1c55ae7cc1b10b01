// Used-up one-time codes in snapshots: they survive a round trip as used up
// (the audit reason stays "code-used-up"), never grant again, and are purged
// once past their expiry.
import assert from "node:assert/strict";
import { AccessCore, CODE_USE_DETAIL } from "../../../src/core/access/access-core";
import { decodeChange, encodeChange } from "../../../src/core/access/changes";
import { Registry } from "../../../src/core/access/registry";
import { AuditLog } from "../../../src/core/audit/audit-log";
import { isOptgateError } from "../../../src/core/errors";
import { at, basePolicy, deviceKey, newRegistry, testRandom, uid } from "./fixtures";

const ownerCard = uid(0x04, 0xa1, 0xb2, 0xc3);
const WED_10 = at("2026-06-03", "10:00");
const EXPIRY = at("2026-06-05", "00:00");

/** A courier whose only credential is one code, and an owner who also holds a two-use code. */
function gate(registry = newRegistry()) {
  const courier = registry.addResident({
    unit: "B3-1204", role: "courier", groups: 0b01, validUntil: at("2026-06-10", "00:00"),
    codes: [{ code: "73910264", validUntil: EXPIRY, uses: 1 }],
  });
  const owner = registry.addResident({
    unit: "B3-1205", role: "owner", groups: 0b01, cards: [ownerCard],
    codes: [{ code: "55554444", validUntil: EXPIRY, uses: 2 }, { code: "66667777", validUntil: at("2026-06-20", "00:00"), uses: 1 }],
  });
  return { registry, courier, owner, core: coreFor(registry) };
}

function coreFor(registry: Registry): AccessCore {
  return new AccessCore({ registry, policy: basePolicy(), audit: new AuditLog({ capacity: 256 }) });
}

function restored(registry: Registry): Registry {
  return Registry.fromSnapshot(registry.exportSnapshot(), { deviceKey, random: testRandom() });
}

function reasonOf(core: AccessCore, code: string, now: number): string {
  const decision = core.decide({ kind: "code", keypad: 1, code }, now);
  assert.equal(decision.grant, decision.reason === "granted");
  return decision.reason;
}

function throwsCode(expected: string, fn: () => unknown): void {
  assert.throws(fn, (e) => isOptgateError(e, expected), expected);
}

/** Uses the courier's code once and the owner's code twice, through the access core. */
function useUp(core: AccessCore): void {
  assert.equal(reasonOf(core, "73910264", WED_10), "granted");
  assert.equal(reasonOf(core, "55554444", WED_10), "granted");
  assert.equal(reasonOf(core, "55554444", WED_10 + 60_000), "granted");
}

describe("used-up one-time codes", () => {
  it("a snapshot round trip keeps them used up: the reason stays code-used-up", () => {
    const { registry, core, courier } = gate();
    useUp(core);
    assert.equal(reasonOf(core, "73910264", WED_10 + 120_000), "code-used-up");
    for (const copy of [restored(registry), (() => { const target = newRegistry(); target.importSnapshot(registry.exportSnapshot()); return target; })()]) {
      assert.deepEqual(copy.exportSnapshot(), registry.exportSnapshot());
      assert.equal(copy.findCode("73910264")?.uses, 0);
      assert.equal(copy.findCode("73910264")?.resident, courier);
      assert.equal(copy.findCode("55554444")?.uses, 0);
      assert.equal(copy.findCode("66667777")?.uses, 1);
      assert.deepEqual(copy.get(courier), registry.get(courier));
      const after = coreFor(copy);
      assert.equal(reasonOf(after, "73910264", WED_10 + 180_000), "code-used-up");
      assert.equal(reasonOf(after, "55554444", WED_10 + 180_000), "code-used-up");
      assert.equal(reasonOf(after, "66667777", WED_10 + 180_000), "granted");
    }
  });

  it("a used-up code never grants again, however often it is retried or restored", () => {
    const { registry, core, courier } = gate();
    useUp(core);
    let copy = registry;
    for (let round = 0; round < 3; round++) copy = restored(copy);
    const after = coreFor(copy);
    // Retried at a resident's pace, the same reason each time (retries count as keypad failures, which leak away).
    for (let i = 0; i < 8; i++) assert.equal(reasonOf(after, "73910264", WED_10 + i * 120_000), "code-used-up");
    // Before its window and with the clock untrusted it is still refused as used up.
    assert.equal(reasonOf(after, "73910264", at("2026-06-01", "00:00")), "code-used-up");
    assert.equal(coreFor(copy).decide({ kind: "code", keypad: 1, code: "73910264" }, Date.UTC(2020, 0, 1)).reason, "code-used-up");
    assert.equal(copy.findCode("73910264")?.uses, 0);
    // Nothing re-arms it: not a use, not a re-issue, not a replayed add-code for the same hash.
    const hash = copy.findCode("73910264")!.hash;
    throwsCode("E_CODE_USED_UP", () => copy.consumeCode(hash));
    throwsCode("E_DUPLICATE_CODE", () => copy.issueCode(courier, { code: "73910264", validUntil: at("2026-06-09", "00:00"), uses: 5 }));
    throwsCode("E_DUPLICATE_CODE", () => copy.apply(encodeChange({ kind: "add-code", id: courier, hash, from: 0, until: 1_900_000_000, uses: 5 })));
    assert.equal(copy.findCode("73910264")?.uses, 0);
    // A snapshot cannot smuggle in a second copy with uses left either.
    const snapshot = copy.exportSnapshot();
    throwsCode("E_DUPLICATE_CODE", () => copy.apply(encodeChange({
      kind: "add-resident", id: 99, role: 4, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "X1", cards: [],
      codes: [{ hash, from: 0, until: 1_900_000_000, uses: 5 }],
    })));
    assert.deepEqual(copy.exportSnapshot(), snapshot);
  });

  it("uses 0 is only what a snapshot carries: issuing a code needs 1-65535 uses", () => {
    const r = newRegistry();
    throwsCode("E_BAD_USES", () => r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [ownerCard], codes: [{ code: "123456", validUntil: EXPIRY, uses: 0 }] }));
    throwsCode("E_BAD_USES", () => r.addResident({ unit: "A1", role: "visitor", groups: 1, codes: [{ code: "123456", validUntil: EXPIRY, uses: 70_000 }] }));
    const id = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [ownerCard] });
    const hash = new Uint8Array(16).fill(7);
    throwsCode("E_BAD_USES", () => r.apply(encodeChange({ kind: "add-code", id, hash, from: 0, until: 1_900_000_000, uses: 0 })));
    assert.equal(r.codeCount, 0);
    throwsCode("E_NO_NON_FACE_CREDENTIAL", () => r.addResident({ unit: "A2", role: "visitor", groups: 1 }));
    assert.equal(r.size, 1);
  });

  it("a courier left with no working credential still restores (use, revoke, purge), and stays unable to enter", () => {
    const { registry, core, courier } = gate();
    useUp(core);
    // Before this fix, such a snapshot refused to replay (E_NO_NON_FACE_CREDENTIAL), quarantining a rebased store.
    assert.equal(restored(registry).get(courier)?.status, "active");
    registry.revokeCode("73910264");
    const copy = restored(registry);
    assert.deepEqual(copy.get(courier), registry.get(courier));
    assert.equal(copy.findCode("73910264"), undefined);
    assert.equal(reasonOf(coreFor(copy), "73910264", WED_10 + 60_000), "unknown-code");
  });

  it("used-up codes past their expiry are purged (one remove-code each); the rest stay", () => {
    const { registry, core, owner } = gate();
    useUp(core);
    const changes: Uint8Array[] = [];
    registry.onChange = (c) => changes.push(c);
    assert.equal(registry.purgeUsedUpCodes(EXPIRY - 1000), 0, "not expired yet");
    assert.equal(registry.purgeUsedUpCodes(Number.NaN), 0);
    // An unused code past its expiry stays (it still reads code-expired).
    registry.issueCode(owner, { code: "88889999", validUntil: at("2026-06-04", "00:00"), uses: 1 });
    changes.length = 0;
    assert.equal(registry.purgeUsedUpCodes(EXPIRY), 2);
    assert.deepEqual(changes.map((c) => decodeChange(c).kind), ["remove-code", "remove-code"]);
    assert.equal(registry.findCode("73910264"), undefined);
    assert.equal(registry.findCode("55554444"), undefined);
    assert.equal(registry.findCode("66667777")?.uses, 1);
    assert.equal(registry.findCode("88889999")?.uses, 1);
    assert.equal(registry.codeCount, 2);
    // The purge replays like any change, and the snapshot leaves the purged codes out.
    const replica = restored(registry);
    assert.equal(replica.codeCount, 2);
    assert.equal(reasonOf(coreFor(replica), "73910264", EXPIRY + 1000), "unknown-code");
    assert.equal(reasonOf(coreFor(replica), "88889999", EXPIRY + 1000), "code-expired");
  });

  it("the access core purges on code attempts with a trusted clock only, after giving the attempt its reason", () => {
    const { registry, core } = gate();
    useUp(core);
    assert.equal(registry.codeCount, 3);
    // Untrusted clock (before the policy's floor): nothing is dropped.
    assert.equal(reasonOf(core, "73910264", Date.UTC(2020, 0, 1)), "code-used-up");
    assert.equal(registry.codeCount, 3);
    // Past expiry on a trusted clock: this attempt still says used up; then the stale codes go.
    assert.equal(reasonOf(core, "73910264", EXPIRY + 1000), "code-used-up");
    assert.equal(registry.codeCount, 1);
    assert.equal(reasonOf(core, "73910264", EXPIRY + 2000), "unknown-code");
    // A quarantined registry is not touched.
    const other = gate();
    useUp(other.core);
    other.registry.quarantine("test");
    assert.equal(reasonOf(other.core, "73910264", EXPIRY + 1000), "registry-damaged");
    assert.equal(other.registry.codeCount, 3);
  });

  it("the access core's own purge (the app's minute sweep) needs no code attempt, and keeps the same guards", () => {
    const { registry, core } = gate();
    useUp(core);
    assert.equal(core.purgeUsedUpCodes(EXPIRY - 1000), 0, "not yet expired");
    assert.equal(core.purgeUsedUpCodes(Date.UTC(2020, 0, 1)), 0, "untrusted clock");
    assert.equal(registry.codeCount, 3);
    assert.equal(core.purgeUsedUpCodes(EXPIRY + 1000), 2);
    assert.equal(registry.codeCount, 1);
    assert.equal(reasonOf(core, "73910264", EXPIRY + 2000), "unknown-code");
    const other = gate();
    useUp(other.core);
    other.registry.quarantine("test");
    assert.equal(other.core.purgeUsedUpCodes(EXPIRY + 1000), 0, "quarantined registry untouched");
    assert.equal(other.registry.codeCount, 3);
  });

  it("a code's grant record names the code by its validity start (the hub's reference), never the code; a refusal names none", () => {
    const { core, courier } = gate();
    const from = Math.floor(WED_10 / 1000) - 3600;
    core.registry.issueCode(courier, { code: "12873465", validFrom: from * 1000, validUntil: EXPIRY, uses: 1 });
    assert.equal(reasonOf(core, "12873465", WED_10), "granted");
    const granted = core.audit.entries().at(-1)!;
    assert.deepEqual([granted.kind, granted.decision, granted.actor, granted.detail], ["code", "grant", courier, `${CODE_USE_DETAIL}${from}`]);
    assert.equal(reasonOf(core, "12873465", WED_10 + 1000), "code-used-up");
    assert.equal(core.audit.entries().at(-1)!.detail, "");
  });
});
