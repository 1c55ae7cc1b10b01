import assert from "node:assert/strict";
import { NorFlash } from "../../../boards/host/nor-flash";
import { isOptgateError } from "../../../src/core/errors";
import { eraseProof } from "../../../src/core/store/erase-proof";
import { LogStore } from "../../../src/core/store/log-store";
import { bytes, isXs, secretBytes, seededRandom, text } from "./helpers";

function lastIndexOf(image: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = image.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (image[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const SECTOR = 4096;
const open = (flash: NorFlash, seed = 1) => LogStore.open(flash, { random: seededRandom(seed) });

describe("log store: keys, values, streams", () => {
  it("formats a blank partition and reads back what it stored after a reboot", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    assert.equal(store.report.formatted, true);
    store.put("res/1", bytes("unit 3A owner"));
    store.put("pin/1", bytes("hash-of-pin"));
    store.put("res/1", bytes("unit 3B owner"));
    store.delete("pin/1");
    const again = open(flash, 2);
    assert.equal(again.report.formatted, false);
    assert.equal(text(again.get("res/1")), "unit 3B owner");
    assert.equal(again.get("pin/1"), undefined);
    assert.deepEqual(again.keys(), ["res/1"]);
    assert.equal(flash.violations, 0);
  });

  it("commits a group atomically and returns the stream indexes of its appends", () => {
    const store = open(new NorFlash(16 * SECTOR));
    assert.equal(store.append("audit", bytes("boot")), 0);
    const indexes = store.commit([{ put: "a", value: bytes("1") }, { append: "audit", data: bytes("x") }, { append: "audit", data: bytes("y") }]);
    assert.deepEqual(indexes, [1, 2]);
    const seen: string[] = [];
    store.readStream("audit", 1, (i, d) => seen.push(`${i}:${text(d)}`));
    assert.deepEqual(seen, ["1:x", "2:y"]);
  });

  it("keeps sealed values encrypted on flash and decrypts them on read", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    const template = secretBytes(5);
    store.put("tpl/7", template, { sealed: true });
    assert.deepEqual(store.get("tpl/7"), template);
    assert.ok(store.isSealed("tpl/7"));
    assert.deepEqual(eraseProof(flash.image, template), [], "plaintext must never reach flash");
    assert.notDeepEqual(eraseProof(flash.image, store.storedForm("tpl/7")!), [], "the ciphertext is on flash");
    assert.deepEqual(open(flash, 3).get("tpl/7"), template);
  });

  it("erases every sector that held a sealed value when it is deleted, before delete returns", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("card/1", bytes("resident 1"));
    store.put("tpl/1", secretBytes(1), { sealed: true });
    const first = store.storedForm("tpl/1")!;
    store.put("tpl/1", secretBytes(2), { sealed: true }); // re-enrolment: the old version must go too
    const second = store.storedForm("tpl/1")!;
    assert.deepEqual(eraseProof(flash.image, first), [], "an overwritten template is erased at once");
    for (let i = 0; i < 30; i++) store.put(`card/x${i}`, bytes(`filler ${i}`));
    store.delete("tpl/1");
    assert.deepEqual(eraseProof(flash.image, second), []);
    assert.equal(store.get("tpl/1"), undefined);
    assert.equal(text(store.get("card/1")), "resident 1", "neighbours survive the erase");
    assert.equal(open(flash, 4).get("tpl/1"), undefined);
  });

  it("trims a stream and reclaims its space", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 100; i++) store.append("audit", bytes(`event ${i}`));
    const before = store.stats().liveBytes;
    store.trimStream("audit", 90);
    assert.ok(store.stats().liveBytes < before / 5);
    const again = open(flash, 2);
    const seen: number[] = [];
    again.readStream("audit", 0, (i) => seen.push(i));
    assert.deepEqual(seen, [90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    assert.equal(again.streamStart("audit"), 90);
    assert.equal(again.streamLength("audit"), 100);
  });

  it("levels wear and keeps erase counts on flash across reboots", () => {
    const flash = new NorFlash(16 * SECTOR);
    let store = open(flash);
    // XS runs ~30x slower: fewer, larger updates cycle the log just as often.
    const [updates, repeat] = isXs ? [600, 20] : [3000, 4];
    for (let i = 0; i < updates; i++) {
      store.put(`k${i % 20}`, bytes(`value ${i} `.repeat(repeat)));
      if (i === updates / 2) store = open(flash, 9);
    }
    const counts = Array.from(store.stats().eraseCounts);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    assert.ok(mean >= 2, "the workload cycled the log");
    assert.ok(Math.max(...counts) / mean <= 2, `spread ${Math.max(...counts) / mean}`);
    assert.deepEqual(Array.from(flash.eraseCounts.subarray(2)), counts, "the store's counts match the chip's");
  });
});

describe("log store: bad input", () => {
  it("refuses bad keys, oversize values and malformed transactions without writing", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    const ops = flash.ops;
    for (const key of ["", "#trim/x", "k".repeat(65), "tab\tkey", "ünï"]) {
      assert.throws(() => store.put(key, bytes("v")), (e) => isOptgateError(e, "E_STORE_KEY"));
    }
    assert.throws(() => store.put("big", new Uint8Array(1025)), (e) => isOptgateError(e, "E_STORE_TOO_LARGE"));
    assert.throws(() => store.commit([]), (e) => isOptgateError(e, "E_STORE_TXN"));
    assert.throws(() => store.commit([{ put: "a", value: bytes("1") }, { delete: "a" }]), (e) => isOptgateError(e, "E_STORE_TXN"));
    assert.throws(() => store.trimStream("audit", 5), (e) => isOptgateError(e, "E_STORE_RANGE"));
    assert.equal(flash.ops, ops, "nothing was written");
  });

  it("refuses writes with E_STORE_FULL when full, keeps everything, and works again after deletes", () => {
    const flash = new NorFlash(12 * SECTOR);
    const store = open(flash);
    let stored = 0;
    let error: unknown;
    for (; stored < 200; stored++) {
      try {
        store.put(`r/${stored}`, new Uint8Array(900).fill(stored));
      } catch (e) {
        error = e;
        break;
      }
    }
    assert.ok(isOptgateError(error, "E_STORE_FULL"), String(error));
    assert.ok(stored > 10);
    for (let i = 0; i < stored; i++) assert.equal(store.get(`r/${i}`)![0], i);
    assert.equal(store.has(`r/${stored}`), false);
    // Small records still fit for a while; then those are refused too.
    let appended = 0;
    while (appended < 1000) {
      try {
        store.append("audit", bytes("door opened"));
        appended++;
      } catch (e) {
        assert.ok(isOptgateError(e, "E_STORE_FULL"), String(e));
        break;
      }
    }
    assert.ok(appended < 1000);
    // At the very limit, deletes and trims are still accepted: they are how space comes back.
    store.trimStream("audit", appended);
    store.delete("r/0");
    store.delete("r/1");
    store.put("r/new", new Uint8Array(900).fill(7));
    const again = open(flash, 5);
    assert.equal(again.get("r/new")![0], 7);
    assert.equal(again.keys().length, stored - 1);
  });

  it("keeps every valid record around a corrupt CRC and reports the damage", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 10; i++) store.put(`k${i}`, bytes(`value number ${i}`));
    // Flip a bit in the payload of k4 (bit rot, or a malicious edit).
    const at = findBytes(flash.image, bytes("value number 4"));
    flash.image[at] ^= 0x01;
    const again = open(flash, 2);
    assert.ok(again.report.droppedBytes > 0);
    assert.equal(again.get("k4"), undefined, "the corrupt record is not trusted");
    for (const i of [0, 1, 2, 3, 5, 6, 7, 8, 9]) assert.equal(text(again.get(`k${i}`)), `value number ${i}`);
  });

  it("reports a corrupt record ahead of valid ones as lost, and the hole it leaves in its stream", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 6; i++) store.append("registry", bytes(`change number ${i}`));
    store.put("after", bytes("a later record"));
    assert.equal(open(flash, 2).report.lostRecords, 0, "an undamaged log reports no loss");
    flash.image[findBytes(flash.image, bytes("change number 2"))] ^= 0x04;
    const again = open(flash, 3);
    assert.equal(again.report.lostRecords, 1);
    assert.deepEqual(again.report.streamHoles, { registry: 1 });
    const seen: number[] = [];
    again.readStream("registry", 0, (i) => seen.push(i));
    assert.deepEqual(seen, [0, 1, 3, 4, 5], "every valid record is kept");
    // Recovery scrubs the damaged sector: the report is for the boot that found the damage
    // (the app keeps its own durable note), and the valid records stay.
    const later: number[] = [];
    open(flash, 4).readStream("registry", 0, (i) => later.push(i));
    assert.deepEqual(later, [0, 1, 3, 4, 5]);
  });

  it("reports a corrupt key record followed by valid records as lost, not as a power cut", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    for (let i = 0; i < 10; i++) store.put(`k${i}`, bytes(`value number ${i}`));
    flash.image[findBytes(flash.image, bytes("value number 4"))] ^= 0x01;
    const again = open(flash, 2);
    assert.equal(again.report.lostRecords, 1);
    assert.deepEqual(again.report.streamHoles, {});
  });

  it("does not count a torn record of a power cut as lost, in one cut or a cut during recovery", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.append("registry", bytes("acknowledged"));
    flash.cutAt = flash.ops + 1;
    assert.throws(() => store.commit([{ append: "registry", data: bytes("y".repeat(300)) }, { put: "z", value: bytes("z".repeat(300)) }]));
    flash.powerOn();
    const again = open(flash, 2);
    assert.ok(again.report.droppedBytes + again.report.droppedRecords > 0, "the cut left something to drop");
    assert.equal(again.report.lostRecords, 0);
    assert.deepEqual(again.report.streamHoles, {});
    again.append("registry", bytes("next"));
    const third = open(flash, 3);
    assert.equal(third.report.lostRecords, 0);
    assert.equal(third.streamLength("registry"), 2);
  });

  it("drops a truncated record at the end of the log and keeps the rest", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("kept", bytes("acknowledged"));
    flash.cutAt = flash.ops + 1;
    assert.throws(() => store.put("torn", bytes("x".repeat(200))));
    flash.powerOn();
    const again = open(flash, 2);
    assert.equal(text(again.get("kept")), "acknowledged");
    assert.equal(again.has("torn"), false);
    again.put("after", bytes("still works"));
    assert.equal(text(open(flash, 3).get("after")), "still works");
  });

  it("survives a sector of garbage: drops it, reports it, keeps the rest", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("a", bytes("1"));
    // Garbage over a free sector, and over the key area's second copy.
    const free = 15 * SECTOR;
    seededRandom(3).fill(flash.image.subarray(free, free + SECTOR));
    seededRandom(4).fill(flash.image.subarray(SECTOR, 2 * SECTOR));
    const again = open(flash, 2);
    assert.equal(again.report.garbageSectors, 1);
    assert.equal(again.report.keyRepaired, true);
    assert.equal(text(again.get("a")), "1");
    for (let i = 0; i < 200; i++) again.put(`f${i % 9}`, bytes("fill ".repeat(40)));
    assert.equal(flash.violations, 0, "the garbage sector was erased before reuse");
  });

  /** Rewrites the version byte at `at + 4` and the CRC over [at + 4, crcAt) stored at `crcAt` (valid CRC). */
  function claimVersion(image: Uint8Array, at: number, crcAt: number, version: number): void {
    image[at + 4] = version;
    const crc = crc32Of(image.subarray(at + 4, crcAt));
    for (let i = 0; i < 4; i++) image[crcAt + i] = (crc >>> (8 * i)) & 0xff;
  }

  it("refuses an image from a future format version and leaves it untouched", () => {
    const flash = new NorFlash(16 * SECTOR);
    open(flash).put("a", bytes("1"));
    // What a newer firmware writes when it migrates: the key area first, then its sectors.
    for (const copy of [0, SECTOR]) claimVersion(flash.image, copy, copy + 40, 2);
    claimVersion(flash.image, 2 * SECTOR, 2 * SECTOR + 12, 2);
    const before = flash.image.slice();
    const ops = flash.ops;
    assert.throws(() => open(flash, 2), (e) => isOptgateError(e, "E_STORE_VERSION"));
    assert.equal(flash.ops, ops);
    assert.deepEqual(flash.image, before);
  });

  it("a sector header or one key copy claiming a newer version beside a current key area is damage, not a newer store", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("a", bytes("1"));
    let live = -1;
    for (let s = 2; s < 16 && live < 0; s++) if (flash.image[s * SECTOR] !== 0xff && flash.image[s * SECTOR + 16] !== 0xff) live = s;
    claimVersion(flash.image, live * SECTOR, live * SECTOR + 12, 2);
    claimVersion(flash.image, SECTOR, SECTOR + 40, 7);
    const again = open(flash, 2);
    assert.equal(again.report.garbageSectors, 1, "the sector is dropped as damage");
    assert.equal(again.report.keyRepaired, true, "the key copy is rewritten from the good one");
    assert.equal(again.get("a"), undefined, "its record went with it");
    again.put("b", bytes("2"));
    assert.equal(text(open(flash, 3).get("b")), "2");
  });

  it("names the key of a record whose value is damaged but whose header check holds", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("notice/1", bytes("the notice text"));
    store.append("registry", bytes("change one"));
    store.put("console/settings", bytes("{}"));
    const at = lastIndexOf(flash.image, bytes("the notice text"));
    flash.image[at + 3] ^= 0x04;
    const again = open(flash, 2);
    assert.equal(again.report.lostRecords, 1, "first in the log, yet its header shows it was there");
    assert.deepEqual(again.report.damagedKeys, { "notice/1": 1 });
    assert.equal(again.report.unknownLost, 0);
    // A damaged header is of unknown key (seen from the gap it leaves in the sequence numbers).
    const flash2 = new NorFlash(16 * SECTOR);
    const s2 = open(flash2);
    s2.put("before", bytes("1"));
    s2.put("notice/1", bytes("the notice text"));
    s2.append("registry", bytes("change one"));
    const key = lastIndexOf(flash2.image, bytes("notice/1"));
    flash2.image[key + 2] ^= 0x01;
    const again2 = open(flash2, 2);
    assert.equal(again2.report.lostRecords, 1);
    assert.deepEqual(again2.report.damagedKeys, {});
    assert.equal(again2.report.unknownLost, 1);
  });

  it("reports a lost device key: clear data stays, sealed data cannot be opened", () => {
    const flash = new NorFlash(16 * SECTOR);
    const store = open(flash);
    store.put("card/1", bytes("r1"));
    store.put("tpl/1", secretBytes(3), { sealed: true });
    seededRandom(8).fill(flash.image.subarray(0, 2 * SECTOR));
    const again = open(flash, 2);
    assert.equal(again.report.keyLost, true);
    assert.equal(text(again.get("card/1")), "r1");
    assert.throws(() => again.get("tpl/1"), (e) => isOptgateError(e, "E_STORE_SEALED"));
  });
});

function findBytes(image: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= image.length; i++) {
    for (let j = 0; j < needle.length; j++) if (image[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error("not found");
}

function crc32Of(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}
