// Two pictures of an evaluation as standalone SVG: the DET curve (FNMR against
// FMR, both on log axes, one line per template kind) and the genuine/impostor
// score histograms with the chosen thresholds marked.
import type { OperatingPoint, PairScores } from "./scores";

const W = 900, H = 380, PAD = 50;
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

export interface DetSeries {
  label: string;
  points: OperatingPoint[];
}

/** DET (left) and histograms (right) in one picture. */
export function evaluationSvg(title: string, det: DetSeries[], scores: PairScores, marks: { label: string; threshold: number }[]): string {
  const half = W / 2;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  // DET on log10 axes from 1e-5 to 1.
  const lo = -5;
  const x0 = PAD, x1 = half - 20, y0 = H - PAD, y1 = 40;
  const lx = (v: number) => x0 + ((Math.log10(Math.max(v, 1e-5)) - lo) / -lo) * (x1 - x0);
  const ly = (v: number) => y0 - ((Math.log10(Math.max(v, 1e-5)) - lo) / -lo) * (y0 - y1);
  out.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#888"/>`);
  for (let e = lo; e <= 0; e++) {
    const v = 10 ** e;
    out.push(`<line x1="${lx(v)}" y1="${y0}" x2="${lx(v)}" y2="${y1}" stroke="#eee"/><text x="${lx(v)}" y="${y0 + 14}" text-anchor="middle">1e${e}</text>`);
    out.push(`<line x1="${x0}" y1="${ly(v)}" x2="${x1}" y2="${ly(v)}" stroke="#eee"/><text x="${x0 - 4}" y="${ly(v) + 4}" text-anchor="end">1e${e}</text>`);
  }
  out.push(`<text x="${(x0 + x1) / 2}" y="${H - 12}" text-anchor="middle">FMR (false match rate)</text>`);
  out.push(`<text x="14" y="${(y0 + y1) / 2}" transform="rotate(-90 14 ${(y0 + y1) / 2})" text-anchor="middle">FNMR</text>`);
  det.forEach((s, k) => {
    const pts = s.points.filter((p) => p.fmr > 0 || p.fnmr > 0).map((p) => `${lx(p.fmr).toFixed(1)},${ly(p.fnmr).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="1.5" points="${pts.join(" ")}"/>`);
    out.push(`<text x="${x1 - 6}" y="${y1 + 14 + 14 * k}" text-anchor="end" fill="${COLOURS[k % COLOURS.length]}">${esc(s.label)}</text>`);
  });
  // Histograms of cosine scores in [-0.2, 1].
  const hx0 = half + PAD, hx1 = W - 20, bins = 60, smin = -0.2, smax = 1;
  const count = (values: Float64Array) => {
    const h = new Array<number>(bins).fill(0);
    for (const v of values) h[Math.min(bins - 1, Math.max(0, Math.floor(((v - smin) / (smax - smin)) * bins)))]++;
    return h.map((c) => c / values.length);
  };
  const gen = count(scores.genuine), imp = count(scores.impostor);
  const top = Math.max(...gen, ...imp);
  const hx = (s: number) => hx0 + ((s - smin) / (smax - smin)) * (hx1 - hx0);
  const hy = (f: number) => y0 - (f / top) * (y0 - y1);
  out.push(`<rect x="${hx0}" y="${y1}" width="${hx1 - hx0}" height="${y0 - y1}" fill="none" stroke="#888"/>`);
  for (let s = -0.2; s <= 1.0001; s += 0.2) out.push(`<text x="${hx(s)}" y="${y0 + 14}" text-anchor="middle">${s.toFixed(1)}</text>`);
  out.push(`<text x="${(hx0 + hx1) / 2}" y="${H - 12}" text-anchor="middle">cosine score (share of pairs per bin)</text>`);
  [[imp, "#d62728", `impostor pairs (${scores.impostor.length})`], [gen, "#1f77b4", `genuine pairs (${scores.genuine.length})`]].forEach(([h, colour, label], k) => {
    const pts = (h as number[]).map((f, i) => `${hx(smin + (i + 0.5) * ((smax - smin) / bins)).toFixed(1)},${hy(f).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${pts.join(" ")}"/>`);
    out.push(`<text x="${hx0 + 6}" y="${y1 + 14 + 14 * k}" fill="${colour}">${esc(label as string)}</text>`);
  });
  marks.forEach((m, k) => {
    if (!Number.isFinite(m.threshold)) return;
    out.push(`<line x1="${hx(m.threshold)}" y1="${y0}" x2="${hx(m.threshold)}" y2="${y1}" stroke="#555" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${hx(m.threshold) + 3}" y="${y1 + 44 + 12 * k}" fill="#555">${esc(m.label)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}
