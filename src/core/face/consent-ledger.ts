// The consent ledger: grants (with the resident's own PIN on the keypad and a
// technician witness), withdrawals and retention lapses, in order. It is the
// only place that can mint an ActiveConsent, and enrolment accepts nothing else.
import { OptgateError } from "../errors";
import { encodeConsentRecord, type ConsentRecord } from "./consent-record";
import type { Notice, NoticeBoard } from "./notices";
import type { AuditSink, PinCheck, ResidentLookup } from "./ports";

/** Not exported: nothing outside this module can construct an ActiveConsent. */
const MINT: unique symbol = Symbol("ActiveConsent.mint");

/**
 * Proof, at the time it was minted, that a resident holds consent to the
 * current notice. The ES private field makes the type nominal (no object
 * literal satisfies it) and the constructor refuses callers without MINT.
 * The ledger re-checks a token on use, so a withdrawal in between voids it.
 */
export class ActiveConsent {
  readonly #issuer: ConsentLedger;
  readonly residentId: string;
  readonly noticeVersion: number;
  readonly grantSeq: number;

  constructor(mint: typeof MINT, issuer: ConsentLedger, grant: ConsentRecord) {
    if (mint !== MINT) throw new OptgateError("E_CONSENT_FORGED", "Only the consent ledger can vouch for consent.");
    this.#issuer = issuer;
    this.residentId = grant.residentId;
    this.noticeVersion = grant.noticeVersion;
    this.grantSeq = grant.seq;
  }

  issuedBy(ledger: ConsentLedger): boolean {
    return this.#issuer === ledger;
  }
}

export interface GrantRequest {
  residentId: string;
  noticeVersion: number;
  witnessId: string;
  /** Typed by the resident on the keypad; checked through PinCheck, never stored. */
  pin: string;
  at: number;
}

export type WithdrawRequest =
  | { residentId: string; at: number; channel: "keypad"; pin: string }
  | { residentId: string; at: number; channel: "console"; technicianId: string }
  /** The hub's signed erase order (a withdrawal at another gate or at the office): verified by the sync core. */
  | { residentId: string; at: number; channel: "hub" };

export interface ConsentLedgerOptions {
  notices: NoticeBoard;
  pins: PinCheck;
  residents: ResidentLookup;
  audit?: AuditSink;
  /** Called after every new record with its bytes, for the store to persist. */
  onChange?: (record: ConsentRecord, bytes: Uint8Array) => void;
}

export class ConsentLedger {
  #options: ConsentLedgerOptions;
  #records: ConsentRecord[] = [];
  #latest = new Map<string, ConsentRecord>();
  /** Sequence number of the next record: numbers of records lost to flash damage are never reused. */
  #nextSeq = 1;

  constructor(options: ConsentLedgerOptions) {
    this.#options = options;
  }

  /** Records consent. Every check runs before anything changes. */
  grant(request: GrantRequest): ConsentRecord {
    const { notices, pins, residents } = this.#options;
    const { residentId, noticeVersion, witnessId, pin, at } = request;
    if (!residents.exists(residentId)) {
      throw new OptgateError("E_RESIDENT_UNKNOWN", `Resident ${residentId} is not registered; register them before recording consent.`);
    }
    const notice = notices.get(noticeVersion);
    const current = this.#currentNotice();
    if (notice !== current) {
      throw new OptgateError("E_NOTICE_OUTDATED", `Notice version ${noticeVersion} has been replaced by version ${current.version}; show the resident the current notice.`);
    }
    if (typeof witnessId !== "string" || witnessId === "") {
      throw new OptgateError("E_CONSENT_WITNESS_REQUIRED", "Consent needs the witnessing technician's id.");
    }
    if (typeof pin !== "string" || pin === "") {
      throw new OptgateError("E_CONSENT_PIN_REQUIRED", "The resident must confirm consent with their own PIN on the keypad.");
    }
    if (!pins.verify(residentId, pin)) {
      throw new OptgateError("E_CONSENT_PIN_REJECTED", "The PIN did not match; consent was not recorded.");
    }
    const latest = this.#latest.get(residentId);
    if (latest?.event === "granted" && latest.noticeVersion === noticeVersion) {
      throw new OptgateError("E_CONSENT_ALREADY_ACTIVE", `Resident ${residentId} already consented to notice version ${noticeVersion}.`);
    }
    return this.#record({ event: "granted", residentId, noticeVersion, at, actorId: witnessId, channel: "keypad", pinConfirmed: true });
  }

  /**
   * Consent the resident gave at another gate of the compound, under a notice
   * with this gate's current notice's very terms (the caller compares them:
   * src/core/sync/template-share.ts consentScope), carried here with the
   * template it covers. Recorded as a grant by channel "hub", the origin
   * gate as actor, without a PIN (it was confirmed there). An active grant
   * to the current notice is kept as it is; a withdrawal or lapse recorded
   * here at or after `grantedAt` (the origin's grant time) refuses: a
   * delivery replayed after a withdrawal must not bring consent back.
   */
  relayGrant(request: { residentId: string; grantedAt: number; origin: string; at: number }): ConsentRecord {
    const { residentId, grantedAt, origin, at } = request;
    if (!this.#options.residents.exists(residentId)) {
      throw new OptgateError("E_RESIDENT_UNKNOWN", `Resident ${residentId} is not registered; register them before recording consent.`);
    }
    const current = this.#currentNotice();
    if (typeof origin !== "string" || origin === "") throw new OptgateError("E_CONSENT_WITNESS_REQUIRED", "A relayed consent names the gate it was given at.");
    const latest = this.#latest.get(residentId);
    if (latest?.event === "granted" && latest.noticeVersion === current.version) return latest;
    if (latest !== undefined && latest.event !== "granted" && latest.at >= grantedAt) {
      throw new OptgateError("E_CONSENT_WITHDRAWN_SINCE", `Resident ${residentId} withdrew consent here after it was given at ${origin}; nothing was recorded.`);
    }
    return this.#record({ event: "granted", residentId, noticeVersion: current.version, at, actorId: origin, channel: "hub", pinConfirmed: false });
  }

  /** Ends consent at the resident's request. The caller destroys the template (FaceWithdrawal does both). */
  withdraw(request: WithdrawRequest): ConsentRecord {
    const active = this.#requireActive(request.residentId);
    if (request.channel === "keypad") {
      if (typeof request.pin !== "string" || request.pin === "" || !this.#options.pins.verify(request.residentId, request.pin)) {
        throw new OptgateError("E_WITHDRAW_PIN_REJECTED", "The PIN did not match; consent is unchanged.");
      }
    } else if (request.channel === "console") {
      if (typeof request.technicianId !== "string" || request.technicianId === "") {
        throw new OptgateError("E_WITHDRAW_TECHNICIAN_REQUIRED", "A console withdrawal needs the technician's id.");
      }
    } else if (request.channel !== "hub") {
      throw new OptgateError("E_WITHDRAW_CHANNEL", "A withdrawal comes from the keypad, the console or the hub.");
    }
    return this.#record({
      event: "withdrawn", residentId: request.residentId, noticeVersion: active.noticeVersion, at: request.at,
      actorId: request.channel === "console" ? request.technicianId : "", channel: request.channel,
      pinConfirmed: request.channel === "keypad",
    });
  }

  /**
   * The hub's erase order for a resident with no consent in force here (a
   * withdrawal at another gate, or at the office, before any template reached
   * this gate). Recorded as a withdrawal by channel "hub" so that relayGrant
   * refuses a delivery of that consent arriving late or replayed: without it
   * the ledger had nothing to compare the delivery's grant time with, and
   * installed the face of a resident who had withdrawn. Nothing is recorded
   * when a withdrawal or lapse at or after `at` is already the latest record,
   * or when there is no notice to record it under (then there is no consent
   * here either, and a delivery needs one: relayGrant refuses without it).
   */
  withdrawnElsewhere(residentId: string, at: number): ConsentRecord | undefined {
    const latest = this.#latest.get(residentId);
    if (latest?.event === "granted") throw new OptgateError("E_CONSENT_ACTIVE", `Resident ${residentId} has consent in force here; withdraw it (channel hub) instead.`);
    if (latest !== undefined && latest.at >= at) return undefined;
    const noticeVersion = latest?.noticeVersion ?? this.#options.notices.current()?.version;
    if (noticeVersion === undefined) return undefined;
    return this.#record({ event: "withdrawn", residentId, noticeVersion, at, actorId: "", channel: "hub", pinConfirmed: false });
  }

  /** Ends consent because its retention period ran out. */
  lapse(residentId: string, at: number): ConsentRecord {
    const active = this.#requireActive(residentId);
    return this.#record({ event: "lapsed", residentId, noticeVersion: active.noticeVersion, at, actorId: "", channel: "retention", pinConfirmed: false });
  }

  isActive(residentId: string): boolean {
    return this.#latest.get(residentId)?.event === "granted";
  }

  /** The grant currently in force for a resident (any notice version), if any. */
  activeGrant(residentId: string): ConsentRecord | undefined {
    const latest = this.#latest.get(residentId);
    return latest?.event === "granted" ? latest : undefined;
  }

  /** Whether the resident's consent in force covers this gate. */
  coversGate(residentId: string, gateId: string): boolean {
    const grant = this.activeGrant(residentId);
    return grant !== undefined && this.#options.notices.get(grant.noticeVersion).gates.includes(gateId);
  }

  /** Consent good for a new enrolment: active, and given to the notice now published. */
  activeConsent(residentId: string): ActiveConsent {
    const grant = this.#requireActive(residentId);
    const current = this.#currentNotice();
    if (grant.noticeVersion !== current.version) {
      throw new OptgateError("E_CONSENT_NOTICE_CHANGED", `Resident ${residentId} consented to notice version ${grant.noticeVersion}, but version ${current.version} is now published; record fresh consent before enrolling.`);
    }
    return new ActiveConsent(MINT, this, grant);
  }

  /** True while the token's grant is still the one in force and its notice still current. */
  confirms(consent: ActiveConsent): boolean {
    return consent instanceof ActiveConsent && consent.issuedBy(this)
      && this.#latest.get(consent.residentId)?.seq === consent.grantSeq
      && this.#options.notices.current()?.version === consent.noticeVersion;
  }

  history(residentId: string): ConsentRecord[] {
    return this.#records.filter((r) => r.residentId === residentId);
  }

  records(): readonly ConsentRecord[] {
    return this.#records;
  }

  /** Residents whose consent is in force now. */
  consenting(): string[] {
    const out: string[] = [];
    for (const [id, record] of this.#latest) if (record.event === "granted") out.push(id);
    return out;
  }

  /**
   * Rebuilds the ledger from stored records (after boot). Records must be in
   * ascending sequence; notices must already be on the board. Does not call
   * onChange. `lost` allows gaps (records the store lost to damage): the
   * caller has already reported them, and a resident whose own record went
   * missing may look as if an older state were current; the face gallery only
   * reloads templates whose consent is still in force, so a lost record can
   * turn face off for that resident, never on without a template.
   */
  restore(records: readonly ConsentRecord[], options: { lost?: boolean } = {}): void {
    if (this.#records.length > 0) throw new OptgateError("E_LEDGER_NOT_EMPTY", "The consent ledger can only be restored into an empty ledger.");
    let last = 0;
    records.forEach((record, i) => {
      const inOrder = options.lost ? record.seq > last : record.seq === i + 1;
      if (!inOrder) throw new OptgateError("E_RECORD_CORRUPT", `Consent record ${i + 1} is missing or out of order.`);
      last = record.seq;
      this.#options.notices.get(record.noticeVersion);
    });
    for (const record of records) {
      this.#records.push(record);
      this.#latest.set(record.residentId, record);
    }
    this.#nextSeq = last + 1;
  }

  /** New consent and enrolment need a notice in force: a board whose newest version was lost has none. */
  #currentNotice(): Notice {
    const current = this.#options.notices.current();
    if (current === undefined) {
      throw new OptgateError("E_NO_NOTICE", "No face notice is in force (none is published, or the newest was lost to flash damage); publish one (notice set) before recording consent or enrolling.");
    }
    return current;
  }

  #requireActive(residentId: string): ConsentRecord {
    const grant = this.activeGrant(residentId);
    if (grant === undefined) {
      throw new OptgateError("E_CONSENT_NOT_ACTIVE", `Resident ${residentId} has no consent in force for face recognition.`);
    }
    return grant;
  }

  #record(fields: Omit<ConsentRecord, "seq">): ConsentRecord {
    const record: ConsentRecord = Object.freeze({ seq: this.#nextSeq, ...fields });
    const bytes = encodeConsentRecord(record);
    this.#records.push(record);
    this.#latest.set(record.residentId, record);
    this.#nextSeq++;
    this.#options.onChange?.(record, bytes);
    this.#options.audit?.append({
      at: record.at, kind: `consent.${record.event}`, residentId: record.residentId,
      noticeVersion: record.noticeVersion, channel: record.channel, ...(record.actorId ? { actorId: record.actorId } : {}),
    });
    return record;
  }
}
