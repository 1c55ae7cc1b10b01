// Ports shared across the core. Adapters live in src/drivers/ (board) and
// boards/host/ or test/ (host); the core only sees these interfaces.

/** Wall-clock time in ms since the Unix epoch, as the board believes it. May be wrong. */
export interface Clock {
  now(): number;
}

/** Cryptographic randomness (ESP32 hardware RNG on the board). */
export interface Random {
  fill(bytes: Uint8Array): void;
}

/** A camera frame in RAM. The core zeroes `data` after the embedding is computed. */
export interface Frame {
  width: number;
  height: number;
  format: "gray8" | "rgb565";
  data: Uint8Array;
}

export type CaptureOutcome = "ok" | "no-frame" | "error";

/**
 * Camera as the core sees it. Powering it also lights the privacy indicator
 * LED: the adapter switches both together, so they cannot disagree.
 */
export interface Camera {
  readonly powered: boolean;
  powerOn(): void;
  powerOff(): void;
  /** Fill `into` (allocated once by the caller) with one frame; only while powered. */
  capture(into: Frame): CaptureOutcome;
}

/** "not-live": a presentation-attack check was asked for and the face failed it (no embedding made). */
export type EmbedOutcome = "ok" | "no-face" | "low-quality" | "not-live";

/**
 * Presentation-attack checks a face model may run before it embeds. Only the
 * one measured on genuine faces (docs/face-models.md, "Presentation attacks") is listed.
 */
export const LIVENESS_CHECKS = ["antispoof"] as const;
export type LivenessCheck = (typeof LIVENESS_CHECKS)[number];
/** The gate setting: no check, or which one the model must run on every face-session frame. */
export type LivenessSetting = "off" | LivenessCheck;

/**
 * Which face model (and preprocessing) made an embedding. Embeddings of two
 * models, or two versions of one, do not compare: every sealed template
 * records the tag it was made with.
 */
export interface FaceModelTag {
  /** Short stable name, e.g. "mobileface" or "synthetic" (at most 32 characters). */
  readonly id: string;
  /** Bumped whenever the network or its preprocessing changes. */
  readonly version: number;
}

/** Face model: frame → float embedding (ESP-DL on the board, synthetic on the host). */
export interface Embedder {
  readonly dimension: number;
  readonly simulated: boolean;
  readonly model: FaceModelTag;
  /** The presentation-attack checks this model can run; empty when it cannot check at all (it says so, never pretends). */
  readonly livenessChecks: readonly LivenessCheck[];
  /**
   * Embeds the face in `frame`. With `liveness`, the model first runs that
   * check on the face and answers "not-live" (leaving `out` untouched) when
   * it fails; a check the model cannot run throws E_LIVENESS_UNAVAILABLE.
   */
  embed(frame: Frame, out: Float32Array, liveness?: LivenessCheck): EmbedOutcome;
}

/** Result of a 1:N scan; one object reused by the matcher, not allocated per call. */
export interface ScanResult {
  bestIndex: number;
  bestScore: number;
  secondIndex: number;
  secondScore: number;
}

/**
 * Face template matcher over int8, L2-normalised templates of `dimension`
 * bytes in `capacity` slots. Scores are integer dot products of the int8
 * vectors (a perfect match of unit vectors scores ≈ 127 × 127).
 */
export interface Matcher {
  readonly dimension: number;
  readonly capacity: number;
  /** Store a template in a slot. */
  load(slot: number, template: Int8Array): void;
  /** Overwrite a slot with zeros (its bytes no longer exist in matcher memory). */
  clear(slot: number): void;
  /** 1:1 score of `probe` against one slot. */
  verify(slot: number, probe: Int8Array): number;
  /** 1:N scan over slots [0, count): best and second-best. Index -1 when absent. */
  scan(probe: Int8Array, count: number): ScanResult;
}

/**
 * A technician console's byte link (UART or USB-CDC on the board, a PTY or TCP
 * socket on the host). Bytes typed by the technician go the other way, into
 * the console's `receive(bytes)`.
 */
export interface ConsolePort {
  write(data: Uint8Array | string): void;
}
