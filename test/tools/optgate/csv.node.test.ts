import assert from "node:assert/strict";
import { formatCsv, parseCsv } from "../../../tools/optgate/csv";

describe("optgate CSV (RFC 4180)", () => {
  it("parses plain, quoted, and multi-line fields with the line each record starts on", () => {
    const { records, problems } = parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\r\nlines",\r\n3,,z');
    assert.deepEqual(problems, []);
    assert.deepEqual(records, [
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["1", "x, y", 'say "hi"'] },
      { line: 3, fields: ["2", "two\r\nlines", ""] },
      { line: 5, fields: ["3", "", "z"] },
    ]);
  });

  it("accepts LF and lone CR line ends, a BOM, and skips blank lines", () => {
    const { records } = parseCsv("\ufeffa,b\n\n1,2\r3,4\n");
    assert.deepEqual(records.map((r) => [r.line, ...r.fields]), [[1, "a", "b"], [3, "1", "2"], [4, "3", "4"]]);
  });

  it("reports malformed records by line and keeps the others", () => {
    const text = 'h1,h2\nok,1\nbad"quote,2\n"closed"extra,3\nfine,4\n"never closed,5\nlost,6\n';
    const { records, problems } = parseCsv(text);
    assert.deepEqual(problems.map((p) => p.line), [3, 4, 6]);
    assert.match(problems[0].message, /quote inside an unquoted field/);
    assert.match(problems[1].message, /text after a closing quote/);
    assert.match(problems[2].message, /never closed/);
    assert.deepEqual(records.map((r) => r.fields[0]), ["h1", "ok", "fine"]);
  });

  it("formats so that parsing gives the same fields back", () => {
    const rows = [["id", "note"], ["R00001", 'a "quoted", text'], ["R00002", "two\nlines"], ["R00003", " padded "], ["R00004", ""]];
    const text = formatCsv(rows);
    assert.match(text, /\r\n$/);
    assert.deepEqual(parseCsv(text).records.map((r) => r.fields), rows.filter((r) => r.join("") !== "" ));
  });

  it("never writes a cell a spreadsheet would evaluate, and reads formula-looking values back unchanged", () => {
    const risky = ["-A1-A1", "=1+1", "+33", "@SUM(A1)", "\tx", "\r=x", "'=already", "''-x", "'plain", "a=b", "-", "=HYPERLINK(\"http://x\",\"y\")"];
    const text = formatCsv([["unit"], ...risky.map((v) => [v])]);
    // Every line of the file (each cell) starts with the header, a quote, or a harmless character.
    for (const cell of text.split("\r\n").slice(1, -1)) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, cell);
    assert.match(text, /\r\n"'-A1-A1"\r\n/);
    assert.deepEqual(parseCsv(text).records.slice(1).map((r) => r.fields[0]), risky);
  });

  it("survives random bytes without throwing", () => {
    let x = 7;
    for (let n = 0; n < 2000; n++) {
      let text = "";
      for (let i = (x = (x * 1103515245 + 12345) >>> 0) % 60; i > 0; i--) text += ',"\r\nab '[(x = (x * 1103515245 + 12345) >>> 0) % 8];
      const { records, problems } = parseCsv(text);
      for (const r of records) assert.ok(r.line >= 1 && r.fields.length >= 1);
      for (const p of problems) assert.ok(p.line >= 1);
    }
  });
});
