// GateSync and registry-apply at their edges (portable: Node and XS): the
// exact windows for a change set's issue time and a time grant's answer, the
// parts of one resync never mixed with another's, what a gate is built from,
// and the acks and audit entries it writes, field by field.
import assert from "node:assert/strict";
import { decodeChange, encodeChange } from "../../../src/core/access/changes";
import { CODE_HASH_BYTES } from "../../../src/core/access/secrets";
import { OptgateError, isOptgateError } from "../../../src/core/errors";
import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_SKEW_MS, DEFAULT_TIME_WINDOW_MS, GateSync, type SyncOutcome, type SyncTarget } from "../../../src/core/sync/gate-sync";
import { type CanonicalResident, canonicalResident } from "../../../src/core/sync/inventory";
import { type Ack, type TimeRequest, decodeMessage, encodeTimeGrant, keyIdOf } from "../../../src/core/sync/messages";
import { applyToRegistry } from "../../../src/core/sync/registry-apply";
import { newRegistry } from "../access/fixtures";
import { GATE, T0, changeSet, gateSign, hubSigner, newGateSync, resident } from "./fixtures";

const card = (n: number) => [4, 0xb0, 0, n];
const ackOf = (out: SyncOutcome) => decodeMessage(out.ack!).message as Ack;
/** A target that takes every set and records it. */
function recording(): SyncTarget & { sets: { version: number; full: boolean; changes: number }[] } {
  const sets: { version: number; full: boolean; changes: number }[] = [];
  return { sets, apply(changes, full, version) { sets.push({ version, full, changes: changes.length }); } };
}
const audit = (time: number, kind: string, decision: string, detail: string) =>
  ({ time, actorKind: "system", actor: 0, kind, decision, reason: decision === "deny" ? "bad-input" : "info", detail });

describe("GateSync at its edges", () => {
  it("takes a set issued exactly at the clock skew or the maximum age, and not a millisecond beyond", () => {
    const at = (issuedAt: number) => newGateSync().handleChangeSet(changeSet(1, [resident(1, card(1))], { issuedAt }), T0, recording());
    assert.equal(at(T0 + DEFAULT_MAX_SKEW_MS).applied, 1);
    assert.equal(at(T0 + DEFAULT_MAX_SKEW_MS + 1).refused, "from-future");
    assert.equal(at(T0 - DEFAULT_MAX_AGE_MS).applied, 1);
    assert.equal(at(T0 - DEFAULT_MAX_AGE_MS - 1).refused, "stale");
  });

  it("acks and audits an applied set and a refused one field by field", () => {
    const sync = newGateSync(), target = recording();
    const full = sync.handleChangeSet(changeSet(3, [resident(1, card(1)), resident(2, card(2))], { full: true }), T0 + 0.75, target);
    assert.deepEqual(ackOf(full), { type: "ack", gateId: GATE, applied: 3, status: "applied", about: 3, reason: "none", time: T0 });
    assert.deepEqual(full.audit, audit(T0, "sync-applied", "info", "v3 full 2 change(s)"));
    const next = sync.handleChangeSet(changeSet(4, [resident(5, card(5))]), T0, target);
    assert.deepEqual(next.audit, audit(T0, "sync-applied", "info", "v4 1 change(s)"));
    assert.deepEqual(target.sets, [{ version: 3, full: true, changes: 2 }, { version: 4, full: false, changes: 1 }]);
    const replay = sync.handleChangeSet(changeSet(4, [resident(5, card(5))]), T0, target);
    assert.deepEqual(ackOf(replay), { type: "ack", gateId: GATE, applied: 4, status: "refused", about: 4, reason: "replay", time: T0 });
    assert.deepEqual(replay.audit, audit(T0, "sync-refused", "deny", "v4 replay"));
    const elsewhere = sync.handleChangeSet(changeSet(5, [], { gateId: GATE + 1 }), T0, target);
    assert.deepEqual([ackOf(elsewhere).reason, ackOf(elsewhere).about], ["wrong-gate", 5], "a refused set is named by its version");
  });

  it("writes time 0 into acks and audit entries when the clock is unknown, not a number or negative", () => {
    const sync = newGateSync({ applied: 2 });
    for (const now of [undefined, Number.NaN, Number.POSITIVE_INFINITY, -1, 0]) assert.equal(ackOf({ ack: sync.statusAck(now) }).time, 0, String(now));
    assert.equal(ackOf({ ack: sync.statusAck(T0 + 0.9) }).time, T0);
    assert.equal(sync.handleChangeSet(new Uint8Array(3), -5, recording()).audit?.time, 0);
  });

  it("a target's refusal is acked (needs-resync or apply-failed); a fault that is no refusal is not swallowed", () => {
    const refusing = (error: Error): SyncTarget => ({ apply() { throw error; } });
    const set = changeSet(1, [resident(1, card(1))]);
    assert.equal(newGateSync().handleChangeSet(set, T0, refusing(new OptgateError("E_SYNC_NEEDS_RESYNC", "quarantined"))).refused, "needs-resync");
    assert.equal(newGateSync().handleChangeSet(set, T0, refusing(new OptgateError("E_BAD_CHANGE", "no"))).refused, "apply-failed");
    const sync = newGateSync();
    assert.throws(() => sync.handleChangeSet(set, T0, refusing(new TypeError("a bug"))), TypeError);
    assert.equal(sync.applied, 0);
  });

  it("never joins parts of different resyncs: another version, part count or issue time restarts at part 0", () => {
    const part = (version: number, p: number, parts: number, issuedAt = T0) =>
      changeSet(version, [resident(p + 1, card(p + 1))], { full: true, part: p, parts, issuedAt });
    for (const stranger of [part(8, 1, 3), part(9, 1, 4), part(9, 1, 3, T0 + 1)]) {
      const sync = newGateSync(), target = recording();
      assert.deepEqual(sync.handleChangeSet(part(9, 0, 3), T0, target), {});
      assert.equal(sync.handleChangeSet(stranger, T0, target).refused, "bad-part");
      assert.equal(sync.handleChangeSet(part(9, 2, 3), T0, target).refused, "bad-part", "the staged resync was dropped");
      assert.deepEqual(target.sets, []);
    }
  });

  it("is built only from a 32-bit gate id, at least one 32-byte hub key and a 32-bit applied version", () => {
    const key = hubSigner.publicKey;
    const build = (over: Record<string, unknown>) => () => new GateSync({ gateId: GATE, hubKeys: [key], sign: gateSign, ...over });
    const says = (code: string, message: string) => (e: unknown) => isOptgateError(e, code) && (e as Error).message.includes(message);
    for (const gateId of [-1, 1.5, 2 ** 32]) assert.throws(build({ gateId }), says("E_SYNC_BAD_GATE", "A gate id is a 32-bit number."), String(gateId));
    for (const gateId of [0, 0xffffffff]) assert.equal(build({ gateId })().gateId, gateId);
    for (const hubKeys of [[], "key"]) assert.throws(build({ hubKeys }), says("E_SYNC_NO_HUB_KEY", "Sync needs at least one provisioned hub public key."));
    for (const hubKeys of [[key.subarray(0, 31)], [Array.from(key)]]) assert.throws(build({ hubKeys }), says("E_SYNC_NO_HUB_KEY", "A hub public key is 32 bytes."));
    for (const applied of [-1, 0.5, 2 ** 32]) assert.throws(build({ applied }), says("E_SYNC_BAD_VERSION", "The applied version is a 32-bit number."), String(applied));
    assert.equal(build({ applied: 0xffffffff })().applied, 0xffffffff);
  });

  it("keeps its own copy of the hub keys and of a time nonce: the caller's buffers may be reused", () => {
    const keys = [hubSigner.publicKey.slice()];
    const sync = newGateSync({ hubKeys: keys });
    keys[0].fill(0);
    assert.equal(sync.handleChangeSet(changeSet(1, [resident(1, card(1))]), T0, recording()).applied, 1);
    const nonce = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const request = decodeMessage(sync.requestTime(nonce, 1000, T0)).message as TimeRequest;
    assert.deepEqual([request.nonce, request.gateTime], [nonce, T0]);
    const grant = encodeTimeGrant({ gateId: GATE, nonce: nonce.slice(), time: T0, keyId: keyIdOf(hubSigner.publicKey) }, (b) => hubSigner.sign(b));
    nonce.fill(0);
    assert.equal(sync.handleTimeGrant(grant, 1100, undefined).ok, true);
    // A refused request leaves the pending one answerable.
    const pendingNonce = new Uint8Array(16).fill(9);
    sync.requestTime(pendingNonce, 2000, T0);
    const refusedNonce = (bad: unknown) => () => sync.requestTime(bad as Uint8Array, 2001, T0);
    assert.throws(refusedNonce(new Uint8Array(15)), (e) => isOptgateError(e, "E_SYNC_BAD_VALUE") && (e as Error).message.includes("A time nonce is 16 random bytes."));
    assert.throws(refusedNonce(Array(16).fill(0)), (e) => isOptgateError(e, "E_SYNC_BAD_VALUE") && (e as Error).message.includes("A time nonce is 16 random bytes."));
    const answer = encodeTimeGrant({ gateId: GATE, nonce: pendingNonce, time: T0, keyId: keyIdOf(hubSigner.publicKey) }, (b) => hubSigner.sign(b));
    assert.equal(sync.handleTimeGrant(answer, 2100, undefined).ok, true);
  });

  it("answers a time request within its window, to the millisecond, and never one from before it was sent", () => {
    const nonce = new Uint8Array(16).fill(7);
    const grant = encodeTimeGrant({ gateId: GATE, nonce, time: T0, keyId: keyIdOf(hubSigner.publicKey) }, (b) => hubSigner.sign(b));
    const answer = (at: number) => {
      const sync = newGateSync();
      sync.requestTime(nonce, 5000, undefined);
      return sync.handleTimeGrant(grant, at, T0);
    };
    const last = answer(5000 + DEFAULT_TIME_WINDOW_MS);
    assert.deepEqual(last, { ok: true, time: T0 + DEFAULT_TIME_WINDOW_MS / 2, audit: audit(T0 + DEFAULT_TIME_WINDOW_MS / 2, "clock-synced", "info", `hub time, round trip ${DEFAULT_TIME_WINDOW_MS} ms`) });
    assert.deepEqual(answer(5000 + DEFAULT_TIME_WINDOW_MS + 1), { ok: false, refused: "stale", audit: audit(T0, "sync-refused", "deny", "time: stale") });
    assert.equal(answer(4999).ok, false, "a monotonic clock that went back");
    assert.equal(answer(5000).ok, true);
  });
});

describe("registry-apply and inventory at their edges", () => {
  it("refuses each gate-only kind from the hub by its position, before anything applies", () => {
    const registry = newRegistry();
    applyToRegistry(registry, [encodeChange(resident(1, card(1)))], false);
    for (const [change, kind] of [
      [{ kind: "use-code", hash: new Uint8Array(CODE_HASH_BYTES) }, "use-code"], [{ kind: "end-code", hash: new Uint8Array(CODE_HASH_BYTES) }, "end-code"], [{ kind: "rate-pin", id: 1, quality: 1 }, "rate-pin"], [{ kind: "set-face", id: 1, flag: true }, "set-face"],
    ] as const) {
      assert.throws(() => applyToRegistry(registry, [encodeChange(resident(2, card(2))), encodeChange(change as never)], false),
        (e) => isOptgateError(e, "E_SYNC_GATE_ONLY") && (e as Error).message.includes(`Change 2 is ${kind},`));
    }
    assert.deepEqual(registry.ids(), [1]);
  });

  it("a quarantined registry refuses an incremental set, saying only a full resync can replace it", () => {
    const registry = newRegistry();
    applyToRegistry(registry, [encodeChange(resident(1, card(1)))], false);
    registry.quarantine("test: a registry record lost");
    assert.throws(() => applyToRegistry(registry, [encodeChange(resident(2, card(2)))], false),
      (e) => isOptgateError(e, "E_SYNC_NEEDS_RESYNC") && (e as Error).message.includes("The registry is quarantined; only a full resync from the hub can replace it."));
    assert.deepEqual(registry.ids(), [1]);
  });

  it("a full resync gives face back only to those who had it, and drops it (template to erase) from one left without card or PIN", () => {
    const registry = newRegistry();
    applyToRegistry(registry, [1, 2, 3].map((id) => encodeChange(resident(id, card(id)))), false);
    registry.setFaceEnrolled(1, true);
    registry.setFaceEnrolled(2, true);
    const bare = { ...resident(2, card(2)), cards: [] };
    const result = applyToRegistry(registry, [encodeChange(resident(1, card(1))), encodeChange(bare), encodeChange(resident(3, card(3)))], true);
    assert.deepEqual(result.faceGone, [2]);
    assert.deepEqual([1, 2, 3].map((id) => registry.get(id)?.faceEnrolled), [true, false, false]);
  });

  it("a persist step that throws (the store refused) puts the registry back, incremental or full, quarantine included", () => {
    for (const full of [false, true]) {
      const registry = newRegistry();
      applyToRegistry(registry, [1, 2].map((id) => encodeChange(resident(id, card(id)))), false);
      registry.setFaceEnrolled(1, true);
      if (full) registry.quarantine("test: a registry record lost");
      const before = registry.exportSnapshot();
      const set = full ? [encodeChange(resident(2, card(2))), encodeChange(resident(5, card(5)))] : [encodeChange({ kind: "remove-resident", id: 1 }), encodeChange(resident(5, card(5)))];
      const seen: number[][] = [];
      assert.throws(() => applyToRegistry(registry, set, full, ({ faceGone }) => {
        seen.push(faceGone);
        assert.equal(registry.has(5), true, "persist runs with the set in the registry");
        throw new OptgateError("E_STORE_FULL", "test: the store is full");
      }), (e) => isOptgateError(e, "E_STORE_FULL"));
      assert.deepEqual(seen, [[1]], `full ${full}: resident 1's template was to be erased`);
      assert.deepEqual(registry.exportSnapshot(), before, `full ${full}`);
      assert.equal(registry.damage, full ? "test: a registry record lost" : undefined);
      // And the same set applies once the store takes it.
      assert.deepEqual(applyToRegistry(registry, set, full, () => {}).faceGone, [1]);
      assert.equal(registry.has(5), true);
      assert.equal(registry.damage, undefined);
    }
  });

  it("orders cards by bytes, a UID before a longer one it begins, and leaves the caller's list alone", () => {
    const short = Uint8Array.of(4, 1, 2, 3), long = Uint8Array.of(4, 1, 2, 3, 9, 9, 9), low = Uint8Array.of(4, 0, 9, 9);
    const cards = [long, short, low];
    const canonical = decodeChange(canonicalResident({ ...(resident(1, [0]) as CanonicalResident), cards })) as { cards: Uint8Array[] };
    assert.deepEqual(canonical.cards, [low, short, long]);
    assert.deepEqual(cards, [long, short, low]);
  });
});
