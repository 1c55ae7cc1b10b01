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
