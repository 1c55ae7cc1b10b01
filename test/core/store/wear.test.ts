// Wear levelling (src/core/store/sector-table.ts openSector): the next head is
// the least-erased free sector, so erases spread over the whole partition.
import assert from "node:assert/strict";
import { NorFlash } from "../../../boards/host/nor-flash";
import { LogStore } from "../../../src/core/store/log-store";
import { seededRandom } from "./helpers";

describe("log store: wear levelling", () => {
  it("spreads erases over every log sector: no sector is erased twice more than another", () => {
    const flash = new NorFlash(16 * 4096);
    const store = LogStore.open(flash, { random: seededRandom(1) });
    for (let i = 0; i < 400; i++) store.put(`k${i % 20}`, new Uint8Array(1000).fill(i & 0xff));
    const counts = store.stats().eraseCounts;
    assert.ok(store.stats().compactions > 100, "the log went round the partition many times");
    // The lowest free sector first would wear the first sectors and leave the last ones almost unused.
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `erase counts ${counts.join(",")}`);
  });
});

describe("log store: room for a large group", () => {
  it("compacts as many old sectors as a group needs, one after another", () => {
    const store = LogStore.open(new NorFlash(16 * 4096), { random: seededRandom(2) });
    for (let i = 0; i < 44; i++) store.put(`k${i % 4}`, new Uint8Array(1000).fill(i)); // 11 sectors, nearly all dead
    const before = store.stats().compactions;
    const group = Array.from({ length: 12 }, (_, i) => ({ put: `g${i}`, value: new Uint8Array(1000).fill(100 + i) }));
    store.commit(group); // three sectors more than the reserve allows
    assert.ok(store.stats().compactions - before >= 3, `compactions: ${store.stats().compactions - before}`);
    for (let i = 0; i < 12; i++) assert.equal(store.get(`g${i}`)![0], 100 + i);
    assert.equal(store.get("k3")![0], 43);
  });
});
