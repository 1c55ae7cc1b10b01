// Thresholds chosen from an evaluation, and the evaluation as a Markdown table.
import type { FolderEmbeddings, IdentificationReport, VerificationReport } from "./evaluate";
import { gallerySizes, identification, TARGET_FMRS, verification } from "./evaluate";
import { thresholdAtFmr } from "./scores";

/** The targets the gate's defaults are chosen for (docs/internals.md: Face thresholds). */
export const TARGETS = { verifyFmr: 1e-4, identifyFmrPerSearch: 1e-3, margin: 0.06 } as const;

export interface FaceEvaluation {
  model: string;
  flip: boolean;
  images: number;
  people: number;
  failures: FolderEmbeddings["failures"];
  msPerImage: number;
  float: VerificationReport;
  int8: VerificationReport;
  thresholds: { verify: number; identify: number; margin: number };
  identifyFloat: IdentificationReport;
  identifyInt8: IdentificationReport;
}

/**
 * 1:1 threshold: the lowest cosine with FMR ≤ 1e-4 on int8 pairs (what the gate
 * compares). 1:N: per-search FMR ≈ gallery size × pairwise FMR, so the pairwise
 * FMR target is 1e-3 / (largest gallery), never below the 1:1 threshold.
 */
export function evaluateEmbeddings(emb: FolderEmbeddings, model: string, flip: boolean): FaceEvaluation {
  const float = verification(emb.float, "float");
  const int8 = verification(emb.int8, "int8");
  const largest = gallerySizes(emb.people.length).at(-1)!;
  const verify = thresholdAtFmr(int8.scores, TARGETS.verifyFmr).threshold;
  const identify = Math.max(verify, thresholdAtFmr(int8.scores, TARGETS.identifyFmrPerSearch / largest).threshold);
  const round = (x: number) => Math.ceil(x * 1000) / 1000;
  const thresholds = { verify: round(verify), identify: round(identify), margin: TARGETS.margin };
  const rule = { threshold: thresholds.identify, margin: thresholds.margin };
  return {
    model,
    flip,
    images: emb.float.reduce((n, l) => n + l.length, 0) + emb.failures.length,
    people: emb.people.length,
    failures: emb.failures,
    msPerImage: emb.msPerImage,
    float,
    int8,
    thresholds,
    identifyFloat: identification(emb, "float", rule),
    identifyInt8: identification(emb, "int8", rule),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const sci = (x: number) => (x === 0 ? "0" : x.toExponential(1));

export function markdownReport(e: FaceEvaluation, folder: string): string {
  const lines: string[] = [];
  lines.push(`# Face evaluation: ${folder}`);
  lines.push("");
  lines.push(`Model \`${e.model}\`${e.flip ? " with flip averaging" : ""}; ${e.images} images of ${e.people} people; no usable face in ${e.failures.length}; ${e.msPerImage.toFixed(1)} ms per image on this host (detect + landmarks + embed).`);
  for (const f of e.failures) lines.push(`- no face used: ${f.image} (${f.outcome})`);
  lines.push("");
  lines.push(`## 1:1 verification (${e.float.scores.genuine.length} genuine, ${e.float.scores.impostor.length} impostor pairs)`);
  lines.push("");
  lines.push("| embeddings | target FMR | threshold (cosine) | FMR | FNMR |");
  lines.push("| --- | --- | --- | --- | --- |");
  for (const [label, r] of [["float", e.float], ["int8 templates", e.int8]] as const) {
    r.atTargets.forEach((p, k) => lines.push(`| ${label} | ≤ ${sci(TARGET_FMRS[k])} | ${p.threshold.toFixed(3)} | ${sci(p.fmr)} | ${pct(p.fnmr)} |`));
  }
  lines.push("");
  lines.push(`Chosen defaults: 1:1 at cosine ≥ ${e.thresholds.verify} (FMR ≤ 1e-4), 1:N at cosine ≥ ${e.thresholds.identify} with top-2 margin ${e.thresholds.margin} (FMR ≤ 1e-3 per search at the largest gallery).`);
  lines.push("");
  const id = (label: string, r: IdentificationReport) => {
    lines.push(`## 1:N identification, ${label} (templates from each person's first ${r.enrolImages} images; probes: the rest)`);
    lines.push("");
    lines.push("| gallery | genuine / impostor searches | rule | FNIR | misidentified | false accepts per impostor search | rank-1 |");
    lines.push("| --- | --- | --- | --- | --- | --- | --- |");
    r.withMargin.forEach((m, k) => {
      const n = r.withoutMargin[k];
      lines.push(`| ${m.gallerySize} | ${m.genuineSearches} / ${m.impostorSearches} | ≥ ${r.threshold} + margin ${r.margin} | ${pct(m.fnir)} | ${pct(m.misidentified)} | ${sci(m.fpir)} | ${pct(m.rank1)} |`);
      lines.push(`| ${n.gallerySize} | ${n.genuineSearches} / ${n.impostorSearches} | ≥ ${r.threshold}, no margin | ${pct(n.fnir)} | ${pct(n.misidentified)} | ${sci(n.fpir)} | ${pct(n.rank1)} |`);
    });
    lines.push("");
  };
  id("float", e.identifyFloat);
  id("int8 templates", e.identifyInt8);
  return lines.join("\n");
}
