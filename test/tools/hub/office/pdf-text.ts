// Reading a PDF's text back for the report tests: pdfkit's output, uncompressed
// objects with deflated streams. A string in an embedded font is glyph codes,
// read through that font's ToUnicode map; in a built-in font it is the text.
import { inflateSync } from "node:zlib";

/** Object number → its dictionary text and its stream (inflated when deflated). */
function pdfObjects(pdf: Buffer): Map<number, { dict: string; stream?: Buffer }> {
  const raw = pdf.toString("latin1");
  const out = new Map<number, { dict: string; stream?: Buffer }>();
  for (const m of raw.matchAll(/(\d+) 0 obj\b/g)) {
    const start = m.index! + m[0].length;
    const end = raw.indexOf("endobj", start);
    const body = raw.slice(start, end);
    const s = /stream\r?\n/.exec(body);
    if (!s) { out.set(Number(m[1]), { dict: body }); continue; }
    const from = start + s.index + s[0].length;
    const data = pdf.subarray(from, raw.indexOf("endstream", from));
    let stream: Buffer = data;
    try { stream = inflateSync(data); } catch { /* not deflated */ }
    out.set(Number(m[1]), { dict: body.slice(0, s.index), stream });
  }
  return out;
}

/** A ToUnicode CMap's bfrange arrays (the form pdfkit writes): code → text. */
function toUnicode(cmap: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const r of cmap.matchAll(/<([0-9a-f]+)> <[0-9a-f]+> \[([^\]]*)\]/gi)) {
    let code = parseInt(r[1], 16);
    for (const entry of r[2].matchAll(/<([0-9a-f ]+)>/gi)) {
      const units = entry[1].split(" ").map((h) => parseInt(h, 16));
      out.set(code++, String.fromCharCode(...units));
    }
  }
  return out;
}

/** The text a PDF shows, one line per text operator. */
export function pdfText(pdf: Buffer): string {
  const objects = pdfObjects(pdf);
  const maps = new Map<string, Map<number, string>>(); // font resource name → ToUnicode, for embedded fonts
  for (const { dict } of objects.values()) {
    for (const block of dict.matchAll(/\/Font\s*<<([^>]*)>>/g)) {
      for (const ref of block[1].matchAll(/\/(\w+) (\d+) 0 R/g)) {
        const cmapRef = /\/ToUnicode (\d+) 0 R/.exec(objects.get(Number(ref[2]))?.dict ?? "");
        const cmap = cmapRef && objects.get(Number(cmapRef[1]))?.stream;
        if (cmap) maps.set(ref[1], toUnicode(cmap.toString("latin1")));
      }
    }
  }
  const out: string[] = [];
  for (const { stream } of objects.values()) {
    if (!stream) continue;
    let font: Map<number, string> | undefined;
    for (const line of stream.toString("latin1").split("\n")) {
      const tf = /^\/(\w+) [\d.]+ Tf/.exec(line);
      if (tf) font = maps.get(tf[1]);
      if (!/T[Jj]\s*$/.test(line)) continue;
      out.push([...line.matchAll(/<([0-9a-fA-F]*)>|\(((?:\\.|[^\\)])*)\)/g)].map((s) => {
        if (s[1] === undefined) return s[2];
        const map = font;
        if (!map) return Buffer.from(s[1], "hex").toString("latin1");
        return (s[1].match(/.{4}/g) ?? []).map((code) => map.get(parseInt(code, 16)) ?? "\ufffd").join("");
      }).join(""));
    }
  }
  return out.join("\n");
}
