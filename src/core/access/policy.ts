// Per-gate policy: which credential modes this gate accepts, PIN length,
// lockout, time zone, and the schedule of each access group that may use it.
// Validated once by compilePolicy(); the access core trusts the result.
//
// PIN-only entry identifies the resident by their resident number typed first:
// "<resident number>#<PIN>" (e.g. 42#482913 for R00042). Units can house
// several residents and PINs are not unique, so neither alone identifies.
import { parseTimeZone, type TimeZone } from "../time/posix-tz";
import { OptgateError } from "../errors";
import type { PinLength } from "./secrets";
import { Schedule, type ScheduleSpec } from "./schedule";
import { GROUP_COUNT } from "./types";
import { LIVENESS_CHECKS, type LivenessSetting } from "../ports";

export interface Modes {
  card: boolean;
  pin: boolean;
  cardPin: boolean;
  face: boolean;
  facePin: boolean;
  /** One-time visitor/courier codes at the keypad. */
  code: boolean;
  /**
   * Face identification 1:N (the bare face key searches every consenting
   * resident). Off when absent: the safe default is 1:1, the resident number
   * typed first and the face verified against that one template (DESIGN.md §4).
   */
  faceOneToN?: boolean;
}

export interface LockoutSettings {
  /** Failures a keypad (or card reader) absorbs before attempts have to wait. */
  keypadThreshold: number;
  /** Wrong PINs for one resident before their PIN is refused (card entry is unaffected). */
  residentThreshold: number;
  /** First wait once the throttle engages; each further failure doubles it. */
  baseDelayMs: number;
  /** Longest wait: what a resident arriving during an attack waits at most. */
  maxDelayMs: number;
  /** A keypad or reader forgets one failure per this many ms. */
  leakMs: number;
  /** A resident's PIN forgets one failure per this many ms. */
  residentLeakMs: number;
}

export interface GatePolicy {
  gateId: number;
  modes: Modes;
  pinLength: PinLength;
  lockout: LockoutSettings;
  /** POSIX TZ string (China: "CST-8"). Schedules and typed dates are in local time. */
  timeZone: string;
  /** A clock before this (ms since epoch) was never set (RTC at 1970 after power loss). */
  clockFloorMs: number;
  /** Schedules by access-group bit; a resident's groups not listed here do not open this gate. */
  groups: { group: number; schedule: ScheduleSpec }[];
  /**
   * Presentation-attack check on every face-session frame ("off" when absent).
   * Off by default: measured only for false rejects on genuine faces, never
   * against attacks (docs/face-models.md, "Presentation attacks").
   */
  faceLiveness?: LivenessSetting;
}

export interface CompiledPolicy extends Omit<GatePolicy, "groups"> {
  zone: TimeZone;
  /** Schedule per group bit, or undefined when the group has no access here. */
  schedules: (Schedule | undefined)[];
  /** Bits of the groups that have a schedule at this gate. */
  groupMask: number;
}

/**
 * At one keypad entry per 2 s, a patient guesser is held to one try per 32 s
 * (about 985,000 a year: under one 6-digit PIN a year), a resident arriving
 * during the attack waits at most 30 s, and one resident's PIN takes 5 wrong
 * tries and then one an hour (see docs/guessing.md and `npm run bench guessing`).
 */
export const DEFAULT_LOCKOUT: LockoutSettings = {
  keypadThreshold: 5, residentThreshold: 5, baseDelayMs: 2_000, maxDelayMs: 30_000, leakMs: 60_000, residentLeakMs: 3_600_000,
};
/** 2025-01-01T00:00:00Z: no gate was installed before it, so an earlier clock was never set. */
export const DEFAULT_CLOCK_FLOOR_MS = 1_735_689_600_000;

export function compilePolicy(policy: GatePolicy): CompiledPolicy {
  const bad = (why: string): never => { throw new OptgateError("E_BAD_POLICY", `Gate policy: ${why}.`); };
  if (!policy || typeof policy !== "object") bad("it is missing");
  if (!Number.isInteger(policy.gateId) || policy.gateId < 0 || policy.gateId > 0xffff) bad("gateId must be 0-65535");
  const m = policy.modes;
  if (!m || ["card", "pin", "cardPin", "face", "facePin", "code"].some((k) => typeof (m as unknown as Record<string, unknown>)[k] !== "boolean")) {
    bad("modes needs card, pin, cardPin, face, facePin and code as true/false");
  }
  if (m.faceOneToN !== undefined && typeof m.faceOneToN !== "boolean") bad("modes.faceOneToN must be true/false when given");
  if (!m.card && !m.pin && !m.cardPin && !m.code) bad("at least one non-face mode (card, pin, cardPin, code) must be on: face is never required");
  const p = policy.pinLength;
  if (!p || !Number.isInteger(p.min) || !Number.isInteger(p.max) || p.min < 4 || p.max > 12 || p.min > p.max) bad("pinLength must be whole digits with 4 <= min <= max <= 12");
  const l = policy.lockout;
  if (!l || !(l.keypadThreshold >= 1 && l.residentThreshold >= 1 && l.residentThreshold <= 200 && l.baseDelayMs >= 0 && l.maxDelayMs >= l.baseDelayMs && l.leakMs >= 1000 && l.residentLeakMs >= 1000)) {
    bad("lockout needs thresholds >= 1 (resident <= 200), 0 <= baseDelayMs <= maxDelayMs and leak times >= 1 s");
  }
  if (policy.faceLiveness !== undefined && policy.faceLiveness !== "off" && !LIVENESS_CHECKS.includes(policy.faceLiveness)) {
    bad(`faceLiveness must be off or ${LIVENESS_CHECKS.join(" or ")}`);
  }
  let zone: TimeZone;
  try { zone = parseTimeZone(policy.timeZone); } catch (error) { bad(`timeZone: ${(error as Error).message}`); }
  if (!(policy.clockFloorMs >= 0)) bad("clockFloorMs must be a time in ms");
  const schedules: (Schedule | undefined)[] = new Array(GROUP_COUNT).fill(undefined);
  let groupMask = 0;
  for (const entry of policy.groups ?? []) {
    if (!Number.isInteger(entry.group) || entry.group < 0 || entry.group >= GROUP_COUNT) bad(`group ${entry.group} is not 0-31`);
    if (schedules[entry.group]) bad(`group ${entry.group} is listed twice`);
    schedules[entry.group] = new Schedule(entry.schedule);
    groupMask |= 1 << entry.group;
  }
  return {
    gateId: policy.gateId,
    modes: { ...m },
    pinLength: { ...p },
    lockout: { ...l },
    timeZone: policy.timeZone,
    zone: zone!,
    clockFloorMs: policy.clockFloorMs,
    faceLiveness: policy.faceLiveness ?? "off",
    schedules,
    groupMask: groupMask >>> 0,
  };
}
