// LogStore at its edges, each case small and fast: exact space accounting
// (and that recovery rebuilds the same), where records land, what recovery
// repairs and reports, the refusals and their sentences, and a store that
// stops after a flash failure. The power-cut campaigns (power-cut*.test.ts)
// check the same rules over whole workloads; these pin them down one by one.
import assert from "node:assert/strict";
import { NorFlash } from "../../../boards/host/nor-flash";
import { isOptgateError } from "../../../src/core/errors";
import type { Flash } from "../../../src/core/store/flash";
import { crc32 } from "../../../src/core/store/crc32";
import { MAX_RECORD, RecordType, SECTOR_HEADER, decodeRecord, encodeKeyArea, encodeRecord, putU32, recordSize } from "../../../src/core/store/format";
import { LogStore } from "../../../src/core/store/log-store";
import { bytes, secretBytes, seededRandom, text } from "./helpers";

const SECTOR = 4096;
const open = (flash: Flash, seed = 1) => LogStore.open(flash, { random: seededRandom(seed) });
const refused = (code: string, message?: RegExp) => (e: unknown) => isOptgateError(e, code) && (!message || message.test((e as Error).message));

/** A RAM flash of any sector size (NorFlash is fixed at 4 KiB), failing a chosen write with a plain Error. */
class RamFlash implements Flash {
  readonly image: Uint8Array;
  failWrite = 0;
  /** Fails (before programming anything) the first write this accepts. */
  failIf: ((offset: number, data: Uint8Array) => boolean) | undefined;
  writes = 0;
  /** Every write and erase, in order: "w <offset> <length>" or "e <sector>". */
  readonly log: string[] = [];
  constructor(readonly size: number, readonly sectorSize: number) {
    this.image = new Uint8Array(size).fill(0xff);
  }
  read(offset: number, length: number): Uint8Array {
    return this.image.slice(offset, offset + length);
  }
  write(offset: number, data: Uint8Array): void {
    if (++this.writes === this.failWrite || this.failIf?.(offset, data)) {
      this.failIf = undefined;
      throw new Error("SPI flash timeout");
    }
    this.log.push(`w ${offset} ${data.length}`);
    for (let i = 0; i < data.length; i++) this.image[offset + i] &= data[i];
  }
  erase(sector: number): void {
    this.log.push(`e ${sector}`);
    this.image.fill(0xff, sector * this.sectorSize, (sector + 1) * this.sectorSize);
  }
}

/** Offset of the last occurrence of `needle` in `image`, or -1. */
function lastIndexOf(image: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = image.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (image[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The size and key length of every Retire record in the log sectors' valid records. */
function retiresIn(image: Uint8Array): { size: number; keyLength: number }[] {
  const out: { size: number; keyLength: number }[] = [];
  for (let s = 2; s < image.length / SECTOR; s++) {
    for (let at = s * SECTOR + SECTOR_HEADER; ;) {
      const rec = decodeRecord(image, at, (s + 1) * SECTOR);
      if (!rec) break;
      if (rec.type === RecordType.Retire) out.push({ size: rec.size, keyLength: rec.keyLength });
      at += rec.size;
    }
  }
  return out;
}

/** The flash operation numbers of a run's erases (a copy of the image replays it). */
function eraseOps(flash: NorFlash, work: (f: NorFlash) => void): number[] {
  const copy = new NorFlash(flash.size, { image: flash.image });
  const ops: number[] = [];
  const erase = copy.erase.bind(copy);
  copy.erase = (s) => {
    ops.push(copy.ops + 1);
    erase(s);
  };
  work(copy);
  return ops;
}

describe("log store: configuration and format", () => {
  it("needs at least 8 sectors of 2,288 bytes", () => {
    const sentence = /^E_STORE_CONFIG: the flash partition must have at least 8 sectors of 2288 bytes or more\.$/;
    assert.throws(() => open(new RamFlash(7 * 4096, 4096)), refused("E_STORE_CONFIG", sentence));
    assert.throws(() => open(new RamFlash(8 * 2284, 2284)), refused("E_STORE_CONFIG", sentence));
    assert.equal(2 * MAX_RECORD + SECTOR_HEADER, 2288);
    const small = open(new RamFlash(8 * 2288, 2288));
    small.put("k", bytes("v"));
    assert.equal(small.stats().logSectors, 6);
    assert.equal(open(new RamFlash(8 * 4096 + 100, 4096)).stats().logSectors, 6, "a partial sector at the end is not used");
  });

  it("formats a blank chip with two key copies and header A on every log sector, and no more", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    assert.deepEqual(store.report, {
      formatted: true, records: 0, droppedRecords: 0, droppedBytes: 0, garbageSectors: 0, retiredSectors: 0, scrubbedSectors: 0,
      keyRepaired: false, keyLost: false, readOnly: false, lostRecords: 0, damagedKeys: {}, unknownLost: 0, streamHoles: {},
    });
    assert.deepEqual(Array.from(flash.eraseCounts), [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "blank key sectors are not erased");
    assert.equal(flash.programmedBytes, 2 * 44 + 14 * 16, "no magic is cleared on a blank sector");
    assert.deepEqual(store.stats(), {
      logSectors: 14, freeSectors: 14, liveBytes: 0, liveLimit: 10 * (4096 - 24 - 1132), programmedBytes: 14 * 16, erases: 14,
      requestedBytes: 0, compactions: 0, purges: 0, eraseCounts: new Uint32Array(14).fill(1),
    });
    const again = open(flash, 2);
    assert.deepEqual(again.report, { ...store.report, formatted: false }, "a clean reboot finds nothing to report");
    assert.equal(flash.ops, 30, "a clean reboot writes nothing");
  });

  it("refuses a key area of a newer version even where the log is blank, and with one copy damaged", () => {
    for (const other of ["future", "garbage"]) {
      const flash = new NorFlash(16 * SECTOR);
      const future = encodeKeyArea(new Uint8Array(32).fill(7));
      future[4] = 2;
      putU32(future, 40, crc32(future, 4, 40));
      flash.image.set(future, 0);
      flash.image.set(other === "future" ? future : new Uint8Array(44).fill(0x55), SECTOR);
      const before = flash.image.slice();
      assert.throws(() => open(flash), refused("E_STORE_VERSION", /^E_STORE_VERSION: the flash store was written by a newer firmware format/), other);
      assert.deepEqual(flash.image, before, "nothing written");
      assert.equal(flash.ops, 0);
    }
  });

  it("refuses a sector header of a newer version when no key copy of this version vouches for the store", () => {
    const flash = new NorFlash(16 * SECTOR);
    open(flash).put("a", bytes("1"));
    flash.image.fill(0x55, 0, 44); // both key copies damaged
    flash.image.fill(0x55, SECTOR, SECTOR + 44);
    flash.image[2 * SECTOR + 4] = 2;
    putU32(flash.image, 2 * SECTOR + 12, crc32(flash.image, 2 * SECTOR + 4, 2 * SECTOR + 12));
    const before = flash.image.slice();
    assert.throws(() => open(flash, 2), refused("E_STORE_VERSION"));
    assert.deepEqual(flash.image, before);
  });

  it("erases a key sector that is blank where the key goes but holds bytes further on", () => {
    const flash = new NorFlash(16 * SECTOR);
    open(flash).put("a", bytes("1"));
    flash.image.fill(0xff, SECTOR, 2 * SECTOR);
    flash.image[SECTOR + 100] = 0x12;
    const again = open(flash, 2);
    assert.equal(again.report.keyRepaired, true);
    assert.equal(flash.image[SECTOR + 100], 0xff);
    assert.equal(flash.violations, 0);
    assert.equal(flash.eraseCounts[1], 1);
    assert.deepEqual(flash.image.subarray(SECTOR, SECTOR + 44), flash.image.subarray(0, 44), "the copy is rewritten");
  });

  it("an erased garbage sector continues at the highest erase count", () => {
    const flash = new NorFlash(16 * SECTOR);
    let store = open(flash);
    for (let i = 0; i < 60; i++) store.put(`k${i % 3}`, new Uint8Array(1000).fill(i));
    const before = Array.from(store.stats().eraseCounts);
    const max = Math.max(...before);
    assert.ok(max > 1);
    let free = -1;
    for (let s = 2; s < 16; s++) if (flash.image[s * SECTOR] === 0x4f && flash.image.subarray(s * SECTOR + 16, s * SECTOR + 24).every((b) => b === 0xff)) free = s;
    assert.ok(free > 0, "a free sector");
    flash.image[free * SECTOR + 5] ^= 0x01;
    store = open(flash, 2);
    assert.equal(store.report.garbageSectors, 1);
    assert.equal(store.stats().eraseCounts[free - 2], max + 1);
  });
});

describe("log store: reading", () => {
  it("lists keys by prefix, never its own trim marks or deleted keys", () => {
    const store = open(new NorFlash(16 * SECTOR));
    store.commit([{ put: "res/1", value: bytes("a") }, { put: "res/2", value: bytes("b") }, { put: "card/1", value: bytes("c") }, { append: "audit", data: bytes("x") }]);
    store.trimStream("audit", 1);
    store.delete("res/2");
    assert.deepEqual(store.keys().sort(), ["card/1", "res/1"]);
    assert.deepEqual(store.keys("res/"), ["res/1"]);
    assert.deepEqual(store.keys("zzz"), []);
    assert.equal(store.has("res/2"), false);
    assert.equal(store.has("#trim/audit"), true, "the trim mark is a key of its own");
    assert.equal(store.isSealed("res/2"), false);
    assert.equal(store.isSealed("nothing"), false);
    assert.equal(store.get("res/2"), undefined);
    assert.equal(store.storedForm("res/2"), undefined);
    assert.equal(text(store.storedForm("res/1")), "a", "a clear value's stored form is the value");
  });

  it("keeps a sealed value as nonce, ciphertext and tag, bound to its key", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("tpl/1", secretBytes(1, 100), { sealed: true });
    store.put("tpl/2", secretBytes(2, 100), { sealed: true });
    assert.equal(store.storedForm("tpl/1")!.length, 12 + 100 + 16);
    assert.ok(store.isSealed("tpl/1"));
    assert.equal(store.has("tpl/1"), true);
    // Swap the two sealed values on flash (same length, CRCs made valid): each must refuse to open under the other's key.
    const a = lastIndexOf(flash.image, store.storedForm("tpl/1")!), b = lastIndexOf(flash.image, store.storedForm("tpl/2")!);
    const formA = flash.image.slice(a, a + 128), formB = flash.image.slice(b, b + 128);
    const recA = a - 16 - 5, recB = b - 16 - 5;
    flash.image.set(encodeRecord(RecordType.Sealed, "tpl/1", formB, flash.image[recA + 8], 0, 1), recA);
    flash.image.set(encodeRecord(RecordType.Sealed, "tpl/2", formA, flash.image[recB + 8], 0, 1), recB);
    const again = open(flash, 2);
    assert.throws(() => again.get("tpl/1"), refused("E_STORE_SEALED", /^E_STORE_SEALED: the sealed record "tpl\/1" cannot be decrypted \(device key lost or data altered\); enrol again\.$/));
    assert.throws(() => again.get("tpl/2"), refused("E_STORE_SEALED"));
  });

  it("reads each stream apart from other streams and from a key of the same name", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.commit([{ append: "a", data: bytes("a0") }, { append: "b", data: bytes("b0") }, { put: "a", value: bytes("the key a") }]);
    store.commit([{ append: "b", data: bytes("b1") }, { append: "a", data: bytes("a1") }]);
    const read = (s: LogStore, stream: string) => {
      const seen: string[] = [];
      s.readStream(stream, 0, (i, d) => seen.push(`${i}:${text(d)}`));
      return seen;
    };
    assert.deepEqual(read(store, "a"), ["0:a0", "1:a1"]);
    assert.deepEqual(read(store, "b"), ["0:b0", "1:b1"]);
    assert.equal(text(store.get("a")), "the key a");
    assert.deepEqual(read(open(flash, 2), "a"), ["0:a0", "1:a1"]);
  });

  it("trims a stream only forward, from its start to its length", () => {
    const store = open(new NorFlash(16 * SECTOR));
    for (let i = 0; i < 10; i++) store.append("s", bytes(`${i}`));
    store.trimStream("s", 5);
    assert.throws(() => store.trimStream("s", 3), refused("E_STORE_RANGE", /^E_STORE_RANGE: trim point 3 is outside s \[5, 10\]\.$/));
    assert.throws(() => store.trimStream("s", 11), refused("E_STORE_RANGE"));
    store.trimStream("s", 10);
    assert.deepEqual([store.streamStart("s"), store.streamLength("s")], [10, 10]);
  });

  it("takes a trim point only from a trim mark, not from a key that ends like a stream's name", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 4; i++) store.append("s", bytes(`${i}`));
    store.trimStream("s", 2);
    store.put("abcdefs", bytes("a key whose tail is the stream's name"));
    assert.equal(store.streamStart("s"), 2);
    assert.equal(open(flash, 2).streamStart("s"), 2);
  });

  it("refuses a record that changed on flash after boot", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("a", bytes("value a"));
    store.append("s", bytes("first"));
    flash.image[lastIndexOf(flash.image, bytes("value a"))] ^= 0x01;
    assert.throws(() => store.get("a"), refused("E_STORE_CORRUPT", /^E_STORE_CORRUPT: the record "a" changed on flash after boot; reboot to recover\.$/));
  });

  it("refuses a stream record that reads back different from what the walk found", () => {
    // A bit that flips between two reads (read disturb): the walk reads whole sectors, readStream then the record.
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.append("s", bytes("first"));
    let armed = false;
    const flaky: Flash = {
      size: flash.size, sectorSize: flash.sectorSize, write: (o, d) => flash.write(o, d), erase: (s) => flash.erase(s),
      read: (offset, length) => {
        const data = flash.read(offset, length);
        if (armed && length < SECTOR) data[16] ^= 0x01;
        return data;
      },
    };
    const reader = open(flaky, 2);
    armed = true;
    assert.throws(() => reader.readStream("s", 0, () => {}), refused("E_STORE_CORRUPT", /^E_STORE_CORRUPT: a s record changed on flash after boot; reboot to recover\.$/));
    const seen: string[] = [];
    store.readStream("s", 0, (i, d) => seen.push(`${i}:${text(d)}`));
    assert.deepEqual(seen, ["0:first"]);
  });

  it("refuses a valid record of another key at a key's address", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("a", bytes("value"));
    const at = lastIndexOf(flash.image, bytes("avalue")) - 16;
    flash.image.fill(0, at, at + 24);
    flash.image.set(encodeRecord(RecordType.Put, "b", bytes("value"), 0, 0, 1), at);
    flash.image.fill(0xff, at, at + 24);
    flash.image.set(encodeRecord(RecordType.Put, "b", bytes("value"), 0, 0, 1), at);
    assert.ok(decodeRecord(flash.image, at));
    assert.throws(() => store.get("a"), refused("E_STORE_CORRUPT"));
  });

  it("reads a stream from any index, in index order, from its start at the earliest", () => {
    const flash = new NorFlash(12 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 100; i++) store.commit([{ append: "log", data: bytes(`e${i}`) }, { put: `pad${i % 4}`, value: new Uint8Array(900).fill(i) }]);
    store.trimStream("log", 65);
    assert.ok(store.stats().compactions > 0, "compaction moved stream records behind newer ones");
    const seen: string[] = [];
    store.readStream("log", 90, (i, d) => seen.push(`${i}:${text(d)}`));
    assert.deepEqual(seen, Array.from({ length: 10 }, (_, k) => `${90 + k}:e${90 + k}`));
    const all: number[] = [];
    store.readStream("log", 0, (i) => all.push(i));
    assert.deepEqual(all, Array.from({ length: 35 }, (_, k) => k + 65));
    assert.equal(store.streamLength("nothing"), 0);
    assert.equal(store.streamStart("nothing"), 0);
    const none: number[] = [];
    store.readStream("log", 100, (i) => none.push(i));
    assert.deepEqual(none, []);
  });
});

describe("log store: what recovery reports", () => {
  it("a lost device key beside a log is no format", () => {
    const flash = new NorFlash(16 * SECTOR);
    open(flash).put("a", bytes("1"));
    flash.image.fill(0, 0, 44);
    flash.image.fill(0, SECTOR, SECTOR + 44);
    const again = open(flash, 2);
    assert.deepEqual([again.report.keyLost, again.report.formatted, again.report.keyRepaired], [true, false, false]);
    assert.equal(text(again.get("a")), "1");
  });

  it("counts bytes programmed after a record that ends 16 bytes before the sector's end", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 3; i++) store.put(`k${i}`, new Uint8Array(1000).fill(i)); // 24 + 3 × 1020
    store.put("k3", new Uint8Array(978).fill(3)); // 996 bytes: ends at 4080
    assert.ok(decodeRecord(flash.image, 2 * SECTOR + 3084));
    flash.image[2 * SECTOR + 4090] = 0; // bit rot where nothing was written
    const again = open(flash, 2);
    assert.equal(again.report.droppedBytes, 4);
    assert.equal(again.report.lostRecords, 0);
    assert.equal(again.get("k3")![0], 3);
  });

  it("names the keys of two damaged records in a row", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("before", bytes("0"));
    store.put("n1", bytes("first value"));
    store.put("n2", bytes("second value"));
    store.put("after", bytes("3"));
    flash.image[lastIndexOf(flash.image, bytes("first value")) + 2] ^= 0x20;
    flash.image[lastIndexOf(flash.image, bytes("second value")) + 2] ^= 0x20;
    const again = open(flash, 2);
    assert.equal(again.report.lostRecords, 2);
    assert.deepEqual(again.report.damagedKeys, { n1: 1, n2: 1 });
    assert.equal(again.report.unknownLost, 0);
  });

  it("counts the committed records it found", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.commit([{ put: "a", value: bytes("1") }, { append: "s", data: bytes("x") }]);
    store.put("b", bytes("2"));
    store.delete("a");
    store.put("b", bytes("3"));
    const again = open(flash, 2);
    assert.equal(again.report.records, 5);
    assert.equal(again.report.scrubbedSectors, 0, "an overwritten clear value is no withdrawn secret: nothing to scrub");
  });

  it("sees a lost record across a sector boundary", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 3; i++) store.put(`k${i}`, new Uint8Array(1000).fill(i)); // sector 2: 3084 bytes
    store.put("last", bytes("the last value in sector 2"));
    store.put("next", new Uint8Array(1000)); // does not fit: first record of sector 3
    assert.ok(decodeRecord(flash.image, 3 * SECTOR + SECTOR_HEADER));
    flash.image[lastIndexOf(flash.image, bytes("the last value"))] ^= 0x02;
    const again = open(flash, 2);
    assert.equal(again.report.lostRecords, 1);
    assert.deepEqual(again.report.damagedKeys, { last: 1 });
  });

  it("leaves its report as it was when a stream is read after boot", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.append("s", bytes("event"));
    store.put("b", bytes("second value"));
    // Renumber b's record 3 further on: a gap with no damaged bytes, so nothing is scrubbed and the walk meets it again.
    const at = lastIndexOf(flash.image, bytes("bsecond value")) - 16;
    const seq = flash.image[at + 8] | (flash.image[at + 9] << 8) | (flash.image[at + 10] << 16) | (flash.image[at + 11] << 24);
    flash.image.set(encodeRecord(RecordType.Put, "b", bytes("second value"), seq + 3, 0, 1), at);
    const again = open(flash, 2);
    assert.deepEqual([again.report.lostRecords, again.report.unknownLost, again.report.scrubbedSectors], [3, 3, 0]);
    const report = JSON.stringify(again.report);
    let read = 0;
    again.readStream("s", 0, () => read++);
    assert.equal(read, 1);
    assert.equal(JSON.stringify(again.report), report);
  });

  it("counts the stream records a damaged header took with it, where no gap shows the loss", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 3; i++) store.append("s", bytes(`event ${i}`));
    flash.image[2 * SECTOR + SECTOR_HEADER + 9] ^= 0x01; // the first record's sequence number: its CRC and header check fail
    const again = open(flash, 2);
    assert.ok(again.report.droppedBytes > 0);
    assert.equal(again.report.lostRecords, 0, "first in the log: no gap, no name");
    assert.deepEqual(again.report.streamHoles, { s: 1 });
  });

  it("counts the stream records of a sector whose header was lost", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 80; i++) store.append("s", new Uint8Array(100).fill(i)); // 124 bytes each: 32 per sector
    flash.image[2 * SECTOR + 9] ^= 0x01; // sector 2's erase count: header A fails its CRC
    const again = open(flash, 2);
    assert.deepEqual([again.report.garbageSectors, again.report.droppedBytes, again.report.lostRecords], [1, 0, 0]);
    assert.deepEqual(again.report.streamHoles, { s: 32 });
  });
});

describe("log store: space accounting", () => {
  it("counts live bytes record by record, tombstones and kept stream records included, and recovery counts the same", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    const live = () => store.stats().liveBytes;
    store.put("a", bytes("1"));
    assert.equal(live(), 20);
    store.put("bb", bytes("12345"));
    assert.equal(live(), 20 + 24);
    store.put("a", bytes("123456789"));
    assert.equal(live(), 28 + 24, "an overwrite replaces the old size");
    store.delete("bb");
    assert.equal(live(), 28 + 20, "a tombstone counts until compaction drops it");
    store.append("s", bytes("xyz"));
    store.append("s", bytes("xyz"));
    assert.equal(live(), 48 + 2 * 24);
    store.trimStream("s", 1);
    assert.equal(live(), 48 + 24 + recordSize(6 + 4), "a trimmed stream record stops counting; the trim mark counts");
    assert.equal(store.stats().requestedBytes, 2 + 7 + 10 + 2 + 2 * 4);
    assert.equal(open(flash, 2).stats().liveBytes, live());
  });

  it("recovery stops counting trimmed stream records in a sector that holds nothing else", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 4; i++) store.append("s", new Uint8Array(1000).fill(i)); // three fill sector 2, the fourth opens sector 3
    store.trimStream("s", 3); // the trim mark lands in sector 3, after the records it trims
    const live = store.stats().liveBytes;
    assert.equal(live, recordSize(1 + 4 + 1000) + recordSize(6 + 4), "the last stream record and the trim mark");
    assert.equal(open(flash, 2).stats().liveBytes, live);
  });

  it("keeps a recounted sector's lowest stream index, so a second trim recounts it again", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 4; i++) store.append("s", new Uint8Array(1000).fill(i)); // three fill sector 2, the fourth opens sector 3
    store.trimStream("s", 1);
    assert.equal(store.stats().liveBytes, 3 * recordSize(1 + 4 + 1000) + recordSize(6 + 4));
    store.trimStream("s", 3);
    assert.equal(store.stats().liveBytes, recordSize(1 + 4 + 1000) + recordSize(6 + 4));
    assert.equal(open(flash, 2).stats().liveBytes, store.stats().liveBytes);
  });

  it("never counts a compaction's Retire as live when a trim recounts its sector", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 4; i++) store.put(`fill${i}`, new Uint8Array(1000).fill(i)); // sector 2 full
    store.put("tpl/1", secretBytes(1, 200), { sealed: true });
    store.put("tpl/1", secretBytes(2, 200), { sealed: true }); // withdraws the old copy: sector 2 is compacted, its Retire goes to the head
    assert.equal(store.stats().purges, 1);
    store.append("s", bytes("first"));
    store.append("s", bytes("second"));
    const before = store.stats().liveBytes;
    store.trimStream("s", 1);
    assert.equal(store.stats().liveBytes, before - recordSize(1 + 4 + 5) + recordSize(6 + 4));
  });

  it("writes a compaction's Retire as 20 bytes, with no key", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 4; i++) store.put(`fill${i}`, new Uint8Array(1000).fill(i)); // sector 2 full, fill3 opens sector 3
    store.put("tpl/1", secretBytes(1, 200), { sealed: true });
    store.put("tpl/1", secretBytes(2, 200), { sealed: true }); // withdraws the old copy: sector 3 is compacted
    assert.equal(store.stats().purges, 1);
    assert.deepEqual(retiresIn(flash.image).map((r) => [r.size, r.keyLength]), [[recordSize(4), 0]]);
  });

  it("erases a compacted sector that holds only dead records without writing a Retire", () => {
    const flash = new NorFlash(8 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 12 && store.stats().compactions === 0; i++) store.put("k", new Uint8Array(1000).fill(i));
    assert.equal(store.stats().compactions, 1);
    assert.deepEqual(retiresIn(flash.image), []);
    assert.equal(open(flash, 2).get("k")?.length, 1000);
  });

  it("accepts a write that reaches the limit exactly, refuses one byte more, and counts a replacement by its difference", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    const limit = store.stats().liveLimit;
    assert.equal(limit, 29400);
    store.append("s", bytes("e0")); // 24
    for (let i = 0; i < 28; i++) store.put(`k${String(i).padStart(2, "0")}`, new Uint8Array(1024).fill(i)); // 28 × 1044
    assert.equal(store.stats().liveBytes, 24 + 28 * 1044);
    const last = limit - 24 - 28 * 1044; // 144: key "end" + 125 bytes
    assert.throws(() => store.put("end", new Uint8Array(last - 16 - 3 + 1)), refused("E_STORE_FULL", /^E_STORE_FULL: the flash store is full; nothing was written\. Remove residents or export and trim the audit log\.$/));
    store.put("end", new Uint8Array(last - 16 - 3));
    assert.equal(store.stats().liveBytes, limit);
    store.put("k00", new Uint8Array(1024).fill(99));
    assert.equal(store.get("k00")![0], 99, "a same-size replacement fits at the limit");
    assert.throws(() => store.append("s", bytes("x")), refused("E_STORE_FULL"));
    assert.throws(() => store.commit([{ delete: "k03" }, { put: "big", value: new Uint8Array(1024) }]), refused("E_STORE_FULL"), "a delete does not carry a larger put");
    assert.equal(store.has("k03"), true);
    assert.throws(() => store.append("k04", bytes("x")), refused("E_STORE_FULL"), "a stream's record replaces no key of its name");
    store.trimStream("s", 1);
    assert.equal(store.stats().liveBytes, limit - 24 + 28, "a trim is accepted at the limit, its mark taking the store just past it");
    store.delete("k01");
    store.delete("k02");
    const again = open(flash, 2);
    assert.equal(again.stats().liveBytes, limit - 24 + 28 - 2 * 1044 + 2 * 20);
    assert.equal(again.get("k00")![0], 99);
  });

  it("writes the first record at the start of the lowest free sector, and a rebooted store goes on in the same sector", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("first", bytes("1"));
    assert.ok(decodeRecord(flash.image, 2 * SECTOR + SECTOR_HEADER), "sector 2, right after its header");
    const free = store.stats().freeSectors;
    assert.equal(free, 13);
    const again = open(flash, 2);
    again.put("second", bytes("2"));
    assert.equal(again.stats().freeSectors, free, "no new sector for a head with room");
    assert.ok(decodeRecord(flash.image, 2 * SECTOR + SECTOR_HEADER + 24), "right behind the first record");
    assert.equal(flash.violations, 0);
  });

  it("counts its own programmed bytes, erases, compactions and purges", () => {
    const flash = new NorFlash(12 * SECTOR);
    const store = open(flash);
    const formatBytes = flash.programmedBytes, formatErases = flash.erases;
    store.put("tpl/1", secretBytes(1, 300), { sealed: true });
    store.put("tpl/1", secretBytes(2, 300), { sealed: true });
    for (let i = 0; i < 60; i++) store.put(`k${i % 5}`, new Uint8Array(900).fill(i));
    const stats = store.stats();
    assert.ok(stats.purges >= 1 && stats.compactions >= 1, JSON.stringify(stats));
    assert.equal(stats.programmedBytes, flash.programmedBytes - 2 * 44);
    assert.equal(stats.erases, flash.erases);
    assert.ok(stats.programmedBytes > formatBytes && stats.erases > formatErases);
    assert.deepEqual(Array.from(stats.eraseCounts), Array.from(flash.eraseCounts.subarray(2)));
  });
});

describe("log store: room and the reserve", () => {
  it("compacts only when a write would eat into the three reserved free sectors", () => {
    const flash = new NorFlash(8 * SECTOR); // 6 log sectors
    const store = open(flash);
    for (let i = 0; i < 7; i++) store.put("k", new Uint8Array(1000).fill(i)); // 3 + 3 + 1 records of 1020 bytes
    assert.deepEqual([store.stats().freeSectors, store.stats().compactions], [3, 0]);
    store.put("x", bytes("fits in the head"));
    assert.deepEqual([store.stats().freeSectors, store.stats().compactions], [3, 0], "the head had room: no compaction");
    store.put("k", new Uint8Array(1000).fill(7));
    store.put("k", new Uint8Array(1000).fill(8));
    assert.equal(store.stats().compactions, 0, "still room in the head");
    store.put("y", new Uint8Array(959)); // 976 bytes: fills the head (24 + 1020 + 36 + 2 × 1020 used) to its last byte
    assert.ok(decodeRecord(flash.image, 4 * SECTOR + SECTOR - 976), "the record ends at the sector's end");
    assert.deepEqual([store.stats().freeSectors, store.stats().compactions], [3, 0], "a record that ends exactly at the sector's end fits");
    store.put("k", new Uint8Array(1000).fill(9)); // needs a new sector: that would leave 2 free
    assert.ok(store.stats().compactions > 0);
    assert.ok(store.stats().freeSectors >= 3);
  });

  it("counts every new sector a large group needs against the reserve", () => {
    const flash = new NorFlash(8 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 6; i++) store.put("a", new Uint8Array(1000).fill(i)); // sectors 2 and 3 full of 1020-byte records
    assert.deepEqual([store.stats().freeSectors, store.stats().compactions], [4, 0]);
    // Four 1020-byte records: three in one new sector, the fourth in a second one; one spare sector is not enough.
    store.commit(["b", "c", "d", "e"].map((key) => ({ put: key, value: new Uint8Array(1000) })));
    assert.equal(store.stats().compactions, 1, "the oldest sector was compacted first");
    assert.equal(store.stats().freeSectors, 3);
  });

  it("keeps three sectors free after every write, whatever the mix of group sizes", () => {
    const flash = new NorFlash(8 * SECTOR);
    const store = open(flash);
    for (let n = 0; n < 120; n++) {
      const ops: Parameters<LogStore["commit"]>[0] = [];
      for (let r = 0; r <= n % 4; r++) ops.push({ put: `k${(n + r) % 5}`, value: new Uint8Array(100 + ((n * 37 + r * 11) % 900)).fill(n) });
      store.commit(ops);
      assert.ok(store.stats().freeSectors >= 3, `after write ${n}: ${store.stats().freeSectors} free`);
    }
    assert.ok(store.stats().compactions > 10);
    assert.equal(flash.violations, 0);
    for (let i = 0; i < 5; i++) assert.equal(open(flash, 2).get(`k${i}`)?.length !== undefined, true);
  });
});

describe("log store: deletes and tombstones", () => {
  it("writes nothing to delete a key that is not there", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    const ops = flash.ops;
    store.delete("never");
    assert.deepEqual(store.commit([{ delete: "never" }, { delete: "either" }]), []);
    assert.equal(flash.ops, ops);
  });

  it("keeps a tombstone that still hides an older value when its sector is compacted out of turn", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("gone", bytes("old value"));
    for (let i = 0; i < 4; i++) store.put(`fill${i}`, new Uint8Array(1000).fill(i)); // sector 2 full: "gone" stays there
    store.commit([{ delete: "gone" }, { put: "tpl/1", value: secretBytes(1, 200), sealed: true }]);
    const tombstoneSector = Math.floor(lastIndexOf(flash.image, bytes("gone")) / SECTOR);
    assert.notEqual(tombstoneSector, 2);
    store.put("tpl/1", secretBytes(2, 200), { sealed: true }); // withdraws the old copy: its sector is compacted now
    assert.equal(store.stats().purges, 1);
    assert.notEqual(Math.floor(lastIndexOf(flash.image, bytes("old value")) / SECTOR), -1, "the old value is still in the oldest sector");
    const again = open(flash, 2);
    assert.equal(again.has("gone"), false, "the tombstone was copied, so the old value stays deleted");
    assert.deepEqual(again.get("tpl/1"), secretBytes(2, 200));
  });

  it("never copies a tombstone that a newer value of its key superseded", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("first", bytes("oldest sector"));
    for (let i = 0; i < 4; i++) store.put(`fill${i}`, new Uint8Array(1000).fill(i)); // sector 2 full
    store.commit([{ put: "x", value: bytes("1") }, { put: "tpl/1", value: secretBytes(1, 200), sealed: true }]);
    store.delete("x");
    store.put("x", bytes("back again"));
    store.put("tpl/1", secretBytes(2, 200), { sealed: true }); // withdraws the old copy: its sector (not the oldest) is compacted
    assert.equal(store.stats().purges, 1);
    assert.equal(text(store.get("x")), "back again");
    assert.equal(text(open(flash, 2).get("x")), "back again");
  });

  it("never copies a tombstone whose key has a newer value in a later sector", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 4; i++) store.put(`fill${i}`, new Uint8Array(1000).fill(i)); // sector 2 full
    store.commit([{ put: "x", value: bytes("1") }, { put: "tpl/1", value: secretBytes(1, 200), sealed: true }]);
    store.delete("x");
    const tombstoneSector = Math.floor(lastIndexOf(flash.image, bytes("x")) / SECTOR);
    for (let i = 0; i < 3; i++) store.put(`more${i}`, new Uint8Array(1000).fill(i)); // the tombstone's sector fills up
    store.put("x", bytes("back again"));
    assert.ok(Math.floor(lastIndexOf(flash.image, bytes("back again")) / SECTOR) > tombstoneSector);
    store.put("tpl/1", secretBytes(2, 200), { sealed: true }); // withdraws the old copy: the tombstone's sector is compacted
    assert.equal(store.stats().purges, 1);
    assert.equal(text(store.get("x")), "back again");
    assert.equal(text(open(flash, 2).get("x")), "back again");
  });

  it("lets a tombstone go once its sector is the oldest", () => {
    const flash = new NorFlash(12 * SECTOR);
    const store = open(flash);
    store.put("x", bytes("1"));
    store.delete("x");
    const withTombstone = store.stats().liveBytes;
    assert.equal(withTombstone, 20);
    for (let i = 0; i < 80 && store.stats().liveBytes > 0 && lastIndexOf(flash.image.subarray(2 * SECTOR, 3 * SECTOR), bytes("x")) >= 0; i++) {
      store.put(`k${i % 6}`, new Uint8Array(900).fill(i));
    }
    assert.ok(store.stats().compactions > 0);
    const total = Array.from({ length: 6 }, (_, i) => (store.has(`k${i}`) ? recordSize(2 + 900) : 0)).reduce((a, b) => a + b, 0);
    assert.equal(store.stats().liveBytes, total, "the tombstone no longer counts");
    assert.equal(open(flash, 2).has("x"), false);
  });

  it("forgets a tombstone it let go beside records it copied, so a new value of its key is counted whole", () => {
    const flash = new NorFlash(12 * SECTOR);
    const store = open(flash);
    store.put("x", bytes("1"));
    store.delete("x");
    store.put("y", bytes("1"));
    store.delete("y");
    store.put("keep", bytes("copied by the compaction"));
    for (let i = 0; i < 80 && lastIndexOf(flash.image.subarray(2 * SECTOR, 3 * SECTOR), bytes("keep")) >= 0; i++) {
      store.put(`k${i % 6}`, new Uint8Array(900).fill(i));
      if (i === 5) store.put("y", bytes("again")); // in a later sector: y's tombstone is superseded, not let go
    }
    assert.equal(lastIndexOf(flash.image.subarray(2 * SECTOR, 3 * SECTOR), bytes("keep")), -1, "the oldest sector was compacted");
    store.put("x", bytes("back"));
    for (let i = 0; i < 6; i++) assert.ok(store.has(`k${i}`) && open(flash, 3).has(`k${i}`), `k${i}: its superseded values in the victim let nothing go`);
    assert.equal(text(store.get("y")), "again");
    assert.equal(text(open(flash, 3).get("y")), "again");
    assert.equal(store.stats().liveBytes, 6 * recordSize(2 + 900) + recordSize(4 + 24) + recordSize(1 + 4) + recordSize(1 + 5));
    assert.equal(open(flash, 2).stats().liveBytes, store.stats().liveBytes);
  });
});

describe("log store: power cuts at the edges", () => {
  it("finishes a compaction whose erase was cut, and reports the sector as garbage", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("card", bytes("kept"));
    store.put("tpl/1", secretBytes(1, 200), { sealed: true });
    const erases = eraseOps(flash, (copy) => open(copy, 3).delete("tpl/1"));
    assert.ok(erases.length >= 1);
    const sealedForm = store.storedForm("tpl/1")!;
    flash.cutAt = flash.ops + erases[0];
    assert.throws(() => store.delete("tpl/1"));
    flash.powerOn();
    const again = open(flash, 4);
    assert.deepEqual([again.report.retiredSectors, again.report.garbageSectors], [0, 1], "its magic was cleared before the erase");
    assert.equal(again.has("tpl/1"), false);
    assert.equal(text(again.get("card")), "kept");
    assert.equal(lastIndexOf(flash.image, sealedForm.subarray(0, 32)), -1, "the withdrawn template is gone after recovery");
  });

  it("finishes a committed compaction that stopped before its erase began, and reports it as retired", () => {
    const flash = new RamFlash(16 * SECTOR, SECTOR);
    const store = open(flash);
    store.put("card", bytes("kept"));
    store.put("t", bytes("1"));
    store.delete("t");
    store.put("tpl/1", secretBytes(1, 200), { sealed: true });
    const sealedForm = store.storedForm("tpl/1")!;
    let victim = -1;
    flash.failIf = (offset, data) => {
      if (offset % SECTOR !== 0 || data.length !== 4) return false;
      victim = offset / SECTOR; // the magic-clearing write
      return true;
    };
    assert.throws(() => store.delete("tpl/1"), /SPI flash timeout/);
    flash.log.length = 0;
    const again = open(flash, 4);
    assert.deepEqual([again.report.retiredSectors, again.report.garbageSectors], [1, 0]);
    const erase = flash.log.indexOf(`e ${victim}`);
    assert.ok(erase > 0, flash.log.join());
    assert.equal(flash.log[erase - 1], `w ${victim * SECTOR} 4`, "recovery clears the magic before the erase too");
    assert.equal(again.has("tpl/1"), false);
    assert.equal(text(again.get("card")), "kept");
    assert.equal(lastIndexOf(flash.image, sealedForm.subarray(0, 32)), -1);
    // The tombstones the compaction let go are gone from the index too: writing those keys again counts right.
    again.put("tpl/1", bytes("re-enrolled"));
    again.put("t", bytes("back"));
    const rebooted = open(flash, 5);
    assert.equal(text(rebooted.get("card")), "kept");
    assert.equal(again.stats().liveBytes, rebooted.stats().liveBytes);
    assert.equal(again.stats().liveBytes, 24 + recordSize(5 + 11) + recordSize(1 + 4));
  });

  it("forgets the sealed copies of a sector it retires at boot: reopened later, that sector is not compacted for them", () => {
    const flash = new RamFlash(8 * SECTOR, SECTOR);
    const store = open(flash);
    store.put("card", bytes("kept"));
    store.put("tpl/1", secretBytes(1, 100), { sealed: true });
    let victim = -1;
    flash.failIf = (offset, data) => {
      if (offset % SECTOR !== 0 || data.length !== 4) return false;
      victim = offset / SECTOR; // the magic-clearing write: the purge's compaction is committed, its erase never starts
      return true;
    };
    assert.throws(() => store.put("tpl/1", secretBytes(2, 100), { sealed: true }), /SPI flash timeout/);
    const again = open(flash, 2);
    assert.equal(again.report.retiredSectors, 1);
    const lastWriteSector = () => Math.floor(Number(flash.log.filter((op) => op.startsWith("w")).pop()!.split(" ")[1]) / SECTOR);
    for (let n = 0; n === 0 || lastWriteSector() !== victim; n++) {
      assert.ok(n < 40, "the retired sector is the head again");
      flash.log.length = 0;
      again.put("w0", secretBytes(10 + n, 1000));
    }
    const old = Math.floor(lastIndexOf(flash.image, again.storedForm("tpl/1")!.subarray(0, 32)) / SECTOR);
    assert.notEqual(old, victim);
    flash.log.length = 0;
    again.put("tpl/1", secretBytes(3, 100), { sealed: true });
    assert.deepEqual(flash.log.filter((op) => op.startsWith("e")), [`e ${old}`], "only the superseded copy's sector, not the head the new copy went to");
    assert.deepEqual(again.get("tpl/1"), secretBytes(3, 100));
    assert.deepEqual(open(flash, 3).get("tpl/1"), secretBytes(3, 100));
  });

  it("after a cut mid-group, recovery writes the Abort behind the torn bytes and scrubs the sector", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("a", bytes("acknowledged"));
    flash.cutAt = flash.ops + 2;
    assert.throws(() => store.commit([{ put: "b", value: bytes("first of two") }, { put: "c", value: bytes("x".repeat(200)) }]));
    flash.powerOn();
    const again = open(flash, 2);
    assert.equal(again.report.droppedRecords, 1, "the complete first record of the unfinished group");
    assert.ok(again.report.droppedBytes > 0, "the torn second one");
    assert.equal(again.report.scrubbedSectors, 1);
    assert.equal(again.report.lostRecords, 0);
    assert.equal(again.has("b"), false);
    const third = open(flash, 3);
    assert.equal(third.report.droppedRecords + third.report.droppedBytes + third.report.scrubbedSectors, 0, "the scrub left a clean log");
    assert.equal(text(third.get("a")), "acknowledged");
    third.put("d", bytes("later"));
    assert.equal(text(open(flash, 4).get("d")), "later");
  });
});

describe("log store: where recovery puts the Abort", () => {
  it("right behind the last record of the unfinished group's sector, aligned, before anything else", () => {
    const flash = new RamFlash(16 * SECTOR, SECTOR);
    const store = open(flash);
    store.put("a", bytes("acknowledged")); // 20 + 13 bytes: the next record starts at 24 + 36
    flash.failWrite = flash.writes + 2; // the group's first record is written, its second fails
    assert.throws(() => store.commit([{ put: "b", value: bytes("first of two") }, { put: "c", value: bytes("x".repeat(200)) }]));
    const firstEnd = 2 * SECTOR + SECTOR_HEADER + recordSize(1 + 12) + recordSize(1 + 12);
    assert.equal(decodeRecord(flash.image, firstEnd), undefined, "blank behind the group's first record");
    flash.log.length = 0;
    const again = open(flash, 2);
    assert.equal(flash.log[0], `w ${firstEnd} ${recordSize(4)}`, "the Abort is recovery's first write");
    assert.equal(again.has("b"), false);
    assert.equal(text(open(flash, 3).get("a")), "acknowledged");
  });

  it("never over a record whose value ends in blank bytes, so a cut scrub reports no loss", () => {
    const flash = new RamFlash(16 * SECTOR, SECTOR);
    const store = open(flash);
    store.put("a", bytes("acknowledged"));
    const value = new Uint8Array(16).fill(0xff);
    value[0] = 1;
    flash.failWrite = flash.writes + 2; // the group's first record is written, its second fails
    assert.throws(() => store.commit([{ put: "b", value }, { put: "c", value: bytes("x".repeat(200)) }]));
    const firstEnd = 2 * SECTOR + SECTOR_HEADER + recordSize(1 + 12) + recordSize(1 + 16);
    flash.log.length = 0;
    flash.failWrite = flash.writes + 2; // the scrub's first write fails: the Abort stays beside the unfinished group
    assert.throws(() => open(flash, 2), /SPI flash timeout/);
    assert.equal(flash.log[0], `w ${firstEnd} ${recordSize(4)}`, "the Abort goes behind the whole record");
    const third = open(flash, 3);
    assert.deepEqual([third.report.lostRecords, third.report.damagedKeys, third.report.droppedRecords], [0, {}, 1], "b was never acknowledged: dropped, not lost");
    assert.equal(third.has("b"), false);
    assert.equal(text(third.get("a")), "acknowledged");
  });
});

describe("log store: an unfinished group across sectors", () => {
  it("puts the Abort at the start of the new, still blank head and scrubs the older sector", () => {
    const flash = new RamFlash(16 * SECTOR, SECTOR);
    const store = open(flash);
    for (let i = 0; i < 3; i++) store.put(`k${i}`, new Uint8Array(1000).fill(i)); // sector 2: 24 + 3 × 1020 = 3084
    // A group whose first record still fits in sector 2 and whose second opens sector 3; the cut comes before any byte of it.
    flash.failIf = (offset) => offset === 3 * SECTOR + SECTOR_HEADER;
    assert.throws(() => store.commit([{ put: "a", value: new Uint8Array(300) }, { put: "b", value: new Uint8Array(900) }]), /SPI flash timeout/);
    const again = open(flash, 2);
    assert.deepEqual([again.report.droppedRecords, again.report.droppedBytes, again.report.lostRecords], [1, 0, 0]);
    const abort = decodeRecord(flash.image, 3 * SECTOR + SECTOR_HEADER);
    assert.equal(abort?.type, RecordType.Abort, "the Abort is the head's first record");
    assert.deepEqual([abort?.keyLength, abort?.size], [0, 20], "no key, the group's first number");
    assert.equal(again.report.scrubbedSectors, 1, "the sector holding the orphan is compacted");
    assert.equal(again.has("a"), false);
    const third = open(flash, 3);
    assert.deepEqual([third.report.droppedRecords, third.report.droppedBytes, third.report.lostRecords], [0, 0, 0]);
    assert.equal(third.get("k2")![0], 2);
    assert.equal(third.has("a"), false);
  });
});

describe("log store: the very first group unfinished", () => {
  it("is aborted too (its first sequence number is 0), right behind its one record", () => {
    const flash = new RamFlash(16 * SECTOR, SECTOR);
    const store = open(flash);
    flash.failIf = (_offset, data) => data.length > 16 && data[0] === 0xa5 && data[6] === 1; // the group's second record
    assert.throws(() => store.commit([{ put: "a", value: bytes("1") }, { put: "b", value: bytes("2") }]), /SPI flash timeout/);
    flash.log.length = 0;
    const again = open(flash, 2);
    assert.equal(again.report.droppedRecords, 1);
    assert.equal(flash.log[0], `w ${2 * SECTOR + SECTOR_HEADER + 20} 20`, "the Abort, first thing recovery writes");
    assert.equal(again.has("a"), false);
    again.put("c", bytes("3"));
    const third = open(flash, 3);
    assert.deepEqual([third.has("a"), third.has("b"), text(third.get("c"))], [false, false, "3"]);
  });
});

describe("log store: a flash failure stops writes until reboot", () => {
  it("a flash failure while recovery scrubs is not taken for a full store", () => {
    const flash = new RamFlash(16 * SECTOR, SECTOR);
    const store = open(flash);
    flash.failIf = (_offset, data) => data.length > 16 && data[0] === 0xa5 && data[6] === 1;
    assert.throws(() => store.commit([{ put: "a", value: bytes("1") }, { put: "b", value: bytes("2") }]));
    flash.failIf = (offset, data) => offset % SECTOR === 0 && data.length === 4; // the scrub's erase begins
    assert.throws(() => open(flash, 2), /SPI flash timeout/);
    const third = open(flash, 3);
    assert.equal(third.has("a"), false);
  });

  it("refuses every later write with E_STORE_IO, keeps reads, and a reboot recovers", () => {
    const flash = new RamFlash(16 * SECTOR, SECTOR);
    const store = open(flash);
    store.put("a", bytes("1"));
    flash.failWrite = flash.writes + 1;
    assert.throws(() => store.put("b", bytes("2")), /SPI flash timeout/);
    const sentence = /^E_STORE_IO: the flash store stopped after a flash failure; it keeps nothing new until the gate restarts\.$/;
    assert.throws(() => store.put("c", bytes("3")), refused("E_STORE_IO", sentence));
    assert.throws(() => store.delete("a"), refused("E_STORE_IO"));
    assert.equal(text(store.get("a")), "1");
    const again = open(flash, 2);
    again.put("c", bytes("3"));
    assert.equal(text(open(flash, 3).get("c")), "3");
  });

  it("a full store is not a failure: it keeps accepting what fits", () => {
    const store = open(new NorFlash(12 * SECTOR));
    let i = 0;
    assert.throws(() => {
      for (; i < 100; i++) store.put(`k${i}`, new Uint8Array(1000));
    }, refused("E_STORE_FULL"));
    store.delete("k0");
    store.put("small", bytes("fits"));
    assert.equal(text(store.get("small")), "fits");
  });
});
