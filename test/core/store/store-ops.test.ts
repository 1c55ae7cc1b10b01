// The store's small parts on their own: argument checks and their sentences
// (store-checks.ts), a transaction turned into records (store-ops.ts), the
// packed index entry (store-entry.ts) and the wrapped device key (store-key.ts).
import assert from "node:assert/strict";
import { isOptgateError } from "../../../src/core/errors";
import { encodeKeyArea, KEY_AREA_BYTES, RecordType } from "../../../src/core/store/format";
import { asciiBytes, checkKey, checkValue, futureError, INTERNAL, storeError } from "../../../src/core/store/store-checks";
import { addrOf, pack, sizeOf, TRIM, typeOf } from "../../../src/core/store/store-entry";
import { keyAreaFor, readKeyCopies, storeKeyFrom } from "../../../src/core/store/store-key";
import { type OpsContext, planOps } from "../../../src/core/store/store-ops";
import type { StoreOp } from "../../../src/core/store/store-types";
import { NorFlash } from "../../../boards/host/nor-flash";
import { bytes } from "./helpers";

const refused = (code: string, message?: RegExp) => (e: unknown) => isOptgateError(e, code) && (!message || message.test((e as Error).message));

describe("store checks: keys, values, errors", () => {
  it("accepts 1 to 64 printable ASCII characters not starting with #", () => {
    for (const key of ["a", " ", "~", "k".repeat(64), "a#b", "res/1 x~"]) checkKey(key);
    const sentence = /^E_STORE_KEY: store keys are 1-64 printable ASCII characters not starting with "#"\.$/;
    for (const key of ["", "k".repeat(65), "#", "#trim/x", "a\x1f", "\x1fa", "a\x7f", "\x7fa", "é", "a\nb"]) {
      assert.throws(() => checkKey(key), refused("E_STORE_KEY", sentence), JSON.stringify(key));
    }
    assert.throws(() => checkKey(5 as unknown as string), refused("E_STORE_KEY"));
    assert.equal(INTERNAL, "#");
    assert.ok(TRIM.startsWith(INTERNAL));
    assert.equal(TRIM, "#trim/");
  });

  it("accepts a Uint8Array up to the limit", () => {
    checkValue(new Uint8Array(10), 10);
    checkValue(new Uint8Array(0), 0);
    assert.throws(() => checkValue(new Uint8Array(11), 10), refused("E_STORE_TOO_LARGE", /^E_STORE_TOO_LARGE: a stored value is at most 10 bytes\.$/));
    assert.throws(() => checkValue([1, 2] as unknown as Uint8Array, 10), refused("E_STORE_TOO_LARGE"));
    assert.throws(() => checkValue("ab" as unknown as Uint8Array, 10), refused("E_STORE_TOO_LARGE"));
  });

  it("builds errors with their codes and sentences", () => {
    assert.equal(storeError("E_X", "a sentence.").message, "E_X: a sentence.");
    assert.ok(isOptgateError(futureError(), "E_STORE_VERSION"));
    assert.match(futureError().message, /newer firmware format; update the firmware\. The store was left untouched\./);
    assert.deepEqual(asciiBytes("Az~ "), new Uint8Array([0x41, 0x7a, 0x7e, 0x20]));
    assert.deepEqual(asciiBytes(""), new Uint8Array(0));
  });
});

describe("store entries: packed index numbers", () => {
  it("keep address, size and type apart over their whole ranges", () => {
    const cases = [[0, 0, 0], [0, 8191, 3], [4096 * 255 + 4092, 1, 1], [16 * 1024 * 1024, 1132, 2], [24, 20, 3], [1, 8190, 0]];
    for (const [addr, size, type] of cases) {
      const e = pack(addr, size, type);
      assert.deepEqual([addrOf(e), sizeOf(e), typeOf(e)], [addr, size, type], `${addr} ${size} ${type}`);
    }
    assert.notEqual(pack(4, 20, 1), pack(4, 20, 2));
    assert.notEqual(pack(4, 20, 1), pack(4, 24, 1));
    assert.notEqual(pack(4, 20, 1), pack(8, 20, 1));
  });
});

describe("store key: copies and wrap", () => {
  const key = new Uint8Array(32).map((_, i) => 200 - i);

  it("reads both copies from the first two sectors", () => {
    const flash = new NorFlash(8 * 4096);
    flash.write(4096, encodeKeyArea(key));
    const copies = readKeyCopies(flash, 4096);
    assert.deepEqual(copies.map((c) => c.state), ["blank", "valid"]);
    assert.deepEqual(storeKeyFrom(copies, undefined), key);
    assert.equal(storeKeyFrom([{ state: "garbage" }, { state: "blank" }], undefined), undefined);
    assert.equal(storeKeyFrom([{ state: "future" }], undefined), undefined);
  });

  it("keeps key XOR wrap on flash and gives the key back from it", () => {
    const wrap = new Uint8Array(32).map((_, i) => i * 3 + 7);
    const area = keyAreaFor(key, wrap);
    assert.equal(area.length, KEY_AREA_BYTES);
    for (let i = 0; i < 32; i++) assert.equal(area[8 + i], key[i] ^ wrap[i], `byte ${i}`);
    const copies = [{ state: "garbage" as const }, { state: "valid" as const, key: area.slice(8, 40) }];
    assert.deepEqual(storeKeyFrom(copies, wrap), key);
    assert.deepEqual(storeKeyFrom(copies, new Uint8Array(32)), area.slice(8, 40), "a zero wrap changes nothing");
    assert.deepEqual(keyAreaFor(key, undefined), encodeKeyArea(key), "no wrap: the key as is");
  });

  it("repeats a short wrap and reads only the first 32 bytes of a key", () => {
    const short = new Uint8Array([1, 2, 3]);
    const area = keyAreaFor(key, short);
    for (let i = 0; i < 32; i++) assert.equal(area[8 + i], key[i] ^ short[i % 3]);
    const long = new Uint8Array(40).fill(9);
    long.set(key);
    assert.deepEqual(keyAreaFor(long, undefined), encodeKeyArea(key));
    const input = key.slice();
    keyAreaFor(input, short);
    assert.deepEqual(input, key, "the caller's key is not changed");
  });
});

/** A context over plain maps, recording what was sealed. */
function context(streams: Record<string, [number, number]> = {}, present: string[] = []): OpsContext & { sealed: string[] } {
  const sealed: string[] = [];
  return {
    sealed,
    streamStart: (s) => streams[s]?.[0] ?? 0,
    streamLength: (s) => streams[s]?.[1] ?? 0,
    has: (k) => present.includes(k),
    seal: (k, v) => {
      sealed.push(k);
      return new Uint8Array([0xee, ...v]);
    },
  };
}

describe("store ops: a transaction as one group of records", () => {
  it("turns puts, sealed puts, deletes, appends and trims into records, in order", () => {
    const ctx = context({ audit: [2, 5] }, ["gone"]);
    const plan = planOps([
      { put: "a", value: bytes("xy") },
      { put: "t", value: bytes("secret"), sealed: true },
      { delete: "gone" },
      { append: "audit", data: bytes("e1") },
      { append: "log", data: bytes("l") },
      { append: "audit", data: bytes("e2") },
      { trim: "audit", before: 4 },
    ], ctx);
    assert.deepEqual(plan.records.map((r) => [r.type, r.key, Array.from(r.value), r.aux]), [
      [RecordType.Put, "a", [0x78, 0x79], 0],
      [RecordType.Sealed, "t", [0xee, ...bytes("secret")], 0],
      [RecordType.Delete, "gone", [], 0],
      [RecordType.Stream, "audit", [5, 0, 0, 0, 0x65, 0x31], 5],
      [RecordType.Stream, "log", [0, 0, 0, 0, 0x6c], 0],
      [RecordType.Stream, "audit", [6, 0, 0, 0, 0x65, 0x32], 6],
      [RecordType.Put, "#trim/audit", [4, 0, 0, 0], 4],
    ]);
    assert.deepEqual(plan.appended, [5, 0, 6]);
    assert.equal(plan.requested, (1 + 2) + (1 + 6) + 4 + (5 + 2) + (3 + 1) + (5 + 2));
    assert.equal(plan.trimmed, true);
    assert.deepEqual(ctx.sealed, ["t"]);
  });

  it("writes nothing for a delete of an absent key, and no trim flag without a trim", () => {
    const plan = planOps([{ delete: "never" }], context());
    assert.deepEqual(plan, { records: [], appended: [], requested: 0, trimmed: false });
    assert.equal(planOps([{ put: "a", value: bytes("1") }], context()).trimmed, false);
  });

  it("copies a clear value: a caller changing its array later changes nothing", () => {
    const value = bytes("abc");
    const plan = planOps([{ put: "k", value }], context());
    value[0] = 0x7a;
    assert.deepEqual(plan.records[0].value, bytes("abc"));
  });

  it("holds 1 to 254 operations", () => {
    const ops = (n: number): StoreOp[] => Array.from({ length: n }, (_, i) => ({ put: `k${i}`, value: bytes("v") }));
    assert.equal(planOps(ops(254), context()).records.length, 254);
    assert.throws(() => planOps(ops(255), context()), refused("E_STORE_TXN", /^E_STORE_TXN: a transaction holds 1 to 254 operations, not 255\.$/));
    assert.throws(() => planOps([], context()), refused("E_STORE_TXN", /not 0\.$/));
  });

  it("refuses a key twice in one transaction, as put, delete or trim", () => {
    assert.throws(() => planOps([{ put: "a", value: bytes("1") }, { delete: "a" }], context({}, ["a"])), refused("E_STORE_TXN", /^E_STORE_TXN: key "a" appears twice in one transaction\.$/));
    assert.throws(() => planOps([{ put: "a", value: bytes("1") }, { put: "a", value: bytes("2") }], context()), refused("E_STORE_TXN"));
    assert.throws(() => planOps([{ trim: "s", before: 0 }, { trim: "s", before: 0 }], context()), refused("E_STORE_RANGE"));
    // Appends to one stream may repeat; a put and a trim of different names do not collide.
    assert.equal(planOps([{ append: "a", data: bytes("1") }, { append: "a", data: bytes("2") }, { put: "s", value: bytes("") }, { trim: "s", before: 0 }], context()).records.length, 4);
  });

  it("checks keys and sizes of every kind of operation", () => {
    assert.throws(() => planOps([{ put: "#x", value: bytes("1") }], context()), refused("E_STORE_KEY"));
    assert.throws(() => planOps([{ delete: "" }], context()), refused("E_STORE_KEY"));
    assert.throws(() => planOps([{ append: "#s", data: bytes("1") }], context()), refused("E_STORE_KEY"));
    assert.throws(() => planOps([{ trim: "#s", before: 0 }], context()), refused("E_STORE_KEY"));
    planOps([{ put: "k", value: new Uint8Array(1024) }], context());
    assert.throws(() => planOps([{ put: "k", value: new Uint8Array(1025) }], context()), refused("E_STORE_TOO_LARGE", /at most 1024 bytes/));
    planOps([{ append: "s", data: new Uint8Array(1020) }], context());
    assert.throws(() => planOps([{ append: "s", data: new Uint8Array(1021) }], context()), refused("E_STORE_TOO_LARGE", /at most 1020 bytes/));
    planOps([{ put: "k", value: new Uint8Array(1024), sealed: true }], context());
    assert.throws(() => planOps([{ put: "k", value: new Uint8Array(1025), sealed: true }], context()), refused("E_STORE_TOO_LARGE"));
  });

  it("takes a trim point from the stream's start to its length, whole numbers only", () => {
    const ctx = context({ audit: [3, 9] });
    for (const before of [3, 6, 9]) assert.equal(planOps([{ trim: "audit", before }], ctx).records[0].aux, before);
    for (const before of [2, 10, 4.5, NaN]) {
      assert.throws(() => planOps([{ trim: "audit", before }], ctx), refused("E_STORE_RANGE", new RegExp(`^E_STORE_RANGE: trim point ${before} is outside audit \\[3, 9\\]\\.$`)));
    }
  });
});
