// The log walk on hand-built sectors (src/core/store/log-walk.ts): which
// records count as committed, and what recovery is told about torn bytes,
// lost records, orphans and the group a power cut left open. Each case is the
// smallest log that shows one rule.
import assert from "node:assert/strict";
import { crc32 } from "../../../src/core/store/crc32";
import { decodeRecord, encodeRecord, RecordType } from "../../../src/core/store/format";
import { eachRecord, streamHoles, walkLog } from "../../../src/core/store/log-walk";
import type { Entry } from "../../../src/core/store/store-entry";
import { bytes } from "./helpers";

const SS = 512;

type Piece = Uint8Array | { raw: number[] };

/** Records (or raw bytes) laid one after another from the 24-byte header on; the rest blank. */
function sectorOf(pieces: Piece[]): { buf: Uint8Array; offsets: number[] } {
  const buf = new Uint8Array(SS).fill(0xff);
  buf.fill(0, 0, 24);
  const offsets: number[] = [];
  let at = 24;
  for (const p of pieces) {
    const data = p instanceof Uint8Array ? p : new Uint8Array(p.raw);
    offsets.push(at);
    buf.set(data, at);
    at += data.length;
  }
  return { buf, offsets };
}

const put = (key: string, seq: number, index = 0, size = 1, value = bytes("v")) => encodeRecord(RecordType.Put, key, value, seq, index, size);
const u32le = (n: number) => new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]);
const stream = (key: string, index: number, seq: number, i = 0, size = 1) => encodeRecord(RecordType.Stream, key, new Uint8Array([...u32le(index), 0x61]), seq, i, size);
const abort = (from: number, seq: number) => encodeRecord(RecordType.Abort, "", u32le(from), seq, 0, 1);
/** A record whose value lost a bit: its CRC fails, its header check still names its key. */
function damaged(key: string, seq: number): Uint8Array {
  const r = put(key, seq, 0, 1, bytes("value"));
  r[16 + key.length + 1] ^= 0x08;
  return r;
}

interface Walked {
  committed: Entry[];
  orphans: Entry[];
  damage: [number, number][];
  lost: [number, { key: string }[]][];
  valid: number[];
  scanned: [number, number][];
  unfinished: number[];
}

/** Sectors given as [sector number, sector sequence, pieces]; walked oldest first in the given order. */
function walk(sectors: [number, number, Piece[]][], live = (_s: number) => true): Walked {
  const bufs = new Map(sectors.map(([s, , pieces]) => [s, sectorOf(pieces).buf]));
  const seqs = new Map(sectors.map(([s, seq]) => [s, seq]));
  const out: Walked = { committed: [], orphans: [], damage: [], lost: [], valid: [], scanned: [], unfinished: [] };
  walkLog({ sectorSize: SS, order: sectors.map(([s]) => s), isLive: live, sectorSeq: (s) => seqs.get(s)!, read: (s) => bufs.get(s)! }, (e) => out.committed.push(e), {
    orphans: (entries) => out.orphans.push(...entries),
    damage: (s, n) => out.damage.push([s, n]),
    lost: (count, named) => out.lost.push([count, named.map((n) => ({ ...n }))]),
    valid: (e, s) => out.valid.push(e.seq, s),
    scanned: (s, end) => out.scanned.push([s, end]),
    unfinished: (seq) => out.unfinished.push(seq),
  });
  return out;
}

const seqsOf = (entries: Entry[]) => entries.map((e) => e.seq);

/**
 * Sets buf[at, at + 4) so that `crcOf(buf)` is `target`. A CRC is affine over
 * GF(2) in the data bits: one CRC per flipped bit gives the 32 columns, and
 * Gaussian elimination picks the bits to flip.
 */
function forceCrc(buf: Uint8Array, at: number, target: number, crcOf: (b: Uint8Array) => number): void {
  buf.fill(0, at, at + 4);
  const base = crcOf(buf);
  const rows: [number, number][] = []; // [CRC change, the bit that causes it]
  for (let bit = 0; bit < 32; bit++) {
    buf[at + (bit >> 3)] ^= 1 << (bit & 7);
    rows.push([(crcOf(buf) ^ base) >>> 0, (1 << bit) >>> 0]);
    buf[at + (bit >> 3)] ^= 1 << (bit & 7);
  }
  let want = (target ^ base) >>> 0, flips = 0;
  for (let b = 31; b >= 0; b--) {
    const i = rows.findIndex(([c]) => (c >>> b) & 1);
    if (i < 0) continue;
    const [pc, pf] = rows.splice(i, 1)[0];
    for (const r of rows) if ((r[0] >>> b) & 1) { r[0] = (r[0] ^ pc) >>> 0; r[1] = (r[1] ^ pf) >>> 0; }
    if ((want >>> b) & 1) { want = (want ^ pc) >>> 0; flips = (flips ^ pf) >>> 0; }
  }
  for (let bit = 0; bit < 32; bit++) if ((flips >>> bit) & 1) buf[at + (bit >> 3)] ^= 1 << (bit & 7);
}

describe("log walk: what counts as committed", () => {
  it("hands over complete groups in log order, each entry with its address, size, sequence and aux", () => {
    const pieces = [put("a", 0, 0, 1, bytes("1234")), stream("s", 3, 1, 0, 2), encodeRecord(RecordType.Put, "#trim/s", u32le(2), 2, 1, 2), encodeRecord(RecordType.Delete, "a", new Uint8Array(0), 3, 0, 1)];
    const { offsets } = sectorOf(pieces);
    const w = walk([[4, 1, pieces]]);
    assert.deepEqual(w.committed, [
      { type: RecordType.Put, key: "a", addr: 4 * SS + offsets[0], size: 24, seq: 0, aux: 0, groupIndex: 0, groupSize: 1 },
      { type: RecordType.Stream, key: "s", addr: 4 * SS + offsets[1], size: 24, seq: 1, aux: 3, groupIndex: 0, groupSize: 2 },
      { type: RecordType.Put, key: "#trim/s", addr: 4 * SS + offsets[2], size: 28, seq: 2, aux: 2, groupIndex: 1, groupSize: 2 },
      { type: RecordType.Delete, key: "a", addr: 4 * SS + offsets[3], size: 20, seq: 3, aux: 0, groupIndex: 0, groupSize: 1 },
    ]);
    assert.deepEqual(w.valid, [0, 4, 1, 4, 2, 4, 3, 4]);
    assert.deepEqual(w.scanned, [[4, offsets[3] + 20]]);
    assert.deepEqual([w.orphans, w.damage, w.lost, w.unfinished], [[], [], [], []]);
  });

  it("a group is handed over only once its last record is there", () => {
    const w = walk([[2, 1, [put("a", 0), put("b", 1, 0, 3), put("c", 2, 1, 3)]]]);
    assert.deepEqual(seqsOf(w.committed), [0]);
    assert.deepEqual(seqsOf(w.orphans), [1, 2]);
    assert.deepEqual(w.unfinished, [1], "the open group's first sequence number");
  });

  it("a group may run on into the next sector", () => {
    const w = walk([[2, 1, [put("a", 0, 0, 2)]], [3, 2, [put("b", 1, 1, 2)]]]);
    assert.deepEqual(seqsOf(w.committed), [0, 1]);
    assert.deepEqual(w.unfinished, []);
  });

  it("an Abort drops the records of the group it names and keeps older pieces", () => {
    // seq 5: the rest of a compacted group (its first member was copied away); seq 8 opens a group the cut left unfinished.
    const w = walk([[2, 1, [put("old", 5, 1, 3), put("new", 8, 1, 3), abort(8, 9), put("after", 10)]]]);
    assert.deepEqual(seqsOf(w.committed), [5, 10]);
    assert.deepEqual(seqsOf(w.orphans), [8]);
    assert.deepEqual(w.unfinished, []);
    assert.ok(!w.committed.some((e) => e.type === RecordType.Abort), "the Abort itself is not an entry");
  });

  it("an Abort naming an earlier number drops every piece from it on", () => {
    const w = walk([[2, 1, [put("a", 3, 0, 3), put("b", 4, 1, 3), abort(3, 5)]]]);
    assert.deepEqual(seqsOf(w.committed), []);
    assert.deepEqual(seqsOf(w.orphans), [3, 4]);
  });

  it("pieces of groups with gaps (compaction took the rest) are kept when the next group starts or finishes", () => {
    // seq 1..2 are the tail of a group whose first member is gone; seq 3 starts a new group.
    const starts = walk([[2, 1, [put("x", 1, 1, 3), put("y", 2, 2, 3)]], [3, 2, [put("z", 3, 0, 2), put("w", 4, 1, 2)]]]);
    assert.deepEqual(seqsOf(starts.committed), [1, 2, 3, 4]);
    // A piece whose successor is out of step (not next in number, index or group size) is parked, not dropped.
    const parked = walk([[2, 1, [put("p", 1, 0, 3), put("q", 3, 1, 3), put("r", 4, 2, 3)]]]);
    assert.deepEqual(seqsOf(parked.committed), [1, 3, 4]);
    const size = walk([[2, 1, [put("p", 1, 0, 3), put("q", 2, 1, 2)]]]);
    assert.deepEqual(seqsOf(size.committed), [1, 2], "the same numbers in a different group size");
    const index = walk([[2, 1, [put("p", 1, 0, 3), put("q", 2, 2, 3)]]]);
    assert.deepEqual(seqsOf(index.committed), [1, 2], "an index that skips one");
    // ...and a group start right after an unbroken run commits what was parked before it.
    const open = walk([[2, 1, [put("p", 1, 1, 3), put("q", 2, 0, 1)]]]);
    assert.deepEqual(seqsOf(open.committed), [1, 2]);
    assert.deepEqual(open.unfinished, []);
  });

  it("only the pieces still open at the end of the log are the unfinished group", () => {
    const w = walk([[2, 1, [put("a", 6, 1, 3), put("b", 9, 0, 2)]]]);
    assert.deepEqual(seqsOf(w.committed), [6], "parked, then kept by the group start after it");
    assert.deepEqual(w.unfinished, [9]);
    assert.deepEqual(seqsOf(w.orphans), [9]);
  });

  it("skips sectors that are no longer live", () => {
    const w = walk([[2, 1, [put("a", 0)]], [3, 2, [put("b", 1)]]], (s) => s !== 2);
    assert.deepEqual(seqsOf(w.committed), [1]);
    assert.deepEqual(w.scanned, [[3, 44]]);
  });

  it("without a scan it only hands over committed records", () => {
    const { buf } = sectorOf([put("a", 0), damaged("b", 1), put("c", 2, 0, 2)]);
    const got: number[] = [];
    walkLog({ sectorSize: SS, order: [2], isLive: () => true, sectorSeq: () => 1, read: () => buf }, (e) => got.push(e.seq));
    assert.deepEqual(got, [0]);
  });
});

describe("log walk: torn bytes and lost records", () => {
  it("skips a torn record to the next one that verifies and counts the bytes skipped", () => {
    const torn = put("b", 1, 0, 1, bytes("a longer value"));
    torn.fill(0xff, 20);
    const pieces: Piece[] = [put("a", 0), torn, put("c", 1)];
    const { offsets } = sectorOf(pieces);
    const w = walk([[2, 1, pieces]]);
    assert.deepEqual(seqsOf(w.committed), [0, 1]);
    assert.deepEqual(w.damage, [[2, offsets[2] - offsets[1]]]);
    assert.deepEqual(w.lost, [], "a torn record's number is reused: no gap, no loss");
  });

  it("skips a torn run in one step, past a record magic byte inside it that starts no record", () => {
    const value = new Uint8Array(16).fill(0x11);
    value[7] = 0xa5; // at the record's byte 24 (16 header bytes, the 1-byte key, 7 value bytes): aligned like a record start
    const torn = put("b", 1, 0, 1, value);
    torn.fill(0xff, 28);
    const pieces: Piece[] = [put("a", 0), torn, put("c", 1)];
    const { offsets } = sectorOf(pieces);
    const w = walk([[2, 1, pieces]]);
    assert.deepEqual(seqsOf(w.committed), [0, 1]);
    assert.deepEqual(w.damage, [[2, offsets[2] - offsets[1]]]);
  });

  it("a torn record at the end: the bytes up to where no record header fits are skipped", () => {
    const torn = put("b", 1, 0, 1, bytes("value"));
    torn[20] = 0;
    const pieces: Piece[] = [put("a", 0), torn];
    const { offsets } = sectorOf(pieces);
    const w = walk([[2, 1, pieces]]);
    assert.deepEqual(w.damage, [[2, 500 - offsets[1]]]);
    assert.deepEqual(w.scanned, [[2, 500]]);
  });

  it("a record that does not verify right before a valid one with a gap is a lost committed record, charged to its named key", () => {
    const w = walk([[2, 1, [put("a", 0), damaged("dmg", 1), put("c", 2)]]]);
    assert.deepEqual(seqsOf(w.committed), [0, 2]);
    assert.deepEqual(w.lost, [[1, [{ key: "dmg", seq: 1 }]]]);
  });

  it("a gap with no damaged header in it is a loss of unknown key", () => {
    const w = walk([[2, 1, [put("a", 0), put("c", 4)]]]);
    assert.deepEqual(w.lost, [[3, []]]);
  });

  it("a number going backwards counts as one loss; a gap of up to 255 × 64 counts whole", () => {
    assert.deepEqual(walk([[2, 1, [put("a", 10), put("b", 3)]]]).lost, [[1, []]]);
    assert.deepEqual(walk([[2, 1, [put("a", 0), put("b", 16321)]]]).lost, [[16320, []]]);
    assert.deepEqual(walk([[2, 1, [put("a", 0), put("b", 16322)]]]).lost, [[1, []]]);
    assert.deepEqual(walk([[2, 1, [put("a", 0xffffffff), put("b", 0)]]]).lost, [], "the sequence number wraps without a gap");
  });

  it("at the start of a run, a damaged record numbered just below the first valid one is lost; one numbered above is not", () => {
    assert.deepEqual(walk([[2, 1, [damaged("first", 4), put("b", 5)]]]).lost, [[1, [{ key: "first", seq: 4 }]]]);
    assert.deepEqual(walk([[2, 1, [damaged("first", 9), put("b", 5)]]]).lost, []);
    assert.deepEqual(walk([[2, 1, [damaged("far", 5 - 16321), put("b", 5)]]]).lost, [], "too far below to be this run's");
    assert.deepEqual(walk([[2, 1, [damaged("near", 5 - 16320), put("b", 5)]]]).lost, [[1, [{ key: "near", seq: (5 - 16320) >>> 0 }]]]);
  });

  it("names each of several damaged records in a row", () => {
    const w = walk([[2, 1, [put("a", 0), damaged("x", 1), damaged("y", 2), put("b", 3)]]]);
    assert.deepEqual(w.lost, [[2, [{ key: "x", seq: 1 }, { key: "y", seq: 2 }]]]);
  });

  it("names no record header that sits inside a damaged record's value", () => {
    const value = new Uint8Array(28).fill(0x11);
    value.set(damaged("zz", 1), 1); // at the record's byte 20 (16 header bytes, the 3-byte key, 1 value byte): aligned like a record start
    const outer = put("dmg", 2, 0, 1, value);
    outer[outer.length - 2] ^= 0x08; // the outer value lost a bit: its CRC fails, its header check still names it
    const w = walk([[2, 1, [put("a", 0), outer, put("c", 3)]]]);
    assert.deepEqual(w.lost, [[2, [{ key: "dmg", seq: 2 }]]]);
  });

  it("charges a gap only to damaged records numbered inside it, not to a stray header numbered at or before the last valid record", () => {
    // "x" claims the number of the valid record before it, so it is none of the records the gap lost; "y" is.
    const w = walk([[2, 1, [put("a", 0), damaged("x", 0), damaged("y", 1), put("b", 2)]]]);
    assert.deepEqual(w.lost, [[1, [{ key: "y", seq: 1 }]]]);
  });

  it("skips from a damaged record forward only, never back over the end of the valid record before it", () => {
    // "p" ends in the bytes a record header starts with (magic, Put, key length 1). Read from 4 bytes
    // before the damaged record "d", those and d's own header form a plausible header whose CRC field
    // is d's sequence number: d's value is forged so that this overlapping "record" verifies.
    const p = put("p", 0, 0, 1, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0xa5, RecordType.Put, 1, 0]));
    const d = encodeRecord(RecordType.Put, "g", new Uint8Array(430).fill(0x33), 7, 0, 1);
    assert.ok(d[3] >= 2, "d's header check, the overlap's group size, is above its group index (1)");
    const { buf, offsets } = sectorOf([p, d]);
    const overlap = offsets[1] - 4;
    forceCrc(buf, overlap + 16 + 417, 7, (b) => crc32(b, overlap + 16, overlap + 16 + 421, crc32(b, overlap, overlap + 12)));
    assert.ok(decodeRecord(buf, overlap), "the forged overlap verifies");
    assert.equal(decodeRecord(buf, offsets[1]), undefined, "d does not");
    const w = walk([[2, 1, [{ raw: [...buf.subarray(24, offsets[1] + d.length)] }]]]);
    assert.deepEqual(seqsOf(w.committed), [0]);
    assert.deepEqual(w.damage, [[2, 500 - offsets[1]]], "d's bytes, skipped 4 at a time up to 500, past which no record header fits");
  });

  it("a damaged record seen twice under one number is one loss", () => {
    const w = walk([[2, 1, [put("a", 0), damaged("x", 1)]], [3, 2, [damaged("x", 1), put("b", 2)]]]);
    assert.deepEqual(w.lost, [[1, [{ key: "x", seq: 1 }]]]);
  });

  it("only damaged records since the last valid one are charged", () => {
    const w = walk([[2, 1, [put("a", 0), damaged("gone", 1), put("c", 1), put("d", 4)]]]);
    assert.deepEqual(w.lost, [[2, []]], "the damaged record before `c` was not a loss: `c` reused its number");
  });

  it("a torn record whose number the next record reused is no loss, at the start of a run too", () => {
    // A cut tore "t" (header and key whole, value not); recovery wrote the next record under the same number.
    assert.deepEqual(walk([[2, 1, [put("a", 4), damaged("t", 5), abort(4, 5)]]]).lost, []);
    assert.deepEqual(walk([[2, 1, [damaged("t", 5), abort(4, 5)]]]).lost, [], "first in its run");
    assert.deepEqual(walk([[2, 1, [damaged("t", 5), put("b", 5)]]]).lost, []);
  });

  it("a sector that does not follow the previous one starts a new run: no gap across it, nothing named carried over", () => {
    const across = walk([[2, 1, [put("a", 0)]], [3, 3, [put("b", 10)]]]);
    assert.deepEqual(across.lost, []);
    const next = walk([[2, 1, [put("a", 0)]], [3, 2, [put("b", 10)]]]);
    assert.deepEqual(next.lost, [[9, []]], "the sector opened right after it continues the run");
    const named = walk([[2, 1, [put("a", 0), damaged("x", 1)]], [3, 5, [put("b", 2)]]]);
    assert.deepEqual(named.lost, []);
  });
});

describe("log walk: one sector's records", () => {
  it("visits every record that verifies, stepping over damage 4 bytes at a time", () => {
    const bad = put("x", 9);
    bad[13] ^= 1;
    const pieces: Piece[] = [put("a", 0, 0, 1, bytes("1234")), bad, { raw: [0, 0, 0, 0] }, stream("s", 7, 1)];
    const { buf, offsets } = sectorOf(pieces);
    const seen: [string, number, number, number][] = [];
    eachRecord(buf, 3, SS, (e, b, off, payloadLength) => {
      assert.equal(b, buf);
      seen.push([e.key, e.addr, off, payloadLength]);
      assert.equal(e.aux, e.key === "s" ? 7 : 0);
    });
    assert.deepEqual(seen, [["a", 3 * SS + offsets[0], offsets[0], 5], ["s", 3 * SS + offsets[3], offsets[3], 6]]);
  });

  it("finds a record in the last bytes of a sector", () => {
    const buf = new Uint8Array(SS).fill(0xff);
    const r = put("k", 1);
    buf.set(r, SS - r.length);
    const seen: number[] = [];
    eachRecord(buf, 0, SS, (e) => seen.push(e.addr));
    assert.deepEqual(seen, [SS - r.length]);
    const got: number[] = [];
    walkLog({ sectorSize: SS, order: [0], isLive: () => true, sectorSeq: () => 1, read: () => buf }, (e) => got.push(e.addr));
    assert.deepEqual(got, [SS - r.length], "blank bytes with a record after them are not the end of the log");
  });
});

describe("log walk: stream holes", () => {
  it("counts only the committed stream records in [start, length) of each stream, never a key of the same name, an orphan or a trimmed one", () => {
    const a = sectorOf([stream("s", 0, 0), stream("s", 1, 1), stream("s", 2, 2), put("s", 3), stream("t", 0, 4), put("t", 5)]);
    const b = sectorOf([stream("s", 3, 5), stream("s", 4, 6), stream("s", 5, 7), stream("s", 7, 8), stream("s", 9, 9)]);
    const bufs = new Map([[2, a.buf], [3, b.buf]]);
    const starts = new Map([["s", 2], ["u", 1]]);
    const holes = streamHoles([2, 3], (s) => bufs.get(s)!, SS, {
      orphans: new Set([3 * SS + b.offsets[1]]), // index 4: a piece of an unfinished group
      lengths: new Map([["s", 7], ["t", 2], ["u", 1]]), // index 7 and 9 were never committed (orphans the walk did not keep)
      start: (name) => starts.get(name) ?? 0,
    });
    // s holds 2, 3 and 5 of [2, 7): 4 (an orphan) and 6 are missing; t misses 1 (the key "t" is no stream record);
    // u's one record was trimmed away with its sector, and its start moved past it: nothing is missing, so it is not listed.
    assert.deepEqual([...holes], [["s", 2], ["t", 1]]);
  });
});
