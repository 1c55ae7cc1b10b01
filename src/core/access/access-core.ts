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
import type { AuditLog } from "../audit/audit-log";
import { LockoutCounter } from "./lockout";
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

export class AccessCore {
  readonly registry: Registry;
  readonly audit: AuditLog;
  #policy: CompiledPolicy;
  readonly #keypads: LockoutCounter;
  readonly #residents: LockoutCounter;

  constructor(options: { registry: Registry; policy: GatePolicy; audit: AuditLog }) {
    this.registry = options.registry;
    this.audit = options.audit;
    this.#policy = compilePolicy(options.policy);
    this.#keypads = new LockoutCounter(() => this.#policy.lockout.keypadThreshold, () => this.#policy.lockout);
    this.#residents = new LockoutCounter(() => this.#policy.lockout.residentThreshold, () => this.#policy.lockout);
  }

  get policy(): CompiledPolicy { return this.#policy; }

  /** Replaces the policy (validated first; the old one stays on error). */
  setPolicy(policy: GatePolicy): void { this.#policy = compilePolicy(policy); }

  clockTrusted(now: number): boolean {
    return typeof now === "number" && now >= this.#policy.clockFloorMs && now >= this.audit.watermark;
  }

  /** Decides, records the attempt in the audit log, and returns the decision. */
  decide(event: AccessEvent, now: number): Decision {
    const trusted = this.clockTrusted(now);
    const decision = this.#decide(event, now, trusted);
    const kind: AuditKind = event && (event.kind === "card" || event.kind === "pin" || event.kind === "code" || event.kind === "face" || event.kind === "exit") ? event.kind : "malformed-event";
    const keypad = event && "keypad" in event && typeof event.keypad === "number" ? event.keypad : undefined;
    this.audit.append({
      time: Number.isFinite(now) ? now : 0,
      actorKind: decision.resident !== undefined ? "resident" : keypad !== undefined && keypad >= 0 ? "keypad" : "none",
      actor: decision.resident ?? (keypad !== undefined && keypad >= 0 && keypad <= 0xffffffff ? keypad >>> 0 : 0),
      kind,
      decision: decision.grant ? "grant" : "deny",
      reason: decision.reason,
    });
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
    else if (row < 0) {
      const wait = this.#keypads.remaining(key, now);
      if (wait > 0) decision = deny("locked-out", trusted, undefined, wait);
      else {
        this.#keypads.fail(key, now);
        decision = deny("unknown-resident", trusted);
      }
    } else decision = this.#checkPin(key, resident, row, pin, now, trusted) ?? grant(trusted, resident);
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
        const cards = this.registry.cards;
        const cardRow = cards.find(event.uid);
        if (cardRow < 0) return deny("unknown-card", trusted);
        const id = cards.ownerAt(cardRow);
        const row = this.registry.residents.find(id);
        if (withPin) {
          const denied = this.#checkPin(keypadOf(event.keypad), id, row, event.pin as string, now, trusted);
          if (denied) return denied;
        }
        return this.#admit(row, id, now, trusted);
      }

      case "pin": {
        const keypad = keypadOf(event.keypad);
        const wait = this.#keypads.remaining(keypad, now);
        if (wait > 0) return deny("locked-out", trusted, undefined, wait);
        if (!modes.pin) return deny("mode-not-allowed", trusted);
        const row = Number.isInteger(event.resident) ? this.registry.residents.find(event.resident) : -1;
        if (row < 0) {
          this.#keypads.fail(keypad, now);
          return deny("unknown-resident", trusted);
        }
        const denied = this.#checkPin(keypad, event.resident, row, event.pin, now, trusted);
        return denied ?? this.#admit(row, event.resident, now, trusted);
      }

      case "code": {
        const keypad = keypadOf(event.keypad);
        const wait = this.#keypads.remaining(keypad, now);
        if (wait > 0) return deny("locked-out", trusted, undefined, wait);
        if (!modes.code) return deny("mode-not-allowed", trusted);
        const entry = this.registry.findCode(event.code);
        if (!entry) {
          this.#keypads.fail(keypad, now);
          return deny("unknown-code", trusted);
        }
        this.#keypads.succeed(keypad);
        const id = entry.resident;
        const row = this.registry.residents.find(id);
        if (entry.uses === 0) return deny("code-used-up", trusted, id);
        if (!trusted) return deny("clock-untrusted", trusted, id);
        const nowS = Math.floor(now / 1000);
        if (nowS < entry.from) return deny("code-not-yet-valid", trusted, id);
        if (nowS >= entry.until) return deny("code-expired", trusted, id);
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
          const denied = this.#checkPin(keypadOf(event.keypad), id, row, event.pin, now, trusted);
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

  /** PIN step shared by pin, card+pin and face+pin; undefined when the PIN is right. */
  #checkPin(keypad: number, id: ResidentId, row: number, pin: string, now: number, trusted: boolean): Decision | undefined {
    const keypadWait = this.#keypads.remaining(keypad, now);
    const residentWait = this.#residents.remaining(id, now);
    if (keypadWait > 0 || residentWait > 0) return deny("locked-out", trusted, id, Math.max(keypadWait, residentWait));
    if (pinProblem(pin, this.#policy.pinLength)) {
      this.#keypads.fail(keypad, now);
      return deny("bad-input", trusted, id);
    }
    if (!this.registry.pinMatchesAt(row, pin)) {
      this.#keypads.fail(keypad, now);
      this.#residents.fail(id, now);
      return deny("wrong-pin", trusted, id);
    }
    this.#keypads.succeed(keypad);
    this.#residents.succeed(id);
    return undefined;
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
