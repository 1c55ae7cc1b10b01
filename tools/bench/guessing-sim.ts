// A patient attacker at the keypad (or the card reader) against the real
// AccessCore, in simulated time: guesses at the keypad's maximum rate, waits
// out every throttle wait, never repeats a guess for a resident. Residents
// arrive now and then to type their own PIN or present their card, and we
// measure how long they wait. Expected cracks come from the guesses actually
// made: a guess at a uniformly random PIN among S possible ones hits with 1/S,
// so E[cracked] = guesses / S (the few guesses per resident are far below S).
import { AccessCore, type GuessingAlarm } from "../../src/core/access/access-core";
import { DEFAULT_LOCKOUT, type GatePolicy } from "../../src/core/access/policy";
import { weakPinReason } from "../../src/core/access/pin-rules";
import { Registry } from "../../src/core/access/registry";
import { AuditLog } from "../../src/core/audit/audit-log";
import { mulberry32 } from "../../boards/host/mulberry32";

export type Attack = "pins" | "code-trick" | "cards";

export interface GuessingOptions {
  attack: Attack;
  days: number;
  residents: number;
  pinDigits: number;
  /** Registered cards for the card attack (4-byte UIDs). */
  cards?: number;
  /** One keypad entry takes this long to type (the attacker: 2 s). */
  entryMs?: number;
  /** One card presentation (the reader's poll): 300 ms, 3.3 a second. */
  tapMs?: number;
  seed?: number;
}

export interface GuessingResult {
  /** Guesses the gate evaluated (throttled attempts are refused unread). */
  guesses: number;
  /** Size of the space each guess is drawn from (allowed PINs, or 2^32 UIDs). */
  space: number;
  /** Guesses / space, per year: residents' PINs uniform over the PINs the rules allow. */
  expectedCracksPerYear: number;
  /** The same guesses against PINs uniform over every digit string (the model, before the weak-PIN rules). */
  expectedCracksPerYearAllStrings: number;
  cracked: number;
  residentTries: number;
  residentMaxWaitMs: number;
  residentMeanWaitMs: number;
  residentRefused: number;
  cardTries: number;
  cardMaxWaitMs: number;
  firstAlarmMs: number | undefined;
}

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

export function allowedPinCount(digits: number): number {
  let n = 0;
  const max = 10 ** digits;
  for (let i = 0; i < max; i++) if (!weakPinReason(String(i).padStart(digits, "0"), 0)) n++;
  return n;
}

export function simulateGuessing(o: GuessingOptions): GuessingResult {
  const rand = mulberry32(o.seed ?? 1);
  const entryMs = o.entryMs ?? 2_000;
  const tapMs = o.tapMs ?? 300;
  const registry = new Registry({ deviceKey: new Uint8Array(32).fill(9), random: { fill: (b) => { for (let i = 0; i < b.length; i++) b[i] = (rand() * 256) | 0; } } });
  const policy: GatePolicy = {
    gateId: 1, modes: { card: true, pin: true, cardPin: false, face: false, facePin: false, code: true },
    pinLength: { min: o.pinDigits, max: 8 }, lockout: { ...DEFAULT_LOCKOUT }, timeZone: "CST-8", clockFloorMs: Date.UTC(2025, 0, 1),
    groups: [{ group: 0, schedule: { week: { mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"], fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"] } } }],
  };
  registry.setPinLength(policy.pinLength);
  const pins: string[] = [];
  const cardOf: Uint8Array[] = [];
  for (let r = 0; r < o.residents; r++) {
    let pin: string;
    const id = r + 1;
    do pin = String(Math.floor(rand() * 10 ** o.pinDigits)).padStart(o.pinDigits, "0"); while (weakPinReason(pin, id));
    const card = Uint8Array.of(0x04, (r >>> 16) & 0xff, (r >>> 8) & 0xff, r & 0xff);
    registry.addResident({ unit: `U-${r}`, role: "owner", groups: 1, pin, cards: [card] });
    pins.push(pin);
    cardOf.push(card);
  }
  // A courier's code, used up: the old bypass typed it after every few wrong PINs.
  const courier = registry.addResident({ unit: "COURIER", role: "courier", groups: 1, validUntil: T0 + 60 * DAY, codes: [{ code: "58392017", validUntil: T0 + 60 * DAY, uses: 1 }] });
  void courier;
  let firstAlarm: number | undefined;
  const core = new AccessCore({
    registry, policy, audit: new AuditLog({ capacity: 64 }),
    onGuessingAlarm: (a: GuessingAlarm) => { if (firstAlarm === undefined) firstAlarm = a.at - T0; },
  });
  core.decide({ kind: "code", keypad: 1, code: "58392017" }, T0); // the courier's one use

  const space = o.attack === "cards" ? 2 ** 32 : allowedPinCount(o.pinDigits);
  const end = T0 + o.days * DAY;
  // Each resident's guesses: a walk through the space from a random start (no repeats).
  const next = new Map<number, number>();
  let guesses = 0, cracked = 0, rr = 0;
  let residentTries = 0, residentWaitSum = 0, residentMaxWait = 0, residentRefused = 0, cardTries = 0, cardMaxWait = 0;
  let nextResident = T0 + rand() * 1_200_000;
  let now = T0 + 1_000;
  let sinceCode = 0;
  const cardSpace = o.cards ?? 40_000;
  while (now < end) {
    // A resident arrives at the keypad (every 20 min on average): waits for the keypad, types their own PIN.
    if (now >= nextResident) {
      const r = Math.floor(rand() * o.residents);
      let t = now, waited = 0;
      for (let tries = 0; tries < 3; tries++) {
        const d = core.decide({ kind: "pin", keypad: 1, resident: r + 1, pin: pins[r] }, t + entryMs);
        if (d.grant) break;
        if (d.reason !== "locked-out" || tries === 2) { residentRefused++; break; }
        waited += d.retryAfterMs ?? 0;
        t += entryMs + (d.retryAfterMs ?? 0);
      }
      residentTries++;
      residentWaitSum += waited;
      residentMaxWait = Math.max(residentMaxWait, waited);
      // And someone presents their card: it never waits for the keypad.
      const c = core.decide({ kind: "card", uid: cardOf[(r * 7) % o.residents] }, t + entryMs);
      cardTries++;
      if (!c.grant) cardMaxWait = Math.max(cardMaxWait, c.retryAfterMs ?? Infinity);
      now = t + entryMs;
      nextResident = now + rand() * 2_400_000;
      continue;
    }
    if (o.attack === "cards") {
      const uid = Uint8Array.of(0x08, (rand() * 256) | 0, (rand() * 256) | 0, (rand() * 256) | 0);
      const d = core.decide({ kind: "card", uid }, now + tapMs);
      now += tapMs;
      if (d.reason === "locked-out") now += d.retryAfterMs ?? 0;
      else guesses++;
      continue;
    }
    if (o.attack === "code-trick" && sinceCode === 4) {
      sinceCode = 0;
      const d = core.decide({ kind: "code", keypad: 1, code: "58392017" }, now + entryMs);
      now += entryMs + (d.reason === "locked-out" ? d.retryAfterMs ?? 0 : 0);
      continue;
    }
    const r = rr++ % o.residents;
    const k = next.get(r) ?? Math.floor(rand() * 10 ** o.pinDigits);
    next.set(r, (k + 1) % 10 ** o.pinDigits);
    const guess = String(k).padStart(o.pinDigits, "0");
    if (weakPinReason(guess, r + 1)) continue; // the attacker knows the rules too
    const d = core.decide({ kind: "pin", keypad: 1, resident: r + 1, pin: guess }, now + entryMs);
    now += entryMs;
    if (d.reason === "locked-out") { now += d.retryAfterMs ?? 0; continue; }
    guesses++;
    sinceCode++;
    if (d.grant) cracked++;
  }
  return {
    guesses, space,
    expectedCracksPerYear: (o.attack === "cards" ? (guesses * cardSpace) / space : guesses / space) * (365 / o.days),
    expectedCracksPerYearAllStrings: (o.attack === "cards" ? (guesses * cardSpace) / space : guesses / 10 ** o.pinDigits) * (365 / o.days),
    cracked, residentTries, residentMaxWaitMs: residentMaxWait, residentMeanWaitMs: residentTries ? residentWaitSum / residentTries : 0,
    residentRefused, cardTries, cardMaxWaitMs: cardMaxWait, firstAlarmMs: firstAlarm,
  };
}
