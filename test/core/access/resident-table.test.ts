// The resident columns and their id index against a plain model, through
// adds, removals, growth and collisions (portable: Node and XS).
import assert from "node:assert/strict";
import { PIN_HASH_BYTES, PIN_SALT_BYTES, ResidentTable } from "../../../src/core/access/resident-table";

/** Writes values derived from `id` into every column of `row`. */
function fill(t: ResidentTable, row: number, id: number): void {
  t.setUnit(row, `U${id}`.padEnd(8, String.fromCharCode(65 + (id % 26))).slice(0, 8));
  t.roles[row] = id & 3; t.statuses[row] = id & 1; t.flags[row] = (id >> 1) & 3; t.cardCounts[row] = id % 9;
  t.groups[row] = id * 3; t.from[row] = id * 5; t.until[row] = id * 7;
  for (let i = 0; i < PIN_SALT_BYTES; i++) t.pinSalts[row * PIN_SALT_BYTES + i] = (id + i) & 0xff || 1;
  for (let i = 0; i < PIN_HASH_BYTES; i++) t.pinHashes[row * PIN_HASH_BYTES + i] = (id * 3 + i) & 0xff || 1;
  t.pinFailures[row] = id & 0x7f; t.pinFailedAt[row] = id * 11; t.pinQuality[row] = id & 3;
}

function rowOf(t: ResidentTable, row: number): unknown[] {
  return [t.ids[row], t.unitAt(row), t.roles[row], t.statuses[row], t.flags[row], t.cardCounts[row], t.groups[row], t.from[row], t.until[row],
    Array.from(t.pinSalts.subarray(row * PIN_SALT_BYTES, (row + 1) * PIN_SALT_BYTES)),
    Array.from(t.pinHashes.subarray(row * PIN_HASH_BYTES, (row + 1) * PIN_HASH_BYTES)),
    t.pinFailures[row], t.pinFailedAt[row], t.pinQuality[row]];
}

function expected(id: number): unknown[] {
  const t = new ResidentTable(1);
  t.add(id);
  fill(t, 0, id);
  return rowOf(t, 0);
}

const ZERO_ROW = [0, "", 0, 0, 0, 0, 0, 0, 0, [0, 0, 0, 0], new Array(PIN_HASH_BYTES).fill(0), 0, 0, 0];

describe("ResidentTable", () => {
  it("matches a model through 600 adds and removals of colliding ids, moving whole rows and clearing the vacated one", () => {
    const t = new ResidentTable();
    const present = new Set<number>();
    let s = 0x2468ace;
    const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
    for (let step = 0; step < 600; step++) {
      const id = 1 + (next() % 70);
      if (present.has(id)) {
        t.removeAt(t.find(id));
        present.delete(id);
        assert.deepEqual(rowOf(t, t.size), ZERO_ROW, `row ${t.size} left behind after removing ${id}`);
      } else {
        const row = t.add(id);
        assert.equal(row, t.size - 1);
        fill(t, row, id);
        present.add(id);
      }
      assert.equal(t.size, present.size);
      for (let probe = 0; probe <= 72; probe++) {
        const row = t.find(probe);
        if (!present.has(probe)) assert.equal(row, -1, `step ${step}: ${probe} absent`);
        else assert.deepEqual(rowOf(t, row), expected(probe), `step ${step}: ${probe}`);
      }
    }
  });

  it("a unit of exactly 8 characters stays in its row; a shorter one replaces it whole", () => {
    const t = new ResidentTable();
    for (const id of [1, 2, 3]) t.add(id);
    t.setUnit(1, "B3-1205X");
    t.setUnit(2, "C9");
    t.setUnit(0, "ABCDEFGH");
    assert.deepEqual([t.unitAt(0), t.unitAt(1), t.unitAt(2)], ["ABCDEFGH", "B3-1205X", "C9"]);
    t.setUnit(1, "Q");
    assert.deepEqual([t.unitAt(0), t.unitAt(1), t.unitAt(2)], ["ABCDEFGH", "Q", "C9"]);
    t.setUnit(2, "ZZZZZZZZ");
    assert.deepEqual([t.unitAt(0), t.unitAt(1), t.unitAt(2)], ["ABCDEFGH", "Q", "ZZZZZZZZ"]);
  });

  it("costs 54 bytes a resident plus an index sized with the rows, at most 70 % full", () => {
    const t = new ResidentTable();
    assert.equal(t.byteLength, 16 * 54 + 32 * 4);
    for (let id = 1; id <= 16; id++) t.add(id);
    assert.equal(t.byteLength, 16 * 54 + 32 * 4);
    t.add(17); // grows to 24 rows, index 64
    assert.equal(t.ids.length, 24);
    assert.equal(t.byteLength, 24 * 54 + 64 * 4);
    assert.equal(t.find(0), -1);
    assert.equal(t.find(17), 16);
    assert.equal(t.find(1), 0);
  });

  it("reserve grows once, never shrinks, and adding keeps the reserved room", () => {
    const t = new ResidentTable();
    t.reserve(8);
    assert.equal(t.ids.length, 16);
    t.reserve(100);
    assert.equal(t.ids.length, 100);
    assert.equal(t.byteLength, 100 * 54 + 256 * 4);
    for (let id = 1; id <= 20; id++) t.add(id);
    assert.equal(t.ids.length, 100);
    for (let id = 1; id <= 20; id++) assert.equal(t.find(id), id - 1);
  });
});

describe("ResidentTable deletion at the end of the index (backward shift across the wrap)", () => {
  // A table for 4 residents has a 16-slot index. Ids are picked by their home slot, computed as the
  // table's own hashId does (a multiplicative mix, then h ^ h >>> 15); the last resident added (c, home 7)
  // is the row that removal moves, so the entries under test keep their index slots.
  const home = (id: number) => { let h = Math.imul(id, 0x9e3779b1); h ^= h >>> 15; return (h >>> 0) & 15; };
  function withHome(slot: number, skip = 0): number {
    for (let id = 1, found = 0; id < 1_000_000; id++) if (home(id) === slot && found++ === skip) return id;
    throw new Error(`no id with home ${slot}`);
  }
  function table(...ids: number[]): ResidentTable {
    const t = new ResidentTable(4);
    for (const id of ids) t.add(id);
    return t;
  }
  const found = (t: ResidentTable, ...ids: number[]) => ids.map((id) => t.find(id) >= 0);

  it("an entry that wrapped past the end moves back into a hole at slot 0", () => {
    const x = withHome(0), a = withHome(15), b = withHome(15, 1), c = withHome(7);
    const t = table(x, a, b, c); // x at 0, a at 15, b wraps: 15 → 0 → 1
    t.removeAt(t.find(x));
    assert.deepEqual(found(t, x, a, b, c), [false, true, true, true]);
  });

  it("an entry that wrapped to slot 0 moves back into its home at slot 15", () => {
    const a = withHome(15), b = withHome(15, 1), c = withHome(7);
    const t = table(a, b, c); // a at 15, b at 0
    t.removeAt(t.find(a));
    assert.deepEqual(found(t, a, b, c), [false, true, true]);
  });

  it("an entry that wrapped to slot 0 stays when the hole (slot 14) lies before its home", () => {
    const e = withHome(14), a = withHome(15), b = withHome(15, 1), c = withHome(7);
    const t = table(e, a, b, c); // e at 14, a at 15, b at 0
    t.removeAt(t.find(e));
    assert.deepEqual(found(t, e, a, b, c), [false, true, true, true]);
  });
});
