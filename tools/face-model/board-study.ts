// The board's path with another embedder image, without re-running detector
// and FaceMesh: one pass of BoardFacePipeline records, per photo, the warp
// parameters its embedder was called with (face and mirror); any variant
// image then embeds the same frames with the same parameters and the same
// arithmetic as KernelEmbedder (each view normalised in float32, summed,
// normalised). With the committed image it reproduces `eval:face --board`.
// Error rates come with a bootstrap over subjects (paired against a
// reference, e.g. float in the same frame), because at FMR 1e-4 on ORL the
// threshold rests on about eight impostor scores.
import { quantise } from "../../src/core/matcher/quantise";
import type { FaceFolder } from "../face/eval/dataset";
import { int8Score } from "../face/eval/evaluate";
import { readImageFile } from "../face/image-file";
import { renderFrame } from "../sim/photo";
import { BOARD_CAMERA } from "./board-photos";
import { BOARD_FRAME_BYTES, BoardFacePipeline, KERNEL_FORMAT } from "./board-pipeline";
import { FaceKernel } from "./face-kernel";

export interface BoardViews {
  person: number;
  file: string;
  /** The embedder's warp parameters, one set per view. */
  views: number[][];
}

/** Runs the committed board path once over the folder, recording each embedder call. */
export function recordBoardViews(folder: FaceFolder, pipeline = BoardFacePipeline.load()): BoardViews[] {
  const calls: number[][] = [];
  const k = pipeline.embedder;
  const original = k.tryEmbedWarped.bind(k);
  k.tryEmbedWarped = (frame, width, height, format, params) => { calls.push([...params]); return original(frame, width, height, format, params); };
  const frame = new Uint8Array(BOARD_FRAME_BYTES);
  const out: BoardViews[] = [];
  folder.people.forEach((p, person) => {
    for (const file of p.images) {
      calls.length = 0;
      renderFrame(readImageFile(file), frame, BOARD_CAMERA);
      const r = pipeline.embedFrame(frame, BOARD_CAMERA.width, BOARD_CAMERA.height, KERNEL_FORMAT.rgb565le);
      if (r.outcome === "ok") out.push({ person, file, views: calls.map((c) => c.slice()) });
    }
  });
  frame.fill(0);
  k.tryEmbedWarped = original;
  return out;
}

/** Unit embeddings of the recorded photos through one embedder image (float32 as KernelEmbedder). */
export function embedViews(image: Uint8Array, records: BoardViews[]): Float32Array[] {
  const kernel = new FaceKernel(image, { frameBytes: BOARD_FRAME_BYTES });
  const scale = kernel.header.outputScale;
  const frame = new Uint8Array(BOARD_FRAME_BYTES);
  const result = records.map((r) => {
    renderFrame(readImageFile(r.file), frame, BOARD_CAMERA);
    let sum: Float32Array | undefined;
    for (const m of r.views) {
      const status = kernel.tryEmbedWarped(frame, BOARD_CAMERA.width, BOARD_CAMERA.height, KERNEL_FORMAT.rgb565le, m);
      if (status !== 0) throw new Error(`variant image refused a view (status ${status})`);
      const view = Float32Array.from(kernel.output(), (v) => v * scale);
      normalise32(view);
      if (!sum) sum = view;
      else for (let i = 0; i < sum.length; i++) sum[i] += view[i];
    }
    return normalise32(sum!);
  });
  frame.fill(0);
  return result;
}

function normalise32(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/** The gate's int8 template scores between every two photos (symmetric matrix, n × n). */
export function templateScores(embeddings: Float32Array[]): Float64Array {
  const q = embeddings.map((v) => { const t = new Int8Array(v.length); quantise(v, t); return t; });
  const n = q.length;
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s[i * n + j] = s[j * n + i] = int8Score(q[i], q[j]);
  return s;
}

export interface Rates { fmr1e3: number; fnmr1e3: number; fnmr1e4: number; threshold1e4: number }

/**
 * FNMR at FMR ≤ 1e-3 and 1e-4 (the rule of scores.ts: accept at ≥ the next
 * value above the (k+1)-th highest impostor score, k = ⌊target·N⌋) over the
 * photos of the given subject slots; a subject drawn twice counts as two
 * people (its copies are never paired as impostors).
 */
export function ratesFor(scores: Float64Array, persons: number[], slots: number[]): Rates {
  const n = persons.length;
  const byPerson = new Map<number, number[]>();
  persons.forEach((p, i) => { const l = byPerson.get(p) ?? []; l.push(i); byPerson.set(p, l); });
  const genuine: number[] = [], impostor: number[] = [];
  for (let a = 0; a < slots.length; a++) {
    const A = byPerson.get(slots[a]) ?? [];
    for (let x = 0; x < A.length; x++) for (let y = x + 1; y < A.length; y++) genuine.push(scores[A[x] * n + A[y]]);
    for (let b = a + 1; b < slots.length; b++) {
      if (slots[b] === slots[a]) continue;
      const B = byPerson.get(slots[b]) ?? [];
      for (const i of A) for (const j of B) impostor.push(scores[i * n + j]);
    }
  }
  const imp = Float64Array.from(impostor).sort();
  const at = (target: number) => {
    const allowed = Math.floor(target * imp.length);
    const x = imp[imp.length - 1 - allowed];
    return x + Math.max(Math.abs(x) * 1e-12, 1e-12);
  };
  const fnmr = (t: number) => genuine.filter((g) => g < t).length / genuine.length;
  const t3 = at(1e-3), t4 = at(1e-4);
  return { fmr1e3: imp.filter((v) => v >= t3).length / imp.length, fnmr1e3: fnmr(t3), fnmr1e4: fnmr(t4), threshold1e4: t4 };
}

/** Deterministic PRNG for the bootstrap (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Paired { value: number; low: number; high: number }

/**
 * FNMR of `variant` minus FNMR of `reference` (percentage points) at both
 * FMRs, over the given subjects, with a 95 % percentile interval from
 * `rounds` resamplings of the subjects (both sides on the same resample).
 */
export function pairedBootstrap(variant: Float64Array, reference: Float64Array, persons: number[], subjects: number[], rounds = 500, seed = 19): { at1e3: Paired; at1e4: Paired } {
  const diff = (slots: number[]) => {
    const v = ratesFor(variant, persons, slots), r = ratesFor(reference, persons, slots);
    return [100 * (v.fnmr1e3 - r.fnmr1e3), 100 * (v.fnmr1e4 - r.fnmr1e4)];
  };
  const point = diff(subjects);
  const next = random(seed);
  const samples: number[][] = [];
  for (let b = 0; b < rounds; b++) samples.push(diff(subjects.map(() => subjects[Math.floor(next() * subjects.length)])));
  const interval = (k: number): Paired => {
    const s = samples.map((x) => x[k]).sort((a, b) => a - b);
    return { value: point[k], low: s[Math.floor(0.025 * rounds)], high: s[Math.ceil(0.975 * rounds) - 1] };
  };
  return { at1e3: interval(0), at1e4: interval(1) };
}
