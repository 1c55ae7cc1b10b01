// Consent in two hands. A technician arms a request at the console after the
// resident has read the notice (the technician is the witness); the resident
// then confirms it on the gate keypad with their own PIN. Only that
// confirmation records consent (ConsentLedger.grant), so the resident's PIN
// is never typed into the technician's terminal.
//
//   const requests = new ConsentRequests({ ledger, notices, residents, pins });
//   requests.arm({ residentId: "R00042", noticeVersion: 3, witnessId: "tech1", at: now });
//   requests.confirm("R00042", pin, now)   // → { record, receipt }, or OptgateError
//
// At most one request waits per resident (arming again replaces it), each for
// a short time (120 s by default). A request is for one notice version: if a
// newer notice is published before the resident confirms, the request is void
// (they must read the current text). A wrong PIN leaves the request waiting;
// the PinCheck behind the ledger (the access core's confirmPin on the gate)
// counts it towards the same lockout as a door PIN. Pure: times are values.
import { isOptgateError, OptgateError } from "../errors";
import type { ConsentLedger } from "./consent-ledger";
import type { ConsentRecord } from "./consent-record";
import type { NoticeBoard } from "./notices";
import type { ResidentLookup } from "./ports";
import { receiptCode } from "./withdrawal";

/** How long a resident has to reach the keypad and confirm. */
export const CONSENT_REQUEST_TTL_MS = 120_000;
/** A longer window would let a stale witness statement stand in for the resident's decision. */
export const MAX_CONSENT_REQUEST_TTL_MS = 15 * 60_000;

/** Whether a resident holds a PIN: without one they cannot confirm on the keypad. */
export interface PinHolders {
  hasPin(residentId: string): boolean;
}

export interface ConsentRequest {
  readonly residentId: string;
  readonly noticeVersion: number;
  /** The technician who saw the resident read the notice. */
  readonly witnessId: string;
  readonly armedAt: number;
  readonly expiresAt: number;
}

export interface ArmRequest {
  residentId: string;
  /** The notice version the technician showed; must be the one published now. */
  noticeVersion: number;
  witnessId: string;
  at: number;
  /** Default: at + CONSENT_REQUEST_TTL_MS. */
  expiresAt?: number;
}

export interface ConsentConfirmation {
  record: ConsentRecord;
  /** "1234-5678" from the grant record's hash (as for withdrawal receipts); checkable with receiptCode(record). */
  receipt: string;
}

export interface ConsentRequestsOptions {
  ledger: ConsentLedger;
  notices: NoticeBoard;
  residents: ResidentLookup;
  /** When given, arming is refused for a resident with no PIN (they could never confirm). */
  pins?: PinHolders;
}

export class ConsentRequests {
  #o: ConsentRequestsOptions;
  #pending = new Map<string, ConsentRequest>();

  constructor(options: ConsentRequestsOptions) {
    this.#o = options;
  }

  /** Arms (or replaces) the resident's request. Every check runs before anything changes. */
  arm(request: ArmRequest): ConsentRequest {
    const { ledger, notices, residents, pins } = this.#o;
    const { residentId, noticeVersion, witnessId, at } = request;
    if (typeof at !== "number" || !Number.isFinite(at)) {
      throw new OptgateError("E_BAD_TIME", "The time of the consent request is not a valid time.");
    }
    const expiresAt = request.expiresAt ?? at + CONSENT_REQUEST_TTL_MS;
    if (typeof expiresAt !== "number" || !(expiresAt > at) || expiresAt - at > MAX_CONSENT_REQUEST_TTL_MS) {
      throw new OptgateError("E_BAD_TIME", `A consent request must expire within ${MAX_CONSENT_REQUEST_TTL_MS / 60_000} minutes of being armed.`);
    }
    if (typeof residentId !== "string" || !residents.exists(residentId)) {
      throw new OptgateError("E_RESIDENT_UNKNOWN", `Resident ${String(residentId)} is not registered; register them before asking for consent.`);
    }
    const current = notices.current();
    if (current === undefined) {
      throw new OptgateError("E_NO_NOTICE", "No face notice is published; publish one (notice set) before asking for consent.");
    }
    if (noticeVersion !== current.version) {
      throw new OptgateError("E_NOTICE_OUTDATED", `Notice version ${noticeVersion} is not the published one (version ${current.version}); show the resident the current notice.`);
    }
    if (typeof witnessId !== "string" || witnessId === "") {
      throw new OptgateError("E_CONSENT_WITNESS_REQUIRED", "A consent request needs the witnessing technician's id.");
    }
    if (ledger.activeGrant(residentId)?.noticeVersion === noticeVersion) {
      throw new OptgateError("E_CONSENT_ALREADY_ACTIVE", `Resident ${residentId} already consented to notice version ${noticeVersion}.`);
    }
    if (pins !== undefined && !pins.hasPin(residentId)) {
      throw new OptgateError("E_CONSENT_NEEDS_PIN", `Resident ${residentId} has no PIN to confirm with on the keypad; set one first (pin set ${residentId}).`);
    }
    this.#prune(at);
    const armed: ConsentRequest = Object.freeze({ residentId, noticeVersion, witnessId, armedAt: at, expiresAt });
    this.#pending.set(residentId, armed);
    return armed;
  }

  /**
   * The resident's confirmation at the keypad. Records consent to the notice
   * the request was armed for, witnessed by the technician who armed it.
   */
  confirm(residentId: string, pin: string, now: number): ConsentConfirmation {
    const request = this.#pending.get(residentId);
    if (request === undefined) {
      throw new OptgateError("E_NO_CONSENT_REQUEST", `No consent request is waiting for ${residentId}; ask the technician to arm one at the console.`);
    }
    if (!this.#live(request, now)) {
      this.#pending.delete(residentId);
      throw new OptgateError("E_CONSENT_REQUEST_EXPIRED", `The consent request for ${residentId} has expired; ask the technician to arm it again.`);
    }
    const current = this.#o.notices.current();
    if (current?.version !== request.noticeVersion) {
      // The resident read a text that is no longer the one in force.
      this.#pending.delete(residentId);
      throw new OptgateError("E_NOTICE_OUTDATED", `Notice version ${request.noticeVersion} was replaced by version ${current?.version} after the request was armed; the resident must read the current notice first.`);
    }
    let record: ConsentRecord;
    try {
      record = this.#o.ledger.grant({ residentId, noticeVersion: request.noticeVersion, witnessId: request.witnessId, pin, at: now });
    } catch (error) {
      // A mistyped PIN may be retried until the request expires (the lockout
      // limits guesses); anything else cannot succeed on retry.
      if (!isOptgateError(error, "E_CONSENT_PIN_REJECTED") && !isOptgateError(error, "E_CONSENT_PIN_REQUIRED")) this.#pending.delete(residentId);
      throw error;
    }
    this.#pending.delete(residentId);
    return { record, receipt: receiptCode(record) };
  }

  /** Withdraws a waiting request (console). */
  cancel(residentId: string, now: number): ConsentRequest {
    const request = this.#pending.get(residentId);
    if (request === undefined || !this.#live(request, now)) {
      this.#pending.delete(residentId);
      throw new OptgateError("E_NO_CONSENT_REQUEST", `No consent request is waiting for ${residentId}; nothing to cancel.`);
    }
    this.#pending.delete(residentId);
    return request;
  }

  /** The request waiting for this resident now, if any. */
  pending(residentId: string, now: number): ConsentRequest | undefined {
    const request = this.#pending.get(residentId);
    if (request === undefined) return undefined;
    if (this.#live(request, now)) return request;
    this.#pending.delete(residentId);
    return undefined;
  }

  /** How many requests are waiting now (expired ones are dropped). */
  waiting(now: number): number {
    this.#prune(now);
    return this.#pending.size;
  }

  /** A clock set back before the arming also ends a request: its window can no longer be trusted. */
  #live(request: ConsentRequest, now: number): boolean {
    return Number.isFinite(now) && now >= request.armedAt && now < request.expiresAt;
  }

  #prune(now: number): void {
    for (const [id, request] of this.#pending) if (!this.#live(request, now)) this.#pending.delete(id);
  }
}
