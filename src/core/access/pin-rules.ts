// What makes a new PIN acceptable: long enough for the gate's rule, and not
// one a guesser tries first. People pick repeats (111111, 121212), runs
// (123456, 987654), their own resident number and dates; a guesser who knows
// that starts there, so those are refused when a PIN is set. PINs set before
// these rules keep working and are flagged (pinQuality) once they are typed.
import type { PinLength } from "./secrets";
import { PIN_QUALITIES, type PinQuality } from "./resident-table";

/** Shortest PIN the keypad still accepts, so PINs set under older rules keep working. */
export const PIN_ENTRY_MIN = 4;

/** Why `pin` is a guessable choice for resident `id`, or undefined. Digits only are assumed. */
export function weakPinReason(pin: string, id: number): string | undefined {
  if (repeatsABlock(pin)) return "it repeats a digit or a group of digits";
  if (isRun(pin)) return "it is a run of consecutive digits";
  if (containsResidentNumber(pin, id)) return "it contains the resident number";
  if (isDate(pin)) return "it reads as a date";
  return undefined;
}

/** The quality a PIN that was just typed (or set) has under the gate's rule. */
export function pinQualityOf(pin: string, length: PinLength, id: number): PinQuality {
  if (pin.length < length.min) return "short";
  return weakPinReason(pin, id) === undefined ? "ok" : "weak";
}

export function pinQualityIndex(quality: PinQuality): number {
  return PIN_QUALITIES.indexOf(quality);
}

function repeatsABlock(pin: string): boolean {
  for (let block = 1; block <= pin.length >> 1; block++) {
    if (pin.length % block !== 0) continue;
    if (pin.slice(0, block).repeat(pin.length / block) === pin) return true;
  }
  return false;
}

/** Every step +1 or every step -1, wrapping 9 → 0 (789012) as keypads invite. */
function isRun(pin: string): boolean {
  for (const step of [1, 9]) {
    let run = true;
    for (let i = 1; i < pin.length && run; i++) run = (pin.charCodeAt(i - 1) - 48 + step) % 10 === pin.charCodeAt(i) - 48;
    if (run) return true;
  }
  return false;
}

function containsResidentNumber(pin: string, id: number): boolean {
  if (!(Number.isInteger(id) && id > 0)) return false;
  const digits = String(id);
  // Short numbers are common substrings of any PIN; what people do with them is pad them.
  if (digits.length >= 3) return pin.includes(digits);
  const padded = pin.length > digits.length ? "0".repeat(pin.length - digits.length) + digits : digits;
  return pin === padded || pin === digits + "0".repeat(Math.max(0, pin.length - digits.length));
}

function isDate(pin: string): boolean {
  const n = (from: number, to: number) => Number(pin.slice(from, to));
  const dayMonth = (d: number, m: number) => m >= 1 && m <= 12 && d >= 1 && d <= 31;
  const year4 = (y: number) => y >= 1900 && y <= 2099;
  switch (pin.length) {
    case 4: return dayMonth(n(0, 2), n(2, 4)) || dayMonth(n(2, 4), n(0, 2)) || year4(n(0, 4));
    case 6: return dayMonth(n(0, 2), n(2, 4)) || dayMonth(n(2, 4), n(0, 2)) || dayMonth(n(4, 6), n(2, 4)) || (year4(n(0, 4)) && n(4, 6) >= 1 && n(4, 6) <= 12);
    case 8: return (dayMonth(n(0, 2), n(2, 4)) && year4(n(4, 8))) || (dayMonth(n(2, 4), n(0, 2)) && year4(n(4, 8))) || (year4(n(0, 4)) && dayMonth(n(6, 8), n(4, 6)));
    default: return false;
  }
}
