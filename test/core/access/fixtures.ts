import { DEFAULT_LOCKOUT } from "../../../src/core/access/policy";
// Shared set-up for the access-core tests (portable: runs in Node and XS).
import type { Random } from "../../../src/core/ports";
import { Registry } from "../../../src/core/access/registry";
import type { GatePolicy } from "../../../src/core/access/policy";

export const deviceKey = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 0xff);

/** Deterministic xorshift "randomness" so salts differ but tests repeat. */
export function testRandom(seed = 0x12345678): Random {
  let s = seed >>> 0 || 1;
  return {
    fill(bytes: Uint8Array) {
      for (let i = 0; i < bytes.length; i++) {
        s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
        bytes[i] = s & 0xff;
      }
    },
  };
}

export function newRegistry(): Registry {
  return new Registry({ deviceKey, random: testRandom() });
}

export function uid(...bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}

/** 2026-06-03 (a Wednesday) at hh:mm local time in UTC+8, as ms since epoch. */
export function at(date: string, hhmm: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = hhmm.split(":").map(Number);
  return Date.UTC(y, m - 1, d, hh, mm) - 8 * 3_600_000;
}

export function basePolicy(overrides: Partial<GatePolicy> = {}): GatePolicy {
  return {
    gateId: 1,
    modes: { card: true, pin: true, cardPin: true, face: true, facePin: true, code: true },
    pinLength: { min: 4, max: 8 },
    lockout: { ...DEFAULT_LOCKOUT },
    timeZone: "CST-8",
    clockFloorMs: Date.UTC(2025, 0, 1),
    groups: [
      // group 0: residents, around the clock
      { group: 0, schedule: { week: { mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"], fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"] } } },
      // group 1: staff, weekdays in two shifts, the night shift across midnight, closed on holidays
      { group: 1, schedule: { week: { mon: ["07:00-12:00", "13:00-18:00"], tue: ["07:00-12:00", "13:00-18:00"], wed: ["07:00-12:00", "13:00-18:00"], thu: ["07:00-12:00", "13:00-18:00"], fri: ["07:00-12:00", "22:00-06:00"] }, holidays: ["2026-10-01"] } },
    ],
    ...overrides,
  };
}
