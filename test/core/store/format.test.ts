// The on-flash format byte by byte (src/core/store/format.ts, crc32.ts): what
// each encoder writes, and what each decoder refuses (a flipped bit, a torn
// write, a field one past its limit, a CRC over one byte too few or too many).
// The expected values are computed here independently of the code under test.
import assert from "node:assert/strict";
import { crc32 } from "../../../src/core/store/crc32";
import {
  FORMAT_VERSION, KEY_AREA_BYTES, KEY_MAGIC, MAX_GROUP, MAX_KEY, MAX_RECORD, MAX_VALUE, RECORD_HEADER, RECORD_MAGIC, RecordType,
  SEAL_OVERHEAD, SECTOR_HEADER, SECTOR_MAGIC, SectorState, align4, decodeDamagedHeader, decodeKeyArea, decodeRecord,
  decodeSectorHeader, encodeHeaderA, encodeHeaderB, encodeKeyArea, encodeRecord, headerCheck, isBlank, keyAt, putU32, recordSize, u32,
} from "../../../src/core/store/format";
import { bytes } from "./helpers";

/** Bit-by-bit CRC-32 (IEEE, reflected), no table: the reference the table-driven one must match. */
function referenceCrc(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

/** CRC-8, polynomial 0x07, initial 0, over the given bytes. */
function referenceCrc8(data: number[]): number {
  let c = 0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  }
  return c;
}

const le32 = (buf: Uint8Array, at: number) => buf[at] + buf[at + 1] * 256 + buf[at + 2] * 65536 + buf[at + 3] * 16777216;

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A record written by hand from the layout in format.ts, for the decoders. */
function handRecord(fields: { magic?: number; type?: number; key?: string; value?: Uint8Array; index?: number; size?: number; seq?: number; check?: number; payloadLength?: number }): Uint8Array {
  const key = bytes(fields.key ?? "k"), value = fields.value ?? bytes("v");
  const payload = concat(key, value);
  const length = fields.payloadLength ?? payload.length;
  const out = new Uint8Array(align4(RECORD_HEADER + payload.length)).fill(0xff);
  const seq = fields.seq ?? 7;
  out.set([fields.magic ?? RECORD_MAGIC, fields.type ?? RecordType.Put, key.length, 0, length & 0xff, length >> 8, fields.index ?? 0, fields.size ?? 1, seq & 0xff, (seq >>> 8) & 0xff, (seq >>> 16) & 0xff, seq >>> 24]);
  out.set(payload, RECORD_HEADER);
  out[3] = fields.check ?? referenceCrc8([...out.subarray(0, 3), ...out.subarray(4, 12), ...key]);
  const crc = referenceCrc(concat(out.subarray(0, 12), payload));
  out.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24], 12);
  return out;
}

describe("store format: CRC-32", () => {
  it("matches the IEEE check value and a bitwise reference over every byte value", () => {
    assert.equal(crc32(bytes("123456789")), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
    const all = new Uint8Array(512);
    for (let i = 0; i < all.length; i++) all[i] = (i * 7 + (i >> 8)) & 0xff;
    assert.equal(crc32(all), referenceCrc(all));
    for (let b = 0; b < 256; b++) assert.equal(crc32(new Uint8Array([b])), referenceCrc(new Uint8Array([b])), `byte ${b}`);
  });

  it("covers exactly [start, end) and continues from a previous value", () => {
    const data = bytes("the quick brown fox");
    assert.equal(crc32(data, 4, 9), referenceCrc(data.subarray(4, 9)));
    assert.equal(crc32(data, 4), referenceCrc(data.subarray(4)));
    assert.equal(crc32(data, 3, 3), 0);
    assert.equal(crc32(data, 9, data.length, crc32(data, 0, 9)), crc32(data));
  });
});

describe("store format: small helpers", () => {
  it("aligns to 4 bytes and sizes records header included", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 8, 1021].map(align4), [0, 4, 4, 4, 4, 8, 8, 1024]);
    assert.equal(recordSize(0), 16);
    assert.equal(recordSize(1), 20);
    assert.equal(recordSize(4), 20);
    assert.equal(recordSize(5), 24);
    assert.equal(MAX_RECORD, 16 + 64 + 1024 + 28, "the largest record: header, longest key, largest sealed value");
    assert.deepEqual([MAX_KEY, MAX_VALUE, MAX_GROUP, SEAL_OVERHEAD, RECORD_HEADER, SECTOR_HEADER, FORMAT_VERSION], [64, 1024, 255, 28, 16, 24, 1]);
  });

  it("reads and writes little-endian u32 over the whole range", () => {
    const buf = new Uint8Array(6).fill(0xee);
    putU32(buf, 1, 0x89abcdef);
    assert.deepEqual([...buf], [0xee, 0xef, 0xcd, 0xab, 0x89, 0xee]);
    assert.equal(u32(buf, 1), 0x89abcdef, "unsigned even with the top bit set");
    putU32(buf, 2, 0xffffffff);
    assert.equal(u32(buf, 2), 0xffffffff);
    assert.equal(u32(new Uint8Array([1, 2, 3, 4]), 0), 0x04030201);
  });

  it("tells blank (0xFF) bytes from programmed ones within [start, end)", () => {
    const buf = new Uint8Array([0xff, 0xfe, 0xff, 0xff]);
    assert.equal(isBlank(buf), false);
    assert.equal(isBlank(buf, 0, 1), true);
    assert.equal(isBlank(buf, 0, 2), false);
    assert.equal(isBlank(buf, 1, 2), false);
    assert.equal(isBlank(buf, 2), true);
    assert.equal(isBlank(new Uint8Array([0x7f])), false, "one cleared bit is programmed");
    assert.equal(isBlank(new Uint8Array(0)), true);
  });
});

describe("store format: records", () => {
  it("encodes the documented layout: header, key, value, 0xFF padding, CRC-8 and CRC-32", () => {
    const value = new Uint8Array(300);
    for (let i = 0; i < value.length; i++) value[i] = i & 0xff;
    const out = encodeRecord(RecordType.Sealed, "tpl/9", value, 0xa1b2c3d4, 2, 5);
    assert.deepEqual(out, handRecord({ type: 2, key: "tpl/9", value, seq: 0xa1b2c3d4, index: 2, size: 5 }));
    assert.equal(out.length, align4(16 + 305));
    assert.deepEqual([...out.subarray(0, 12)], [0xa5, 2, 5, out[3], 305 & 0xff, 1, 2, 5, 0xd4, 0xc3, 0xb2, 0xa1]);
    assert.deepEqual([...out.subarray(16 + 305)], [0xff, 0xff, 0xff], "padding is left unprogrammed");
    assert.notEqual(out[3], 0);
  });

  it("leaves the padding after a key with no value unprogrammed", () => {
    const tombstone = encodeRecord(RecordType.Delete, "abc", new Uint8Array(0), 3, 0, 1);
    assert.deepEqual([...tombstone.subarray(16)], [0x61, 0x62, 0x63, 0xff]);
    assert.deepEqual(tombstone, handRecord({ type: RecordType.Delete, key: "abc", value: new Uint8Array(0), seq: 3 }));
  });

  it("decodes what it encodes, every type and group position, at any offset", () => {
    for (let type = RecordType.Put; type <= RecordType.Abort; type++) {
      const rec = encodeRecord(type, "key", bytes("value!"), 0xfffffffe, 3, 4);
      const buf = concat(new Uint8Array(8).fill(0), rec, new Uint8Array(4));
      assert.deepEqual(decodeRecord(buf, 8), { type, keyLength: 3, payloadLength: 9, groupIndex: 3, groupSize: 4, seq: 0xfffffffe, size: 28 });
      assert.equal(keyAt(buf, 8, 3), "key");
    }
    const empty = encodeRecord(RecordType.Retire, "", new Uint8Array(0), 1, 0, 1);
    assert.deepEqual(decodeRecord(empty, 0), { type: 5, keyLength: 0, payloadLength: 0, groupIndex: 0, groupSize: 1, seq: 1, size: 16 });
    assert.equal(keyAt(empty, 0, 0), "");
  });

  it("refuses a record that does not fit before the end, and accepts one that ends exactly there", () => {
    const rec = encodeRecord(RecordType.Put, "ab", bytes("cd"), 1, 0, 1); // 20 bytes
    assert.ok(decodeRecord(rec, 0, 20));
    assert.equal(decodeRecord(rec, 0, 19), undefined);
    assert.equal(decodeRecord(rec.subarray(0, 15), 0), undefined, "not even a header");
    assert.equal(decodeRecord(new Uint8Array(16).fill(0xff), 0), undefined);
    const twelve = encodeRecord(RecordType.Put, "ab", new Uint8Array(0), 1, 0, 1); // header + 2 bytes = 18 → 20
    assert.ok(decodeRecord(twelve.subarray(0, 18), 0) === undefined, "the aligned size must fit, padding included");
  });

  it("refuses every header field out of range", () => {
    const good = handRecord({});
    assert.ok(decodeRecord(good, 0));
    const bad = (edit: (r: Uint8Array) => void) => {
      const r = good.slice();
      edit(r);
      return decodeRecord(r, 0);
    };
    assert.equal(bad((r) => { r[0] = 0xa4; }), undefined, "magic");
    const foreign = handRecord({ magic: 0xa4 });
    assert.equal(decodeRecord(foreign, 0), undefined, "another magic, even with its CRCs right");
    foreign[20] ^= 1;
    assert.equal(decodeDamagedHeader(foreign, 0), undefined);
    assert.equal(decodeRecord(handRecord({ type: 0 }), 0), undefined, "type 0");
    assert.equal(decodeRecord(handRecord({ type: 7 }), 0), undefined, "type 7");
    assert.ok(decodeRecord(handRecord({ type: 6 }), 0), "type 6 (Abort) is the last");
    assert.ok(decodeRecord(handRecord({ key: "k".repeat(64) }), 0), "a 64-character key");
    assert.equal(decodeRecord(handRecord({ key: "k".repeat(65) }), 0), undefined, "a 65-character key");
    assert.equal(decodeRecord(handRecord({ key: "abc", value: bytes("defg"), payloadLength: 2 }), 0), undefined, "payload shorter than the key");
    assert.ok(decodeRecord(handRecord({ key: "abc", value: new Uint8Array(0) }), 0), "payload as long as the key");
    assert.equal(decodeRecord(handRecord({ size: 0, index: 0 }), 0), undefined, "group of 0");
    assert.equal(decodeRecord(handRecord({ size: 3, index: 3 }), 0), undefined, "index past the group");
    assert.ok(decodeRecord(handRecord({ size: 255, index: 254 }), 0));
  });

  it("a payload length shorter than the key is refused, even with a CRC over that length", () => {
    const rec = handRecord({ key: "abc", value: bytes("d"), payloadLength: 2 });
    const crc = referenceCrc(concat(rec.subarray(0, 12), rec.subarray(16, 18)));
    putU32(rec, 12, crc);
    assert.equal(decodeRecord(rec, 0), undefined);
    rec[19] ^= 1;
    assert.equal(decodeDamagedHeader(rec, 0), undefined);
  });

  it("a payload length claiming more than the buffer holds is refused, not read past", () => {
    const rec = handRecord({ key: "k", value: bytes("abc"), payloadLength: 300 });
    assert.equal(decodeRecord(rec, 0), undefined);
  });

  it("the CRC-32 covers header bytes 0..11 and the whole payload, not the padding", () => {
    const rec = encodeRecord(RecordType.Put, "key", bytes("value"), 9, 0, 1); // 16 + 8 = 24, no padding
    const padded = encodeRecord(RecordType.Put, "key", bytes("val"), 9, 0, 1); // 16 + 6 → 24, 2 padding
    for (let i = 0; i < rec.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const r = rec.slice();
        r[i] ^= bit;
        assert.equal(decodeRecord(r, 0), undefined, `bit ${bit} of byte ${i}`);
      }
    }
    const p = padded.slice();
    p[22] = 0;
    p[23] = 0x12;
    assert.ok(decodeRecord(p, 0), "padding is outside the record's CRC");
    const last = padded.slice();
    last[21] ^= 0x40;
    assert.equal(decodeRecord(last, 0), undefined, "the last payload byte is inside it");
  });
});

describe("store format: header check (CRC-8)", () => {
  it("covers bytes 0..2, 4..11 and the key: not itself, not the CRC-32, not the value", () => {
    const rec = handRecord({ key: "name/1", value: bytes("the value"), seq: 0x01020304, index: 1, size: 2 });
    const check = headerCheck(rec, 0);
    assert.equal(check, rec[3]);
    assert.equal(check, referenceCrc8([...rec.subarray(0, 3), ...rec.subarray(4, 12), ...bytes("name/1")]));
    for (const i of [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 16, 21]) {
      const r = rec.slice();
      r[i] ^= 0x10;
      if (i === 2) continue; // the key length moves the end of the span
      assert.notEqual(headerCheck(r, 0), check, `byte ${i} is covered`);
    }
    for (const i of [3, 12, 13, 14, 15, 22, 23]) {
      const r = rec.slice();
      r[i] ^= 0x10;
      assert.equal(headerCheck(r, 0), check, `byte ${i} is not covered`);
    }
    const shifted = concat(new Uint8Array(12).fill(0x33), rec);
    assert.equal(headerCheck(shifted, 12), check, "at an offset");
  });

  it("names the key of a record whose value is damaged, and only then", () => {
    const rec = encodeRecord(RecordType.Put, "notice/1", bytes("text"), 42, 1, 3);
    const damaged = rec.slice();
    damaged[16 + 8 + 1] ^= 0x04;
    assert.equal(decodeRecord(damaged, 0), undefined);
    const at = concat(new Uint8Array(4), damaged);
    assert.deepEqual(decodeDamagedHeader(at, 4), { type: 1, keyLength: 8, payloadLength: 12, groupIndex: 1, groupSize: 3, seq: 42, size: 28, key: "notice/1" });
    const header = damaged.slice();
    header[9] ^= 0x01;
    assert.equal(decodeDamagedHeader(header, 0), undefined, "a damaged header names nothing");
    const key = damaged.slice();
    key[17] ^= 0x01;
    assert.equal(decodeDamagedHeader(key, 0), undefined, "a damaged key names nothing");
    assert.equal(decodeDamagedHeader(damaged, 0, damaged.length - 1), undefined, "it must still fit");
    assert.equal(decodeDamagedHeader(new Uint8Array(32).fill(0xff), 0), undefined);
    const binary = encodeRecord(RecordType.Sealed, "tpl/1", new Uint8Array([0, 1, 2, 3]), 5, 0, 1);
    binary[23] ^= 0x10;
    assert.equal(decodeDamagedHeader(binary, 0)?.key, "tpl/1", "only the key must be printable, not the value after it");
  });

  it("does not trust a header check of 0 (records written before it existed)", () => {
    let key = "";
    for (let n = 0; !key; n++) if (referenceCrc8([RECORD_MAGIC, 1, 4, 8, 0, 0, 1, 5, 0, 0, 0, ...bytes(`k${n}`.padEnd(4, "."))]) === 0) key = `k${n}`.padEnd(4, ".");
    const rec = handRecord({ key, value: bytes("valu"), seq: 5 });
    assert.equal(rec[3], 0);
    assert.ok(decodeRecord(rec, 0), "the record itself is fine");
    rec[21] ^= 1;
    assert.equal(decodeDamagedHeader(rec, 0), undefined);
  });

  it("names only printable ASCII keys", () => {
    for (const [c, named] of [[0x1f, false], [0x20, true], [0x7e, true], [0x7f, false]] as const) {
      const rec = handRecord({ key: `a${String.fromCharCode(c)}`, value: bytes("xyz") });
      rec[20] ^= 1;
      assert.equal(decodeDamagedHeader(rec, 0)?.key, named ? `a${String.fromCharCode(c)}` : undefined, `character ${c}`);
    }
  });
});

describe("store format: sector headers", () => {
  it("part A: magic, version, three zero bytes, erase count, CRC over 4..11", () => {
    const a = encodeHeaderA(0x01020304);
    assert.equal(a.length, 16);
    assert.deepEqual([...a.subarray(0, 12)], [0x4f, 0x47, 0x53, 0x54, 1, 0, 0, 0, 4, 3, 2, 1]);
    assert.equal(le32(a, 0), SECTOR_MAGIC);
    assert.equal(le32(a, 12), referenceCrc(a.subarray(4, 12)));
  });

  it("part B: sequence number and a CRC bound to part A's CRC", () => {
    const a = encodeHeaderA(3);
    const b = encodeHeaderB(a, 0x0a0b0c0d);
    assert.equal(b.length, 8);
    assert.deepEqual([...b.subarray(0, 4)], [0x0d, 0x0c, 0x0b, 0x0a]);
    assert.equal(le32(b, 4), referenceCrc(concat(a.subarray(12, 16), b.subarray(0, 4))));
  });

  const sector = (a?: Uint8Array, b?: Uint8Array) => {
    const buf = new Uint8Array(64).fill(0xff);
    if (a) buf.set(a, 0);
    if (b) buf.set(b, 16);
    return buf;
  };

  it("decodes every state a power cut or damage can leave", () => {
    const a = encodeHeaderA(77);
    assert.deepEqual(decodeSectorHeader(sector()), { state: SectorState.Unformatted, eraseCount: 0, sectorSeq: 0 });
    assert.deepEqual(decodeSectorHeader(sector(a)), { state: SectorState.Free, eraseCount: 77, sectorSeq: 0 });
    assert.deepEqual(decodeSectorHeader(sector(a, encodeHeaderB(a, 12345))), { state: SectorState.Live, eraseCount: 77, sectorSeq: 12345 });
    const foreign = encodeHeaderB(encodeHeaderA(78), 12345);
    assert.deepEqual(decodeSectorHeader(sector(a, foreign)), { state: SectorState.Garbage, eraseCount: 77, sectorSeq: 0 }, "B of another A");
    const tornB = encodeHeaderB(a, 12345);
    tornB[7] = 0xff;
    assert.equal(decodeSectorHeader(sector(a, tornB)).state, SectorState.Garbage, "B torn in its last byte");
    const seqOnly = sector(a, encodeHeaderB(a, 5).subarray(0, 4));
    assert.equal(decodeSectorHeader(seqOnly).state, SectorState.Garbage, "B torn after the sequence number");
    const tornA = a.slice();
    tornA[15] = 0xff;
    assert.equal(decodeSectorHeader(sector(tornA)).state, SectorState.Garbage, "A torn in its CRC");
    const bitRot = a.slice();
    bitRot[9] ^= 0x20;
    assert.equal(decodeSectorHeader(sector(bitRot)).state, SectorState.Garbage, "a bit flipped in the erase count");
    const marked = sector(a, encodeHeaderB(a, 9));
    marked.fill(0, 0, 4);
    assert.equal(decodeSectorHeader(marked).state, SectorState.Garbage, "magic cleared before an erase");
  });

  it("a blank header means every one of its 24 bytes is blank, no more", () => {
    const last = sector();
    last[23] = 0xfe;
    assert.equal(decodeSectorHeader(last).state, SectorState.Garbage);
    const after = sector();
    after[24] = 0;
    assert.equal(decodeSectorHeader(after).state, SectorState.Unformatted, "byte 24 is a record's");
    const a = encodeHeaderA(1);
    const afterA = sector(a);
    afterA[24] = 0;
    assert.equal(decodeSectorHeader(afterA).state, SectorState.Free);
    const b23 = sector(a);
    b23[23] = 0x7f;
    assert.equal(decodeSectorHeader(b23).state, SectorState.Garbage, "B's last byte programmed");
  });

  it("a verified newer version is Future, an older or unverified one Garbage", () => {
    const claim = (version: number, fixCrc: boolean) => {
      const a = encodeHeaderA(5);
      a[4] = version;
      if (fixCrc) putU32(a, 12, referenceCrc(a.subarray(4, 12)));
      return decodeSectorHeader(sector(a, encodeHeaderB(a, 3)));
    };
    assert.deepEqual(claim(2, true), { state: SectorState.Future, eraseCount: 0, sectorSeq: 0 });
    assert.equal(claim(255, true).state, SectorState.Future);
    assert.equal(claim(2, false).state, SectorState.Garbage, "a torn version byte");
    assert.deepEqual(claim(0, true), { state: SectorState.Garbage, eraseCount: 0, sectorSeq: 0 });
    assert.equal(claim(1, true).state, SectorState.Live);
  });
});

describe("store format: key area", () => {
  const key = new Uint8Array(32).map((_, i) => i * 5 + 1);

  it("encodes magic, version, key and a CRC over 4..39", () => {
    const area = encodeKeyArea(key);
    assert.equal(area.length, KEY_AREA_BYTES);
    assert.equal(KEY_AREA_BYTES, 44);
    assert.equal(le32(area, 0), KEY_MAGIC);
    assert.deepEqual([...area.subarray(0, 8)], [0x4f, 0x47, 0x4b, 0x59, 1, 0, 0, 0]);
    assert.deepEqual(area.subarray(8, 40), key);
    assert.equal(le32(area, 40), referenceCrc(area.subarray(4, 40)));
    assert.deepEqual(decodeKeyArea(area), { state: "valid", key });
  });

  it("refuses torn, flipped, foreign, older and newer copies", () => {
    const area = encodeKeyArea(key);
    const edit = (at: number, value: number) => {
      const a = area.slice();
      a[at] = value;
      return decodeKeyArea(a).state;
    };
    assert.equal(decodeKeyArea(new Uint8Array(44).fill(0xff)).state, "blank");
    assert.equal(edit(43, 0xfe), "garbage");
    const tail = new Uint8Array(45).fill(0xff);
    tail[44] = 0;
    assert.equal(decodeKeyArea(tail).state, "blank", "byte 44 is outside the key record");
    assert.equal(edit(0, 0x4e), "garbage", "magic");
    assert.equal(edit(39, area[39] ^ 1), "garbage", "last key byte");
    assert.equal(edit(8, area[8] ^ 0x80), "garbage", "first key byte");
    assert.equal(edit(4, 2), "garbage", "a torn version byte");
    const claim = (version: number) => {
      const a = area.slice();
      a[4] = version;
      putU32(a, 40, referenceCrc(a.subarray(4, 40)));
      return decodeKeyArea(a).state;
    };
    assert.equal(claim(2), "future");
    assert.equal(claim(0), "garbage");
  });
});
