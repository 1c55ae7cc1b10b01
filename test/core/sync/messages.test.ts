// Sync wire messages: round trips, signatures over the exact bytes, and every
// malformed input refused with E_SYNC_MALFORMED (portable: Node and XS).
import assert from "node:assert/strict";
import { encodeChange } from "../../../src/core/access/changes";
import { isOptgateError } from "../../../src/core/errors";
import {
  MAX_CHANGES_PER_SET, MAX_MESSAGE_BYTES, decodeMessage, encodeAck, encodeAuditBatch, encodeChangeSet, encodeInventory,
  encodeHead, encodeTimeGrant, encodeTimeRequest, keyIdOf, verifyHead, verifySigned, type ChangeSet, type HeadMessage,
} from "../../../src/core/sync/messages";
import { signHead } from "../../../src/core/audit/head-signature";
import { GATE, T0, changeSet, gateSign, gateSigner, hubSign, hubSigner, otherSigner, resident } from "./fixtures";

const malformed = (e: unknown) => isOptgateError(e, "E_SYNC_MALFORMED");

describe("sync messages", () => {
  it("a change set round-trips and its signature verifies with the hub key only", () => {
    const bytes = changeSet(3, [resident(1, [4, 1, 2, 3]), resident(2, [4, 1, 2, 4])]);
    const received = decodeMessage(bytes);
    const m = received.message as ChangeSet;
    assert.equal(m.type, "change-set");
    assert.equal(m.gateId, GATE);
    assert.equal(m.version, 3);
    assert.equal(m.base, 2);
    assert.equal(m.full, false);
    assert.equal(m.issuedAt, T0);
    assert.deepEqual(m.keyId, keyIdOf(hubSigner.publicKey));
    assert.deepEqual(m.changes, [encodeChange(resident(1, [4, 1, 2, 3])), encodeChange(resident(2, [4, 1, 2, 4]))]);
    assert.equal(verifySigned(received, hubSigner.publicKey), true);
    assert.equal(verifySigned(received, otherSigner.publicKey), false);
  });

  it("a bit flipped in any byte of a change set either fails to decode or fails the signature", () => {
    const bytes = changeSet(1, [resident(1, [4, 1, 2, 3])]);
    // One bit in every byte (a different bit position from byte to byte): none may slip through.
    for (let i = 0; i < bytes.length; i++) {
      const bit = i * 8 + (i % 8);
      const bad = bytes.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      let ok = false;
      try { ok = verifySigned(decodeMessage(bad), hubSigner.publicKey); } catch (e) { assert.ok(malformed(e), String(e)); }
      assert.equal(ok, false, `bit ${bit}`);
    }
  });

  it("truncation at every length and trailing bytes are malformed", () => {
    const bytes = changeSet(1, [resident(1, [4, 1, 2, 3])]);
    for (let n = 0; n < bytes.length; n++) {
      let ok = false;
      try { ok = verifySigned(decodeMessage(bytes.subarray(0, n)), hubSigner.publicKey); } catch (e) { assert.ok(malformed(e), String(e)); }
      assert.equal(ok, false, `cut to ${n} bytes`);
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    assert.throws(() => decodeMessage(longer), malformed);
  });

  it("refuses oversize input before reading it, and will not build one", () => {
    assert.throws(() => decodeMessage(new Uint8Array(MAX_MESSAGE_BYTES + 1)), malformed);
    const many = Array.from({ length: MAX_CHANGES_PER_SET + 1 }, (_, i) => resident(i + 1, [4, i >> 8, i & 0xff, 9]));
    assert.throws(() => changeSet(1, many), (e) => isOptgateError(e, "E_SYNC_BAD_VALUE"));
    // A count field that lies (claims more changes than the limit) is refused by the decoder too.
    const bytes = changeSet(1, [resident(1, [4, 1, 2, 3])]);
    const countAt = 4 + 1 + 4 + 1 + 4 + 4 + 2 + 2 + 8 + 8;
    const lying = bytes.slice();
    lying[countAt] = 0xff;
    assert.throws(() => decodeMessage(lying), malformed);
  });

  it("refuses wrong magic, unknown types, bad flags and inconsistent versions", () => {
    const bytes = changeSet(5, []);
    const cases: [number, number][] = [[0, 0x50], [4, 9], [4, 0], [9, 2]];
    for (const [at, value] of cases) {
      const bad = bytes.slice();
      bad[at] = value;
      assert.throws(() => decodeMessage(bad), malformed, `byte ${at} = ${value}`);
    }
    const baseAt = 4 + 1 + 4 + 1 + 4;
    const gap = bytes.slice();
    gap[baseAt + 3] = 3; // base 3 for version 5
    assert.throws(() => decodeMessage(gap), malformed);
    assert.throws(() => changeSet(5, [], { base: 3 }), (e) => isOptgateError(e, "E_SYNC_BAD_VALUE"));
    assert.throws(() => changeSet(5, [], { full: true, base: 4 }), (e) => isOptgateError(e, "E_SYNC_BAD_VALUE"));
    assert.throws(() => changeSet(5, [], { parts: 2 }), (e) => isOptgateError(e, "E_SYNC_BAD_VALUE"));
  });

  it("acks, time, audit batches and inventories round-trip", () => {
    const ack = decodeMessage(encodeAck({ gateId: GATE, applied: 4, status: "refused", about: 6, reason: "gap", time: T0 }, gateSign));
    assert.deepEqual(ack.message, { type: "ack", gateId: GATE, applied: 4, status: "refused", about: 6, reason: "gap", time: T0 });
    assert.equal(verifySigned(ack, gateSigner.publicKey), true);
    assert.throws(() => encodeAck({ gateId: GATE, applied: 4, status: "refused", about: 6, reason: "none", time: T0 }, gateSign), (e) => isOptgateError(e, "E_SYNC_BAD_VALUE"));

    const nonce = Uint8Array.from({ length: 16 }, (_, i) => i);
    assert.deepEqual(decodeMessage(encodeTimeRequest({ gateId: GATE, nonce, gateTime: 0 })).message, { type: "time-req", gateId: GATE, nonce, gateTime: 0 });
    const grant = decodeMessage(encodeTimeGrant({ gateId: GATE, nonce, time: T0, keyId: keyIdOf(hubSigner.publicKey) }, hubSign));
    assert.equal(verifySigned(grant, hubSigner.publicKey), true);

    const records = [new Uint8Array(55).fill(1), new Uint8Array(60).fill(2)];
    assert.deepEqual(decodeMessage(encodeAuditBatch({ gateId: GATE, log: "security", records })).message, { type: "audit", gateId: GATE, log: "security", records });
    assert.equal(decodeMessage(encodeAuditBatch({ gateId: GATE, log: "access", records })).signed, undefined);

    const entries = [{ id: 1, digest: new Uint8Array(8).fill(3) }, { id: 70000, digest: new Uint8Array(8).fill(4) }];
    assert.deepEqual(decodeMessage(encodeInventory({ gateId: GATE, applied: 9, part: 0, parts: 1, entries })).message, { type: "inventory", gateId: GATE, applied: 9, part: 0, parts: 1, entries });
  });

  it("times past 2^53 ms and non-integer times are refused both ways", () => {
    assert.throws(() => changeSet(1, [], { issuedAt: 1.5 }), (e) => isOptgateError(e, "E_SYNC_BAD_TIME"));
    const bytes = changeSet(1, []);
    const timeAt = 4 + 1 + 4 + 1 + 4 + 4 + 2 + 2;
    const bad = bytes.slice();
    bad[timeAt] = 0xff;
    assert.throws(() => decodeMessage(bad), malformed);
  });

  it("a signed audit head travels whole and still verifies against the gate's key", () => {
    const head = signHead(gateSigner, {
      gateId: GATE, log: "security", anchor: { seq: 3, hash: new Uint8Array(32).fill(1) }, head: { seq: 9, hash: new Uint8Array(32).fill(2) },
      digest: new Uint8Array(32).fill(3), time: T0 + 0.5,
    });
    const m = decodeMessage(encodeHead(head)).message as HeadMessage;
    assert.deepEqual(m, { type: "head", ...head });
    assert.equal(verifyHead(m, gateSigner.publicKey), true);
    assert.equal(verifyHead({ ...m, head: { ...m.head, seq: 8 } }, gateSigner.publicKey), false);
    assert.equal(verifyHead(m, hubSigner.publicKey), false);
    const backwards = encodeHead({ ...head, anchor: { seq: 10, hash: head.anchor.hash } });
    assert.throws(() => decodeMessage(backwards), malformed);
  });

  it("a signature from the wrong signer is rejected even with the right key id", () => {
    const forged = encodeChangeSet({ gateId: GATE, version: 1, base: 0, full: false, part: 0, parts: 1, issuedAt: T0, keyId: keyIdOf(hubSigner.publicKey), changes: [] }, (b) => otherSigner.sign(b));
    assert.equal(verifySigned(decodeMessage(forged), hubSigner.publicKey), false);
  });
});
