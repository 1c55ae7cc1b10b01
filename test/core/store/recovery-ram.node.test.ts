// "Bounded RAM while scanning", measured: the XS heap a recovered store keeps
// (live slots after gc(), from the xsnap meter) for a 64 KiB and a 1 MiB
// partition holding the same live keys, each after writing twice its size.
// The log in the larger one is 16 times longer; what recovery keeps must not
// follow it. Images are built in Node (same store code) and handed to XS.
import assert from "node:assert/strict";
import path from "node:path";
import { bundleForXs, repoRoot } from "../../../tools/xs/bundle";
import { XsWorker } from "../../../tools/xs/xsnap";
import { filledImage } from "./recovery-probe";

const KiB = 1024;

/** Heap slots still reachable from a store recovered from `image` inside XS (after gc(), flash image excluded). */
async function recoveredHeap(image: Uint8Array): Promise<{ slots: number; keys: number }> {
  const dir = path.join(repoRoot, "test/core/store");
  const contents = [
    `import { LogStore } from ${JSON.stringify(path.join(repoRoot, "src/core/store/log-store"))};`,
    `import { NorFlash } from ${JSON.stringify(path.join(repoRoot, "boards/host/nor-flash"))};`,
    `import { seededRandom } from ${JSON.stringify(path.join(dir, "helpers"))};`,
    `const image = new Uint8Array(issueCommand(new ArrayBuffer(0)));`,
    `globalThis.flash = new NorFlash(image.length, { image });`,
    `globalThis.recover = () => { globalThis.kept = LogStore.open(globalThis.flash, { random: seededRandom(5) }); };`,
    `gc();`,
  ].join("\n");
  const script = await bundleForXs("recovery-ram.xs-entry.ts", { contents, resolveDir: repoRoot });
  let keys = "";
  const worker = new XsWorker({ meteringLimit: 2_000_000_000, onCommand: (m) => (m.length ? void (keys = new TextDecoder().decode(m)) : image) });
  try {
    const before = await worker.evaluate(script);
    const after = await worker.evaluate(`recover(); gc(); issueCommand(new TextEncoder().encode(String(kept.keys().length)).buffer);`);
    return { slots: after.meter.currentHeapCount - before.meter.currentHeapCount, keys: Number(keys) };
  } finally {
    await worker.close();
  }
}

describe("store recovery: bounded RAM in XS", () => {
  it("keeps at most 32 more heap slots for a 1 MiB partition than for a 64 KiB one with the same live keys", async function () {
    this.timeout(120_000);
    const small = await recoveredHeap(filledImage(64 * KiB, 20));
    const large = await recoveredHeap(filledImage(1024 * KiB, 20));
    const manyKeys = await recoveredHeap(filledImage(1024 * KiB, 200));
    assert.deepEqual([small.keys, large.keys, manyKeys.keys], [20, 20, 200]);
    const figures = `64 KiB/20 keys ${small.slots} slots, 1 MiB/20 keys ${large.slots}, 1 MiB/200 keys ${manyKeys.slots}`;
    // The bound (src/core/store/README.md): a 16x longer log costs at most 32 more slots (measured: 0)...
    assert.ok(large.slots <= small.slots + 32, `heap follows the log: ${figures}`);
    assert.ok(large.slots <= 600, `recovered store over 600 slots for 20 keys: ${figures}`);
    // ...while live keys do cost heap (so the measure can see growth): at most 24 slots per extra key.
    assert.ok(manyKeys.slots > large.slots, figures);
    assert.ok((manyKeys.slots - large.slots) / 180 <= 24, `over 24 slots per live key: ${figures}`);
  });
});
