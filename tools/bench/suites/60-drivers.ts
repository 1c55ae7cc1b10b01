// Drivers: cost of reading a card, from the card entering the field to
// onTag, for 4- and 7-byte UIDs, with the real driver stack (Mfrc522Spi over
// the host SPI provider, CardReader) against the MFRC522 register model.
// The XS figure counts driver AND model work (the model runs in the same
// engine); SPI bytes and ticks per read are the device-side measures (at
// 4 MHz one byte is 2 µs of bus time).
import path from "node:path";
import { repoRoot } from "../../xs/bundle";
import { nsPerCall, xsComputrons, type BenchRow, type BenchSuite } from "../harness";
import { makeReaderRig, type ReaderRig } from "../../../test/models/reader-rig";
import { VirtualCard } from "../../../test/models/iso14443a-card";

const UIDS: Record<number, [number[], number[]]> = {
  4: [[0x3a, 0x91, 0x07, 0xc4], [0x5b, 0x12, 0x88, 0x01]],
  7: [[0x04, 0x5e, 0x21, 0x8a, 0x33, 0x6b, 0x80], [0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66]],
};

/** Shared by the Node and the XS runs: swap the card in the field, tick until onTag. */
const SETUP = (size: number) => `
const rig = makeReaderRig({ pollIntervalMs: 1, presenceIntervalMs: 1 });
const cards = [new VirtualCard(${JSON.stringify(UIDS[size][0])}), new VirtualCard(${JSON.stringify(UIDS[size][1])})];
let which = 0;
rig.model.enter(cards[0]);
while (rig.tags.length === 0) { rig.hw.clock.advance(1); rig.reader.tick(rig.hw.clock.now); }
const swap = () => {
  const n = rig.tags.length;
  rig.model.leave(cards[which]);
  which ^= 1;
  rig.model.enter(cards[which]);
  while (rig.tags.length === n) { rig.hw.clock.advance(1); rig.reader.tick(rig.hw.clock.now); }
};`;

function nodeRig(size: number): { rig: ReaderRig; swap: () => void } {
  const rig = makeReaderRig({ pollIntervalMs: 1, presenceIntervalMs: 1 });
  const cards = [new VirtualCard(UIDS[size][0]), new VirtualCard(UIDS[size][1])];
  let which = 0;
  rig.model.enter(cards[0]);
  while (rig.tags.length === 0) rig.run(1, 1);
  const swap = () => {
    const n = rig.tags.length;
    rig.model.leave(cards[which]);
    which ^= 1;
    rig.model.enter(cards[which]);
    while (rig.tags.length === n) rig.run(1, 1);
  };
  return { rig, swap };
}

const suite: BenchSuite = {
  name: "drivers",
  async run() {
    const rows: BenchRow[] = [];
    const imports = [
      `import { makeReaderRig } from ${JSON.stringify(path.join(repoRoot, "test/models/reader-rig.ts"))};`,
      `import { VirtualCard } from ${JSON.stringify(path.join(repoRoot, "test/models/iso14443a-card.ts"))};`,
    ].join("\n");
    for (const size of [4, 7]) {
      const computrons = await xsComputrons({ imports, setup: SETUP(size), op: "swap();", n: 20 });
      const { rig, swap } = nodeRig(size);
      const bytes0 = rig.hw.spi.bytes, t0 = rig.hw.clock.now, tx0 = rig.model.transmissions;
      for (let i = 0; i < 100; i++) swap();
      const bytes = (rig.hw.spi.bytes - bytes0) / 100, ms = (rig.hw.clock.now - t0) / 100, frames = (rig.model.transmissions - tx0) / 100;
      rows.push({ case: `card in field → onTag, ${size}-byte UID, XS (driver + chip model)`, value: Math.round(computrons), unit: "computrons" });
      rows.push({ case: `  SPI bytes per read, ${size}-byte UID`, value: Math.round(bytes), unit: "bytes", note: `${(bytes * 2 / 1000).toFixed(2)} ms of bus at 4 MHz; ${frames} RF frames; ${ms} ticks of 1 ms` });
      rows.push({ case: `  same in Node`, value: nsPerCall(swap, 200), unit: "ns" });
    }
    // The price of waiting: one WUPA poll of an empty field (start, then the timer IRQ a tick later).
    const idle = await xsComputrons({
      imports,
      setup: `const rig = makeReaderRig({ pollIntervalMs: 1 });\nconst poll = () => { for (let i = 0; i < 2; i++) { rig.hw.clock.advance(1); rig.reader.tick(rig.hw.clock.now); } };`,
      op: "poll();",
      n: 50,
    });
    rows.push({ case: "empty-field WUPA poll (2 ticks), XS (driver + chip model)", value: Math.round(idle), unit: "computrons", note: "every 100 ms by default" });
    return rows;
  },
};
export default suite;
