// Adapters from the gate controller's ports (src/core/gate/ports.ts) to the
// real core objects: AccessCore decides, FaceSession runs face attempts,
// FaceWithdrawal withdraws, ConsentRequests takes the resident's keypad
// confirmation of a consent a technician armed. Resident ids cross here: the access core counts
// them (42), the face side names them ("R00042").
import type { AccessCore, Decision } from "../core/access/access-core";
import { formatResidentId, parseResidentId, type ResidentId } from "../core/access/types";
import type { ConsentRequests } from "../core/face/consent-request";
import type { FaceSession, FaceResult } from "../core/face/face-session";
import type { FaceWithdrawal } from "../core/face/withdrawal";
import { isOptgateError } from "../core/errors";
import type { AccessDecision, ConsentConfirmResult, FaceFailure, FaceOutcome, GateAccess, GateConsent, GateFace, GateWithdrawal, WithdrawalResult } from "../core/gate/ports";

/** The gate's one keypad, as the access core counts lockouts per keypad. */
export const KEYPAD_ID = 1;
/** The keypad function code that starts a withdrawal (see keypad-entry.ts: "#9#"). */
export const WITHDRAW_FUNCTION = "9";

function view(decision: Decision): AccessDecision {
  const out: AccessDecision = { grant: decision.grant, reason: decision.reason };
  if (decision.resident !== undefined) out.resident = formatResidentId(decision.resident);
  return out;
}

/** A typed resident number, or 0 (no resident has it: counted as unknown-resident). */
function typedResident(who: string): ResidentId {
  try {
    return parseResidentId(who);
  } catch {
    return 0;
  }
}

export class CoreAccess implements GateAccess {
  #core: AccessCore;

  constructor(core: AccessCore) {
    this.#core = core;
  }

  card(uid: Uint8Array, now: number): AccessDecision {
    return view(this.#core.decide({ kind: "card", uid }, now));
  }

  cardWithPin(uid: Uint8Array, pin: string, now: number): AccessDecision {
    return view(this.#core.decide({ kind: "card", uid, pin, keypad: KEYPAD_ID }, now));
  }

  pin(who: string, pin: string, now: number): AccessDecision {
    return view(this.#core.decide({ kind: "pin", keypad: KEYPAD_ID, resident: typedResident(who), pin }, now));
  }

  code(code: string, now: number): AccessDecision {
    return view(this.#core.decide({ kind: "code", keypad: KEYPAD_ID, code }, now));
  }

  face(resident: string | undefined, matched: boolean, now: number, why?: FaceFailure): AccessDecision {
    if (resident !== undefined) return view(this.#core.decide({ kind: "face", resident: typedResident(resident), matched }, now));
    // Nobody was recognised: still one audited attempt at this keypad, with no resident named;
    // a face the presentation-attack check refused is recorded as such (a possible photo or screen).
    const reason = why === "not-live" ? "face-not-live" : "face-not-matched";
    this.#core.audit.append({ time: now, actorKind: "keypad", actor: KEYPAD_ID, kind: "face", decision: "deny", reason });
    return { grant: false, reason };
  }

  faceWithPin(resident: string, pin: string, now: number): AccessDecision {
    return view(this.#core.decide({ kind: "face", resident: typedResident(resident), matched: true, pin, keypad: KEYPAD_ID }, now));
  }

  exit(now: number): AccessDecision {
    return view(this.#core.decide({ kind: "exit" }, now));
  }
}

const FAILURES: Record<string, FaceOutcome> = {
  "no-match": { matched: false, why: "no-match" },
  "no-face": { matched: false, why: "no-face" },
  "low-quality": { matched: false, why: "low-quality" },
  "not-live": { matched: false, why: "not-live" },
  "camera-error": { matched: false, why: "camera-error" },
  "model-error": { matched: false, why: "camera-error" },
  timeout: { matched: false, why: "timeout" },
  cancelled: { matched: false, why: "cancelled" },
};

function outcomeOf(result: FaceResult): FaceOutcome {
  if (result.matched && result.residentId !== undefined) return { matched: true, resident: result.residentId };
  return FAILURES[result.outcome] ?? { matched: false, why: "no-match" };
}

export class SessionFace implements GateFace {
  #session: FaceSession;
  #held: () => string | undefined;

  /** `held` says why face is not offered now (camera stays off), or undefined. */
  constructor(session: FaceSession, held: () => string | undefined = () => undefined) {
    this.#session = session;
    this.#held = held;
  }

  get active(): boolean {
    return this.#session.active;
  }

  /** `claim` is the resident number typed before the face key: the session verifies 1:1 against it. */
  start(now: number, claim?: string): boolean | "claim-needed" {
    if (this.#held() !== undefined) return false;
    let label: string | undefined;
    if (claim !== undefined) {
      const resident = typedResident(claim);
      if (resident === 0) return false;
      label = formatResidentId(resident);
    }
    const response = this.#session.faceKey(now, label);
    if (response.started) return true;
    return response.reason === "one-to-n-not-allowed" ? "claim-needed" : false;
  }

  tick(now: number): FaceOutcome | undefined {
    const result = this.#session.tick(now);
    return result ? outcomeOf(result) : undefined;
  }

  cancel(now: number): void {
    this.#session.cancel(now);
  }
}

/**
 * A resident's PIN checked at the keypad before anything about their consent
 * is looked at (lockout and audit as at the door), so the answer to a wrong
 * PIN is the same whether or not they consented, and an unknown number gets
 * it too. On "ok" the next ledger check of the same PIN passes without a
 * second count.
 */
export type KeypadPinCheck = (resident: number, pin: string, now: number) => "ok" | "wrong-pin" | "locked-out";

export class KeypadWithdrawal implements GateWithdrawal {
  #withdrawal: FaceWithdrawal;
  #checkPin: KeypadPinCheck;

  constructor(withdrawal: FaceWithdrawal, checkPin: KeypadPinCheck) {
    this.#withdrawal = withdrawal;
    this.#checkPin = checkPin;
  }

  withdraw(who: string, pin: string, now: number): WithdrawalResult {
    const resident = typedResident(who);
    const checked = this.#checkPin(resident, pin, now);
    if (checked !== "ok") return { ok: false, reason: checked };
    try {
      const receipt = this.#withdrawal.atKeypad({ code: WITHDRAW_FUNCTION, residentId: formatResidentId(resident), pin, at: now });
      return { ok: true, receipt: receipt.code };
    } catch (error) {
      if (isOptgateError(error, "E_WITHDRAW_PIN_REJECTED")) return { ok: false, reason: "wrong-pin" };
      if (isOptgateError(error)) return { ok: false, reason: "no-consent" };
      throw error;
    }
  }
}

/** Refusals of a keypad consent confirmation → prompt keys (src/core/gate/prompts.ts). */
const CONSENT_REFUSALS: Record<string, string> = {
  E_NO_CONSENT_REQUEST: "no-consent-request",
  E_CONSENT_REQUEST_EXPIRED: "consent-request-expired",
  E_NOTICE_OUTDATED: "notice-changed",
  E_CONSENT_PIN_REJECTED: "wrong-pin",
  E_CONSENT_PIN_REQUIRED: "wrong-pin",
  E_CONSENT_ALREADY_ACTIVE: "consent-already-given",
};

export class KeypadConsent implements GateConsent {
  #requests: ConsentRequests;
  #checkPin: KeypadPinCheck;

  constructor(requests: ConsentRequests, checkPin: KeypadPinCheck) {
    this.#requests = requests;
    this.#checkPin = checkPin;
  }

  confirm(who: string, pin: string, now: number): ConsentConfirmResult {
    const resident = typedResident(who);
    const checked = this.#checkPin(resident, pin, now);
    if (checked !== "ok") return { ok: false, reason: checked };
    try {
      const done = this.#requests.confirm(formatResidentId(resident), pin, now);
      return { ok: true, receipt: done.receipt };
    } catch (error) {
      if (isOptgateError(error)) return { ok: false, reason: CONSENT_REFUSALS[error.code] ?? "consent-not-recorded" };
      throw error;
    }
  }
}
