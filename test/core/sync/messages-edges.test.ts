// The sync wire format at its limits (portable: Node and XS): every value the
// hub's and the gate's encoders refuse, every field the decoder refuses, each
// with the reason it gives, and the largest and smallest values that still pass.
import assert from "node:assert/strict";
import { MAX_RECORD_BYTES } from "../../../src/core/audit/audit-record";
import { isOptgateError } from "../../../src/core/errors";
import {
  type ChangeSet, type Inventory, type Received, MAX_CHANGE_BYTES, MAX_MESSAGE_BYTES, MAX_PARTS, SIGNATURE_BYTES, SIGNING_TAG, decodeMessage, encodeAck,
  encodeAuditBatch, encodeChangeSet, encodeHead, encodeInventory, encodeTimeGrant, encodeTimeRequest, verifySigned,
} from "../../../src/core/sync/messages";
import type { SignedHead } from "../../../src/core/audit/head-signature";
import { GATE, T0, hubSign, hubSigner } from "./fixtures";

function refuses(run: () => unknown, code: string, why: string): void {
  assert.throws(run, (e) => isOptgateError(e, code) && (e as Error).message.includes(why), `expected ${code} with "${why}"`);
}
const badValue = (run: () => unknown, why: string) => refuses(run, "E_SYNC_BAD_VALUE", why);
const malformed = (bytes: unknown, why: string) => refuses(() => decodeMessage(bytes as Uint8Array), "E_SYNC_MALFORMED", why);

const keyId = new Uint8Array(8).fill(1);
const set = (over: Partial<Omit<ChangeSet, "type">> = {}) =>
  ({ gateId: GATE, version: 5, base: 4, full: false, part: 0, parts: 1, issuedAt: T0, keyId, changes: [Uint8Array.of(1, 2)], ...over });
const inventory = (over: Partial<Omit<Inventory, "type">> = {}) => ({ gateId: GATE, applied: 3, part: 0, parts: 1, entries: [], ...over });
const head = (over: Partial<SignedHead> = {}): SignedHead => ({
  gateId: GATE, log: "access", anchor: { seq: 1, hash: new Uint8Array(32) }, head: { seq: 2, hash: new Uint8Array(32).fill(2) },
  digest: new Uint8Array(32).fill(3), time: T0, signature: new Uint8Array(64).fill(4), ...over,
});
const ack = (over: Record<string, unknown> = {}) => ({ gateId: GATE, applied: 4, status: "applied", about: 4, reason: "none", time: T0, ...over }) as Parameters<typeof encodeAck>[0];

/** Hand-built wire bytes: "OGS1", the type byte, the gate id, then `body` (numbers are bytes). */
const u16 = (v: number) => [v >>> 8, v & 0xff];
const u32 = (v: number) => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const u64 = (ms: number) => [...u32(Math.floor(ms / 0x100000000)), ...u32(ms >>> 0)];
function wire(type: number, body: number[], signature = false): Uint8Array {
  return Uint8Array.from([0x4f, 0x47, 0x53, 0x31, type, ...u32(GATE), ...body, ...(signature ? new Array(SIGNATURE_BYTES).fill(9) : [])]);
}
/** A change-set body: flags, version, base, part, parts, issue time, key id, then the changes. */
function setBody(o: { flags?: number; version?: number; base?: number; part?: number; parts?: number; issuedAt?: number[]; changes?: number[][]; count?: number } = {}): number[] {
  const changes = o.changes ?? [[1, 2]];
  return [
    o.flags ?? 0, ...u32(o.version ?? 5), ...u32(o.base ?? 4), ...u16(o.part ?? 0), ...u16(o.parts ?? 1), ...(o.issuedAt ?? u64(T0)), ...keyId,
    ...u16(o.count ?? changes.length), ...changes.flatMap((c) => [...u16(c.length), ...c]),
  ];
}
const changeSetWire = (o: Parameters<typeof setBody>[0] = {}) => wire(1, setBody(o), true);
const decoded = <M>(bytes: Uint8Array) => decodeMessage(bytes).message as M;

describe("sync messages at their limits", () => {
  it("the hub's encoder refuses every change set a gate would refuse, saying which value", () => {
    badValue(() => encodeChangeSet(set({ gateId: -1 }), hubSign), "gate id -1 (0..2^32-1)");
    badValue(() => encodeChangeSet(set({ version: -1 }), hubSign), "version -1");
    badValue(() => encodeChangeSet(set({ version: 1.5, base: 0.5 }), hubSign), "version 1.5");
    badValue(() => encodeChangeSet(set({ version: 2 ** 32, base: 2 ** 32 - 1 }), hubSign), "version 4294967296");
    badValue(() => encodeChangeSet(set({ base: -1 }), hubSign), "base version -1");
    badValue(() => encodeChangeSet(set({ version: 0, base: 0, full: true }), hubSign), "version 0 (versions start at 1)");
    badValue(() => encodeChangeSet(set({ base: 3 }), hubSign), "base 3 for version 5 (an incremental set has base version - 1)");
    badValue(() => encodeChangeSet(set({ full: true }), hubSign), "base 4 for version 5 (a full resync has base 0)");
    for (const [part, parts] of [[0, 0], [0, MAX_PARTS + 1], [0, 1.5], [-1, 1], [0.5, 1], [1, 1]]) {
      badValue(() => encodeChangeSet(set({ full: true, base: 0, part, parts }), hubSign), `part ${part} of ${parts}`);
    }
    badValue(() => encodeChangeSet(set({ parts: 2 }), hubSign), "several parts in an incremental set");
    badValue(() => encodeChangeSet(set({ keyId: new Uint8Array(7) }), hubSign), "a key id that is not 8 bytes");
    badValue(() => encodeChangeSet(set({ keyId: Array(8).fill(1) as unknown as Uint8Array }), hubSign), "a key id that is not 8 bytes");
    badValue(() => encodeChangeSet(set({ changes: Array.from({ length: 201 }, () => Uint8Array.of(1)) }), hubSign), "201 changes (at most 200)");
    badValue(() => encodeChangeSet(set({ changes: [new Uint8Array(0)] }), hubSign), `a change of 0 bytes (1..${MAX_CHANGE_BYTES})`);
    badValue(() => encodeChangeSet(set({ changes: [new Uint8Array(MAX_CHANGE_BYTES + 1)] }), hubSign), `a change of ${MAX_CHANGE_BYTES + 1} bytes`);
    badValue(() => encodeChangeSet(set({ changes: [[1, 2, 3] as unknown as Uint8Array] }), hubSign), "a change of 3 bytes");
    badValue(() => encodeChangeSet(set({ changes: [undefined as unknown as Uint8Array] }), hubSign), "a change of undefined bytes");
    badValue(() => encodeChangeSet(set(), () => new Uint8Array(63)), "a signature that is not 64 bytes");
  });

  it("a change set of exactly MAX_MESSAGE_BYTES is built and read; one byte more is refused both ways", () => {
    // 40 bytes of header and fields, 2 + n per change, 64 of signature.
    const filler = MAX_MESSAGE_BYTES - 40 - 64 - 3 * (2 + MAX_CHANGE_BYTES) - 2;
    const changes = [...Array.from({ length: 3 }, () => new Uint8Array(MAX_CHANGE_BYTES).fill(7)), new Uint8Array(filler).fill(8)];
    const bytes = encodeChangeSet(set({ changes }), hubSign);
    assert.equal(bytes.length, MAX_MESSAGE_BYTES);
    const received = decodeMessage(bytes) as Received<ChangeSet>;
    assert.deepEqual(received.message.changes, changes);
    assert.equal(verifySigned(received, hubSigner.publicKey), true);
    changes[3] = new Uint8Array(filler + 1);
    badValue(() => encodeChangeSet(set({ changes }), hubSign), `more than ${MAX_MESSAGE_BYTES} bytes (${MAX_MESSAGE_BYTES + 1})`);
    malformed(Uint8Array.from([...bytes, 0]), `it is ${MAX_MESSAGE_BYTES + 1} bytes, more than ${MAX_MESSAGE_BYTES}`);
  });

  it("the largest counts and versions pass: 200 changes, version 2^32-1, part 4095 of 4096", () => {
    const many = decodeMessage(encodeChangeSet(set({ changes: Array.from({ length: 200 }, (_, i) => Uint8Array.of(i + 1)) }), hubSign)).message as ChangeSet;
    assert.equal(many.changes.length, 200);
    const top = decodeMessage(encodeChangeSet(set({ version: 0xffffffff, base: 0xfffffffe }), hubSign)).message as ChangeSet;
    assert.deepEqual([top.version, top.base], [0xffffffff, 0xfffffffe]);
    const last = decodeMessage(encodeChangeSet(set({ full: true, version: 1, base: 0, part: MAX_PARTS - 1, parts: MAX_PARTS }), hubSign)).message as ChangeSet;
    assert.deepEqual([last.part, last.parts, last.full], [MAX_PARTS - 1, MAX_PARTS, true]);
  });

  it("acks, audit batches, time messages, inventories and heads refuse what cannot be sent", () => {
    badValue(() => encodeAck(ack({ applied: -1 }), hubSign), "applied version -1");
    badValue(() => encodeAck(ack({ about: 2 ** 32 }), hubSign), "version 4294967296");
    badValue(() => encodeAck(ack({ status: "maybe" }), hubSign), "ack status maybe");
    badValue(() => encodeAck(ack({ reason: "bored" }), hubSign), "refusal bored");
    badValue(() => encodeAck(ack({ status: "refused" }), hubSign), "a refusal without a reason, or a reason without a refusal");
    badValue(() => encodeAck(ack({ reason: "replay" }), hubSign), "a refusal without a reason, or a reason without a refusal");
    badValue(() => encodeAuditBatch({ gateId: GATE, log: "diary" as "access", records: [] }), "audit log diary");
    badValue(() => encodeAuditBatch({ gateId: GATE, log: "access", records: Array.from({ length: 257 }, () => Uint8Array.of(1)) }), "257 audit records (at most 256)");
    badValue(() => encodeAuditBatch({ gateId: GATE, log: "access", records: [new Uint8Array(0)] }), "an audit record of 0 bytes");
    badValue(() => encodeAuditBatch({ gateId: GATE, log: "access", records: [new Uint8Array(MAX_RECORD_BYTES + 1)] }), `an audit record of ${MAX_RECORD_BYTES + 1} bytes`);
    badValue(() => encodeAuditBatch({ gateId: GATE, log: "access", records: [undefined as unknown as Uint8Array] }), "an audit record of undefined bytes");
    badValue(() => encodeAuditBatch({ gateId: GATE, log: "access", records: [[1] as unknown as Uint8Array] }), "an audit record of 1 bytes");
    const full = decoded<{ records: Uint8Array[] }>(encodeAuditBatch({ gateId: GATE, log: "security", records: Array.from({ length: 256 }, () => new Uint8Array(MAX_RECORD_BYTES).fill(5)) }));
    assert.equal(full.records.length, 256);
    assert.ok(full.records.every((r) => r.length === MAX_RECORD_BYTES && r[0] === 5));
    badValue(() => encodeTimeRequest({ gateId: GATE, nonce: new Uint8Array(15), gateTime: T0 }), "a nonce that is not 16 bytes");
    badValue(() => encodeTimeGrant({ gateId: GATE, nonce: new Uint8Array(16), time: T0, keyId: new Uint8Array(9) }, hubSign), "a key id that is not 8 bytes");
    badValue(() => encodeTimeGrant({ gateId: GATE, nonce: new Uint8Array(17), time: T0, keyId }, hubSign), "a nonce that is not 16 bytes");
    badValue(() => encodeInventory(inventory({ applied: -1 })), "applied version -1");
    for (const [part, parts] of [[0, 0], [0, MAX_PARTS + 1], [0, 2.5], [-1, 2], [0.5, 2], [2, 2]]) badValue(() => encodeInventory(inventory({ part, parts })), `part ${part} of ${parts}`);
    badValue(() => encodeInventory(inventory({ entries: Array.from({ length: 2001 }, (_, i) => ({ id: i + 1, digest: new Uint8Array(8) })) })), "2001 inventory entries (at most 2000)");
    badValue(() => encodeInventory(inventory({ entries: [{ id: -1, digest: new Uint8Array(8) }] })), "resident id -1");
    badValue(() => encodeInventory(inventory({ entries: [{ id: 1, digest: new Uint8Array(7) }] })), "a digest that is not 8 bytes");
    const most = decoded<Inventory>(encodeInventory(inventory({ part: MAX_PARTS - 1, parts: MAX_PARTS, entries: Array.from({ length: 2000 }, (_, i) => ({ id: i + 1, digest: new Uint8Array(8).fill(i & 0xff) })) })));
    assert.deepEqual([most.part, most.parts, most.entries.length, most.entries[1999].id, most.entries[1999].digest[0]], [MAX_PARTS - 1, MAX_PARTS, 2000, 2000, 1999 & 0xff]);
    badValue(() => encodeHead(head({ log: "diary" as "access" })), "audit log diary");
    badValue(() => encodeHead(head({ anchor: { seq: -1, hash: new Uint8Array(32) } })), "audit sequence -1");
    badValue(() => encodeHead(head({ head: { seq: 2, hash: new Uint8Array(31) } })), "a chain hash that is not 32 bytes");
    badValue(() => encodeHead(head({ digest: new Uint8Array(31) })), "a records digest that is not 32 bytes");
    badValue(() => encodeHead(head({ signature: new Uint8Array(63) })), "a signature that is not 64 bytes");
    badValue(() => encodeHead(head({ time: Number.NaN })), "a head time that is not a number");
    badValue(() => encodeHead(head({ time: "1" as unknown as number })), "a head time that is not a number");
    assert.deepEqual(decoded(encodeHead(head({ time: -0.5 }))), { type: "head", ...head({ time: -0.5 }) }, "a head's time is a float64 as signed");
  });

  it("sync times are whole milliseconds from 0 to 2^53 - 1", () => {
    const request = (gateTime: number) => encodeTimeRequest({ gateId: GATE, nonce: new Uint8Array(16), gateTime });
    for (const t of [-1, 1.5, 2 ** 53, Number.NaN]) refuses(() => request(t), "E_SYNC_BAD_TIME", "A sync time must be a whole, non-negative number of milliseconds.");
    for (const t of [0, 2 ** 53 - 1]) assert.equal(decoded<{ gateTime: number }>(request(t)).gateTime, t);
  });

  it("the decoder refuses a message that is not one, saying why", () => {
    malformed([0x4f, 0x47, 0x53, 0x31, 2, 0, 0, 0, 7], "it is not bytes");
    malformed(wire(4, []).subarray(0, 8), "it is shorter than a header");
    for (let i = 0; i < 4; i++) {
      const bytes = wire(4, [...new Array(16).fill(0), ...u64(T0)]);
      bytes[i] ^= 0x20;
      malformed(bytes, "it does not start with OGS1");
    }
    malformed(wire(0, []), "message type 0 is unknown");
    malformed(wire(8, []), "message type 8 is unknown");
    malformed(wire(1, new Array(SIGNATURE_BYTES - 1).fill(0)), "it is too short to carry a signature");
    malformed(wire(4, []), "it ends inside the nonce");
    malformed(wire(4, [...new Array(16).fill(0), ...u64(T0), 0]), "1 byte(s) follow its end");
    malformed(wire(4, [...new Array(16).fill(0), 0, 0x20, 0, 0, 0, 0, 0, 0]), "the gate time is past 2^53 ms");
    const latest = decoded<{ gateTime: number }>(wire(4, [...new Array(16).fill(0), 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    assert.equal(latest.gateTime, 2 ** 53 - 1);
  });

  it("the decoder refuses every inconsistent change-set field before it reaches the gate", () => {
    assert.deepEqual(decoded<ChangeSet>(changeSetWire()).changes, [Uint8Array.of(1, 2)]);
    malformed(changeSetWire({ flags: 2 }), "flags 2 has unknown bits");
    malformed(changeSetWire({ version: 0, base: 0, flags: 1 }), "version 0 is no version");
    malformed(changeSetWire({ base: 3 }), "base 3 does not fit version 5");
    malformed(changeSetWire({ flags: 1, base: 4 }), "base 4 does not fit version 5");
    malformed(changeSetWire({ flags: 1, base: 0, parts: 0 }), "part 0 of 0");
    malformed(changeSetWire({ flags: 1, base: 0, parts: MAX_PARTS + 1 }), `part 0 of ${MAX_PARTS + 1}`);
    malformed(changeSetWire({ flags: 1, base: 0, part: 3, parts: 3 }), "part 3 of 3");
    malformed(changeSetWire({ parts: 2 }), "part 0 of 2");
    const last = decoded<ChangeSet>(changeSetWire({ flags: 1, base: 0, part: MAX_PARTS - 1, parts: MAX_PARTS }));
    assert.deepEqual([last.full, last.part, last.parts], [true, MAX_PARTS - 1, MAX_PARTS]);
    malformed(changeSetWire({ count: 201, changes: [] }), "201 changes, more than 200");
    malformed(changeSetWire({ changes: [[]] }), "change 1 is 0 bytes");
    malformed(wire(1, [...setBody({ changes: [] }).slice(0, -2), ...u16(1), ...u16(MAX_CHANGE_BYTES + 1)], true), `change 1 is ${MAX_CHANGE_BYTES + 1} bytes`);
    malformed(wire(1, [...setBody({ changes: [] }).slice(0, -2), ...u16(2), ...u16(1), 5, ...u16(3), 1], true), "it ends inside the change 2");
    malformed(changeSetWire({ issuedAt: [0, 0x20, 0, 0, 0, 0, 0, 0] }), "the issue time is past 2^53 ms");
  });

  it("the decoder refuses unknown ack statuses, reasons, logs, parts and counts", () => {
    const ackWire = (status: number, reason: number) => wire(2, [...u32(4), status, ...u32(4), reason, ...u64(T0)], true);
    assert.equal(decoded<{ reason: string }>(ackWire(1, 12)).reason, "unexpected-time");
    assert.equal(decoded<{ status: string }>(ackWire(2, 0)).status, "status");
    malformed(ackWire(3, 0), "the ack status is unknown");
    malformed(ackWire(1, 13), "the refusal reason is unknown");
    malformed(ackWire(1, 0), "the status and the reason disagree");
    malformed(ackWire(0, 5), "the status and the reason disagree");
    malformed(wire(3, [2, ...u16(0)]), "the audit log is unknown");
    malformed(wire(3, [0, ...u16(257)]), "257 audit records, more than 256");
    malformed(wire(3, [0, ...u16(1), 0]), "audit record 1 is 0 bytes");
    malformed(wire(3, [0, ...u16(1), MAX_RECORD_BYTES + 1, ...new Array(MAX_RECORD_BYTES + 1).fill(1)]), `audit record 1 is ${MAX_RECORD_BYTES + 1} bytes`);
    const invWire = (part: number, parts: number, count: number) => wire(6, [...u32(3), ...u16(part), ...u16(parts), ...u16(count)]);
    malformed(invWire(0, 0, 0), "part 0 of 0");
    malformed(invWire(2, 2, 0), "part 2 of 2");
    malformed(invWire(0, MAX_PARTS + 1, 0), `part 0 of ${MAX_PARTS + 1}`);
    malformed(invWire(0, 1, 2001), "2001 inventory entries, more than 2000");
    assert.deepEqual(decoded<Inventory>(invWire(MAX_PARTS - 1, MAX_PARTS, 0)).parts, MAX_PARTS);
    const headWire = (log: number, anchor: number, seq: number, time: number) => {
      const t = new Uint8Array(8);
      new DataView(t.buffer).setFloat64(0, time);
      return wire(7, [log, ...u32(anchor), ...new Array(32).fill(1), ...u32(seq), ...new Array(32).fill(2), ...new Array(32).fill(3), ...t, ...new Array(64).fill(4)]);
    };
    assert.equal(decoded<SignedHead>(headWire(1, 5, 5, 1.5)).log, "security");
    malformed(headWire(2, 5, 5, 1), "the audit log is unknown");
    malformed(headWire(0, 5, 4, 1), "the head is older than its anchor");
    malformed(headWire(0, 5, 6, Number.NaN), "the head time is not a number");
  });

  it("a message cut inside any field names that field", () => {
    const f64 = (v: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, v); return Array.from(b); };
    const fill = (n: number, v: number) => new Array(n).fill(v);
    const layouts: [number, boolean, [string, number[]][]][] = [
      [1, true, [["flags", [0]], ["version", u32(5)], ["base version", u32(4)], ["part", u16(0)], ["part count", u16(1)], ["issue time", u64(T0)], ["key id", Array.from(keyId)],
        ["change count", u16(1)], ["change length", u16(2)], ["change 1", [1, 2]]]],
      [2, true, [["applied version", u32(4)], ["status", [1]], ["version", u32(4)], ["reason", [5]], ["time", u64(T0)]]],
      [3, false, [["log", [0]], ["record count", u16(1)], ["record length", [2]], ["audit record 1", [1, 2]]]],
      [4, false, [["nonce", fill(16, 3)], ["gate time", u64(T0)]]],
      [5, true, [["nonce", fill(16, 3)], ["time", u64(T0)], ["key id", Array.from(keyId)]]],
      [6, false, [["applied version", u32(3)], ["part", u16(0)], ["part count", u16(1)], ["entry count", u16(1)], ["resident id", u32(1)], ["digest", fill(8, 6)]]],
      [7, false, [["log", [0]], ["anchor sequence", u32(1)], ["anchor hash", fill(32, 1)], ["head sequence", u32(2)], ["head hash", fill(32, 2)], ["records digest", fill(32, 3)],
        ["time", f64(1.5)], ["signature", fill(64, 4)]]],
    ];
    for (const [type, signed, fields] of layouts) {
      const body = fields.flatMap(([, bytes]) => bytes);
      assert.doesNotThrow(() => decodeMessage(wire(type, body, signed)), `type ${type} whole`);
      let at = 0;
      for (const [name, bytes] of fields) {
        for (const cut of new Set([at, at + bytes.length - 1])) malformed(wire(type, body.slice(0, cut), signed), `it ends inside the ${name}.`);
        at += bytes.length;
      }
    }
  });

  it("signs exactly the documented bytes: SIGNING_TAG, a NUL, the message up to its signature", () => {
    const unsigned = encodeChangeSet(set(), () => new Uint8Array(SIGNATURE_BYTES)).subarray(0, -SIGNATURE_BYTES);
    const tag = Array.from("optgate sync v1", (c) => c.charCodeAt(0)); // SIGNING_TAG, as docs/sync.md gives it
    assert.equal(SIGNING_TAG, "optgate sync v1");
    const signature = hubSigner.sign(Uint8Array.from([...tag, 0, ...unsigned]));
    const bytes = Uint8Array.from([...unsigned, ...signature]);
    assert.deepEqual(encodeChangeSet(set(), hubSign), bytes, "the encoder signs the same bytes");
    const received = decodeMessage(bytes);
    bytes.fill(0);
    assert.equal(verifySigned(received, hubSigner.publicKey), true, "and the gate verifies them, from its own copy");
  });

  it("an unsigned message never verifies", () => {
    const audit = decodeMessage(encodeAuditBatch({ gateId: GATE, log: "access", records: [Uint8Array.of(1)] }));
    assert.equal(verifySigned(audit, hubSigner.publicKey), false);
  });
});
