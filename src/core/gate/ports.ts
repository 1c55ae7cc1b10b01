// What the gate controller needs from the rest of the core and from the
// board. The gate only routes: every grant/deny comes from GateAccess (the
// access core), every face result from GateFace (the consent/face core). The
// app wires these to the real objects (src/app/).

export interface AccessDecision {
  grant: boolean;
  /** Reason code from the access core ("granted", "expired", "wrong-pin", ...). */
  reason: string;
  /** Pseudonymous resident id, when one was identified. */
  resident?: string;
}

export interface GateAccess {
  /** A card in the field. "second-factor-required" makes the gate ask for the PIN. */
  card(uid: Uint8Array, now: number): AccessDecision;
  /** The PIN typed after a card that needed one. */
  cardWithPin(uid: Uint8Array, pin: string, now: number): AccessDecision;
  /** Resident keypad code + PIN. */
  pin(who: string, pin: string, now: number): AccessDecision;
  /** One-time visitor/courier code. */
  code(code: string, now: number): AccessDecision;
  /**
   * Result of a face session (matched or not; `why` a failure's cause, for the
   * record). "second-factor-required" makes the gate ask for the PIN.
   */
  face(resident: string | undefined, matched: boolean, now: number, why?: FaceFailure): AccessDecision;
  /** The PIN typed after a face match, where the gate asks for face + PIN. */
  faceWithPin(resident: string, pin: string, now: number): AccessDecision;
  /** Exit button inside the compound. */
  exit(now: number): AccessDecision;
}

/** "not-live": the presentation-attack check (face.liveness) refused the face; nothing was compared. */
export type FaceFailure = "no-match" | "no-face" | "low-quality" | "not-live" | "camera-error" | "timeout" | "cancelled";

export type FaceOutcome = { matched: true; resident: string } | { matched: false; why: FaceFailure };

/** Face sessions. Only these ever power the camera. */
export interface GateFace {
  /**
   * Start a session; `claim` is the resident number typed before the face key
   * (verified 1:1). Returns false, with the camera left off, when face entry
   * is not available (gate policy, no consenting resident, camera broken), and
   * "claim-needed", camera off, when this gate allows only 1:1 and no resident
   * number was typed.
   */
  start(now: number, claim?: string): boolean | "claim-needed";
  /** Advance the session; returns its outcome exactly once, when it ends. */
  tick(now: number): FaceOutcome | undefined;
  /** End the session now (camera off); no outcome follows. */
  cancel(now: number): void;
  readonly active: boolean;
}

/** What a keypad withdrawal or consent confirmation gives back: a receipt, or why not. */
export type ReceiptResult = { ok: true; receipt: string } | { ok: false; reason: string };
export type WithdrawalResult = ReceiptResult;

/** Withdrawing face consent at the keypad: resident code + PIN. */
export interface GateWithdrawal {
  withdraw(who: string, pin: string, now: number): WithdrawalResult;
}

export type ConsentConfirmResult = ReceiptResult;

/**
 * Confirming, at the keypad with the resident's own PIN, the face consent a
 * technician armed at the console. Never touches the camera.
 */
export interface GateConsent {
  confirm(who: string, pin: string, now: number): ConsentConfirmResult;
}

export type Signal = "idle" | "granted" | "denied" | "waiting" | "face" | "alarm";

/** The gate's effects on the world: strike relay, LEDs/buzzer, prompt text. */
export interface GateOutputs {
  /** Energise the strike for `ms` (the relay driver times the pulse). */
  unlock(ms: number): void;
  signal(kind: Signal): void;
  /** A short sentence for the display or voice prompt. */
  prompt(text: string): void;
}
