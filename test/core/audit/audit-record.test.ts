// Audit record bytes at their edges: what decodes, what is refused and why;
// the detail's alphabet and length; the chain key and the signed-head
// statement (every field bound). Portable.
import assert from "node:assert/strict";
import {
  type AuditEntry, MAX_DETAIL, MAX_RECORD_BYTES, MAX_SUBJECT, RECORD_BYTES, auditSubject, checkEntry, decodeRecord, detailBytes, encodeRecord, recordLength,
} from "../../../src/core/audit/audit-record";
import { AuditKey, AUDIT_KEY_BYTES } from "../../../src/core/audit/chain-key";
import { anchorHead, recordsDigest, statementBytes } from "../../../src/core/audit/head-signature";
import { AuditLog, decodeAnchor, encodeAnchor } from "../../../src/core/audit/audit-log";
import { toHex } from "../../../src/core/crypto";
import { isOptgateError } from "../../../src/core/errors";

const T = Date.UTC(2026, 5, 1);
const entry: AuditEntry = { time: T, actorKind: "technician", actor: 7, kind: "setting-changed", decision: "info", reason: "info", subject: 3 };
const bad = (why: RegExp) => (e: unknown) => isOptgateError(e, "E_BAD_AUDIT_RECORD") && why.test((e as Error).message);

function withDetail(text: string): Uint8Array {
  return encodeRecord({ ...entry, detail: text, seq: 1, prevHash: new Uint8Array(32), subject: 3 });
}

describe("audit record bytes", () => {
  it("a detail is 1..40 printable characters after a length byte; anything else is cut or replaced", () => {
    assert.equal(recordLength(entry), RECORD_BYTES);
    assert.equal(recordLength({ ...entry, detail: "" }), RECORD_BYTES);
    assert.equal(recordLength({ ...entry, detail: "a" }), RECORD_BYTES + 2);
    assert.equal(recordLength({ ...entry, detail: "x".repeat(99) }), MAX_RECORD_BYTES);
    assert.equal(MAX_RECORD_BYTES, RECORD_BYTES + 1 + MAX_DETAIL);
    assert.deepEqual([...detailBytes("\x1f \x7e\x7f\u00e9")], [0x3f, 0x20, 0x7e, 0x3f, 0x3f]);
    assert.equal(detailBytes("y".repeat(MAX_DETAIL)).length, MAX_DETAIL);
    assert.equal(detailBytes(undefined).length, 0);
    assert.equal(decodeRecord(withDetail("a")).detail, "a");
    assert.equal(decodeRecord(withDetail(" ~")).detail, " ~");
    assert.equal(decodeRecord(withDetail("z".repeat(40))).detail, "z".repeat(40));
  });

  it("decodes exactly 55 bytes, or 57..96 with a consistent printable detail", () => {
    const plain = encodeRecord({ ...entry, detail: "", seq: 4, prevHash: new Uint8Array(32).fill(1), subject: 3 });
    assert.equal(plain.length, RECORD_BYTES);
    assert.equal(decodeRecord(plain).seq, 4);
    for (const length of [0, 54, 56, 97]) {
      const bytes = new Uint8Array(length);
      bytes.set(plain.subarray(0, Math.min(length, RECORD_BYTES)));
      if (length > RECORD_BYTES) bytes[RECORD_BYTES] = length - RECORD_BYTES - 1;
      assert.throws(() => decodeRecord(bytes), bad(/55 bytes, or 57\.\.96/), `length ${length}`);
    }
    assert.throws(() => decodeRecord([1, 2] as unknown as Uint8Array), bad(/55 bytes/));
    const detail = withDetail("ab");
    const wrongLength = detail.slice();
    wrongLength[RECORD_BYTES] = 3;
    assert.throws(() => decodeRecord(wrongLength), bad(/detail length/));
    for (const c of [0x1f, 0x7f, 0xff]) {
      const control = detail.slice();
      control[RECORD_BYTES + 2] = c;
      assert.throws(() => decodeRecord(control), bad(/not printable/), `byte ${c}`);
    }
    for (const [offset, what] of [[12, "actorKind"], [17, "kind"], [18, "decision"], [19, "reason"]] as const) {
      const unknown = plain.slice();
      unknown[offset] = 0xfe;
      assert.throws(() => decodeRecord(unknown), bad(/unknown value/), what);
    }
  });

  it("refuses entries at the edges of each field, saying which", () => {
    checkEntry({ ...entry, actor: 0xffffffff, subject: MAX_SUBJECT });
    checkEntry({ ...entry, actor: 0, subject: 0 });
    assert.throws(() => checkEntry({ ...entry, time: Infinity }), bad(/time must be a finite number/));
    assert.throws(() => checkEntry({ ...entry, time: "1" as unknown as number }), bad(/time/));
    assert.throws(() => checkEntry({ ...entry, actorKind: "robot" as AuditEntry["actorKind"] }), bad(/actorKind must be one of none, resident/));
    assert.throws(() => checkEntry({ ...entry, actor: 0x100000000 }), bad(/actor must be a 32-bit id/));
    assert.throws(() => checkEntry({ ...entry, actor: 1.5 }), bad(/actor/));
    assert.throws(() => checkEntry({ ...entry, kind: "hack" as AuditEntry["kind"] }), bad(/kind "hack" is unknown/));
    assert.throws(() => checkEntry({ ...entry, decision: "maybe" as AuditEntry["decision"] }), bad(/decision must be grant, deny or info/));
    assert.throws(() => checkEntry({ ...entry, reason: "why" as AuditEntry["reason"] }), bad(/reason "why" is unknown/));
    assert.throws(() => checkEntry({ ...entry, subject: MAX_SUBJECT + 1 }), bad(/subject must be a resident id 0\.\.16777215/));
    assert.throws(() => checkEntry({ ...entry, detail: 5 as unknown as string }), bad(/detail must be text/));
  });

  it("a resident id becomes the subject only when it fits", () => {
    assert.deepEqual([1, MAX_SUBJECT, MAX_SUBJECT + 1, 0, -1, 1.5, Number.NaN].map(auditSubject), [1, MAX_SUBJECT, 0, 0, 0, 0, 0]);
  });
});

describe("audit chain key and log copies", () => {
  it("a key is 32 bytes, copied: changing the caller's array later changes nothing", () => {
    const raw = new Uint8Array(AUDIT_KEY_BYTES).fill(5);
    const key = new AuditKey(raw);
    const before = toHex(key.mac(Uint8Array.of(1)));
    raw.fill(6);
    assert.equal(toHex(key.mac(Uint8Array.of(1))), before);
    for (const wrong of [new Uint8Array(31), new Uint8Array(33), [1, 2] as unknown as Uint8Array]) {
      assert.throws(() => new AuditKey(wrong), (e) => isOptgateError(e, "E_BAD_AUDIT_KEY") && /32 bytes/.test((e as Error).message));
    }
  });

  it("a log needs room for two records, and hands out copies its caller cannot change it through", () => {
    for (const capacity of [1, 0, 2.5, Number.NaN]) {
      assert.throws(() => new AuditLog({ capacity }), (e) => isOptgateError(e, "E_BAD_AUDIT_CAPACITY") && /at least 2 records/.test((e as Error).message));
    }
    const anchor = { seq: 3, hash: new Uint8Array(32).fill(9), watermark: T };
    const log = new AuditLog({ capacity: 2, anchor });
    anchor.hash.fill(0);
    assert.equal(log.anchor().hash[0], 9, "the anchor given was copied");
    assert.equal(log.head().hash[0], 9);
    log.head().hash.fill(1);
    log.anchor().hash.fill(1);
    assert.equal(log.head().hash[0], 9);
    assert.equal(log.anchor().hash[0], 9);
    log.append({ ...entry, time: T + 1 });
    log.records()[0].fill(0);
    assert.equal(log.verify().ok, true, "records() are copies");
    const head = { seq: 10, hash: new Uint8Array(32).fill(4) };
    log.continueAfter(head);
    head.hash.fill(0);
    assert.equal(log.head().hash[0], 4);
    log.continueAfter({ seq: 10, hash: new Uint8Array(32) }); // the same number: nothing changes
    assert.equal(log.head().hash[0], 4);
  });

  it("keeps a malformed record as evidence, numbering on from it, and moves the anchor past it when it rolls out", () => {
    const log = new AuditLog({ capacity: 2 });
    log.append({ ...entry, time: T });
    const [good] = log.records();
    const restored = AuditLog.restore({ anchor: log.anchor(), records: [good, new Uint8Array(10), new Uint8Array(MAX_RECORD_BYTES + 30)], capacity: 3 });
    assert.equal(restored.size, 3);
    assert.equal(restored.entries().length, 1, "the malformed ones are not decoded");
    assert.equal(restored.records()[2].length, MAX_RECORD_BYTES, "an oversized one is kept cut to the largest record");
    assert.equal(restored.head().seq, 3);
    assert.equal(restored.append({ ...entry, time: T + 1 }), 4);
    assert.equal(restored.anchor().seq, 1, "the good record rolled out");
    assert.equal(restored.append({ ...entry, time: T + 2 }), 5);
    assert.equal(restored.anchor().seq, 2, "a malformed record rolling out moves the anchor by one");
    assert.equal(restored.anchor().watermark, T, "and keeps the watermark it had");
  });

  it("anchors round-trip with their watermark, and refuse a wrong size", () => {
    for (const watermark of [-Infinity, Infinity, T]) {
      const a = { seq: 0xfffffffe, hash: new Uint8Array(32).fill(3), watermark };
      assert.deepEqual(decodeAnchor(encodeAnchor(a)), a);
    }
    assert.throws(() => decodeAnchor(new Uint8Array(43)), (e) => isOptgateError(e, "E_BAD_AUDIT_ANCHOR") && /44 bytes/.test((e as Error).message));
  });
});

describe("signed-head statement", () => {
  const base = {
    gateId: 7, log: "security" as const, anchor: { seq: 2, hash: new Uint8Array(32).fill(1) }, head: { seq: 9, hash: new Uint8Array(32).fill(2) },
    digest: new Uint8Array(32).fill(3), time: T,
  };

  it("binds every field: changing any one changes the bytes signed", () => {
    const bytes = statementBytes(base);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 21)), "optgate audit head v1");
    assert.equal(bytes[21], 0);
    assert.equal(bytes.length, 21 + 1 + 4 + 1 + 72 + 32 + 8);
    const variants = [
      { ...base, gateId: 8 }, { ...base, log: "access" as const },
      { ...base, anchor: { ...base.anchor, seq: 3 } }, { ...base, anchor: { ...base.anchor, hash: new Uint8Array(32).fill(9) } },
      { ...base, head: { ...base.head, seq: 10 } }, { ...base, head: { ...base.head, hash: new Uint8Array(32).fill(9) } },
      { ...base, digest: new Uint8Array(32).fill(9) }, { ...base, time: T + 1 },
    ];
    const seen = new Set([toHex(bytes)]);
    for (const v of variants) seen.add(toHex(statementBytes(v)));
    assert.equal(seen.size, variants.length + 1, "every variant signs different bytes");
    // Fields sit where the host tool reads them.
    const view = new DataView(bytes.buffer);
    assert.deepEqual([view.getUint32(22), bytes[26], view.getUint32(27), bytes[31], view.getUint32(63), bytes[67], bytes[99], view.getFloat64(131)], [7, 1, 2, 1, 9, 2, 3, T]);
  });

  it("the digest tells record boundaries apart, and an anchor head is a copy", () => {
    assert.notEqual(toHex(recordsDigest([Uint8Array.of(1, 2), Uint8Array.of(3)])), toHex(recordsDigest([Uint8Array.of(1), Uint8Array.of(2, 3)])));
    assert.notEqual(toHex(recordsDigest([])), toHex(recordsDigest([new Uint8Array(0)])));
    const anchor = { seq: 4, hash: new Uint8Array(32).fill(6), watermark: T };
    const head = anchorHead(anchor);
    anchor.hash.fill(0);
    assert.deepEqual([head.seq, head.hash[0]], [4, 6]);
  });
});
