import { DEFAULT_LOCKOUT } from "../../../src/core/access/policy";
// Portable scale set-up shared by the scale test and the access benchmark
// (tools/bench/suites/20-access.ts): n residents with two 7-byte cards each and a precomputed PIN hash,
// loaded through Registry.apply like a store replaying changes at boot.
import { encodeChange } from "../../../src/core/access/changes";
import type { GatePolicy } from "../../../src/core/access/policy";
import { Registry } from "../../../src/core/access/registry";

/** 2026-06-03 10:00 in UTC+8. */
export const NOW = Date.UTC(2026, 5, 3, 2, 0);

export function cardFor(i: number, k: number): Uint8Array {
  return Uint8Array.from([0x04, k + 1, (i >>> 16) & 255, (i >>> 8) & 255, i & 255, 0x5a, 0x11]);
}

export function buildResidents(n: number): Registry {
  const registry = new Registry({ deviceKey: new Uint8Array(32).fill(7), random: { fill: (b: Uint8Array) => { b.fill(1); } } });
  registry.reserve(n, 2 * n);
  const pin = { salt: Uint8Array.from([1, 2, 3, 4]), hash: new Uint8Array(16).fill(0x5c) };
  for (let i = 1; i <= n; i++) {
    registry.apply(encodeChange({
      kind: "add-resident", id: i, role: i % 10 === 0 ? 2 : 0, status: 0, groups: i % 10 === 0 ? 3 : 1, from: 0, until: 0xffffffff,
      unit: `B${i % 40}-${i % 1000}`, pin, cards: [cardFor(i, 0), cardFor(i, 1)], codes: [],
    }));
  }
  return registry;
}

const allDay = ["00:00-24:00"];
export const benchPolicy: GatePolicy = {
  gateId: 1,
  modes: { card: true, pin: true, cardPin: true, face: false, facePin: false, code: true },
  pinLength: { min: 4, max: 8 },
  lockout: { ...DEFAULT_LOCKOUT },
  timeZone: "CST-8",
  clockFloorMs: Date.UTC(2025, 0, 1),
  groups: [
    { group: 0, schedule: { week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } } },
    { group: 1, schedule: { week: { mon: ["07:00-19:00"], tue: ["07:00-19:00"], wed: ["07:00-19:00"], thu: ["07:00-19:00"], fri: ["07:00-19:00"] }, holidays: ["2026-10-01"] } },
  ],
};
