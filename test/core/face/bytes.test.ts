// The face records' byte reader and writer: every limit at exactly its edge,
// and every kind of damaged byte string answered with a record error, never a
// RangeError or a silently wrong value.
import assert from "node:assert/strict";
import { ByteReader, ByteWriter, utf8Decode } from "../../../src/core/face/bytes";
import { isOptgateError } from "../../../src/core/errors";

const corrupt = (text: RegExp) => (e: unknown) => isOptgateError(e, "E_RECORD_CORRUPT") && text.test((e as Error).message);
const tooLong = (e: unknown) => isOptgateError(e, "E_FIELD_TOO_LONG");

describe("face/bytes", () => {
  it("a short text holds exactly 255 bytes, a long text exactly 65,535", () => {
    const at255 = "a".repeat(255);
    assert.equal(new ByteReader(new ByteWriter().text(at255).finish(), "t").text(), at255);
    assert.throws(() => new ByteWriter().text("a".repeat(256)), (e: unknown) => tooLong(e) && /256 bytes; at most 255/.test((e as Error).message));
    const at65535 = "b".repeat(0xffff);
    const bytes = new ByteWriter().longText(at65535).finish();
    assert.equal(bytes.length, 2 + 0xffff);
    assert.equal(new ByteReader(bytes, "t").longText(), at65535);
    assert.throws(() => new ByteWriter().longText("b".repeat(0x10000)), (e: unknown) => tooLong(e) && /65536 bytes; at most 65,535/.test((e as Error).message));
  });

  it("reads back what it wrote, little-endian", () => {
    const bytes = new ByteWriter().u8(0x1ff).u16(0xbeef).u32(0xdeadbeef).f64(1767600000123.5).bytes(Uint8Array.of(9, 8)).finish();
    assert.deepEqual([...bytes.subarray(0, 7)], [0xff, 0xef, 0xbe, 0xef, 0xbe, 0xad, 0xde]);
    const r = new ByteReader(bytes, "test");
    assert.deepEqual([r.u8(), r.u16(), r.u32(), r.f64(), [...r.bytes(2)]], [0xff, 0xbeef, 0xdeadbeef, 1767600000123.5, [9, 8]]);
    r.end();
  });

  it("a read past the end names the record; exactly to the end is fine", () => {
    const r = new ByteReader(Uint8Array.of(1, 2, 3), "consent");
    assert.deepEqual([...r.bytes(3)], [1, 2, 3]);
    assert.throws(() => r.u8(), corrupt(/^E_RECORD_CORRUPT: The consent record is truncated; restore it from a good copy\.$/));
    const f = new ByteReader(new Uint8Array(7), "notice");
    assert.throws(() => f.f64(), corrupt(/notice record is truncated/));
    const rest = new ByteReader(Uint8Array.of(5, 6, 7), "x");
    rest.u8();
    assert.deepEqual([...rest.rest()], [6, 7]);
    rest.end();
  });

  it("trailing bytes are counted in the error", () => {
    const r = new ByteReader(Uint8Array.of(1, 2, 3, 4), "template");
    r.u8();
    assert.throws(() => r.end(), corrupt(/^E_RECORD_CORRUPT: The template record has 3 unexpected trailing bytes\.$/));
  });

  it("decodes one-, two-, three- and four-byte characters", () => {
    const text = "a\u00e9\u6280\u{1F600}z";
    const enc = new ByteWriter().text(text).finish();
    assert.equal(enc[0], 1 + 2 + 3 + 4 + 1);
    assert.equal(utf8Decode(enc.subarray(1)), text);
    assert.equal(utf8Decode(Uint8Array.of(0x7f, 0xc2, 0x80, 0xef, 0xbf, 0xbf, 0xf4, 0x8f, 0xbf, 0xbf)), "\u007f\u0080\uffff\u{10ffff}");
  });

  it("refuses every kind of damaged UTF-8 with a record error", () => {
    const invalid = /^E_RECORD_CORRUPT: A text field holds invalid UTF-8\.$/;
    const cut = /^E_RECORD_CORRUPT: A text field ends inside a UTF-8 character\.$/;
    assert.throws(() => utf8Decode(Uint8Array.of(0x80)), corrupt(invalid), "a lone continuation byte");
    assert.throws(() => utf8Decode(Uint8Array.of(0xbf)), corrupt(invalid));
    assert.throws(() => utf8Decode(Uint8Array.of(0x61, 0xc3)), corrupt(cut), "two-byte lead at the end");
    assert.throws(() => utf8Decode(Uint8Array.of(0xe6, 0x8a)), corrupt(cut), "three-byte character cut after two");
    assert.throws(() => utf8Decode(Uint8Array.of(0xf0, 0x9f, 0x98)), corrupt(cut), "four-byte character cut after three");
    assert.throws(() => utf8Decode(Uint8Array.of(0xc3, 0x41)), corrupt(invalid), "a continuation that is not one");
    assert.throws(() => utf8Decode(Uint8Array.of(0xe6, 0x8a, 0xc0)), corrupt(invalid));
    assert.throws(() => utf8Decode(Uint8Array.of(0xf7, 0xbf, 0xbf, 0xbf)), corrupt(invalid), "past U+10FFFF");
    assert.throws(() => utf8Decode(Uint8Array.of(0xf4, 0x90, 0x80, 0x80)), corrupt(invalid), "U+110000");
  });

  it("decodes every length's first and last code point, and what the writer makes of them", () => {
    const edges: [number[], number][] = [
      [[0x00], 0x00], [[0x7f], 0x7f],
      [[0xc2, 0x80], 0x80], [[0xdf, 0xbf], 0x7ff],
      [[0xe0, 0xa0, 0x80], 0x800], [[0xef, 0xbf, 0xbf], 0xffff],
      [[0xf0, 0x90, 0x80, 0x80], 0x10000], [[0xf4, 0x8f, 0xbf, 0xbf], 0x10ffff],
    ];
    for (const [bytes, code] of edges) {
      const text = String.fromCodePoint(code);
      assert.equal(utf8Decode(Uint8Array.from(bytes)), text, code.toString(16));
      assert.deepEqual([...new ByteWriter().text(text).finish()], [bytes.length, ...bytes], `writes U+${code.toString(16)}`);
    }
    // A lone surrogate is what the writer makes of one in a string, so it reads back (WTF-8).
    assert.equal(utf8Decode(Uint8Array.of(0xed, 0xa0, 0x80)), "\ud800");
  });

  it("refuses the lead bytes UTF-8 never uses and every overlong form", () => {
    const invalid = corrupt(/^E_RECORD_CORRUPT: A text field holds invalid UTF-8\.$/);
    // C0 and C1 could only start an overlong form of U+0000..U+007F ("/" as C0 AF is the classic path trick).
    for (const bytes of [[0xc0, 0x80], [0xc0, 0xaf], [0xc1, 0xbf]]) assert.throws(() => utf8Decode(Uint8Array.from(bytes)), invalid, bytes.join(" "));
    // Three- and four-byte forms of what fits in fewer bytes.
    for (const bytes of [[0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf]]) {
      assert.throws(() => utf8Decode(Uint8Array.from(bytes)), invalid, bytes.join(" "));
    }
    // F5..FF: past U+10FFFF or no UTF-8 lead at all, whatever follows.
    for (let lead = 0xf5; lead <= 0xff; lead++) {
      for (const tail of [[0x80, 0x80, 0x80], [0x90, 0x80, 0x80], [0xbf, 0xbf, 0xbf]]) {
        assert.throws(() => utf8Decode(Uint8Array.of(lead, ...tail)), invalid, lead.toString(16));
      }
    }
  });
});
