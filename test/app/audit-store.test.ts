// The audit trail on flash against someone who can rewrite the store (fix
// every CRC, re-link every record with any key they can guess, roll the whole
// image back) and against a flood of taps. Portable: runs in Node and in XS.
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import { RECENT_RECORDS } from "../../src/app/audit-store";
import { Watermarks } from "../../src/app/watermarks";
import { AccessCore } from "../../src/core/access/access-core";
import { Registry } from "../../src/core/access/registry";
import { decodeRecord, PREV_HASH_OFFSET, type AuditEntry } from "../../src/core/audit/audit-record";
import { UNKEYED } from "../../src/core/audit/chain-key";
import { defaultPolicy } from "../../src/app/core";
import { LogStore } from "../../src/core/store/log-store";
import { OptgateError } from "../../src/core/errors";
import { openAudit } from "./audit-rig";

const SIZE = 512 * 1024;
const T0 = Date.UTC(2026, 5, 1, 2);
let counter = 7;
const random = { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };

function decision(i: number): AuditEntry {
  return { time: T0 + i * 1000, actorKind: "resident", actor: 1 + (i % 3), kind: "card", decision: i % 2 ? "grant" : "deny", reason: i % 2 ? "granted" : "unknown-card", subject: 1 + (i % 3) };
}

class MemoryNvs {
  readonly map = new Map<string, number>();
  get(key: string) { return this.map.get(key); }
  set(key: string, value: number) { this.map.set(key, value); }
}

/** A gate that wrote 12 access decisions and one technician action. */
function written() {
  const nor = new NorFlash(SIZE);
  const nvs = new MemoryNvs();
  const store = LogStore.open(nor, { random });
  const audit = openAudit(store, { now: T0, watermarks: new Watermarks(nvs) });
  for (let i = 1; i <= 12; i++) audit.trail.append(decision(i));
  audit.trail.append({ time: T0 + 20_000, actorKind: "technician", actor: 9, kind: "setting-changed", decision: "info", reason: "info", detail: "lockout.keypad 5 -> 20" });
  return { nor, nvs, store, audit };
}

/**
 * The forger's store: every key copied as is (the committed head included),
 * the access stream replaced by `records`, every CRC right (the store API
 * writes them). What someone with a flash programmer and the store format can do.
 */
function forged(from: LogStore, records: Uint8Array[]): LogStore {
  const store = LogStore.open(new NorFlash(SIZE), { random });
  for (const key of from.keys("")) store.put(key, from.get(key)!);
  for (const r of records) store.append("audit", r);
  from.readStream("audit/security", 0, (_i, bytes) => store.append("audit/security", bytes));
  return store;
}

function accessRecords(store: LogStore): Uint8Array[] {
  const out: Uint8Array[] = [];
  store.readStream("audit", 0, (_i, b) => out.push(b.slice()));
  return out;
}

describe("audit store: keyed chains on flash", () => {
  it("reopens intact: no break, both heads back, numbering continues", () => {
    const { nor, nvs, audit } = written();
    const again = openAudit(LogStore.open(nor, { random }), { now: T0, watermarks: new Watermarks(nvs) });
    assert.deepEqual(again.found, []);
    assert.equal(again.trail.verify().ok, true);
    assert.deepEqual(again.trail.heads(), audit.trail.heads());
    assert.equal(again.trail.append(decision(13)), 13);
  });

  it("a deny turned into a grant and re-linked (CRCs fixed, head kept) is found at boot, audited once, and shown until acknowledged", () => {
    const { store } = written();
    const records = accessRecords(store);
    assert.equal(decodeRecord(records[5]).decision, "deny");
    records[5][18] = 1; // record 6: deny -> grant
    records[5][19] = 0;
    for (let i = 6; i < records.length; i++) records[i].set(UNKEYED.mac(records[i - 1]), PREV_HASH_OFFSET);
    const image = forged(store, records);
    const gate = openAudit(image, { now: T0 + 60_000 });
    assert.deepEqual(gate.found.map((b) => `${b.log} ${b.seq} ${b.problem}`), ["access 7 link", "access 8 link", "access 9 link", "access 10 link", "access 11 link", "access 12 link", "access 12 head"]);
    const audited = gate.trail.security.entries().filter((e) => e.kind === "audit-break").map((e) => e.detail);
    assert.deepEqual(audited.slice(0, 2), ["A7 link", "A8 link"]);
    // The evidence stays readable: the forged grant is there to be looked at.
    assert.equal(gate.trail.access.entries().find((e) => e.seq === 6)?.decision, "grant");
    assert.equal(gate.trail.watermark, Infinity, "after a break the clock is untrusted until set");
    // A second boot remembers, audits nothing new, still shows it.
    const again = openAudit(image, { now: T0 + 120_000 });
    assert.deepEqual(again.found, []);
    assert.equal(again.standing().length, 7);
    // Acknowledged by a technician: recorded, no longer standing, still listed.
    const ack = again.acknowledge("access", 7, 9, T0 + 130_000);
    assert.equal(ack.acknowledged, true);
    assert.equal(again.trail.security.entries().at(-1)?.kind, "audit-break-acknowledged");
    const third = openAudit(image, { now: T0 + 140_000 });
    assert.equal(third.standing().length, 6);
    assert.equal(third.breaks().find((b) => b.seq === 7)?.acknowledged, true);
  });

  it("a cut-off end is found on the gate itself, and numbers are never reused", () => {
    const { store } = written();
    const records = accessRecords(store).slice(0, 10); // blank the last two
    const image = forged(store, records);
    const gate = openAudit(image, { now: T0 });
    assert.deepEqual(gate.found.map((b) => `${b.log} ${b.seq} ${b.problem}`), ["access 12 truncated"]);
    assert.equal(gate.trail.append(decision(13)), 13, "11 and 12 are not handed out again");
  });

  it("a whole store rolled back to an older image is caught by the NVS marks", () => {
    const nor = new NorFlash(SIZE);
    const nvs = new MemoryNvs();
    const audit = openAudit(LogStore.open(nor, { random }), { now: T0, watermarks: new Watermarks(nvs) });
    for (let i = 1; i <= 5; i++) audit.trail.append(decision(i));
    const older = nor.image.slice();
    for (let i = 6; i <= 9; i++) audit.trail.append(decision(i));
    nor.image.set(older); // head, records and CRCs all consistent, as they were
    const gate = openAudit(LogStore.open(nor, { random }), { now: T0, watermarks: new Watermarks(nvs) });
    assert.deepEqual(gate.found.map((b) => `${b.log} ${b.seq} ${b.problem}`), ["access 9 truncated"]);
    assert.equal(gate.trail.append(decision(10)), 10);
  });

  it("a committed head forged or deleted does not hide a cut (the NVS mark remains)", () => {
    const { store, nvs } = written();
    const image = forged(store, accessRecords(store).slice(0, 11));
    image.delete("audit/head");
    const gate = openAudit(image, { now: T0, watermarks: new Watermarks(nvs) });
    assert.deepEqual(gate.found.map((b) => `${b.log} ${b.seq} ${b.problem}`), ["access 12 truncated"]);
  });

  it("reads nothing past the end of a chain without walking the store (the fleet link asks every tick)", () => {
    const { store, audit } = written();
    const all = audit.recordsFrom("access", 0, 256, 32 * 1024);
    assert.equal(all.records.length, 12);
    let walks = 0;
    const readStream = store.readStream.bind(store);
    store.readStream = (stream, from, visit) => { walks++; readStream(stream, from, visit); };
    assert.deepEqual(audit.recordsFrom("access", all.next, 256, 32 * 1024), { records: [], next: all.next });
    assert.equal(walks, 0, "nothing new: the store's index is not walked");
    audit.trail.append(decision(13));
    const more = audit.recordsFrom("access", all.next, 256, 32 * 1024);
    assert.deepEqual([more.records.length, more.next, walks], [1, all.next + 1, 0], "a record just written is read from RAM");
  });

  it(`reads the newest ${RECENT_RECORDS} records of this boot from RAM, older ones and a reopened store's from flash, the same bytes either way`, () => {
    const { store, audit } = written();
    for (let i = 14; i <= 60; i++) audit.trail.append(decision(i));
    let walks = 0;
    const readStream = store.readStream.bind(store);
    store.readStream = (stream, from, visit) => { walks++; readStream(stream, from, visit); };
    const length = store.streamLength("audit");
    const reopened = openAudit(store, { now: T0 });
    walks = 0;
    // Every start, batch size and byte budget, against a store that has only flash to read.
    for (const from of [0, 5, length - RECENT_RECORDS - 1, length - RECENT_RECORDS, length - 10, length - 1]) {
      for (const [max, maxBytes] of [[256, 32 * 1024], [3, 32 * 1024], [256, 300], [256, 1]]) {
        const before = walks;
        const got = audit.recordsFrom("access", from, max, maxBytes);
        const fresh = reopened.recordsFrom("access", from, max, maxBytes);
        assert.deepEqual(got, fresh, `from ${from}, max ${max}, ${maxBytes} bytes`);
        const cached = from >= length - RECENT_RECORDS;
        assert.equal(walks - before, cached ? 1 : 2, `from ${from}: ${cached ? "RAM" : "flash"} for the store that wrote them`);
      }
    }
  });

  it("a record whose commit failed is not served from RAM, and the next one is", () => {
    const { store, audit } = written();
    const start = audit.recordsFrom("access", 0, 256, 32 * 1024).next;
    const commit = store.commit.bind(store);
    store.commit = () => { throw new OptgateError("E_STORE_FULL", "the store is full"); };
    audit.trail.append(decision(14));
    store.commit = commit;
    audit.trail.append(decision(15));
    const got = audit.recordsFrom("access", start, 256, 32 * 1024);
    assert.equal(got.records.length, 1, "only what reached flash");
    assert.deepEqual(got, openAudit(store, { now: T0 }).recordsFrom("access", start, 256, 32 * 1024));
  });

  it("10,000 taps (unknown cards and a resident's card) never push a door-forced record or a technician action out", () => {
    const nor = new NorFlash(2 * 1024 * 1024);
    const store = LogStore.open(nor, { random });
    const audit = openAudit(store, { now: T0 });
    const registry = new Registry({ deviceKey: new Uint8Array(32), random });
    const access = new AccessCore({ registry, audit: audit.trail, policy: defaultPolicy(1) });
    const cards: Uint8Array[] = [];
    for (let r = 0; r < 50; r++) {
      cards.push(Uint8Array.of(0x04, 0xee, 0xee, r));
      registry.addResident({ unit: `1-${r + 1}`, role: "owner", groups: 1, cards: [cards[r]] });
    }
    audit.trail.append({ time: T0, actorKind: "system", actor: 0, kind: "door-forced", decision: "info", reason: "info" });
    audit.trail.append({ time: T0 + 1, actorKind: "technician", actor: 9, kind: "technician-added", decision: "info", reason: "info", detail: "tech2 role=operator" });
    // A busy gate first: residents' own cards, one record each, so the access ring rolls over.
    const XS = (globalThis as { __XS__?: boolean }).__XS__ === true;
    let t = T0 + 1000;
    for (let i = 0; i < (XS ? 1100 : 3000); i++) access.decide({ kind: "card", uid: cards[i % cards.length] }, (t += 2000));
    // Then the flood: unknown cards at 3.3 a second.
    const taps = XS ? 1_000 : 10_000; // the XS run keeps within the runner's computron budget
    for (let i = 0; i < taps; i++) {
      const uid = Uint8Array.of(0x04, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
      access.decide({ kind: "card", uid }, (t += 300));
    }
    access.flushBursts(t + 600_000);
    const again = openAudit(LogStore.open(nor, { random }), { now: T0 });
    const kinds = again.trail.security.entries().map((e) => e.kind);
    assert.ok(kinds.includes("door-forced"), "door-forced kept");
    assert.ok(kinds.includes("technician-added"), "technician action kept");
    assert.equal(again.trail.verify().ok, true);
    assert.equal(again.trail.access.size, again.trail.access.capacity, "the access ring did roll over");
    assert.ok(again.trail.access.anchor().seq > 0, "older access records were dropped");
    assert.ok(again.trail.access.entries().some((e) => e.kind === "unknown-cards"), "the taps are aggregated, not dropped");
  });
});
