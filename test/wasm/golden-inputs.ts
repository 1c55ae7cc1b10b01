// Deterministic inputs for the matcher golden vectors (portable: runs in Node
// and in XS). Only integer PRNG steps, +, −, ×, ÷ and Math.sqrt/round are
// used, all exactly specified by IEEE 754, so every engine builds the same
// bytes; golden.json pins their SHA-256 so any drift is caught.
import { quantise } from "../../src/core/matcher/quantise";
import { mulberry32 as prng } from "../../boards/host/mulberry32";

export interface GoldenCase {
  name: string;
  dim: number;
  count: number;
  /** count × dim template bytes, slot-major. */
  gallery: Int8Array;
  /** Probes, each `dim` bytes, back to back. */
  probes: Int8Array;
  /** Per probe, the slot to use for the 1:1 check. */
  verifySlots: number[];
}

export interface GoldenSpec {
  name: string;
  dim: number;
  count: number;
  probes: number;
  seed: number;
}

/** The cases golden.json is made from. */
export const goldenSpecs: GoldenSpec[] = [
  { name: "d128", dim: 128, count: 40, probes: 24, seed: 0x0c0ffee1 },
  { name: "d512", dim: 512, count: 48, probes: 24, seed: 0x5eed0512 },
];


/** Roughly normal (Irwin–Hall of four uniforms), enough for face-like random directions. */
function normal(next: () => number): number {
  return next() + next() + next() + next() - 2;
}

/**
 * A gallery of random faces plus probes: three in four are a noisy view of an
 * enrolled face (genuine), one in four is a stranger (impostor). The last slot
 * duplicates slot 1, so probes of slot 1 exercise the lower-index tie rule.
 */
export function makeGoldenCase(spec: GoldenSpec): GoldenCase {
  const { dim, count } = spec;
  const next = prng(spec.seed);
  const faces: Float64Array[] = [];
  const gallery = new Int8Array(count * dim);
  for (let slot = 0; slot < count; slot++) {
    const face = new Float64Array(dim);
    for (let j = 0; j < dim; j++) face[j] = normal(next);
    faces.push(slot === count - 1 ? faces[1] : face);
    quantise(faces[slot], gallery.subarray(slot * dim, (slot + 1) * dim));
  }
  const probes = new Int8Array(spec.probes * dim);
  const verifySlots: number[] = [];
  const view = new Float64Array(dim);
  for (let p = 0; p < spec.probes; p++) {
    const impostor = p % 4 === 3;
    const target = p % 8 === 1 ? 1 : Math.floor(next() * count);
    const noise = 0.25 + 0.5 * next();
    for (let j = 0; j < dim; j++) view[j] = impostor ? normal(next) : faces[target][j] + noise * normal(next);
    quantise(view, probes.subarray(p * dim, (p + 1) * dim));
    verifySlots.push(target);
  }
  return { name: spec.name, dim, count, gallery, probes, verifySlots };
}

/**
 * Extremes of int8: all −128, all 127 and alternating rows at the largest
 * dimension, so the largest possible magnitudes (128 × 128 × 4096 = 2^26)
 * go through every path's accumulators.
 */
export function makeExtremesCase(): GoldenCase {
  const dim = 4096;
  const rows = [
    (j: number) => -128,
    (j: number) => 127,
    (j: number) => (j & 1 ? -128 : 127),
    (j: number) => ((j * 7) % 256) - 128,
  ];
  const gallery = new Int8Array(rows.length * dim);
  rows.forEach((row, slot) => { for (let j = 0; j < dim; j++) gallery[slot * dim + j] = row(j); });
  const probes = new Int8Array(gallery);
  return { name: "extremes", dim, count: rows.length, gallery, probes, verifySlots: rows.map((_, i) => (i + 1) % rows.length) };
}

export function allGoldenCases(): GoldenCase[] {
  return [...goldenSpecs.map(makeGoldenCase), makeExtremesCase()];
}

/** One result line per probe: [verifySlot, verifyScore, bestIndex, bestScore, secondIndex, secondScore]. */
export type GoldenRow = [number, number, number, number, number, number];

export interface GoldenFile {
  note: string;
  cases: { name: string; dim: number; count: number; gallerySha256: string; probesSha256: string; rows: GoldenRow[] }[];
}
