import assert from "node:assert/strict";
import { AuditLog, decodeAnchor, encodeAnchor, genesisAnchor, verifyChain } from "../../../src/core/audit/audit-log";
import {
  type AuditEntry, MAX_SUBJECT, PREV_HASH_OFFSET, RECORD_BYTES, auditSubject, decodeRecord, encodeRecord, recordHash,
} from "../../../src/core/audit/audit-record";
import { isOptgateError } from "../../../src/core/errors";

const T = Date.UTC(2026, 5, 3, 2, 0);

function entry(i: number): AuditEntry {
  return {
    time: T + i * 1000, actorKind: "resident", actor: 40 + (i % 5), kind: i % 2 ? "card" : "pin", decision: i % 3 ? "grant" : "deny", reason: i % 3 ? "granted" : "wrong-pin",
    // Every field distinct per record, the subject spanning all three of its bytes.
    subject: 0x010203 * (i % 7),
  };
}

function filled(n: number, capacity = 64): AuditLog {
  const log = new AuditLog({ capacity });
  for (let i = 1; i <= n; i++) log.append(entry(i));
  return log;
}

describe("AuditLog", () => {
  it("appends numbered, chained records and hands their bytes to onAppend", () => {
    const log = new AuditLog({ capacity: 16 });
    const sunk: Uint8Array[] = [];
    log.onAppend = (bytes) => sunk.push(bytes);
    assert.equal(log.append(entry(1)), 1);
    assert.equal(log.append(entry(2)), 2);
    assert.equal(sunk.length, 2);
    assert.equal(sunk[0].length, RECORD_BYTES);
    const [a, b] = sunk.map(decodeRecord);
    assert.deepEqual({ ...a, prevHash: undefined }, { ...entry(1), seq: 1, prevHash: undefined });
    assert.deepEqual(a.prevHash, new Uint8Array(32));
    assert.deepEqual(b.prevHash, recordHash(sunk[0]));
    assert.deepEqual(log.head(), { seq: 2, hash: recordHash(sunk[1]) });
    assert.deepEqual(encodeRecord(b), sunk[1]);
    assert.deepEqual(log.verify(), { ok: true, count: 2 });
  });

  it("refuses malformed entries without writing anything", () => {
    const log = filled(3);
    const head = log.head();
    const bad: unknown[] = [
      { ...entry(4), time: Number.NaN },
      { ...entry(4), actor: -1 },
      { ...entry(4), actor: 2 ** 32 },
      { ...entry(4), kind: "pin-typed" },
      { ...entry(4), reason: "because" },
      { ...entry(4), decision: "maybe" },
      { ...entry(4), actorKind: "cat" },
      { ...entry(4), subject: -1 },
      { ...entry(4), subject: MAX_SUBJECT + 1 },
      { ...entry(4), subject: 4.5 },
      { ...entry(4), subject: Number.NaN },
      { ...entry(4), subject: "42" },
    ];
    for (const e of bad) assert.throws(() => log.append(e as AuditEntry), (x) => isOptgateError(x, "E_BAD_AUDIT_RECORD"));
    assert.deepEqual(log.head(), head);
    assert.equal(log.size, 3);
    assert.throws(() => decodeRecord(new Uint8Array(51)), (x) => isOptgateError(x, "E_BAD_AUDIT_RECORD"));
    assert.throws(() => decodeRecord(new Uint8Array(52)), (x) => isOptgateError(x, "E_BAD_AUDIT_RECORD"));
    assert.throws(() => log.append({ ...entry(4), subject: 2 ** 24 }), /subject must be a resident id 0\.\.16777215/);
  });

  it("records the subject: who the action was done to, 0 when omitted", () => {
    const log = new AuditLog({ capacity: 8 });
    const base: AuditEntry = { time: T, actorKind: "technician", actor: 0xdeadbeef, kind: "card-added", decision: "info", reason: "info" };
    log.append({ ...base, subject: 42 });
    log.append(base); // an older caller that knows no subject
    log.append({ ...base, kind: "exit", subject: 0 });
    log.append({ ...base, subject: MAX_SUBJECT });
    const decoded = log.entries();
    assert.deepEqual(decoded.map((e) => e.subject), [42, 0, 0, MAX_SUBJECT]);
    assert.deepEqual(decoded.map((e) => e.actor), [0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef]);
    assert.deepEqual(log.records()[0].subarray(20, 23), Uint8Array.of(0, 0, 42));
    assert.deepEqual(encodeRecord(decoded[3]), log.records()[3]);
    assert.deepEqual(log.verify(), { ok: true, count: 4 });
  });

  it("maps resident ids to subjects, 0 for none or past the u24 field", () => {
    assert.equal(auditSubject(42), 42);
    assert.equal(auditSubject(MAX_SUBJECT), MAX_SUBJECT);
    assert.equal(auditSubject(MAX_SUBJECT + 1), 0);
    assert.equal(auditSubject(0), 0);
    assert.equal(auditSubject(Number.NaN), 0);
  });

  describe("tamper detection", () => {
    const log = filled(10);
    const records = log.records();
    const anchor = log.anchor();
    const head = log.head();

    it("accepts the untouched chain", () => {
      assert.deepEqual(verifyChain(anchor, records, head), { ok: true, count: 10 });
    });

    it("detects an edited field (decision flipped from deny to grant)", () => {
      const edited = records.map((r) => r.slice());
      assert.equal(decodeRecord(edited[5]).decision, "deny");
      edited[5][18] = 1;
      assert.equal(decodeRecord(edited[5]).decision, "grant");
      assert.deepEqual(verifyChain(anchor, edited, head), { ok: false, seq: 7, problem: "link" });
    });

    it("detects an edited subject, and nothing else changed", () => {
      for (const offset of [20, 21, 22]) {
        const edited = records.map((r) => r.slice());
        edited[3][offset] ^= 0x01;
        const before = decodeRecord(records[3]);
        const after = decodeRecord(edited[3]);
        assert.notEqual(after.subject, before.subject, `offset ${offset}`);
        assert.deepEqual({ ...after, subject: before.subject }, before);
        assert.deepEqual(verifyChain(anchor, edited, head), { ok: false, seq: 5, problem: "link" });
        assert.throws(() => AuditLog.restore({ anchor, records: edited }), (e) => isOptgateError(e, "E_AUDIT_CHAIN_BROKEN"));
      }
    });

    it("detects an edited time, actor and a recomputed-looking prev hash", () => {
      for (const offset of [4, 11, 14, 30, 54]) {
        const edited = records.map((r) => r.slice());
        edited[2][offset] ^= 0x01;
        const result = verifyChain(anchor, edited, head);
        assert.equal(result.ok, false, `offset ${offset}`);
      }
    });

    it("detects an edited record re-linked into the chain (next prevHash recomputed), up to the remembered head", () => {
      const edited = records.map((r) => r.slice());
      edited[5][18] = 1; // deny → grant
      edited[6].set(recordHash(edited[5]), PREV_HASH_OFFSET);
      assert.deepEqual(verifyChain(anchor, edited, head), { ok: false, seq: 8, problem: "link" });
      // Re-linking every record after it moves the damage to the head the device remembers.
      for (let i = 6; i < edited.length; i++) edited[i].set(recordHash(edited[i - 1]), PREV_HASH_OFFSET);
      assert.deepEqual(verifyChain(anchor, edited, head), { ok: false, seq: 10, problem: "head" });
    });

    it("chains over all 55 bytes: any one changed byte, prevHash included, changes the record's hash", () => {
      const original = recordHash(records[4]);
      for (let offset = 0; offset < RECORD_BYTES; offset++) {
        const edited = records[4].slice();
        edited[offset] ^= 0x80;
        assert.notDeepEqual(recordHash(edited), original, `byte ${offset} is outside the chain hash`);
      }
    });

    it("detects a dropped record", () => {
      const dropped = records.filter((_, i) => i !== 4);
      assert.deepEqual(verifyChain(anchor, dropped, head), { ok: false, seq: 5, problem: "seq" });
    });

    it("detects reordered records", () => {
      const swapped = records.slice();
      [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
      assert.deepEqual(verifyChain(anchor, swapped, head), { ok: false, seq: 4, problem: "seq" });
    });

    it("detects truncation at the end against the remembered head, and at the start against the anchor", () => {
      assert.deepEqual(verifyChain(anchor, records.slice(0, 8), head), { ok: false, seq: 8, problem: "head" });
      assert.deepEqual(verifyChain(anchor, records.slice(2), head), { ok: false, seq: 1, problem: "seq" });
      assert.deepEqual(verifyChain(anchor, [], head), { ok: false, seq: 0, problem: "head" });
    });

    it("detects a forged record spliced in with the right seq", () => {
      const forged = records.slice();
      const fake = decodeRecord(records[6]);
      forged[6] = encodeRecord({ ...fake, decision: "grant", reason: "granted" });
      if (fake.decision === "grant") forged[6] = encodeRecord({ ...fake, actor: fake.actor + 1 });
      assert.equal(verifyChain(anchor, forged, head).ok, false);
    });

    it("refuses to restore a tampered chain", () => {
      const edited = records.map((r) => r.slice());
      edited[0][13] ^= 0xff;
      assert.throws(() => AuditLog.restore({ anchor, records: edited }), (e) => isOptgateError(e, "E_AUDIT_CHAIN_BROKEN"));
      assert.throws(() => AuditLog.restore({ anchor, records: records.slice(0, 9), expectedHead: head }), (e) => isOptgateError(e, "E_AUDIT_CHAIN_BROKEN"));
    });
  });

  it("rolls over, keeping an anchor so the retained records still verify", () => {
    const log = filled(25, 8);
    assert.equal(log.size, 8);
    const anchor = log.anchor();
    assert.equal(anchor.seq, 17);
    const records = log.records();
    assert.equal(decodeRecord(records[0]).seq, 18);
    assert.deepEqual(log.verify(), { ok: true, count: 8 });
    assert.deepEqual(verifyChain(anchor, records, log.head()), { ok: true, count: 8 });
    // The anchor is the real hash of record 17: rebuild the full chain and compare.
    const full = filled(25, 64).records();
    assert.deepEqual(anchor.hash, recordHash(full[16]));
    // Without the anchor (from genesis) the retained records do not verify.
    assert.equal(verifyChain(genesisAnchor(), records).ok, false);
    // Dropping the oldest retained record is detected against the anchor.
    assert.equal(verifyChain(anchor, records.slice(1), log.head()).ok, false);
  });

  it("restores from persisted bytes and continues the same chain", () => {
    const original = filled(12, 64);
    const persisted = original.records();
    const anchorBytes = encodeAnchor(original.anchor());
    const restored = AuditLog.restore({ anchor: decodeAnchor(anchorBytes), records: persisted, capacity: 5 });
    assert.equal(restored.size, 5);
    assert.deepEqual(restored.head(), original.head());
    original.append(entry(13));
    restored.append(entry(13));
    assert.deepEqual(restored.head(), original.head());
    assert.deepEqual(restored.verify(), { ok: true, count: 5 });
    assert.throws(() => decodeAnchor(new Uint8Array(3)), (e) => isOptgateError(e, "E_BAD_AUDIT_ANCHOR"));
  });

  it("keeps a clock watermark that only a clock-set record lowers", () => {
    const log = new AuditLog({ capacity: 4 });
    assert.equal(log.watermark, -Infinity);
    log.append(entry(10));
    log.append(entry(2));
    assert.equal(log.watermark, entry(10).time);
    log.append({ time: T, actorKind: "technician", actor: 1, kind: "clock-set", decision: "info", reason: "info" });
    assert.equal(log.watermark, T);
    for (let i = 1; i <= 6; i++) log.append(entry(i)); // rolls the clock-set out
    assert.equal(log.watermark, entry(6).time);
    const restored = AuditLog.restore({ anchor: log.anchor(), records: log.records() });
    assert.equal(restored.watermark, log.watermark);
  });

  it("has no room for secrets: a record is 55 fixed bytes of numbers, one SHA-256 block", () => {
    const log = filled(1);
    const [bytes] = log.records();
    assert.equal(bytes.length, 55);
    // 55 bytes + the 0x80 pad byte + the 8-byte length fill exactly one 64-byte block.
    assert.ok(bytes.length + 1 + 8 <= 64);
    assert.deepEqual(Object.keys(decodeRecord(bytes)).sort(), ["actor", "actorKind", "decision", "kind", "prevHash", "reason", "seq", "subject", "time"]);
  });
});
