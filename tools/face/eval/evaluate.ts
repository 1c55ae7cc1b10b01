// The evaluation of one pipeline on one labelled folder: embeddings (float and
// the int8 templates the gate stores), pair scores, thresholds at target FMRs,
// and the 1:N rule at the gallery sizes the folder allows.
import { quantise, UNIT } from "../../../src/core/matcher/quantise";
import type { FaceResult } from "../face-pipeline";
import { readImageFile, type RgbImage } from "../image-file";
import type { FaceFolder } from "./dataset";
import { averageTemplate, identify, type IdentificationResult } from "./identification";
import { cosine, detCurve, operatingPoint, pairScores, thresholdAtFmr, type OperatingPoint, type PairScores } from "./scores";

export interface FolderEmbeddings {
  people: string[];
  /** Float embeddings (unit length) of the images where a face was found. */
  float: Float32Array[][];
  /** The same, as the gate's int8 templates (127 per unit). */
  int8: Int8Array[][];
  failures: { image: string; outcome: string }[];
  msPerImage: number;
}

/** Anything that embeds a photo: the host pipeline, or the board's path behind a camera frame (tools/face-model/board-photos.ts). */
export interface PhotoEmbedder {
  embedImage(image: RgbImage): FaceResult;
}

export function embedFolder(pipeline: PhotoEmbedder, folder: FaceFolder): FolderEmbeddings {
  const failures: FolderEmbeddings["failures"] = [];
  const started = performance.now();
  let images = 0;
  const float = folder.people.map((person) =>
    person.images.flatMap((path) => {
      images++;
      const r = pipeline.embedImage(readImageFile(path));
      if (r.outcome !== "ok") { failures.push({ image: path, outcome: r.outcome }); return []; }
      return [r.embedding];
    }));
  const msPerImage = (performance.now() - started) / images;
  const int8 = float.map((list) => list.map((v) => { const q = new Int8Array(v.length); quantise(v, q); return q; }));
  return { people: folder.people.map((p) => p.name), float, int8, failures, msPerImage };
}

/** The gate's int8 score as a cosine: integer dot product / 127². */
export function int8Score(a: Int8Array, b: Int8Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot / (UNIT * UNIT);
}

export const TARGET_FMRS = [1e-3, 1e-4] as const;

export interface VerificationReport {
  scores: PairScores;
  atTargets: OperatingPoint[];
  det: OperatingPoint[];
}

export function verification(byPerson: Float32Array[][] | Int8Array[][], kind: "float" | "int8"): VerificationReport {
  const scores = kind === "float" ? pairScores(byPerson as Float32Array[][]) : pairScores(byPerson as Int8Array[][], int8Score);
  return { scores, atTargets: TARGET_FMRS.map((f) => thresholdAtFmr(scores, f)), det: detCurve(scores) };
}

export interface IdentificationReport {
  enrolImages: number;
  threshold: number;
  margin: number;
  withMargin: IdentificationResult[];
  withoutMargin: IdentificationResult[];
}

/** Gallery sizes: 10, 20, … up to everyone in the folder. */
export function gallerySizes(people: number): number[] {
  const sizes = [];
  for (let g = 10; g < people; g += 10) sizes.push(g);
  sizes.push(people);
  return sizes;
}

/**
 * Templates from each person's first `enrolImages` images (int8 when the
 * inputs are), probes from the rest; the rule's threshold and margin in cosines.
 */
export function identification(emb: FolderEmbeddings, kind: "float" | "int8", rule: { threshold: number; margin: number }, enrolImages = 3): IdentificationReport {
  const usable = emb.float.map((_, i) => i).filter((i) => emb.float[i].length > enrolImages);
  const templates = usable.map((i) => {
    const t = averageTemplate(emb.float[i].slice(0, enrolImages));
    if (kind === "float") return t;
    const q = new Int8Array(t.length);
    quantise(t, q);
    return q;
  });
  const probes = usable.map((i) => (kind === "float" ? emb.float[i] : emb.int8[i]).slice(enrolImages));
  const sizes = gallerySizes(usable.length);
  const score = kind === "float" ? cosine : (a: Float32Array | Int8Array, b: Float32Array | Int8Array) => int8Score(a as Int8Array, b as Int8Array);
  return {
    enrolImages,
    threshold: rule.threshold,
    margin: rule.margin,
    withMargin: sizes.map((g) => identify(templates, probes, g, rule, score)),
    withoutMargin: sizes.map((g) => identify(templates, probes, g, { threshold: rule.threshold, margin: 0 }, score)),
  };
}

export { operatingPoint };
