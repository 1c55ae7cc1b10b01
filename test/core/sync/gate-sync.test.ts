// The gate's sync state machine against a real Registry: what applies, and
// every way a hostile or broken network can try to change the gate without
// the hub (portable: Node and XS).
import assert from "node:assert/strict";
import { encodeChange } from "../../../src/core/access/changes";
import type { Registry } from "../../../src/core/access/registry";
import { decodeMessage, encodeTimeGrant, keyIdOf, verifySigned, type Ack } from "../../../src/core/sync/messages";
import { applyToRegistry } from "../../../src/core/sync/registry-apply";
import type { SyncOutcome, SyncTarget } from "../../../src/core/sync/gate-sync";
import { newRegistry } from "../access/fixtures";
import { GATE, T0, changeSet, gateSigner, hubSigner, newGateSync, otherSigner, resident } from "./fixtures";

const card = (n: number) => [4, 0xa0, 0, n];

/** A target over a real registry that records what it would persist (changes + version in one group). */
function registryTarget(registry: Registry): SyncTarget & { persisted: { version: number; changes: number }[] } {
  const persisted: { version: number; changes: number }[] = [];
  return {
    persisted,
    apply(changes, full, version) {
      applyToRegistry(registry, changes, full);
      persisted.push({ version, changes: changes.length });
    },
  };
}

function ackOf(out: SyncOutcome): Ack {
  assert.ok(out.ack, "an ack is published");
  const received = decodeMessage(out.ack);
  assert.equal(verifySigned(received, gateSigner.publicKey), true, "the ack is signed by the gate");
  return received.message as Ack;
}

describe("GateSync: change sets", () => {
  it("applies consecutive versions, acks each, audits each", () => {
    const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync();
    const one = sync.handleChangeSet(changeSet(1, [resident(1, card(1)), resident(2, card(2))]), T0, target);
    assert.equal(one.applied, 1);
    assert.deepEqual(ackOf(one), { type: "ack", gateId: GATE, applied: 1, status: "applied", about: 1, reason: "none", time: T0 });
    assert.equal(one.audit?.kind, "sync-applied");
    const two = sync.handleChangeSet(changeSet(2, [{ kind: "remove-resident", id: 1 }]), T0 + 1000, target);
    assert.equal(two.applied, 2);
    assert.equal(sync.applied, 2);
    assert.deepEqual(registry.ids(), [2]);
    assert.deepEqual(target.persisted, [{ version: 1, changes: 2 }, { version: 2, changes: 1 }]);
  });

  /** Sends `bytes` to a gate at version 1 and checks the refusal changed nothing. */
  function refused(bytes: Uint8Array, reason: string, now: number | undefined = T0, options = {}): Ack {
    const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync(options);
    sync.handleChangeSet(changeSet(1, [resident(1, card(1))]), T0, target);
    const before = registry.exportSnapshot();
    const out = sync.handleChangeSet(bytes, now, target);
    assert.equal(out.refused, reason);
    assert.equal(out.applied, undefined);
    assert.equal(out.audit?.kind, "sync-refused");
    assert.equal(out.audit?.decision, "deny");
    assert.ok(out.audit?.detail?.includes(reason), out.audit?.detail);
    assert.deepEqual(registry.exportSnapshot(), before, "registry unchanged");
    assert.equal(target.persisted.length, 1, "nothing persisted");
    assert.equal(sync.applied, 1);
    const ack = ackOf(out);
    assert.equal(ack.status, "refused");
    assert.equal(ack.reason, reason);
    assert.equal(ack.applied, 1, "the ack tells the hub where to resume");
    return ack;
  }

  it("refuses a replay of the applied version and of older ones (duplicates included)", () => {
    refused(changeSet(1, [resident(1, card(1))]), "replay");
    const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync();
    const v1 = changeSet(1, [resident(1, card(1))]), v2 = changeSet(2, [resident(2, card(2))]);
    sync.handleChangeSet(v1, T0, target);
    sync.handleChangeSet(v2, T0, target);
    assert.equal(sync.handleChangeSet(v1, T0, target).refused, "replay");
    assert.equal(sync.handleChangeSet(v2, T0, target).refused, "replay");
    assert.deepEqual(registry.ids(), [1, 2]);
  });

  it("refuses a version gap and reordering; the resent sets then apply in order", () => {
    const ack = refused(changeSet(3, [resident(3, card(3))]), "gap");
    assert.equal(ack.about, 3);
    const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync();
    const v1 = changeSet(1, [resident(1, card(1))]), v2 = changeSet(2, [resident(2, card(2))]);
    assert.equal(sync.handleChangeSet(v2, T0, target).refused, "gap");
    assert.equal(sync.handleChangeSet(v1, T0, target).applied, 1);
    assert.equal(sync.handleChangeSet(v2, T0, target).applied, 2);
  });

  it("refuses forged signatures: another key under the hub's key id, and an unknown key", () => {
    refused(changeSet(2, [resident(9, card(9))], { keyId: keyIdOf(hubSigner.publicKey) }, otherSigner), "bad-signature");
    refused(changeSet(2, [resident(9, card(9))], {}, otherSigner), "unknown-key");
  });

  it("refuses a change set with any one byte altered after signing", () => {
    const good = changeSet(2, [resident(2, card(2))]);
    for (const at of [9, 20, 40, good.length - 30, good.length - 1]) {
      const bad = good.slice();
      bad[at] ^= 0x04;
      const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync({ applied: 1 });
      const out = sync.handleChangeSet(bad, T0, target);
      assert.ok(out.refused === "bad-signature" || out.refused === "malformed" || out.refused === "gap" || out.refused === "wrong-gate", `byte ${at}: ${out.refused}`);
      assert.equal(target.persisted.length, 0);
    }
  });

  it("refuses a set for another gate, even correctly signed", () => {
    refused(changeSet(2, [resident(9, card(9))], { gateId: GATE + 1 }), "wrong-gate");
  });

  it("refuses stale and future sets while the clock is trusted, and judges by version alone while it is not", () => {
    const DAY = 86_400_000;
    refused(changeSet(2, [resident(9, card(9))], { issuedAt: T0 - 2 * DAY }), "stale", T0);
    refused(changeSet(2, [resident(9, card(9))], { issuedAt: T0 + 3600_000 }), "from-future", T0);
    const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync();
    assert.equal(sync.handleChangeSet(changeSet(1, [resident(1, card(1))], { issuedAt: T0 - 30 * DAY }), undefined, target).applied, 1);
    assert.equal(ackOf({ ack: sync.statusAck(undefined) }).time, 0, "no trusted clock, no time in the ack");
  });

  it("refuses malformed and oversize bytes with an ack that still names the applied version", () => {
    refused(new Uint8Array([1, 2, 3]), "malformed");
    refused(new Uint8Array(40_000), "malformed");
  });

  it("a set the registry refuses is rolled back whole (no half-applied set)", () => {
    const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync();
    sync.handleChangeSet(changeSet(1, [resident(1, card(1))]), T0, target);
    const before = registry.exportSnapshot();
    // Resident 2 is fine, the card of resident 3 is resident 1's: the whole set must go.
    const out = sync.handleChangeSet(changeSet(2, [resident(2, card(2)), resident(3, card(1))]), T0, target);
    assert.equal(out.refused, "apply-failed");
    assert.equal(out.audit?.detail, "v2 apply-failed E_DUPLICATE_CARD");
    assert.deepEqual(registry.exportSnapshot(), before);
    assert.equal(sync.applied, 1);
    // The hub fixes its desired state and sends version 2 again: it applies.
    assert.equal(sync.handleChangeSet(changeSet(2, [resident(2, card(2))]), T0, target).applied, 2);
  });

  it("refuses gate-only kinds from the hub (face flag, code use, PIN rating)", () => {
    refused(changeSet(2, [{ kind: "set-face", id: 1, flag: true }]), "apply-failed");
  });

  it("a quarantined registry takes no incremental set, only a full resync", () => {
    const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync();
    sync.handleChangeSet(changeSet(1, [resident(1, card(1))]), T0, target);
    registry.quarantine("test: a registry record lost");
    assert.equal(sync.handleChangeSet(changeSet(2, [resident(2, card(2))]), T0, target).refused, "needs-resync");
    const full = sync.handleChangeSet(changeSet(5, [resident(2, card(2)), resident(3, card(3))], { full: true }), T0, target);
    assert.equal(full.applied, 5);
    assert.equal(registry.damage, undefined);
    assert.deepEqual(registry.ids(), [2, 3]);
  });
});

describe("GateSync: full resync in parts", () => {
  const parts = (version: number, n: number, issuedAt = T0) => Array.from({ length: n }, (_, part) =>
    changeSet(version, [resident(part * 2 + 1, card(part * 2 + 1)), resident(part * 2 + 2, card(part * 2 + 2))], { full: true, part, parts: n, issuedAt }));

  it("stages parts in order and applies them together after the last, replacing the registry", () => {
    const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync();
    sync.handleChangeSet(changeSet(1, [resident(50, card(50))]), T0, target);
    const [p0, p1, p2] = parts(9, 3);
    assert.deepEqual(sync.handleChangeSet(p0, T0, target), {});
    assert.deepEqual(sync.handleChangeSet(p1, T0, target), {});
    assert.deepEqual(registry.ids(), [50], "nothing applied before the last part");
    const last = sync.handleChangeSet(p2, T0, target);
    assert.equal(last.applied, 9);
    assert.deepEqual(registry.ids(), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(target.persisted.at(-1), { version: 9, changes: 6 });
  });

  it("refuses a part out of order or from another issue, and starts over at part 0", () => {
    const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync();
    const [p0, , p2] = parts(9, 3);
    sync.handleChangeSet(p0, T0, target);
    assert.equal(sync.handleChangeSet(p2, T0, target).refused, "bad-part");
    assert.equal(sync.handleChangeSet(parts(9, 3, T0 + 1)[1], T0, target).refused, "bad-part");
    assert.equal(registry.size, 0);
    for (const p of parts(9, 3)) sync.handleChangeSet(p, T0, target);
    assert.equal(sync.applied, 9);
  });

  it("keeps the face flag of residents still present, reports those gone", () => {
    const registry = newRegistry(), target = registryTarget(registry), sync = newGateSync();
    sync.handleChangeSet(changeSet(1, [resident(1, card(1)), resident(2, card(2))]), T0, target);
    registry.setFaceEnrolled(1, true);
    registry.setFaceEnrolled(2, true);
    const result = applyToRegistry(registry, [encodeChange(resident(1, card(1)))], true);
    assert.deepEqual(result.faceGone, [2]);
    assert.equal(registry.get(1)?.faceEnrolled, true);
  });

  it("an incremental set that removes a face-enrolled resident reports the template to erase", () => {
    const registry = newRegistry();
    applyToRegistry(registry, [encodeChange(resident(1, card(1))), encodeChange(resident(2, card(2)))], false);
    registry.setFaceEnrolled(2, true);
    const result = applyToRegistry(registry, [encodeChange({ kind: "remove-resident", id: 1 }), encodeChange({ kind: "remove-resident", id: 2 })], false);
    assert.deepEqual(result.faceGone, [2]);
  });
});

describe("GateSync: signed time", () => {
  const nonce = Uint8Array.from({ length: 16 }, (_, i) => i * 3);
  const grant = (n = nonce, gateId = GATE, signer = hubSigner) => encodeTimeGrant({ gateId, nonce: n, time: T0, keyId: keyIdOf(signer.publicKey) }, (b) => signer.sign(b));

  it("accepts the answer to its own request once, adding half the round trip", () => {
    const sync = newGateSync();
    sync.requestTime(nonce, 1000, undefined);
    const out = sync.handleTimeGrant(grant(), 1400, undefined);
    assert.deepEqual(out.ok && out.time, T0 + 200);
    assert.equal(out.audit.kind, "clock-synced");
    const again = sync.handleTimeGrant(grant(), 1500, undefined);
    assert.equal(again.ok, false);
    assert.equal(!again.ok && again.refused, "unexpected-time");
    assert.equal(again.audit.kind, "sync-refused");
  });

  it("refuses another nonce, a late answer, a forged or misaddressed grant", () => {
    const cases: [Uint8Array, number, string][] = [
      [grant(new Uint8Array(16)), 1100, "unexpected-time"],
      [grant(), 1000 + 60_000, "stale"],
      [grant(nonce, GATE, otherSigner), 1100, "unknown-key"],
      [grant(nonce, GATE + 1), 1100, "wrong-gate"],
      [changeSet(1, []), 1100, "malformed"],
    ];
    for (const [bytes, at, reason] of cases) {
      const sync = newGateSync();
      sync.requestTime(nonce, 1000, undefined);
      const out = sync.handleTimeGrant(bytes, at, undefined);
      assert.equal(!out.ok && out.refused, reason);
    }
    const forged = grant().slice();
    forged[forged.length - 5] ^= 1;
    const sync = newGateSync();
    sync.requestTime(nonce, 1000, undefined);
    const out = sync.handleTimeGrant(forged, 1100, undefined);
    assert.equal(!out.ok && out.refused, "bad-signature");
  });

  it("the status ack names the applied version", () => {
    const sync = newGateSync({ applied: 41 });
    const ack = ackOf({ ack: sync.statusAck(T0) });
    assert.deepEqual([ack.status, ack.applied, ack.reason], ["status", 41, "none"]);
  });
});
