// Drivers: cost of reading a card, from the card entering the field to
// onTag, for 4- and 7-byte UIDs, with the real driver stack (Mfrc522Spi over
// the host SPI provider, CardReader) against the MFRC522 register model.
// The XS figure counts driver AND model work (the model runs in the same
// engine); SPI bytes and ticks per read are the device-side measures (at
// 4 MHz one byte is 2 µs of bus time).
import path from "node:path";
import { repoRoot } from "../../xs/bundle";
import { nsPerCall, xsComputrons, type BenchRow, type BenchSuite } from "../harness";
import { makeReaderRig, RIG_PINS, type ReaderRig } from "../../../test/models/reader-rig";
import { VirtualCard } from "../../../test/models/iso14443a-card";
import { Mfrc522Model } from "../../../test/models/mfrc522";
import { createHostHardware } from "../../../boards/host/io/index";
import { CardReader } from "../../../src/drivers/card-reader";
import { Mfrc522Spi } from "../../../src/drivers/mfrc522-spi";

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

/**
 * Records, in Node, every MISO byte the SPI bus returns while the reader reads
 * `swaps` cards, and the tick times of each read. Replayed in XS through a
 * stand-in SPI class, the driver stack (CardReader, Mfrc522, Mfrc522Spi)
 * runs the exact same path with no model behind it: driver-only computrons
 * (on the board the SPI calls themselves are native).
 */
function recordReads(size: number, swaps: number): { miso: number[]; warmup: number[]; ticks: number[][] } {
  const hw = createHostHardware();
  const model = new Mfrc522Model({ clock: hw.clock, gpio: hw.gpio, selectPin: RIG_PINS.select });
  hw.spi.attach(RIG_PINS.select, model);
  const miso: number[] = [];
  const Inner = hw.io.SPI;
  class RecordingSpi extends Inner {
    override transfer(buffer: ArrayBufferView | ArrayBuffer): void {
      super.transfer(buffer);
      const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      for (const b of bytes) miso.push(b);
    }
  }
  const transport = new Mfrc522Spi({ spi: { io: RecordingSpi }, select: { io: hw.io.Digital, pin: RIG_PINS.select } });
  let tagged = 0;
  const reader = new CardReader({ transport, onTag: () => tagged++, pollIntervalMs: 1, presenceIntervalMs: 1 });
  const cards = [new VirtualCard(UIDS[size][0]), new VirtualCard(UIDS[size][1])];
  const tickUntilTag = (times: number[]) => {
    const n = tagged;
    while (tagged === n) {
      times.push(hw.clock.advance(1));
      reader.tick(hw.clock.now);
    }
  };
  model.enter(cards[0]);
  const warmup: number[] = [];
  tickUntilTag(warmup);
  const ticks: number[][] = [];
  for (let i = 0; i < swaps; i++) {
    model.leave(cards[i & 1]);
    model.enter(cards[(i + 1) & 1]);
    const times: number[] = [];
    tickUntilTag(times);
    ticks.push(times);
  }
  return { miso, warmup, ticks };
}

const REPLAY_SETUP = (data: ReturnType<typeof recordReads>) => `
const data = ${JSON.stringify(data)};
let m = 0;
class ReplaySpi {
  transfer(buffer) { for (let i = 0; i < buffer.length; i++) buffer[i] = data.miso[m++]; }
  write() {}
  close() {}
}
class NoPin {
  static Input = 0; static InputPullUp = 1; static Output = 8; static Rising = 1; static Falling = 2;
  read() { return 1; }
  write() {}
  close() {}
}
let tagged = 0, k = 0;
const transport = new Mfrc522Spi({ spi: { io: ReplaySpi }, select: { io: NoPin, pin: 1 } });
const reader = new CardReader({ transport, onTag: () => tagged++, pollIntervalMs: 1, presenceIntervalMs: 1 });
for (const t of data.warmup) reader.tick(t);
if (tagged !== 1) throw new Error("replay diverged during warm-up");
const replay = () => {
  const times = data.ticks[k++];
  for (let i = 0; i < times.length; i++) reader.tick(times[i]);
  if (tagged !== k + 1) throw new Error("replay diverged");
};`;

const suite: BenchSuite = {
  name: "drivers",
  async run() {
    const rows: BenchRow[] = [];
    const imports = [
      `import { makeReaderRig } from ${JSON.stringify(path.join(repoRoot, "test/models/reader-rig.ts"))};`,
      `import { VirtualCard } from ${JSON.stringify(path.join(repoRoot, "test/models/iso14443a-card.ts"))};`,
    ].join("\n");
    const replayImports = [
      `import { CardReader } from ${JSON.stringify(path.join(repoRoot, "src/drivers/card-reader.ts"))};`,
      `import { Mfrc522Spi } from ${JSON.stringify(path.join(repoRoot, "src/drivers/mfrc522-spi.ts"))};`,
    ].join("\n");
    for (const size of [4, 7]) {
      const computrons = await xsComputrons({ imports, setup: SETUP(size), op: "swap();", n: 20 });
      const recorded = recordReads(size, 20);
      const driverOnly = await xsComputrons({ imports: replayImports, setup: REPLAY_SETUP(recorded), op: "replay();", n: 20 });
      const { rig, swap } = nodeRig(size);
      const bytes0 = rig.hw.spi.bytes, t0 = rig.hw.clock.now, tx0 = rig.model.transmissions;
      for (let i = 0; i < 100; i++) swap();
      const bytes = (rig.hw.spi.bytes - bytes0) / 100, ms = (rig.hw.clock.now - t0) / 100, frames = (rig.model.transmissions - tx0) / 100;
      rows.push({ case: `card in field → onTag, ${size}-byte UID, XS (driver + chip model)`, value: Math.round(computrons), unit: "computrons" });
      rows.push({ case: `card in field → onTag, ${size}-byte UID, XS driver stack only (replayed SPI bytes)`, value: Math.round(driverOnly), unit: "computrons", baseline: Math.round(computrons), baselineName: "with model" });
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
