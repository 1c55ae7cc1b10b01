// SIMULATION ONLY. A deterministic stand-in for the face model, for the host
// simulator, tests and benchmarks. It recognises nobody: frames written by
// writeSyntheticFrame() say which synthetic identity they show, and the
// embedding is that identity's base vector plus capture noise.
//
// Synthetic frame format (any Frame of at least 13 bytes, gray8 or rgb565):
//   data[0..3]   "SYNF" (0x53 0x59 0x4e 0x46); anything else embeds as "no-face"
//   data[4]      kind: 1 = face, 2 = no face in view, 3 = low quality (blur, glare)
//   data[5..8]   identity seed, uint32 little-endian
//   data[9..12]  capture number, uint32 little-endian (selects the noise draw)
//   data[13..]   pseudo-random "pixels" from (identity, capture), so a frame
//                has content that tests can search for in every output sink
//
// Statistics (d = dimension):
//   base(identity): a random unit vector in the first m = round(1/impostorSpread²)
//     coordinates, so two identities' cosine is ≈ N(0, impostorSpread²);
//   capture = base + noise, noise ~ N(0, σ²/d) per coordinate with
//     σ = genuineNoise · exp(noiseJitter · N(0,1)) per capture (some captures are
//     much worse than others, which is what drives false non-matches).
import { OptgateError } from "../../src/core/errors";
import type { EmbedOutcome, Embedder, FaceModelTag, Frame, LivenessCheck } from "../../src/core/ports";
import { mulberry32 as prng } from "./mulberry32";

export const SYNTHETIC_FRAME_MAGIC = [0x53, 0x59, 0x4e, 0x46];
export const SYNTHETIC_HEADER_BYTES = 13;
export type SyntheticFrameKind = "face" | "no-face" | "low-quality";
const KIND_CODES: Record<SyntheticFrameKind, number> = { "face": 1, "no-face": 2, "low-quality": 3 };

export interface SyntheticEmbedderOptions {
  dimension?: number;
  /** Standard deviation of the cosine between two different identities. */
  impostorSpread?: number;
  /** Typical norm of a capture's noise relative to the unit identity vector. */
  genuineNoise?: number;
  /** Log-normal spread of the noise norm from capture to capture. */
  noiseJitter?: number;
}


function mix(a: number, b: number, salt: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + salt, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}

function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Makes a frame buffer of the given size (the board allocates its one frame the same way). */
export function createSyntheticFrame(width = 32, height = 32): Frame {
  return { width, height, format: "gray8", data: new Uint8Array(width * height) };
}

/** Fills `frame` as the camera would when `identity` stands in front of it. */
export function writeSyntheticFrame(frame: Frame, kind: SyntheticFrameKind, identity: number, capture: number): void {
  const d = frame.data;
  if (d.length < SYNTHETIC_HEADER_BYTES) throw new Error(`a synthetic frame needs ${SYNTHETIC_HEADER_BYTES} bytes`);
  d.set(SYNTHETIC_FRAME_MAGIC, 0);
  d[4] = KIND_CODES[kind];
  new DataView(d.buffer, d.byteOffset).setUint32(5, identity >>> 0, true);
  new DataView(d.buffer, d.byteOffset).setUint32(9, capture >>> 0, true);
  const random = prng(mix(identity, capture, 0x51f15e));
  for (let i = SYNTHETIC_HEADER_BYTES; i < d.length; i++) d[i] = (random() * 256) | 0;
}

export class SyntheticEmbedder implements Embedder {
  readonly dimension: number;
  readonly simulated = true;
  /** Labelled as what it is: templates made with it never load beside a real model's. */
  readonly model: FaceModelTag = { id: "synthetic", version: 1 };
  /** Synthetic frames have no pixels of a face to check: no presentation-attack check. */
  readonly livenessChecks: readonly LivenessCheck[] = [];
  readonly #identityDims: number;
  readonly #noise: number;
  readonly #jitter: number;
  #bases = new Map<number, Float32Array>();

  constructor(options: SyntheticEmbedderOptions = {}) {
    this.dimension = options.dimension ?? 512;
    const spread = options.impostorSpread ?? 0.1;
    this.#identityDims = Math.max(1, Math.min(this.dimension, Math.round(1 / (spread * spread))));
    this.#noise = options.genuineNoise ?? 0.6;
    this.#jitter = options.noiseJitter ?? 0.35;
  }

  /** The identity's noiseless unit vector (what a perfect camera would give). */
  base(identity: number): Float32Array {
    let base = this.#bases.get(identity);
    if (base) return base;
    base = new Float32Array(this.dimension);
    const random = prng(mix(identity, 0, 0xba5e));
    let norm = 0;
    for (let i = 0; i < this.#identityDims; i++) {
      base[i] = gaussian(random);
      norm += base[i] * base[i];
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < this.#identityDims; i++) base[i] /= norm;
    this.#bases.set(identity, base);
    return base;
  }

  /** One capture's embedding, without going through a frame (benchmarks, enrolment fixtures). */
  capture(identity: number, capture: number, out: Float32Array): void {
    const base = this.base(identity);
    const random = prng(mix(identity, capture, 0xca97));
    const sigma = (this.#noise * Math.exp(this.#jitter * gaussian(random))) / Math.sqrt(this.dimension);
    for (let i = 0; i < this.dimension; i++) out[i] = base[i] + sigma * gaussian(random);
  }

  embed(frame: Frame, out: Float32Array, liveness?: LivenessCheck): EmbedOutcome {
    if (liveness !== undefined) {
      throw new OptgateError("E_LIVENESS_UNAVAILABLE", `The synthetic embedder cannot run a presentation-attack check (${liveness}): it only reads synthetic frames.`);
    }
    const d = frame.data;
    if (out.length !== this.dimension) throw new Error(`embedding buffer must hold ${this.dimension} values`);
    if (d.length < SYNTHETIC_HEADER_BYTES) return "no-face";
    for (let i = 0; i < 4; i++) if (d[i] !== SYNTHETIC_FRAME_MAGIC[i]) return "no-face";
    if (d[4] === KIND_CODES["no-face"]) return "no-face";
    if (d[4] === KIND_CODES["low-quality"]) return "low-quality";
    if (d[4] !== KIND_CODES.face) return "no-face";
    const view = new DataView(d.buffer, d.byteOffset);
    this.capture(view.getUint32(5, true), view.getUint32(9, true), out);
    return "ok";
  }
}
