// The board adapter (src/drivers/flash-partition.ts) inside XS, over a stand-in
// for Moddable's `flash` module: the store formats, writes, erases a withdrawn
// template and recovers through exactly the calls the board will make.
import assert from "node:assert/strict";
import path from "node:path";
import { repoRoot } from "../../../tools/xs/bundle";
import { runInXs } from "../../../tools/xs/run";

const entry = `
import FlashPartition from "./src/drivers/flash-partition";
import Flash from "./test/core/store/moddable-flash";
import { LogStore } from "./src/core/store/log-store";
import { eraseProof } from "./src/core/store/erase-proof";
import { seededRandom, bytes, secretBytes } from "./test/core/store/helpers";
const out = {};
const flash = new FlashPartition();
out.size = flash.size;
out.sectorSize = flash.sectorSize;
let store = LogStore.open(flash, { random: seededRandom(1) });
out.formatted = store.report.formatted;
store.put("card/1", bytes("resident 1"));
store.put("tpl/1", secretBytes(1), { sealed: true });
const stored = store.storedForm("tpl/1");
out.before = eraseProof(Flash.chip().image, stored).length;
store.delete("tpl/1");
out.after = eraseProof(Flash.chip().image, stored).length;
store = LogStore.open(new FlashPartition({ partition: "storage" }), { random: seededRandom(2) });
out.card = String.fromCharCode(...store.get("card/1"));
out.tpl = store.has("tpl/1");
out.violations = Flash.chip().violations;
issueCommand(new TextEncoder().encode(JSON.stringify(out)).buffer);
`;

describe("flash-partition adapter over Moddable's flash API, in XS", () => {
  it("formats, stores, erases a withdrawn template and recovers", async () => {
    const { messages } = await runInXs("flash-partition-entry.ts", {
      contents: entry,
      resolveDir: repoRoot,
      aliases: { flash: path.join(repoRoot, "test/core/store/moddable-flash.ts") },
    });
    const { before, ...out } = JSON.parse(messages[0]);
    assert.ok(before > 0, "the sealed template was on flash before the delete");
    assert.deepEqual(out, { size: 65536, sectorSize: 4096, formatted: true, after: 0, card: "resident 1", tpl: false, violations: 0 });
  });
});
