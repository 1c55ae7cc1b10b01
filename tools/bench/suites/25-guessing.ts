// A patient attacker at the keypad and at the card reader for 30 simulated
// days against 600 residents, on the real AccessCore with default settings
// (guessing-sim.ts; docs/guessing.md explains the model and the limits).
import type { BenchRow, BenchSuite } from "../harness";
import { simulateGuessing, type Attack } from "../guessing-sim";

const DAYS = 30;

function rows(label: string, attack: Attack, pinDigits: number): BenchRow[] {
  const r = simulateGuessing({ attack, days: DAYS, residents: 600, pinDigits, cards: 40_000 });
  const out: BenchRow[] = [];
  if (attack === "cards") {
    out.push({ case: `${label}: unknown UIDs evaluated in ${DAYS} days`, value: r.guesses, unit: "tries", note: "made-up 4-byte UIDs at 3.3/s, throttle waits honoured" });
    out.push({ case: `${label}: expected hits per year at 40,000 cards`, value: round(r.expectedCracksPerYear), unit: "hits", note: "tries × 40,000 / 2^32; 7-byte UIDs make it ~0" });
    out.push({ case: `${label}: longest wait of a resident's card during the attack`, value: r.cardMaxWaitMs / 1000, unit: "s", target: "<= 30" });
  } else {
    out.push({ case: `${label}: PIN guesses evaluated in ${DAYS} days`, value: r.guesses, unit: "guesses", note: `1 entry / 2 s, ${r.cracked} cracked in the run` });
    out.push({ case: `${label}: expected PINs cracked per keypad-year`, value: round(r.expectedCracksPerYearAllStrings), unit: "PINs", target: pinDigits === 6 ? "<= 1" : "", note: `PINs uniform over all ${10 ** pinDigits} strings` });
    out.push({ case: `${label}: the same, PINs uniform over the ${r.space} the rules allow`, value: round(r.expectedCracksPerYear), unit: "PINs", note: "the weak-PIN list shrinks the space a uniform attacker searches" });
    out.push({ case: `${label}: longest wait of a resident typing the right PIN`, value: r.residentMaxWaitMs / 1000, unit: "s", target: "<= 30", note: `mean ${(r.residentMeanWaitMs / 1000).toFixed(1)} s over ${r.residentTries} arrivals, ${r.residentRefused} refused` });
  }
  out.push({ case: `${label}: first guessing alarm after`, value: (r.firstAlarmMs ?? NaN) / 60_000, unit: "min", target: "<= 60" });
  out.push({ case: `${label}: cards delayed by the keypad`, value: attack === "cards" ? 0 : r.cardMaxWaitMs, unit: "ms", target: attack === "cards" ? "" : "0" });
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const suite: BenchSuite = {
  name: "guessing",
  async run() {
    return [
      ...rows("6-digit PINs, spread over 600 residents", "pins", 6),
      ...rows("4-digit PINs (pin.min 4)", "pins", 4),
      ...rows("6-digit PINs, used-up courier code after every 4 guesses", "code-trick", 6),
      ...rows("card guessing", "cards", 6),
    ];
  },
};
export default suite;
