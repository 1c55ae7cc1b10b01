// Chinese in the compliance PDF: Noto Sans SC (SIL Open Font License 1.1) from
// the pinned npm package @fontsource-variable/noto-sans-sc, read from
// node_modules (nothing is fetched). The package splits the font by Unicode
// range into WOFF2 files, as browsers load it; each run of text is set in the
// file that covers its characters, read the first time it is needed, and
// pdfkit embeds only the glyphs used. fontkit misreads WOFF2's transformed
// glyph table when it subsets, so each file is first turned back into TrueType
// with wawoff2 (Google's woff2 decoder as WebAssembly, pinned on npm).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const dir = path.dirname(require.resolve("@fontsource-variable/noto-sans-sc/package.json"));
const { decompress } = require("wawoff2") as { decompress(woff2: Uint8Array): Promise<Uint8Array> };

interface Subset { name: string; ranges: [number, number][] }

let subsets: Subset[] | undefined;
const files = new Map<string, Promise<Buffer>>();

/** The package's subsets and the code points each covers (unicode.json: "[12]" → "U+4e00-4e0f,U+4e11,…"). */
function allSubsets(): Subset[] {
  subsets ??= Object.entries(JSON.parse(readFileSync(path.join(dir, "unicode.json"), "utf8")) as Record<string, string>).map(([key, list]) => ({
    name: key.replace(/^\[|\]$/g, ""),
    ranges: list.split(",").map((r) => {
      const [a, b] = r.trim().replace(/^U\+/i, "").split("-");
      return [parseInt(a, 16), parseInt(b ?? a, 16)] as [number, number];
    }),
  }));
  return subsets;
}

function subsetOf(codePoint: number): string | undefined {
  return allSubsets().find((s) => s.ranges.some(([a, b]) => codePoint >= a && codePoint <= b))?.name;
}

export interface FontRun {
  /** the subset whose file sets this run; undefined: no file covers it (set in the PDF's built-in font) */
  subset?: string;
  text: string;
}

/** `text` cut into runs, each set in one of the font's files. */
export function cjkRuns(text: string): FontRun[] {
  const runs: FontRun[] = [];
  for (const ch of text) {
    // Spaces belong to the run they are in: every file has one, and a run per space would break lines oddly.
    const subset = ch === " " && runs.length ? runs[runs.length - 1].subset : subsetOf(ch.codePointAt(0)!);
    const last = runs[runs.length - 1];
    if (last && last.subset === subset) last.text += ch;
    else runs.push({ subset, text: ch });
  }
  return runs;
}

/** Decodes one at a time: the decoder's answer lives in its WebAssembly memory until copied out. */
let decoding: Promise<unknown> = Promise.resolve();

/** The TrueType font of one subset, decoded once. */
function subsetFont(subset: string): Promise<Buffer> {
  let font = files.get(subset);
  if (!font) {
    const woff2 = readFileSync(path.join(dir, "files", `noto-sans-sc-${subset}-wght-normal.woff2`));
    font = decoding.then(() => decompress(woff2)).then((ttf) => Buffer.from(ttf));
    decoding = font.catch(() => undefined);
    files.set(subset, font);
  }
  return font;
}

/** The fonts the runs of `texts` are set in, by subset. */
export async function cjkFonts(texts: string[]): Promise<Map<string, Buffer>> {
  const needed = new Set(texts.flatMap((text) => cjkRuns(text).map((r) => r.subset)).filter((s): s is string => s !== undefined));
  return new Map(await Promise.all([...needed].map(async (s) => [s, await subsetFont(s)] as const)));
}
