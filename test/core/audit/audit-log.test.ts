import assert from "node:assert/strict";
import { AuditLog, decodeAnchor, encodeAnchor, genesisAnchor, verifyChain, type VerifyResult } from "../../../src/core/audit/audit-log";
import {
  type AuditEntry, MAX_DETAIL, MAX_SUBJECT, PREV_HASH_OFFSET, RECORD_BYTES, auditSubject, decodeRecord, encodeRecord,
} from "../../../src/core/audit/audit-record";
import { AuditKey, UNKEYED } from "../../../src/core/audit/chain-key";
import { isOptgateError } from "../../../src/core/errors";

const T = Date.UTC(2026, 5, 3, 2, 0);
const KEY = new AuditKey(new Uint8Array(32).map((_, i) => i * 7 + 1));
const mac = (bytes: Uint8Array) => KEY.mac(bytes);

function entry(i: number): AuditEntry {
  return {
    time: T + i * 1000, actorKind: "resident", actor: 40 + (i % 5), kind: i % 2 ? "card" : "pin", decision: i % 3 ? "grant" : "deny", reason: i % 3 ? "granted" : "wrong-pin",
    // Every field distinct per record, the subject spanning all three of its bytes.
    subject: 0x010203 * (i % 7),
  };
}

function filled(n: number, capacity = 64): AuditLog {
  const log = new AuditLog({ capacity, key: KEY });
  for (let i = 1; i <= n; i++) log.append(entry(i));
  return log;
}

/** The first break as { ok, seq, problem }, or { ok, count }. */
function first(r: VerifyResult): Record<string, unknown> {
  return r.ok ? { ok: true, count: r.count } : { ok: false, seq: r.seq, problem: r.problem };
}

describe("AuditLog", () => {
  it("appends numbered records chained by HMAC under the audit key and hands their bytes to onAppend", () => {
    const log = new AuditLog({ capacity: 16, key: KEY });
    const sunk: Uint8Array[] = [];
    log.onAppend = (bytes) => sunk.push(bytes);
    assert.equal(log.append(entry(1)), 1);
    assert.equal(log.append(entry(2)), 2);
    assert.equal(sunk.length, 2);
    assert.equal(sunk[0].length, RECORD_BYTES);
    const [a, b] = sunk.map(decodeRecord);
    assert.deepEqual({ ...a, prevHash: undefined }, { ...entry(1), seq: 1, prevHash: undefined, detail: "" });
    assert.deepEqual(a.prevHash, new Uint8Array(32));
    assert.deepEqual(b.prevHash, mac(sunk[0]));
    assert.notDeepEqual(b.prevHash, UNKEYED.mac(sunk[0]));
    assert.deepEqual(log.head(), { seq: 2, hash: mac(sunk[1]) });
    assert.deepEqual(encodeRecord(b), sunk[1]);
    assert.deepEqual(first(log.verify()), { ok: true, count: 2 });
    // What onAppend got is a copy: later appends that reuse the ring slot do not change it.
    const small = new AuditLog({ capacity: 2, key: KEY });
    const kept: Uint8Array[] = [];
    small.onAppend = (bytes) => kept.push(bytes);
    for (let i = 1; i <= 4; i++) small.append(entry(i));
    assert.equal(decodeRecord(kept[0]).seq, 1);
  });

  it("carries a detail of printable text, cut to its limit, in the chained bytes", () => {
    const log = new AuditLog({ capacity: 4, key: KEY });
    log.append({ ...entry(1), kind: "setting-changed", actorKind: "technician", detail: "lockout.keypad 5 -> 20" });
    log.append({ ...entry(2), kind: "setting-changed", actorKind: "technician", detail: "x".repeat(100) + "\n" });
    log.append({ ...entry(3), detail: "tab\there" });
    const [one, two, three] = log.entries();
    assert.equal(one.detail, "lockout.keypad 5 -> 20");
    assert.equal(two.detail, "x".repeat(MAX_DETAIL));
    assert.equal(three.detail, "tab?here");
    const bytes = log.records()[0];
    assert.equal(bytes.length, RECORD_BYTES + 1 + 22);
    const edited = bytes.slice();
    edited[RECORD_BYTES + 1 + 20] = 0x39; // "20" -> "90"
    assert.equal(decodeRecord(edited).detail, "lockout.keypad 5 -> 90");
    assert.equal(first(verifyChain(KEY, genesisAnchor(), [edited, ...log.records().slice(1)], log.head())).problem, "link");
    const lying = bytes.slice();
    lying[RECORD_BYTES] = 5; // length byte disagrees
    assert.throws(() => decodeRecord(lying), (e) => isOptgateError(e, "E_BAD_AUDIT_RECORD"));
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
      { ...entry(4), detail: 42 },
    ];
    for (const e of bad) assert.throws(() => log.append(e as AuditEntry), (x) => isOptgateError(x, "E_BAD_AUDIT_RECORD"));
    assert.deepEqual(log.head(), head);
    assert.equal(auditSubject(MAX_SUBJECT + 1), 0);
    assert.equal(auditSubject(0), 0);
    assert.equal(auditSubject(Number.NaN), 0);
  });

  describe("tamper detection", () => {
    const log = filled(10);
    const records = log.records();
    const anchor = log.anchor();
    const head = log.head();

    it("accepts the untouched chain, and only under its own key", () => {
      assert.deepEqual(first(verifyChain(KEY, anchor, records, head)), { ok: true, count: 10 });
      assert.equal(verifyChain(UNKEYED, anchor, records, head).ok, false);
    });

    it("detects an edited field (decision flipped from deny to grant)", () => {
      const edited = records.map((r) => r.slice());
      assert.equal(decodeRecord(edited[5]).decision, "deny");
      edited[5][18] = 1;
      assert.equal(decodeRecord(edited[5]).decision, "grant");
      assert.deepEqual(first(verifyChain(KEY, anchor, edited, head)), { ok: false, seq: 7, problem: "link" });
    });

    it("detects an edited subject, and nothing else changed", () => {
      for (const offset of [20, 21, 22]) {
        const edited = records.map((r) => r.slice());
        edited[3][offset] ^= 0x01;
        const before = decodeRecord(records[3]);
        const after = decodeRecord(edited[3]);
        assert.notEqual(after.subject, before.subject, `offset ${offset}`);
        assert.deepEqual({ ...after, subject: before.subject }, before);
        assert.deepEqual(first(verifyChain(KEY, anchor, edited, head)), { ok: false, seq: 5, problem: "link" });
      }
    });

    it("detects an edited time, actor and prev hash", () => {
      for (const offset of [4, 11, 14, 30, 54]) {
        const edited = records.map((r) => r.slice());
        edited[2][offset] ^= 0x01;
        assert.equal(verifyChain(KEY, anchor, edited, head).ok, false, `offset ${offset}`);
      }
    });

    it("detects a forger's re-linked chain: without the key every recomputed link is wrong", () => {
      // The attack that passed the bare SHA-256 chain: edit, re-link everything after it, fix the head.
      const edited = records.map((r) => r.slice());
      edited[5][18] = 1; // deny -> grant
      const forgerHash = (b: Uint8Array) => UNKEYED.mac(b); // any key the forger can guess
      for (let i = 6; i < edited.length; i++) edited[i].set(forgerHash(edited[i - 1]), PREV_HASH_OFFSET);
      const forgedHead = { seq: 10, hash: forgerHash(edited[9]) };
      const result = verifyChain(KEY, anchor, edited, forgedHead);
      assert.equal(result.ok, false);
      assert.deepEqual(first(result), { ok: false, seq: 7, problem: "link" });
      // Every re-linked record shows, not only the first.
      assert.deepEqual(result.breaks.map((b) => b.seq), [7, 8, 9, 10, 10]);
    });

    it("records beyond the committed head are a head break too (the head says the chain ended earlier)", () => {
      const claimsNine = { seq: 9, hash: mac(records[9]) };
      assert.deepEqual(verifyChain(KEY, anchor, records, claimsNine).breaks, [{ seq: 10, problem: "head" }]);
    });

    it("an insider holding the key who re-links is caught by a head kept outside", () => {
      const edited = records.map((r) => r.slice());
      edited[5][18] = 1;
      for (let i = 6; i < edited.length; i++) edited[i].set(mac(edited[i - 1]), PREV_HASH_OFFSET);
      assert.deepEqual(first(verifyChain(KEY, anchor, edited)), { ok: true, count: 10 });
      assert.deepEqual(first(verifyChain(KEY, anchor, edited, head)), { ok: false, seq: 10, problem: "head" });
    });

    it("the chain hash covers every byte: any one changed byte changes the record's MAC", () => {
      const original = mac(records[4]);
      for (let offset = 0; offset < RECORD_BYTES; offset++) {
        const edited = records[4].slice();
        edited[offset] ^= 0x80;
        assert.notDeepEqual(mac(edited), original, `byte ${offset} is outside the chain hash`);
      }
    });

    it("detects a dropped record and reordered records", () => {
      assert.deepEqual(first(verifyChain(KEY, anchor, records.filter((_, i) => i !== 4), head)), { ok: false, seq: 6, problem: "seq" });
      const swapped = records.slice();
      [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
      assert.deepEqual(first(verifyChain(KEY, anchor, swapped, head)), { ok: false, seq: 5, problem: "seq" });
    });

    it("detects truncation at the end against the remembered head, and at the start against the anchor", () => {
      assert.deepEqual(first(verifyChain(KEY, anchor, records.slice(0, 8), head)), { ok: false, seq: 10, problem: "truncated" });
      assert.deepEqual(first(verifyChain(KEY, anchor, records.slice(2), head)), { ok: false, seq: 3, problem: "seq" });
      assert.deepEqual(first(verifyChain(KEY, anchor, [], head)), { ok: false, seq: 10, problem: "truncated" });
      const unreadable = records.slice();
      unreadable[3] = new Uint8Array(7);
      // The unreadable record holds its place: the next one is not reported as out of sequence.
      assert.deepEqual(verifyChain(KEY, anchor, unreadable).breaks, [{ seq: 4, problem: "malformed" }, { seq: 5, problem: "link" }]);
    });

    it("restore keeps a broken chain as evidence: every record stays readable and verify shows the break", () => {
      const edited = records.map((r) => r.slice());
      edited[0][13] ^= 0xff;
      const restored = AuditLog.restore({ anchor, records: edited, key: KEY });
      assert.equal(restored.size, 10);
      assert.equal(restored.entries().length, 10);
      assert.deepEqual(first(restored.verify()), { ok: false, seq: 2, problem: "link" });
      // New records continue after the newest: the break stays where it was found.
      assert.equal(restored.append(entry(11)), 11);
      assert.deepEqual(restored.verify().breaks.map((b) => b.seq), [2]);
    });

    it("continues after a newer head known elsewhere: no sequence number is reused after a cut", () => {
      const cut = AuditLog.restore({ anchor, records: records.slice(0, 8), key: KEY });
      cut.continueAfter(head);
      assert.equal(cut.append(entry(11)), 11);
      assert.deepEqual(first(cut.verify()), { ok: false, seq: 11, problem: "seq" });
      cut.continueAfter({ seq: 3, hash: new Uint8Array(32) }); // an older head changes nothing
      assert.equal(cut.head().seq, 11);
    });
  });

  it("rolls over, keeping an anchor so the retained records still verify", () => {
    const log = filled(25, 8);
    assert.equal(log.size, 8);
    const anchor = log.anchor();
    assert.equal(anchor.seq, 17);
    const records = log.records();
    assert.equal(decodeRecord(records[0]).seq, 18);
    assert.deepEqual(first(log.verify()), { ok: true, count: 8 });
    // The anchor is the real MAC of record 17: rebuild the full chain and compare.
    const full = filled(25, 64).records();
    assert.deepEqual(anchor.hash, mac(full[16]));
    assert.equal(verifyChain(KEY, genesisAnchor(), records).ok, false);
    assert.equal(verifyChain(KEY, anchor, records.slice(1), log.head()).ok, false);
  });

  it("restores from persisted bytes and continues the same chain", () => {
    const original = filled(12, 64);
    const persisted = original.records();
    const anchorBytes = encodeAnchor(original.anchor());
    const restored = AuditLog.restore({ anchor: decodeAnchor(anchorBytes), records: persisted, capacity: 5, key: KEY });
    assert.equal(restored.size, 5);
    assert.deepEqual(restored.head(), original.head());
    original.append(entry(13));
    restored.append(entry(13));
    assert.deepEqual(restored.head(), original.head());
    assert.deepEqual(first(restored.verify()), { ok: true, count: 5 });
    assert.throws(() => decodeAnchor(new Uint8Array(3)), (e) => isOptgateError(e, "E_BAD_AUDIT_ANCHOR"));
  });

  it("keeps a clock watermark that only a clock change lowers, and distrusts the clock after a break", () => {
    const log = new AuditLog({ capacity: 4, key: KEY });
    assert.equal(log.watermark, -Infinity);
    log.append(entry(10));
    log.append(entry(2));
    assert.equal(log.watermark, entry(10).time);
    log.append({ time: T, actorKind: "technician", actor: 1, kind: "clock-set", decision: "info", reason: "info" });
    assert.equal(log.watermark, T);
    for (let i = 1; i <= 6; i++) log.append(entry(i)); // rolls the clock-set out
    assert.equal(log.watermark, entry(6).time);
    const restored = AuditLog.restore({ anchor: log.anchor(), records: log.records(), key: KEY });
    assert.equal(restored.watermark, log.watermark);
    restored.distrustClock();
    assert.equal(restored.watermark, Infinity);
    restored.append({ time: T, actorKind: "technician", actor: 1, kind: "clock-confirmed", decision: "info", reason: "info" });
    assert.equal(restored.watermark, T);
  });

  it("has no room for secrets: numbers plus at most a short printable detail", () => {
    const [bytes] = filled(1).records();
    assert.equal(bytes.length, 55);
    assert.deepEqual(Object.keys(decodeRecord(bytes)).sort(), ["actor", "actorKind", "decision", "detail", "kind", "prevHash", "reason", "seq", "subject", "time"]);
  });
});
