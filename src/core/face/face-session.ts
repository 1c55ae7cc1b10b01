// One face attempt at the gate, as a state machine advanced by events and
// ticks (no timers in the core). The camera, and with it the privacy LED, is
// powered only between an accepted face-key press and the end of the attempt;
// the frame, embedding and probe buffers are allocated once and zeroed after
// every use. Every failure ends in the same prompt: use card or PIN.
// Failed matches (and claims for residents without face, which would let
// anyone probe who uses face) are limited per gate: after `attempts` of them
// within `windowMs` the face key is refused (camera left off) for a backoff
// that doubles with each suspension up to `maxBackoffMs`, so nobody can try
// photos or faces without end; cards and PINs are not affected.
// With a presentation-attack check on (gate.liveness, config face.liveness),
// the embedder runs it on every frame before embedding; a face that fails it
// ends the attempt at once, before any comparison (camera off, frame zeroed,
// use card or PIN), and counts towards the limit like a failed match: a
// photo or a screen held up is the guess the limit is there for. A gate
// whose model cannot run the check refuses the face key with the camera off
// rather than match without it.
import { OptgateError } from "../errors";
import type { Camera, Embedder, Frame, LivenessCheck, Matcher } from "../ports";
import type { ConsentLedger } from "./consent-ledger";
import type { FaceGallery } from "./face-gallery";
import type { AuditSink, FaceGatePolicy } from "./ports";
import { decideIdentify, decideVerify, matchPolicy, type MatchPolicy, type MatchPolicyCosines } from "../matcher/decision";
import { quantise } from "../matcher/quantise";

export const USE_CARD_OR_PIN = "use card or PIN";

/** Cosine thresholds from the synthetic FMR/FNMR measurements (tools/bench/suites/40-face.ts): 1:N is held
 * to 0.55 because at 0.50 a hard population false-matched ~1 % of strangers over 1,000 templates. */
export const DEFAULT_THRESHOLDS: MatchPolicyCosines = { verify: 0.42, identify: 0.55, margin: 0.06 };
export const DEFAULT_TIMEOUT_MS = 8000;

/** How many failed matches suspend face entry at a gate, and for how long. */
export interface FaceFailureLimit {
  /** No-match results within windowMs that suspend face [default 5]. */
  attempts?: number;
  /** [default 10 min] */
  windowMs?: number;
  /** The first suspension; each further one doubles [default 60 s]. */
  backoffMs?: number;
  /** Longest suspension; also the quiet time after which the doubling starts over [default 15 min]. */
  maxBackoffMs?: number;
}

export const DEFAULT_FAILURE_LIMIT: Required<FaceFailureLimit> = { attempts: 5, windowMs: 600_000, backoffMs: 60_000, maxBackoffMs: 900_000 };

export type FaceKeyRefusal = "busy" | "face-not-allowed" | "face-locked-out" | "no-consenting-resident" | "claim-not-enrolled" | "one-to-n-not-allowed" | "camera-error"
  /** The gate asks for a presentation-attack check its face model cannot run. */
  | "liveness-unavailable";

export interface FaceKeyResponse {
  started: boolean;
  reason?: FaceKeyRefusal;
  prompt?: typeof USE_CARD_OR_PIN;
}

export type FaceOutcome = "matched" | "no-match" | "no-face" | "low-quality" | "not-live" | "camera-error" | "model-error" | "timeout" | "cancelled";

/** What the access decision gets, plus why and when the camera was on. */
export interface FaceResult {
  residentId: string | undefined;
  matched: boolean;
  outcome: FaceOutcome;
  mode: "1:1" | "1:N";
  /** Matcher score of the decisive comparison (0 when none happened). */
  score: number;
  prompt?: typeof USE_CARD_OR_PIN;
  cameraOnAt: number;
  cameraOffAt: number;
}

export interface FaceSessionOptions {
  gate: FaceGatePolicy;
  camera: Camera;
  embedder: Embedder;
  matcher: Matcher;
  gallery: FaceGallery;
  ledger: ConsentLedger;
  /** The one frame buffer, allocated by the board for the camera's format. */
  frame: Frame;
  timeoutMs?: number;
  /** Consecutive no-face / low-quality frames before giving up early. */
  maxAttempts?: number;
  /** Match thresholds in score units; matchPolicy(DEFAULT_THRESHOLDS) when absent. */
  policy?: MatchPolicy;
  /** Failed-match limit for this gate; DEFAULT_FAILURE_LIMIT's values where absent. */
  failureLimit?: FaceFailureLimit;
  /** Where a suspension ("face.locked-out") and every session's camera time ("camera.off") are recorded; channel = the gate. */
  audit?: AuditSink;
  /**
   * Monotonic ms (the board's timer, never set): the session's time-out and its camera time are
   * measured on it, so a wall clock set mid-session neither ends the session early nor makes the
   * camera-session record claim an hour (or nothing). Absent: on the times passed in.
   */
  ticks?: () => number;
  onResult?: (result: FaceResult) => void;
}

export class FaceSession {
  #o: FaceSessionOptions;
  #embedding: Float32Array;
  #probe: Int8Array;
  #timeoutMs: number;
  #maxAttempts: number;
  #policy: MatchPolicy;
  #active = false;
  #claim: string | undefined;
  #startedAt = 0;
  /** #startedAt on the monotonic clock (ticks). */
  #startedTick = 0;
  #attempts = 0;
  #lastMiss: FaceOutcome = "timeout";
  #cameraOnMs = 0;
  #limit: Required<FaceFailureLimit>;
  /** Times of the no-match results still inside the window (at most limit.attempts). */
  #failures: number[] = [];
  #lastFailureAt = -Infinity;
  #lockedUntil = -Infinity;
  /** Suspensions since the last match or quiet spell: the next backoff is backoffMs * 2^level. */
  #level = 0;

  constructor(options: FaceSessionOptions) {
    this.#o = options;
    const dimension = options.matcher.dimension;
    if (options.embedder.dimension !== dimension) {
      throw new OptgateError("E_TEMPLATE_DIMENSION", `The face model gives ${options.embedder.dimension} values but the matcher takes ${dimension}; fit a matching model.`);
    }
    options.gallery.requireModel(options.embedder.model, "Face matching");
    this.#embedding = new Float32Array(dimension);
    this.#probe = new Int8Array(dimension);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#policy = options.policy ?? matchPolicy(DEFAULT_THRESHOLDS);
    this.#limit = { ...DEFAULT_FAILURE_LIMIT, ...options.failureLimit };
    const l = this.#limit;
    if (!(l.attempts >= 1 && l.windowMs > 0 && l.backoffMs > 0 && l.maxBackoffMs >= l.backoffMs)) {
      throw new OptgateError("E_FACE_FAILURE_LIMIT", "The face failure limit needs attempts >= 1, a window and backoff > 0, and maxBackoffMs >= backoffMs.");
    }
  }

  /** When face entry at this gate opens again after too many failed matches (-Infinity when it is not suspended). */
  get lockedUntil(): number {
    return this.#lockedUntil;
  }

  get active(): boolean {
    return this.#active;
  }

  /** Sum of every finished session's camera window, in ms. */
  get cameraOnMs(): number {
    return this.#cameraOnMs;
  }

  /** Whether the face key would start a session at `now` (the keypad may show or hide the option). */
  available(claim?: string, now?: number): FaceKeyRefusal | undefined {
    const { gate, gallery, ledger } = this.#o;
    if (this.#active) return "busy";
    if (!gate.face) return "face-not-allowed";
    if (this.#check() === "unavailable") return "liveness-unavailable";
    // Without a time, a suspension counts as running: refusing is the safe answer.
    if (now === undefined ? this.#lockedUntil > -Infinity : now < this.#lockedUntil) return "face-locked-out";
    if (claim !== undefined) {
      return gallery.entry(claim) !== undefined && ledger.coversGate(claim, gate.gateId) ? undefined : "claim-not-enrolled";
    }
    if (!gate.oneToN) return "one-to-n-not-allowed";
    return gallery.availableAt(gate.gateId) ? undefined : "no-consenting-resident";
  }

  /**
   * The resident pressed the face key; `claim` is the resident a card or PIN
   * already named (1:1). Anything but a usable face option leaves the camera off.
   */
  faceKey(now: number, claim?: string): FaceKeyResponse {
    const refusal = this.available(claim, now);
    if (refusal === "busy") return { started: false, reason: refusal };
    // A claim for someone without face tells the caller who does not use it: a guess like a failed match.
    if (refusal === "claim-not-enrolled") this.#count("no-match", now, claim);
    if (refusal) return { started: false, reason: refusal, prompt: USE_CARD_OR_PIN };
    this.#active = true;
    this.#claim = claim;
    this.#startedAt = now;
    this.#startedTick = this.#ticks(now);
    this.#attempts = 0;
    this.#lastMiss = "timeout";
    try {
      this.#o.camera.powerOn();
    } catch {
      this.#finish(now, "camera-error", undefined, 0);
      return { started: false, reason: "camera-error", prompt: USE_CARD_OR_PIN };
    }
    return { started: true };
  }

  /** Advances an active session by at most one capture; returns the result when it ends. */
  tick(now: number): FaceResult | undefined {
    if (!this.#active) return undefined;
    const elapsed = this.#ticks(now) - this.#startedTick;
    if (elapsed >= this.#timeoutMs || elapsed < 0) {
      return this.#finish(now, this.#lastMiss, undefined, 0);
    }
    const { camera, embedder, frame } = this.#o;
    const check = this.#check();
    // The setting changed to a check this model cannot run while the session was on: no frame is taken.
    if (check === "unavailable") return this.#finish(now, "model-error", undefined, 0);
    // A camera or model that throws has failed like one that says so: its answer stays undefined and ends the attempt below.
    let outcome: string | undefined;
    try {
      outcome = camera.capture(frame);
    } catch {
      // A camera error, below.
    }
    if (outcome === "no-frame") return undefined;
    if (outcome !== "ok") return this.#finish(now, "camera-error", undefined, 0);
    let embedded: string | undefined;
    try {
      // With the check off the model is called as before the check existed (a native binding may count its arguments).
      embedded = check === undefined ? embedder.embed(frame, this.#embedding) : embedder.embed(frame, this.#embedding, check);
      // The output as the int8 probe; quantise refuses a NaN or all-zero output: a model fault, not a face.
      if (embedded === "ok") quantise(this.#embedding, this.#probe);
    } catch {
      embedded = undefined;
    }
    frame.data.fill(0);
    this.#embedding.fill(0);
    // No comparison for a face that failed the check; the claim names whose face was tried (as a no-match does).
    if (embedded === "not-live") return this.#finish(now, "not-live", this.#claim, 0);
    if (embedded === "no-face" || embedded === "low-quality") {
      this.#lastMiss = embedded;
      return ++this.#attempts >= this.#maxAttempts ? this.#finish(now, embedded, undefined, 0) : undefined;
    }
    if (embedded !== "ok") return this.#finish(now, "model-error", undefined, 0);
    try {
      return this.#claim !== undefined ? this.#verify(now, this.#claim) : this.#identify(now);
    } catch {
      // A matcher fault (e.g. a native kernel trap) must neither open the door nor leave the camera on.
      return this.#finish(now, "model-error", undefined, 0);
    }
  }

  /** A card or PIN arrived, or the gate is closing: end now, camera off. */
  cancel(now: number): FaceResult | undefined {
    return this.#active ? this.#finish(now, "cancelled", undefined, 0) : undefined;
  }

  #verify(now: number, claim: string): FaceResult {
    const { gallery, ledger, matcher, gate } = this.#o;
    const entry = gallery.entry(claim);
    if (!entry || !ledger.coversGate(claim, gate.gateId)) return this.#finish(now, "no-match", claim, 0);
    const score = matcher.verify(entry.slot, this.#probe);
    return this.#finish(now, decideVerify(score, this.#policy) === "FACE_MATCH" ? "matched" : "no-match", claim, score);
  }

  #identify(now: number): FaceResult {
    const { gallery, ledger, matcher, gate } = this.#o;
    const scan = matcher.scan(this.#probe, gallery.scanCount);
    const residentId = scan.bestIndex >= 0 ? gallery.residentAt(scan.bestIndex) : undefined;
    const ok = residentId !== undefined && decideIdentify(scan, this.#policy) === "FACE_MATCH" && ledger.coversGate(residentId, gate.gateId);
    return this.#finish(now, ok ? "matched" : "no-match", ok ? residentId : undefined, scan.bestIndex >= 0 ? scan.bestScore : 0);
  }

  /** The check the gate asks for: undefined when off, "unavailable" when this model cannot run it. */
  #check(): LivenessCheck | "unavailable" | undefined {
    const setting = this.#o.gate.liveness;
    if (setting === undefined || setting === "off") return undefined;
    // Read defensively: an embedder that does not list its checks can run none.
    return this.#o.embedder.livenessChecks?.includes(setting) === true ? setting : "unavailable";
  }

  /** Counts a failed match towards the limit and suspends face entry when it is reached. */
  #count(outcome: FaceOutcome, now: number, claim: string | undefined): void {
    const l = this.#limit;
    if (outcome === "matched") {
      this.#failures.length = 0;
      this.#level = 0;
      return;
    }
    // Only a comparison that failed, or a face the liveness check refused, is a guess; no face, a bad frame or a fault is not.
    if (outcome !== "no-match" && outcome !== "not-live") return;
    // A quiet spell as long as the longest suspension, counted from the end of the last one, starts the doubling over.
    if (now - Math.max(this.#lastFailureAt, this.#lockedUntil) >= l.maxBackoffMs) this.#level = 0;
    this.#lastFailureAt = now;
    const failures = this.#failures;
    failures.push(now);
    // Stops at the latest at `now` itself (windowMs > 0), so the list never runs empty here.
    while (now - failures[0] >= l.windowMs) failures.shift();
    if (failures.length < l.attempts) return;
    failures.length = 0;
    const backoff = Math.min(l.maxBackoffMs, l.backoffMs * 2 ** this.#level);
    this.#level++;
    this.#lockedUntil = now + backoff;
    const { gate, audit } = this.#o;
    // The claimed resident (1:1) is the subject: someone tried their face. 1:N names nobody.
    audit?.append({ at: now, kind: "face.locked-out", residentId: claim ?? "", channel: gate.gateId });
  }

  #ticks(now: number): number {
    return this.#o.ticks ? this.#o.ticks() : now;
  }

  #finish(now: number, outcome: FaceOutcome, residentId: string | undefined, score: number): FaceResult {
    const { camera, frame, gallery } = this.#o;
    try {
      camera.powerOff();
    } catch {
      // Nothing more the core can do; the board's watchdog owns a stuck camera.
    }
    frame.data.fill(0);
    this.#embedding.fill(0);
    this.#probe.fill(0);
    const mode = this.#claim !== undefined ? "1:1" : "1:N";
    this.#active = false;
    this.#claim = undefined;
    // Measured on the monotonic clock: a session ends at the first tick past its time-out, so this is
    // the time the camera was really powered, whatever the wall clock did meanwhile.
    const cameraMs = Math.max(0, this.#ticks(now) - this.#startedTick);
    const cameraOffAt = this.#startedAt + cameraMs;
    this.#cameraOnMs += cameraMs;
    // Every session is counted, a cancelled one too: the office reports camera-on time from these records.
    this.#o.audit?.append({ at: now, kind: "camera.off", residentId: "", channel: this.#o.gate.gateId, cameraMs });
    const matched = outcome === "matched";
    if (matched) gallery.touch(residentId!, now);
    this.#count(outcome, now, residentId);
    const result: FaceResult = {
      residentId, matched, outcome, mode, score,
      ...(matched ? {} : { prompt: USE_CARD_OR_PIN }), cameraOnAt: this.#startedAt, cameraOffAt,
    };
    this.#o.onResult?.(result);
    return result;
  }
}
