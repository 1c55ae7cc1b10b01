import assert from "node:assert/strict";
import { CardTable, hashUid } from "../../../src/core/access/card-table";
import { indexSizeFor } from "../../../src/core/access/index-size";
import { checkUid, uidProblem } from "../../../src/core/access/uid";
import { isOptgateError } from "../../../src/core/errors";
import { toHex } from "../../../src/core/crypto";
import { testRandom } from "./fixtures";

describe("card UIDs", () => {
  it("accepts 4, 7 and 10 byte UIDs and rejects other lengths, all-zero and all-FF", () => {
    for (const n of [4, 7, 10]) assert.equal(uidProblem(Uint8Array.from({ length: n }, (_, i) => i + 1)), undefined);
    for (const n of [0, 1, 3, 5, 6, 8, 9, 11]) assert.match(uidProblem(new Uint8Array(n).fill(5)) ?? "", /bytes/);
    assert.match(uidProblem(new Uint8Array(4)) ?? "", /zero/);
    assert.match(uidProblem(new Uint8Array(7).fill(0xff)) ?? "", /FF/);
    assert.throws(() => checkUid(new Uint8Array(10)), (e) => isOptgateError(e, "E_BAD_UID"));
    assert.throws(() => checkUid(new Uint8Array(5).fill(1)), { message: "E_BAD_UID: The card UID has 5 bytes; ISO 14443A UIDs have 4, 7 or 10." });
    assert.throws(() => checkUid([1, 2, 3, 4] as never), { message: "E_BAD_UID: The card UID is not a byte array." });
  });
});

describe("CardTable", () => {
  it("finds, moves and removes cards consistently with a reference map under random churn", () => {
    const table = new CardTable(4);
    const model = new Map<string, number>();
    const live: Uint8Array[] = [];
    const random = testRandom(99);
    const steps = (globalThis as { __XS__?: boolean }).__XS__ ? 1500 : 6000;
    const pick = new Uint8Array(2);
    for (let step = 0; step < steps; step++) {
      random.fill(pick);
      if (live.length === 0 || pick[0] < 150) {
        const uid = new Uint8Array([4, 7, 10][pick[1] % 3]);
        random.fill(uid);
        uid[0] |= 1;
        const key = toHex(uid);
        if (model.has(key)) continue;
        const owner = 1 + (pick[1] * 31 + step) % 500;
        table.add(uid, owner);
        model.set(key, owner);
        live.push(uid);
      } else {
        const i = (pick[1] * 257 + step) % live.length;
        const uid = live[i];
        live[i] = live[live.length - 1];
        live.pop();
        const row = table.find(uid);
        assert.ok(row >= 0);
        table.removeAt(row);
        model.delete(toHex(uid));
        assert.equal(table.find(uid), -1);
      }
      if (step % 500 === 0) {
        for (const u of live) assert.equal(table.ownerAt(table.find(u)), model.get(toHex(u)));
      }
    }
    assert.equal(table.size, model.size);
    for (const u of live) {
      const row = table.find(u);
      assert.equal(table.ownerAt(row), model.get(toHex(u)));
      assert.deepEqual(table.uidAt(row), u);
    }
  });

  it("does not confuse a 4-byte UID with a longer UID that starts the same", () => {
    const table = new CardTable();
    table.add(Uint8Array.from([1, 2, 3, 4, 5, 6, 7]), 7);
    assert.equal(table.find(Uint8Array.from([1, 2, 3, 4])), -1);
    table.add(Uint8Array.from([1, 2, 3, 4]), 4);
    assert.equal(table.ownerAt(table.find(Uint8Array.from([1, 2, 3, 4]))), 4);
    assert.equal(table.ownerAt(table.find(Uint8Array.from([1, 2, 3, 4, 5, 6, 7]))), 7);
  });

  it("lists rows of an owner and reserves capacity up front", () => {
    const table = new CardTable();
    table.reserve(1000);
    const before = table.byteLength;
    for (let i = 1; i <= 1000; i++) table.add(Uint8Array.from([i >> 8, i & 255, 9, 9]), i % 10);
    assert.equal(table.byteLength, before, "no growth after reserve");
    assert.equal(table.rowsOf(3).length, 100);
  });

  it("matches a model after every one of 800 adds and removals from a pool of 60 UIDs (dense collisions, growth)", () => {
    const table = new CardTable(4);
    const pool = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? Uint8Array.from([i + 1, 0x5a, i, 7, 1, 2, 3]) : Uint8Array.from([i + 1, 0x5a, i, 7])));
    const owner = new Map<number, number>();
    const random = testRandom(7);
    const pick = new Uint8Array(1);
    for (let step = 0; step < 800; step++) {
      random.fill(pick);
      const i = pick[0] % pool.length;
      if (owner.has(i)) {
        table.removeAt(table.find(pool[i]));
        owner.delete(i);
      } else {
        table.add(pool[i], 100 + i);
        owner.set(i, 100 + i);
      }
      assert.equal(table.size, owner.size);
      for (let k = 0; k < pool.length; k++) {
        const row = table.find(pool[k]);
        if (!owner.has(k)) { assert.equal(row, -1, `step ${step}: UID ${k} absent`); continue; }
        assert.equal(table.ownerAt(row), 100 + k, `step ${step}: UID ${k}`);
        assert.deepEqual(table.uidAt(row), pool[k]);
      }
      assert.equal(table.find(new Uint8Array(0)), -1);
    }
  });

  it("a 4-byte UID never matches one of many longer UIDs that start with it", () => {
    const table = new CardTable();
    for (let i = 1; i <= 200; i++) table.add(Uint8Array.from([1, 2, 3, 4, i, 6, 7]), i);
    assert.equal(table.find(Uint8Array.from([1, 2, 3, 4])), -1);
    for (let i = 1; i <= 200; i++) assert.equal(table.find(Uint8Array.from([1, 2, 3, 4, i, 6])), -1);
    assert.equal(table.ownerAt(table.find(Uint8Array.from([1, 2, 3, 4, 77, 6, 7]))), 77);
  });

  it("costs 15 bytes a card plus its index; reserve grows once and never shrinks", () => {
    const table = new CardTable(); // room for 64
    assert.equal(table.byteLength, 64 * 15 + 128 * 4);
    table.reserve(64);
    assert.equal(table.byteLength, 64 * 15 + 128 * 4);
    for (let i = 1; i <= 65; i++) table.add(Uint8Array.from([i, 1, 2, 3]), i);
    assert.equal(table.byteLength, 96 * 15 + 256 * 4);
    table.reserve(10);
    assert.equal(table.byteLength, 96 * 15 + 256 * 4);
    table.reserve(100);
    assert.equal(table.byteLength, 100 * 15 + 256 * 4);
    for (let i = 1; i <= 65; i++) assert.equal(table.ownerAt(table.find(Uint8Array.from([i, 1, 2, 3]))), i);
    assert.deepEqual(table.rowsOf(5), [4]);
  });

  it("owner 0 owns no row, not even the spare rows past the last card", () => {
    const table = new CardTable(8);
    assert.deepEqual(table.rowsOf(0), []);
    for (let i = 1; i <= 3; i++) table.add(Uint8Array.from([i, 1, 2, 3]), 1);
    table.removeAt(table.find(Uint8Array.from([2, 1, 2, 3])));
    assert.deepEqual(table.rowsOf(0), []);
    assert.deepEqual(table.rowsOf(1), [1, 0]);
  });

  it("hashUid spreads UIDs that differ in one byte over the index (FNV-1a plus an avalanche)", () => {
    // 256 UIDs differing only in their last byte, placed in a 512-slot index: a hash that ignored
    // the bytes would put them all in one slot, and linear probing would then walk all of them.
    for (const n of [4, 7, 10]) {
      const slots = new Set<number>();
      const bytes = Uint8Array.from({ length: n + 2 }, (_, i) => 0x30 + i);
      for (let last = 0; last < 256; last++) {
        bytes[n] = last; // the UID is bytes[1 .. n]: an offset into a column, as the table passes it
        slots.add(hashUid(bytes, 1, n) & 511);
      }
      assert.ok(slots.size > 150, `${n}-byte UIDs use ${slots.size} of 512 slots`);
      assert.equal(hashUid(bytes, 1, n), hashUid(bytes.slice(1, n + 1), 0, n), "only the UID's own bytes count");
    }
  });
});

describe("CardTable deletion at the end of the index (backward shift across the wrap)", () => {
  // A table for 4 cards has a 16-slot index. UIDs are picked by their home slot (hashUid & 15),
  // so each case puts entries exactly where a deletion has to move them, or leave them, across slot 15 → 0.
  // The last card added (c, home 7) is the row that removal moves, so the entries under test keep
  // their index slots.
  function withHome(slot: number, skip = 0): Uint8Array {
    for (let k = 1, found = 0; k < 65_536; k++) {
      const uid = Uint8Array.from([0x04, 0x10, k >> 8, k & 0xff]);
      if ((hashUid(uid, 0, 4) & 15) === slot && found++ === skip) return uid;
    }
    throw new Error(`no UID with home ${slot}`);
  }
  function table(...uids: Uint8Array[]): CardTable {
    const t = new CardTable(4);
    uids.forEach((uid, i) => t.add(uid, i + 1));
    return t;
  }
  const owners = (t: CardTable, ...uids: Uint8Array[]) => uids.map((uid) => { const row = t.find(uid); return row < 0 ? -1 : t.ownerAt(row); });

  it("an entry that wrapped past the end moves back into a hole at slot 0", () => {
    const x = withHome(0), a = withHome(15), b = withHome(15, 1), c = withHome(7);
    const t = table(x, a, b, c); // x at 0, a at 15, b wraps: 15 → 0 → 1
    t.removeAt(t.find(x));
    assert.deepEqual(owners(t, x, a, b, c), [-1, 2, 3, 4]);
  });

  it("an entry that wrapped to slot 0 moves back into its home at slot 15", () => {
    const a = withHome(15), b = withHome(15, 1), c = withHome(7);
    const t = table(a, b, c); // a at 15, b at 0
    t.removeAt(t.find(a));
    assert.deepEqual(owners(t, a, b, c), [-1, 2, 3]);
  });

  it("an entry that wrapped to slot 0 stays when the hole (slot 14) lies before its home", () => {
    const e = withHome(14), a = withHome(15), b = withHome(15, 1), c = withHome(7);
    const t = table(e, a, b, c); // e at 14, a at 15, b at 0
    t.removeAt(t.find(e));
    assert.deepEqual(owners(t, e, a, b, c), [-1, 2, 3, 4]);
  });
});

describe("indexSizeFor", () => {
  it("is the smallest power of two (at least 16) that keeps the index at most 70 % full", () => {
    assert.equal(indexSizeFor(0), 16);
    assert.equal(indexSizeFor(11), 16);
    assert.equal(indexSizeFor(12), 32);
    assert.equal(indexSizeFor(89.6), 128); // exactly 70 %
    assert.equal(indexSizeFor(89.7), 256);
    assert.equal(indexSizeFor(40_000), 65_536);
  });
});

