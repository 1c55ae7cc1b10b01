// Portable helpers for the "bounded RAM while scanning" tests: a partition
// filled with a long log over a fixed set of live keys, and a Flash wrapper
// that records the size of every read recovery asks for.
import type { Flash } from "../../../src/core/store/flash";
import { LogStore } from "../../../src/core/store/log-store";
import { NorFlash } from "../../../boards/host/nor-flash";
import { bytes, seededRandom } from "./helpers";

/** Live state is the same whatever `size` is: `liveKeys` keys and 40 retained audit records. */
export function filledImage(size: number, liveKeys: number): Uint8Array {
  const flash = new NorFlash(size);
  const store = LogStore.open(flash, { random: seededRandom(3) });
  // Overwrite the same keys until about twice the partition has been written: the log wraps and compacts.
  for (let n = 0; store.stats().programmedBytes < 2 * size; n++) {
    store.commit([
      { put: `k/${n % liveKeys}`, value: bytes(`v${n} `.padEnd(600, "x")) },
      { append: "audit", data: bytes(`event ${n}`.padEnd(55, ".")) },
    ]);
    if (n % 50 === 49) store.trimStream("audit", store.streamLength("audit") - 40);
  }
  // The final values depend only on the key, so every partition ends with the same live data.
  for (let i = 0; i < liveKeys; i++) store.put(`k/${i}`, bytes(`final ${i} `.padEnd(600, "y")));
  store.trimStream("audit", store.streamLength("audit") - 40);
  return flash.image.slice();
}

/** Passes every call through and keeps the largest read and the total read. */
export class ReadCountingFlash implements Flash {
  largestRead = 0;
  bytesRead = 0;
  reads = 0;
  constructor(readonly inner: Flash) {}
  get size(): number { return this.inner.size; }
  get sectorSize(): number { return this.inner.sectorSize; }
  read(offset: number, length: number): Uint8Array {
    this.reads++;
    this.bytesRead += length;
    this.largestRead = Math.max(this.largestRead, length);
    return this.inner.read(offset, length);
  }
  write(offset: number, data: Uint8Array): void { this.inner.write(offset, data); }
  erase(sector: number): void { this.inner.erase(sector); }
}
