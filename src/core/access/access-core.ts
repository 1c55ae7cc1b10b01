// The gate's access decision: decide(event, now) → grant or deny with a reason,
// and every attempt lands in the audit log (pseudonymous ids, no PIN, no code).
//
//   const core = new AccessCore({ registry, policy, audit });
//   core.decide({ kind: "card", uid }, now)                       // card alone
//   core.decide({ kind: "card", uid, pin: "482913", keypad: 1 }, now)   // card then PIN (card+pin)
//   core.decide({ kind: "pin", keypad: 1, resident: 42, pin: "482913" }, now) // "42#482913"
//   core.decide({ kind: "code", keypad: 1, code: "73910264" }, now)   // one-time visitor/courier code
//   core.decide({ kind: "face", resident: 42, matched: true, pin?, keypad? }, now) // from the face side
//   core.decide({ kind: "exit" }, now)                             // exit button: always opens
//   core.confirmPin(42, "482913", now, keypad?)  // PIN as confirmation (consent, withdrawal): no door
//
// Order of checks: lockout, then the secret (PIN), then the resident (status,
// validity window, schedule), so a locked keypad reveals nothing and a wrong
// PIN is counted before anything else is said.
//
// Guessing (lockout.ts, docs/guessing.md): the keypad and the card reader each
// have a throttle that only time lowers; every failed entry counts, including
// used-up, expired and not-yet-valid codes, and no success resets it. Each
// resident's PIN has its own leaking counter in the registry's columns, which
// only their own correct PIN clears. Card entry never waits for the keypad;
// card+PIN and face+PIN are held by the resident's counter alone. Bursts of
// refused cards or throttled entries are audited as one record per burst, so
// spam cannot push older records out of the log.
//
// Clock trust: the clock is untrusted when it reads before the policy's floor
// (never set: RTC at 1970) or before the audit log's watermark (it jumped
// back). Then anything time-limited is denied with "clock-untrusted": residents
// with a validity window and one-time codes. Schedules cannot be evaluated
// either, so the conservative rule is: a permanent owner or renter (no window)
// is admitted, since nobody may be locked out of their home by a clock fault;
// staff, visitors and couriers only through a group that is open around the
// clock; everyone else gets "clock-untrusted". Lockout keeps working on
// whatever time the clock reports, and a lock never exceeds maxDelay from now.
import type { AuditKind } from "../audit/audit-record";
import type { AuditJournal } from "../audit/audit-log";
import { residentLevel, residentWait, Throttle } from "./lockout";
import { PIN_ENTRY_MIN, pinQualityOf } from "./pin-rules";
import { BurstLog } from "./burst-log";
import { type CompiledPolicy, type GatePolicy, compilePolicy } from "./policy";
import type { Registry } from "./registry";
import { FLAG_FACE } from "./resident-table";
import { pinProblem } from "./secrets";
import { NO_FROM, NO_UNTIL, ROLES, type ReasonCode, type ResidentId, STATUSES } from "./types";
import { uidProblem } from "./uid";

export type AccessEvent =
  | { kind: "card"; uid: Uint8Array; pin?: string; keypad?: number }
  | { kind: "pin"; keypad: number; resident: ResidentId; pin: string }
  | { kind: "code"; keypad: number; code: string }
  | { kind: "face"; resident: ResidentId; matched: boolean; pin?: string; keypad?: number }
  | { kind: "exit" };

export interface Decision {
  grant: boolean;
  reason: ReasonCode;
  /** The resident the attempt was attributed to, when known. */
  resident?: ResidentId;
  /** ms until the keypad or resident may try again (locked-out only). */
  retryAfterMs?: number;
  /** Whether the clock was trusted when deciding. */
  clockTrusted: boolean;
}

const SUSPENDED = STATUSES.indexOf("suspended");
const OWNER = ROLES.indexOf("owner");
const RENTER = ROLES.indexOf("renter");
/** Keypad-less attempts (card alone, face alone) count against no keypad. */
const NO_KEYPAD = -1;
/** Refusals at the keypad that counted against its throttle (restoreLimits reads them back). */
/** The detail of a code's grant record: this prefix, then the code's validity start (seconds). */
export const CODE_USE_DETAIL = "code from ";

const KEYPAD_FAILURES: readonly ReasonCode[] = ["unknown-resident", "wrong-pin", "bad-input", "unknown-code", "code-used-up", "code-expired", "code-not-yet-valid"];
/** The gate's card reader (one per board); a second reader would pass its own id. */
export const CARD_READER = 0;

/** A throttle engaged: the first hour of an attack sounds the alarm, not the thirty-first day. */
export type GuessingAlarm = { source: "keypad" | "reader"; id: number; at: number };

/** What `status` shows about guessing at this gate. */
export interface GuessingStatus {
  keypad: { score: number; waitMs: number; engaged: boolean };
  reader: { score: number; waitMs: number; engaged: boolean };
  alarms: number;
  lastAlarm?: GuessingAlarm;
}

export class AccessCore {
  readonly registry: Registry;
  readonly audit: AuditJournal;
  #policy: CompiledPolicy;
  readonly #keypads: Throttle;
  readonly #readers: Throttle;
  readonly #bursts: BurstLog;
  readonly #onAlarm?: (alarm: GuessingAlarm) => void;
  #alarms = 0;
  #lastAlarm?: GuessingAlarm;

  constructor(options: { registry: Registry; policy: GatePolicy; audit: AuditJournal; onGuessingAlarm?: (alarm: GuessingAlarm) => void }) {
    this.registry = options.registry;
    this.audit = options.audit;
    this.#policy = compilePolicy(options.policy);
    this.registry.setPinLength(this.#policy.pinLength);
    this.#keypads = new Throttle(() => this.#policy.lockout.keypadThreshold, () => this.#policy.lockout);
    this.#readers = new Throttle(() => this.#policy.lockout.keypadThreshold, () => this.#policy.lockout);
    this.#bursts = new BurstLog(this.audit);
    this.#onAlarm = options.onGuessingAlarm;
  }

  get policy(): CompiledPolicy { return this.#policy; }

  /** Replaces the policy (validated first; the old one stays on error). */
  setPolicy(policy: GatePolicy): void {
    this.#policy = compilePolicy(policy);
    this.registry.setPinLength(this.#policy.pinLength);
  }

  /** Throttle levels and alarms, for the console's status. */
  guessing(now: number, keypad = 1): GuessingStatus {
    const part = (t: Throttle, key: number) => ({ score: Math.round(t.score(key, now) * 10) / 10, waitMs: t.remaining(key, now), engaged: t.engaged(key, now) });
    const out: GuessingStatus = { keypad: part(this.#keypads, keypad), reader: part(this.#readers, CARD_READER), alarms: this.#alarms };
    if (this.#lastAlarm) out.lastAlarm = { ...this.#lastAlarm };
    return out;
  }

  /** Closes bursts that have gone quiet (the app's minute sweep), so their one record is written. */
  flushBursts(now: number): void { this.#bursts.flush(now, false); }

  /**
   * Rebuilds the guessing limits from the audit log after a reboot, so a
   * power cut hands out no fresh attempts. Failures attributed to a resident
   * (a wrong PIN) name no keypad: they count against `keypad`, the gate's own.
   */
  restoreLimits(keypad = 1): void {
    const t = this.registry.residents;
    for (const e of this.audit.entries()) {
      const atKeypad = e.kind === "pin" || e.kind === "code";
      if (e.kind === "unknown-cards") {
        for (let i = 0; i < e.actor && i < 1000; i++) this.#readers.fail(CARD_READER, e.time);
        continue;
      }
      if (e.kind === "card" && e.decision === "deny" && (e.reason === "unknown-card" || e.reason === "locked-out")) this.#readers.fail(CARD_READER, e.time);
      // Refusals of entries typed during a wait were not counted (they name no resident); the rest were.
      if (atKeypad && e.decision === "deny" && (KEYPAD_FAILURES.indexOf(e.reason) >= 0 || (e.reason === "locked-out" && e.actorKind === "resident"))) {
        this.#keypads.fail(e.actorKind === "keypad" ? e.actor : keypad, e.time);
      }
      if (e.actorKind !== "resident") continue;
      const row = t.find(e.actor);
      if (row < 0) continue;
      if (e.reason === "wrong-pin") this.#residentFail(row, e.time);
      else if (e.kind === "pin" && (e.decision === "grant" || e.decision === "info")) t.pinFailures[row] = 0;
    }
  }

  clockTrusted(now: number): boolean {
    return typeof now === "number" && now >= this.#policy.clockFloorMs && now >= this.audit.watermark;
  }

  /** Decides, records the attempt in the audit log, and returns the decision. */
  decide(event: AccessEvent, now: number): Decision {
    const trusted = this.clockTrusted(now);
    const decision = this.#decide(event, now, trusted);
    const kind: AuditKind = event && (event.kind === "card" || event.kind === "pin" || event.kind === "code" || event.kind === "face" || event.kind === "exit") ? event.kind : "malformed-event";
    // A malformed event may be no object at all (`in` would throw on a string): it is still refused and audited.
    const keypad = event && typeof event === "object" && "keypad" in event && typeof event.keypad === "number" ? event.keypad : undefined;
    const time = Number.isFinite(now) ? now : 0;
    // Refused cards and throttled entries come in floods: a burst is one record, not a thousand.
    const burst = decision.resident !== undefined ? undefined
      : kind === "card" && (decision.reason === "unknown-card" || decision.reason === "locked-out") ? "unknown-cards"
        : (kind === "pin" || kind === "code") && decision.reason === "locked-out" ? "throttled-entries" : undefined;
    if (burst === undefined || !this.#bursts.absorb(burst, time)) {
      // A code that opened is named by its validity start (no secret): the hub tells its codes apart by it (docs/sync.md).
      const used = kind === "code" && decision.grant ? this.registry.findCode((event as { code: string }).code) : undefined;
      this.audit.append({
        ...(used ? { detail: `${CODE_USE_DETAIL}${used.from}` } : {}),
        time,
        actorKind: decision.resident !== undefined ? "resident" : keypad !== undefined && keypad >= 0 ? "keypad" : "none",
        actor: decision.resident ?? (keypad !== undefined && keypad >= 0 && keypad <= 0xffffffff ? keypad >>> 0 : 0),
        kind,
        decision: decision.grant ? "grant" : "deny",
        reason: decision.reason,
      });
    }
    // Used-up codes past their expiry are dropped here, after this attempt got its reason.
    if (kind === "code") this.purgeUsedUpCodes(now);
    return decision;
  }

  /**
   * Drops used-up one-time codes past their expiry (also called from the app's
   * minute sweep), only on a trusted clock and an undamaged registry; a dropped
   * code reads as unknown and still never opens.
   */
  purgeUsedUpCodes(now: number): number {
    if (!this.clockTrusted(now) || this.registry.damage !== undefined) return 0;
    return this.registry.purgeUsedUpCodes(now);
  }

  /**
   * A resident's PIN as confirmation for something other than the door
   * (consent, withdrawal): the same lockout as at the door, so this is no
   * side channel for guessing, and audited (decision "info" when right, so
   * the log never shows a door opening that did not happen).
   */
  confirmPin(resident: ResidentId, pin: string, now: number, keypad?: number): Decision {
    const trusted = this.clockTrusted(now);
    const row = Number.isInteger(resident) ? this.registry.residents.find(resident) : -1;
    const key = keypadOf(keypad);
    let decision: Decision;
    if (!Number.isFinite(now)) decision = deny("bad-input", trusted);
    else if (this.registry.damage !== undefined) decision = deny("registry-damaged", trusted);
    else if (this.#keypads.remaining(key, now) > 0) decision = this.#throttled(key, now, trusted);
    else if (row < 0) {
      this.#keypadFail(key, now);
      decision = deny("unknown-resident", trusted);
    } else decision = this.#checkPin(key, resident, row, pin, now, trusted, true) ?? grant(trusted, resident);
    this.audit.append({
      time: Number.isFinite(now) ? now : 0,
      actorKind: decision.resident !== undefined ? "resident" : key >= 0 ? "keypad" : "none",
      actor: decision.resident ?? (key >= 0 && key <= 0xffffffff ? key : 0),
      kind: "pin",
      decision: decision.grant ? "info" : "deny",
      reason: decision.reason,
    });
    return decision;
  }

  #decide(event: AccessEvent, now: number, trusted: boolean): Decision {
    if (!event || typeof event !== "object" || !Number.isFinite(now)) return deny("bad-input", trusted);
    // A damaged registry may have lost a revocation: only the exit button opens.
    if (event.kind !== "exit" && this.registry.damage !== undefined) return deny("registry-damaged", trusted);
    const modes = this.#policy.modes;
    switch (event.kind) {
      case "exit":
        return { grant: true, reason: "granted", clockTrusted: trusted };

      case "card": {
        if (uidProblem(event.uid)) return deny("bad-input", trusted);
        const withPin = event.pin !== undefined;
        if (withPin ? !(modes.cardPin || modes.card) : !modes.card) {
          return deny(!withPin && modes.cardPin ? "second-factor-required" : "mode-not-allowed", trusted);
        }
        // A reader being swept with made-up UIDs waits; a keypad under attack never delays a card.
        const readerWait = this.#readers.remaining(CARD_READER, now);
        if (readerWait > 0) return deny("locked-out", trusted, undefined, readerWait);
        const cards = this.registry.cards;
        const cardRow = cards.find(event.uid);
        if (cardRow < 0) {
          if (this.#readers.fail(CARD_READER, now)) this.#alarm("reader", CARD_READER, now);
          return deny("unknown-card", trusted);
        }
        const id = cards.ownerAt(cardRow);
        const row = this.registry.residents.find(id);
        if (withPin) {
          const denied = this.#checkPin(keypadOf(event.keypad), id, row, event.pin as string, now, trusted, false);
          if (denied) return denied;
        }
        return this.#admit(row, id, now, trusted);
      }

      case "pin": {
        const keypad = keypadOf(event.keypad);
        if (this.#keypads.remaining(keypad, now) > 0) return this.#throttled(keypad, now, trusted);
        if (!modes.pin) return deny("mode-not-allowed", trusted);
        const row = Number.isInteger(event.resident) ? this.registry.residents.find(event.resident) : -1;
        if (row < 0) {
          this.#keypadFail(keypad, now);
          return deny("unknown-resident", trusted);
        }
        const denied = this.#checkPin(keypad, event.resident, row, event.pin, now, trusted, true);
        return denied ?? this.#admit(row, event.resident, now, trusted);
      }

      case "code": {
        const keypad = keypadOf(event.keypad);
        if (this.#keypads.remaining(keypad, now) > 0) return this.#throttled(keypad, now, trusted);
        if (!modes.code) return deny("mode-not-allowed", trusted);
        const entry = this.registry.findCode(event.code);
        if (!entry) {
          this.#keypadFail(keypad, now);
          return deny("unknown-code", trusted);
        }
        // A code that cannot open counts as a failure, whoever knows it: a used-up
        // courier code must not wipe the guesses typed before it.
        const id = entry.resident;
        const row = this.registry.residents.find(id);
        if (entry.uses === 0) return this.#codeFailure(keypad, now, "code-used-up", trusted, id);
        if (!trusted) return deny("clock-untrusted", trusted, id);
        const nowS = Math.floor(now / 1000);
        if (nowS < entry.from) return this.#codeFailure(keypad, now, "code-not-yet-valid", trusted, id);
        if (nowS >= entry.until) return this.#codeFailure(keypad, now, "code-expired", trusted, id);
        const decision = this.#admit(row, id, now, trusted);
        if (decision.grant) this.registry.consumeCode(entry.hash);
        return decision;
      }

      case "face": {
        if (!(modes.face || modes.facePin)) return deny("mode-not-allowed", trusted);
        const row = Number.isInteger(event.resident) ? this.registry.residents.find(event.resident) : -1;
        if (row < 0) return deny("unknown-resident", trusted);
        const id = event.resident;
        if ((this.registry.residents.flags[row] & FLAG_FACE) === 0) return deny("face-not-enrolled", trusted, id);
        if (event.matched !== true) return deny("face-not-matched", trusted, id);
        if (event.pin !== undefined) {
          const denied = this.#checkPin(keypadOf(event.keypad), id, row, event.pin, now, trusted, false);
          if (denied) return denied;
        } else if (!modes.face) {
          return deny("second-factor-required", trusted, id);
        }
        return this.#admit(row, id, now, trusted);
      }

      default:
        return deny("bad-input", trusted);
    }
  }

  /**
   * PIN step shared by pin, card+pin and face+pin; undefined when the PIN is
   * right. `atKeypad`: a PIN-only entry (or a confirmation), which the keypad
   * throttle holds and counts; after a card or a face the resident's own
   * counter alone limits guessing, so a keypad under attack delays no card.
   */
  #checkPin(keypad: number, id: ResidentId, row: number, pin: string, now: number, trusted: boolean, atKeypad: boolean): Decision | undefined {
    const t = this.registry.residents;
    const lockout = this.#policy.lockout;
    // A waiting keypad is refused by every caller that passes atKeypad before the PIN gets here.
    const residentWaitMs = residentWait(t.pinFailures[row], t.pinFailedAt[row], now, lockout);
    if (residentWaitMs > 0) {
      if (atKeypad) this.#keypadFail(keypad, now);
      return deny("locked-out", trusted, id, residentWaitMs);
    }
    if (pinProblem(pin, { min: PIN_ENTRY_MIN, max: this.#policy.pinLength.max })) {
      if (atKeypad) this.#keypadFail(keypad, now);
      return deny("bad-input", trusted, id);
    }
    if (!this.registry.pinMatchesAt(row, pin)) {
      if (atKeypad) this.#keypadFail(keypad, now);
      this.#residentFail(row, now);
      return deny("wrong-pin", trusted, id);
    }
    // Only the subject's own success clears their counter; the keypad's is left to time.
    t.pinFailures[row] = 0;
    this.registry.ratePin(id, pinQualityOf(pin, this.#policy.pinLength, id));
    return undefined;
  }

  #residentFail(row: number, now: number): void {
    const t = this.registry.residents;
    const level = residentLevel(t.pinFailures[row], t.pinFailedAt[row], now, this.#policy.lockout.residentLeakMs);
    t.pinFailures[row] = Math.min(255, level + 1);
    const nowS = Math.floor(now / 1000);
    if (nowS > t.pinFailedAt[row] || level === 0) t.pinFailedAt[row] = nowS > 0 ? Math.min(nowS, 0xffffffff) : 0;
  }

  #keypadFail(keypad: number, now: number): void {
    if (this.#keypads.fail(keypad, now)) this.#alarm("keypad", keypad, now);
  }

  #codeFailure(keypad: number, now: number, reason: ReasonCode, trusted: boolean, id: ResidentId): Decision {
    this.#keypadFail(keypad, now);
    return deny(reason, trusted, id);
  }

  /**
   * An entry typed while the keypad waits: refused unread and not counted, so
   * junk typed during the wait cannot stretch it for the resident behind.
   */
  #throttled(keypad: number, now: number, trusted: boolean): Decision {
    return deny("locked-out", trusted, undefined, this.#keypads.remaining(keypad, now));
  }

  #alarm(source: "keypad" | "reader", id: number, now: number): void {
    this.#alarms++;
    this.#lastAlarm = { source, id, at: now };
    this.audit.append({
      time: now, actorKind: source === "keypad" ? "keypad" : "system", actor: id >>> 0,
      kind: "guessing-alarm", decision: "info", reason: "locked-out",
    });
    this.#onAlarm?.({ source, id, at: now });
  }

  /** Status, validity window and schedule of an identified resident. */
  #admit(row: number, id: ResidentId, now: number, trusted: boolean): Decision {
    const t = this.registry.residents;
    if (t.statuses[row] === SUSPENDED) return deny("suspended", trusted, id);
    const from = t.from[row], until = t.until[row];
    const limited = from !== NO_FROM || until !== NO_UNTIL;
    const groups = t.groups[row] & this.#policy.groupMask;
    if (groups === 0) return deny("no-access-group", trusted, id);
    if (!trusted) {
      if (limited) return deny("clock-untrusted", trusted, id);
      const role = t.roles[row];
      if (role === OWNER || role === RENTER || this.#anyAlwaysOpen(groups)) return grant(trusted, id);
      return deny("clock-untrusted", trusted, id);
    }
    const nowS = Math.floor(now / 1000);
    if (nowS < from) return deny("not-yet-valid", trusted, id);
    if (nowS >= until) return deny("expired", trusted, id);
    const local = now + this.#policy.zone.offsetMs(now);
    let sawHoliday = false;
    const schedules = this.#policy.schedules;
    for (let bit = 0, mask = groups; mask !== 0; bit++, mask >>>= 1) {
      if ((mask & 1) === 0) continue;
      const verdict = (schedules[bit] as NonNullable<(typeof schedules)[number]>).check(local);
      if (verdict === "open") return grant(trusted, id);
      if (verdict === "holiday") sawHoliday = true;
    }
    return deny(sawHoliday ? "holiday" : "outside-schedule", trusted, id);
  }

  #anyAlwaysOpen(groups: number): boolean {
    for (let bit = 0, mask = groups; mask !== 0; bit++, mask >>>= 1) {
      if ((mask & 1) !== 0 && this.#policy.schedules[bit]?.alwaysOpen) return true;
    }
    return false;
  }
}

function keypadOf(keypad: number | undefined): number {
  return typeof keypad === "number" && Number.isInteger(keypad) && keypad >= 0 ? keypad : NO_KEYPAD;
}

function grant(trusted: boolean, resident: ResidentId): Decision {
  return { grant: true, reason: "granted", resident, clockTrusted: trusted };
}

function deny(reason: ReasonCode, trusted: boolean, resident?: ResidentId, retryAfterMs?: number): Decision {
  const decision: Decision = { grant: false, reason, clockTrusted: trusted };
  if (resident !== undefined) decision.resident = resident;
  if (retryAfterMs !== undefined) decision.retryAfterMs = retryAfterMs;
  return decision;
}
