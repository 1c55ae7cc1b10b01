// "Bounded RAM while scanning": recovery reads the log one record or one
// sector at a time, never a buffer that grows with the partition, and the
// state it rebuilds is the same whatever the log's length. The heap itself is
// measured inside XS in recovery-ram.node.test.ts.
import assert from "node:assert/strict";
import { NorFlash } from "../../../boards/host/nor-flash";
import { SECTOR_SIZE } from "../../../src/core/store/flash";
import { LogStore } from "../../../src/core/store/log-store";
import { seededRandom } from "./helpers";
import { ReadCountingFlash, filledImage } from "./recovery-probe";

describe("store recovery: bounded reads", () => {
  it("never asks flash for more than one sector at a time, however large the partition", () => {
    const sizes = [16 * SECTOR_SIZE, 64 * SECTOR_SIZE];
    const seen: { size: number; largest: number; read: number; keys: string }[] = [];
    for (const size of sizes) {
      const flash = new ReadCountingFlash(new NorFlash(size, { image: filledImage(size, 12) }));
      const store = LogStore.open(flash, { random: seededRandom(5) });
      assert.ok(flash.reads > 0);
      assert.ok(flash.largestRead <= SECTOR_SIZE, `${size} B partition: a read of ${flash.largestRead} B during recovery`);
      assert.equal(store.report.lostRecords, 0);
      assert.equal(store.streamLength("audit") - store.streamStart("audit"), 40);
      seen.push({ size, largest: flash.largestRead, read: flash.bytesRead, keys: store.keys().sort().join() });
    }
    // The scan covers the whole log (it reads more on the larger partition) with the same largest buffer, and finds the same live keys.
    assert.ok(seen[1].read > seen[0].read, `read ${seen[0].read} B of 64 KiB, ${seen[1].read} B of 256 KiB`);
    assert.equal(seen[1].keys, seen[0].keys);
    assert.equal(seen[0].keys.split(",").length, 12);
  });
});
