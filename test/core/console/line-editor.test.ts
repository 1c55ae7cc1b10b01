import assert from "node:assert/strict";
import { LineEditor, MAX_LINE_BYTES, type LineEvent } from "../../../src/core/console/line-editor";
import { decodeUtf8 } from "../../../src/core/console/utf8-decode";
import { utf8 } from "../../../src/core/crypto";

function run(input: string | number[], hidden = false): { events: LineEvent[]; echo: string } {
  let echo = "";
  const editor = new LineEditor((t) => { echo += t; });
  editor.hidden = hidden;
  const bytes = typeof input === "string" ? Array.from(utf8(input)) : input;
  const events: LineEvent[] = [];
  for (const b of bytes) {
    const e = editor.feed(b);
    if (e) events.push(e);
  }
  return { events, echo };
}

const lines = (events: LineEvent[]) => events.map((e) => (e.kind === "line" ? e.text : e.kind === "error" ? e.error.code : "^C"));

describe("console line editor", () => {
  it("ends lines on CR, LF and CRLF without inventing empty lines", () => {
    assert.deepEqual(lines(run("a\rb\nc\r\nd\r\r").events), ["a", "b", "c", "d", ""]);
  });

  it("echoes printable characters and a newline", () => {
    assert.equal(run("hi\r").echo, "hi\r\n");
  });

  it("backspace and DEL remove the last character, also a multi-byte one", () => {
    assert.deepEqual(lines(run("abc\x08d\x7f\x7fx\r").events), ["ax"]);
    assert.deepEqual(lines(run("a\u00e9\u4e2d\x7f\r").events), ["a\u00e9"]);
    assert.equal(run("ab\x7f").echo, "ab\b \b");
    assert.deepEqual(lines(run("\x7f\x7fz\r").events), ["z"]);
  });

  it("Ctrl-U kills the line, Ctrl-W the last word", () => {
    assert.deepEqual(lines(run("resident add\x15help\r").events), ["help"]);
    assert.deepEqual(lines(run("resident add \x17show\r").events), ["resident show"]);
  });

  it("Ctrl-C cancels the line", () => {
    const { events, echo } = run("door open\x03");
    assert.deepEqual(lines(events), ["^C"]);
    assert.match(echo, /\^C\r\n$/);
    assert.deepEqual(lines(run("door open\x03status\r").events), ["^C", "status"]);
  });

  it("ignores ANSI escape sequences (arrow keys, Home, F1, Alt+x) cleanly", () => {
    const keys = "\x1b[A\x1b[B\x1b[1;5C\x1b[H\x1bOP\x1bx\x1b[200~";
    const { events, echo } = run(`st${keys}atus\r`);
    assert.deepEqual(lines(events), ["status"]);
    assert.equal(echo, "status\r\n");
  });

  it("ignores other control characters", () => {
    assert.deepEqual(lines(run([0x68, 0x00, 0x09, 0x04, 0x07, 0x69, 0x0d]).events), ["hi"]);
  });

  it(`refuses a line over ${MAX_LINE_BYTES} bytes with a clear error, then works again`, () => {
    const { events, echo } = run(`${"x".repeat(MAX_LINE_BYTES + 10)}\rok\r`);
    assert.equal(events[0].kind, "error");
    if (events[0].kind === "error") {
      assert.equal(events[0].error.code, "E_LINE_TOO_LONG");
      assert.match(events[0].error.message, /256 bytes/);
    }
    assert.deepEqual(lines(events.slice(1)), ["ok"]);
    assert.equal(echo.split("\x07").length, 2, "rings the bell once");
    assert.deepEqual(lines(run(`${"x".repeat(MAX_LINE_BYTES)}\r`).events), ["x".repeat(MAX_LINE_BYTES)]);
  });

  it("keeps an overflowed line refused after backspace, until it is emptied", () => {
    const over = "y".repeat(MAX_LINE_BYTES + 1);
    assert.deepEqual(lines(run(`${over}\x7f\r`).events), ["E_LINE_TOO_LONG"]);
    assert.deepEqual(lines(run(`${over}\x15ok\r`).events), ["ok"]);
  });

  it("refuses bytes that are not UTF-8", () => {
    assert.deepEqual(lines(run([0x61, 0xff, 0x0d]).events), ["E_BAD_ENCODING"]);
    assert.deepEqual(lines(run([0xc0, 0xaf, 0x0d]).events), ["E_BAD_ENCODING"]);
    assert.deepEqual(lines(run([0xe4, 0xb8, 0x0d]).events), ["E_BAD_ENCODING"]);
  });

  it("echoes nothing while hidden (passwords, PINs)", () => {
    const { events, echo } = run("s3cret\x7fT\r", true);
    assert.deepEqual(lines(events), ["s3creT"]);
    assert.equal(echo, "\r\n");
  });

  it("decodes UTF-8 strictly", () => {
    assert.equal(decodeUtf8(utf8("Zhōng 中 😀")), "Zhōng 中 😀");
    assert.equal(decodeUtf8(Uint8Array.from([0xed, 0xa0, 0x80])), undefined, "surrogate");
    assert.equal(decodeUtf8(Uint8Array.from([0xf4, 0x90, 0x80, 0x80])), undefined, "above U+10FFFF");
  });
});
