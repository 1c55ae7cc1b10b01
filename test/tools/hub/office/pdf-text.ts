// Reading a PDF's text back for the report tests.
import { inflateSync } from "node:zlib";

/** The text a PDF shows: every content stream inflated, hex and literal strings of its text operators decoded. */
export function pdfText(pdf: Buffer): string {
  const out: string[] = [];
  const raw = pdf.toString("latin1");
  for (const m of raw.matchAll(/stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    const end = raw.indexOf("endstream", start);
    let body: Buffer;
    try { body = inflateSync(pdf.subarray(start, end)); } catch { continue; }
    for (const line of body.toString("latin1").split("\n")) {
      if (!/T[Jj]\s*$/.test(line)) continue;
      out.push([...line.matchAll(/<([0-9a-fA-F]*)>|\(((?:\\.|[^\\)])*)\)/g)].map((s) => (s[1] !== undefined ? Buffer.from(s[1], "hex").toString("latin1") : s[2])).join(""));
    }
  }
  return out.join("\n");
}
