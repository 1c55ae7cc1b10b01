// Flash store: boot recovery cost for a full 1 MiB partition (XS computrons
// and Node time), write amplification over the gate-like workload of the
// power-cut tests, and erase-count spread after 100,000 updates.
import { nsPerCall, xsComputrons, type BenchRow, type BenchSuite } from "../harness";
import { NorFlash } from "../../../boards/host/nor-flash";
import { LogStore } from "../../../src/core/store/log-store";
import { fillStore } from "../../../test/core/store/full-image";
import { seededRandom } from "../../../test/core/store/helpers";
import { emptyModel, runSteps } from "../../../test/core/store/workload";

const MiB = 1024 * 1024;

function writeAmplification(size: number, steps: number): { wa: number; erases: number } {
  const flash = new NorFlash(size);
  const store = LogStore.open(flash, { random: seededRandom(3) });
  const formatBytes = flash.programmedBytes, formatErases = flash.erases;
  runSteps(store, flash.image, emptyModel(), 42, 0, steps);
  return { wa: (flash.programmedBytes - formatBytes) / store.stats().requestedBytes, erases: flash.erases - formatErases };
}

/** 100,000 updates over a 1 MiB partition that also holds ~40% static data (which must move too). */
function wearSpread(): { spread: number; mean: number; wa: number } {
  const flash = new NorFlash(MiB);
  const store = LogStore.open(flash, { random: seededRandom(5) });
  const value = new Uint8Array(200);
  for (let i = 0; i < 1400; i++) store.put(`static/${i}`, value.fill(i & 0xff));
  const requested0 = store.stats().requestedBytes, programmed0 = flash.programmedBytes;
  for (let i = 0; i < 100_000; i++) store.put(`hot/${(i * 7919) % 600}`, value.fill(i & 0xff).subarray(0, 120));
  const counts = Array.from(store.stats().eraseCounts);
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const wa = (flash.programmedBytes - programmed0) / (store.stats().requestedBytes - requested0);
  return { spread: Math.max(...counts) / mean, mean, wa };
}

const suite: BenchSuite = {
  name: "store",
  async run() {
    const rows: BenchRow[] = [];
    const full = new NorFlash(MiB);
    const { records } = fillStore(full);
    const bootXs = await xsComputrons({
      imports: `import { NorFlash } from "./boards/host/nor-flash";
import { LogStore } from "./src/core/store/log-store";
import { fillStore } from "./test/core/store/full-image";
import { seededRandom } from "./test/core/store/helpers";`,
      setup: `const flash = new NorFlash(${MiB}); fillStore(flash); const random = seededRandom(1);`,
      op: `LogStore.open(flash, { random });`,
      n: 2,
    });
    const readXs = await xsComputrons({
      imports: `import { NorFlash } from "./boards/host/nor-flash";`,
      setup: `const flash = new NorFlash(${MiB}); let x = 0;`,
      op: `for (let s = 0; s < 256; s++) x ^= flash.read(s * 4096, 4096)[7];`,
      n: 2,
    });
    rows.push({
      case: `boot recovery, full 1 MiB partition (${records.toLocaleString("en-US")} records written), XS`, value: bootXs, unit: "computrons",
      baseline: readXs, baselineName: "reading the 1 MiB image", note: "read-only scan; one 4 KiB sector buffer at a time",
    });
    rows.push({ case: "boot recovery, full 1 MiB partition, Node", value: nsPerCall(() => LogStore.open(full, { random: seededRandom(1) }), 1, 5) / 1e6, unit: "ms" });
    const small = writeAmplification(16 * 4096, 2000);
    rows.push({ case: "write amplification, gate workload (2,000 steps), 64 KiB partition", value: small.wa, unit: "× bytes requested", target: "≤ 3", note: `${small.erases} erases after the format (withdrawals erase at once)` });
    const big = writeAmplification(MiB, 2000);
    rows.push({ case: "write amplification, gate workload (2,000 steps), 1 MiB partition", value: big.wa, unit: "× bytes requested", target: "≤ 3", note: `${big.erases} erases after the format` });
    const wear = wearSpread();
    rows.push({ case: "erase-count spread after 100,000 updates (max/mean), 1 MiB, 40% static", value: wear.spread, unit: "max/mean", target: "≤ 2", note: `mean ${wear.mean.toFixed(1)} erases per sector; write amplification ${wear.wa.toFixed(2)}` });
    return rows;
  },
};
export default suite;
