// Where recovery can put the Abort of a group a power cut left unfinished in
// the last sector, when every log sector is live and none (or one) is free,
// and how the log is numbered after it. Such an image is built with the store
// itself on a larger flash (sectors open lowest first, so the first eight
// sectors are a complete 8-sector store) and the cut tears the group's last record.
import assert from "node:assert/strict";
import { isOptgateError } from "../../../src/core/errors";
import type { Flash } from "../../../src/core/store/flash";
import { RecordType, SECTOR_HEADER, decodeRecord, recordSize } from "../../../src/core/store/format";
import { LogStore } from "../../../src/core/store/log-store";
import { seededRandom } from "./helpers";

const SECTOR = 4096;
const SMALL = 8; // the smallest partition: 2 key sectors, 6 log sectors
const open = (flash: Flash, seed = 1) => LogStore.open(flash, { random: seededRandom(seed) });
const refused = (code: string, message?: RegExp) => (e: unknown) => isOptgateError(e, code) && (!message || message.test((e as Error).message));

/** A RAM flash whose chosen write is torn: only its first `keep` bytes are programmed, then it throws. */
class TearFlash implements Flash {
  readonly sectorSize = SECTOR;
  readonly image: Uint8Array;
  tear: { offset: number; keep: number } | undefined;
  /** Fails (programming nothing) the write with this number, counted from 1. */
  failWrite = 0;
  writes = 0;
  readonly log: string[] = [];
  constructor(readonly size: number, image?: Uint8Array) {
    this.image = new Uint8Array(size).fill(0xff);
    if (image) this.image.set(image.subarray(0, size));
  }
  read(offset: number, length: number): Uint8Array {
    return this.image.slice(offset, offset + length);
  }
  write(offset: number, data: Uint8Array): void {
    const torn = ++this.writes === this.failWrite ? 0 : this.tear?.offset === offset ? this.tear.keep : data.length;
    this.log.push(`w ${offset} ${data.length}`);
    for (let i = 0; i < torn; i++) this.image[offset + i] &= data[i];
    if (torn < data.length) {
      this.tear = undefined;
      throw new Error("power cut");
    }
  }
  erase(sector: number): void {
    this.log.push(`e ${sector}`);
    this.image.fill(0xff, sector * SECTOR, (sector + 1) * SECTOR);
  }
}

// Four records fill a sector's 4,072 bytes exactly: three of 1,020 bytes and one of 1,012.
const LONG = 1020 - 16 - 3, SHORT = 1012 - 16 - 3;
const valueOf = (n: number, length: number) => new Uint8Array(length).fill(0x10 + n);

/**
 * Sectors 2-6 full of committed values k00-k19; in sector 7 `committedInLast`
 * committed values, then an unfinished group filling the rest, whose last
 * record (1,012 bytes, at the sector's end) keeps only `keep` bytes.
 * Returns the first `sectors` sectors (8: every log sector live; 9: one more, free).
 */
function fullImage(keep: number, committedInLast = 0, sectors = SMALL): Uint8Array {
  const big = new TearFlash(32 * SECTOR);
  const store = open(big);
  for (let i = 0; i < 20; i++) store.put(`k${String(i).padStart(2, "0")}`, valueOf(i, i % 4 === 3 ? SHORT : LONG));
  for (let i = 0; i < committedInLast; i++) store.put(`c${i}`, valueOf(40 + i, LONG));
  const group = ["a", "b", "c"].slice(committedInLast).map((k) => ({ put: `g${k}`, value: valueOf(30, LONG) }));
  big.tear = { offset: 7 * SECTOR + SECTOR_HEADER + 3 * 1020, keep };
  assert.throws(() => store.commit([...group, { put: "gz", value: valueOf(31, SHORT) }]), /power cut/);
  assert.equal(decodeRecord(big.image, 8 * SECTOR + SECTOR_HEADER), undefined, "nothing beyond the eighth sector");
  return big.image.slice(0, sectors * SECTOR);
}

describe("log store: no free sector left", () => {
  it("stays read-only, writing nothing, when the torn group reaches the last sector's end", () => {
    const flash = new TearFlash(SMALL * SECTOR, fullImage(1012 - 4)); // only the CRC'd value's last 4 bytes stay blank
    const store = open(flash, 2);
    assert.deepEqual(flash.log, [], "no room for the Abort: anything written after the group would make it look committed");
    assert.equal(store.report.readOnly, true);
    assert.equal(store.report.droppedRecords, 3);
    assert.equal(store.has("ga"), false);
    assert.deepEqual(store.get("k19"), valueOf(19, SHORT));
    assert.throws(() => store.delete("absent"), refused("E_STORE_IO"));
    assert.throws(() => store.put("x", valueOf(1, 1)), refused("E_STORE_IO"));
    assert.equal(open(flash, 3).report.readOnly, true, "the same at every boot until serviced");
    assert.deepEqual(flash.log, []);
  });

  it("writes the Abort right behind torn bytes (aligned) without a free sector, then scrubs that sector without a Retire", () => {
    const flash = new TearFlash(SMALL * SECTOR, fullImage(101));
    const torn = 7 * SECTOR + SECTOR_HEADER + 3 * 1020 + 101;
    const at = (torn + 3) & ~3;
    const store = open(flash, 2);
    assert.equal(flash.log[0], `w ${at} ${recordSize(4)}`, "the Abort, first, right behind the torn bytes");
    assert.deepEqual(flash.log.slice(1, 3), [`w ${7 * SECTOR} 4`, "e 7"], "then the sector's erase: nothing in it to keep");
    assert.deepEqual([store.report.readOnly, store.report.droppedRecords, store.report.scrubbedSectors, store.report.lostRecords], [false, 3, 1, 0]);
    assert.equal(store.has("ga"), false);
    const again = open(flash, 3);
    assert.deepEqual([again.report.droppedRecords, again.report.droppedBytes, again.report.readOnly], [0, 0, false]);
    assert.deepEqual(again.get("k00"), valueOf(0, LONG));
    assert.equal(again.stats().freeSectors, 1);
  });

  it("leaves a scrub that has no sector for its copies to a later boot, and refuses a compaction with no sector to copy into", () => {
    const flash = new TearFlash(SMALL * SECTOR, fullImage(101, 1));
    const store = open(flash, 2);
    const abort = decodeRecord(flash.image, (7 * SECTOR + SECTOR_HEADER + 3 * 1020 + 101 + 3) & ~3);
    assert.equal(abort?.type, RecordType.Abort);
    assert.equal(flash.log.length, 1, "only the Abort: the sector still holds c0, and no sector is free for its copy");
    assert.deepEqual([store.report.readOnly, store.report.scrubbedSectors, store.report.droppedRecords], [false, 0, 2]);
    assert.deepEqual(store.get("c0"), valueOf(40, LONG));
    assert.equal(store.has("ga"), false);
    // A delete is accepted whatever the live total, but room for it needs a compaction, and that needs a free sector.
    assert.throws(() => store.delete("k00"), refused("E_STORE_FULL", /^E_STORE_FULL: the flash store has no free sector left for compaction\.$/));
    assert.equal(flash.log.length, 1, "refused before writing anything");
    store.delete("absent"); // a full store is no failure: it still takes what needs no room
    assert.deepEqual(store.get("k00"), valueOf(0, LONG));
    const again = open(flash, 3);
    assert.deepEqual([again.report.droppedRecords, again.report.droppedBytes, again.report.lostRecords], [2, 104, 0], "the torn bytes (up to the Abort) stay, never read as records");
    assert.equal(again.has("gb"), false);
  });

  it("writes the Abort behind torn bytes when it ends exactly at the sector's end", () => {
    const flash = new TearFlash(SMALL * SECTOR, fullImage(1012 - 20));
    const store = open(flash, 2);
    assert.equal(flash.log[0], `w ${8 * SECTOR - 20} 20`);
    assert.deepEqual([store.report.readOnly, store.report.scrubbedSectors], [false, 1]);
  });

  it("with no room behind the torn bytes, opens the free sector for the Abort", () => {
    const flash = new TearFlash((SMALL + 1) * SECTOR, fullImage(1012 - 4, 0, SMALL + 1));
    const store = open(flash, 2);
    assert.deepEqual(flash.log.slice(0, 2), [`w ${8 * SECTOR + 16} 8`, `w ${8 * SECTOR + SECTOR_HEADER} 20`], "header part B, then the Abort as the new head's first record");
    assert.equal(decodeRecord(flash.image, 8 * SECTOR + SECTOR_HEADER)?.type, RecordType.Abort);
    assert.deepEqual([store.report.readOnly, store.report.scrubbedSectors, store.report.droppedRecords], [false, 1, 3]);
    const again = open(flash, 3);
    assert.deepEqual([again.report.droppedRecords, again.report.droppedBytes, again.report.lostRecords], [0, 0, 0]);
  });
});

describe("log store: numbering after an Abort behind torn bytes", () => {
  it("goes on from the Abort's number, so a scrub cut after its first copy shows no false loss", () => {
    const flash = new TearFlash(16 * SECTOR);
    const store = open(flash);
    store.put("a", valueOf(1, 12)); // seq 0
    flash.failWrite = flash.writes + 2; // the group's first record (seq 1) is written, its second (seq 2) fails
    assert.throws(() => store.commit([{ put: "b", value: valueOf(2, 12) }, { put: "c", value: valueOf(3, 200) }]), /power cut/);
    // Recovery: the Abort (seq 2) behind "b" in sector 2, then the scrub copies "a" (seq 3) to sector 3 and is cut before its Retire.
    flash.failWrite = flash.writes + 4; // the Abort, header part B of sector 3, the copy of "a", then the Retire fails
    assert.throws(() => open(flash, 2), /power cut/);
    const third = open(flash, 3);
    assert.deepEqual([third.report.lostRecords, third.report.unknownLost, third.report.droppedRecords], [0, 0, 2], "b and the unfinished copy of a: dropped, nothing lost");
    assert.deepEqual(third.get("a"), valueOf(1, 12));
    assert.equal(third.has("b"), false);
  });
});

describe("log store: orphans a full store had to keep", () => {
  /**
   * Sectors 2-5: k00-k15, all deleted later (dead); sector 6: their 16
   * tombstones and f0-f2; sector 7: c0, then an unfinished group whose last
   * record is torn 101 bytes in. No sector is free, so recovery writes the
   * Abort but cannot scrub sector 7 (c0 needs a new sector): its orphans stay.
   */
  function orphansKept(): TearFlash {
    const big = new TearFlash(32 * SECTOR);
    const store = open(big);
    for (let i = 0; i < 16; i++) store.put(`k${String(i).padStart(2, "0")}`, valueOf(i, i % 4 === 3 ? SHORT : LONG));
    for (let i = 0; i < 16; i++) store.delete(`k${String(i).padStart(2, "0")}`);
    for (let i = 0; i < 3; i++) store.put(`f${i}`, valueOf(20 + i, LONG));
    store.put("c0", valueOf(40, LONG));
    big.tear = { offset: 7 * SECTOR + SECTOR_HEADER + 3 * 1020, keep: 101 };
    assert.throws(() => store.commit([{ put: "ga", value: valueOf(30, LONG) }, { put: "gb", value: valueOf(30, LONG) }, { put: "gz", value: valueOf(31, SHORT) }]), /power cut/);
    return new TearFlash(SMALL * SECTOR, big.image);
  }

  it("purges them, oldest first, before the first compaction of a newer sector once room allows", () => {
    const flash = orphansKept();
    const store = open(flash, 2);
    assert.deepEqual([store.report.scrubbedSectors, store.report.droppedRecords], [0, 2], "no free sector for the scrub");
    store.delete("f0"); // erases the four dead sectors on the way (no copies, so no free sector needed)
    store.put("tpl", valueOf(50, 100), { sealed: true });
    flash.log.length = 0;
    store.put("tpl", valueOf(51, 100), { sealed: true }); // the old sealed copy's sector is compacted at once
    assert.deepEqual(flash.log.filter((op) => op.startsWith("e")), ["e 7", "e 2"], "the orphans' sector first, then the purge's victim, nothing else");
    const again = open(flash, 3);
    assert.deepEqual([again.report.droppedRecords, again.report.droppedBytes, again.report.lostRecords], [0, 0, 0], "no orphan or torn byte left");
    assert.deepEqual(again.get("tpl"), valueOf(51, 100));
    assert.deepEqual(again.get("c0"), valueOf(40, LONG));
    assert.deepEqual([again.has("f0"), again.has("ga"), again.has("k00")], [false, false, false]);
  });

  it("forgets them with their sector: a stream record later written at an orphan's old address survives compaction", () => {
    const flash = orphansKept();
    const store = open(flash, 2);
    store.delete("f0");
    store.put("tpl", valueOf(50, 100), { sealed: true });
    store.put("tpl", valueOf(51, 100), { sealed: true }); // erases the orphans' sector 7, as above
    const ga = 7 * SECTOR + SECTOR_HEADER + 1020; // where the orphan "ga" was
    // Overwrite one key until sector 7 is the head again; its first record is 1,020 bytes, like c0.
    for (let n = 0; !flash.log.includes(`w ${7 * SECTOR + 16} 8`); n++) {
      assert.ok(n < 40, "sector 7 is opened again");
      flash.log.length = 0;
      store.put("w0", valueOf(n % 8, LONG));
    }
    flash.log.length = 0;
    assert.equal(store.append("s", valueOf(60, 40)), 0);
    assert.deepEqual(flash.log, [`w ${ga} 64`], "the stream record lands exactly where the orphan was");
    store.put("tpl", valueOf(52, 100), { sealed: true });
    flash.log.length = 0;
    store.put("tpl", valueOf(53, 100), { sealed: true }); // the dead copy in sector 7: it is compacted
    assert.ok(flash.log.includes("e 7"));
    const read = (s: LogStore) => {
      const out: number[] = [];
      s.readStream("s", 0, (index, data) => out.push(index, data.length, data[0]));
      return out;
    };
    assert.deepEqual(read(store), [0, 40, 0x10 + 60], "copied as a live record, not dropped as an orphan");
    const again = open(flash, 3);
    assert.deepEqual(read(again), [0, 40, 0x10 + 60]);
    assert.deepEqual([again.report.lostRecords, again.report.droppedRecords, again.report.streamHoles], [0, 0, {}]);
  });
});
