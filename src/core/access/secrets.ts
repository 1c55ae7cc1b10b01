// PINs and one-time codes are kept only as keyed hashes under the device key:
// HMAC-SHA256(deviceKey, salt ‖ PIN) for PINs, HMAC-SHA256(deviceKey, "C" ‖
// code) for codes (unsalted so a typed code can be looked up; the device key
// keeps it unguessable offline). Both are truncated to 16 bytes: 128 bits is
// far beyond what a 4-8 digit secret carries, and it keeps 20,000 residents
// within the memory budget. Checks compare in constant time.
import { constantTimeEqual, hmacSha256, utf8, wipe } from "../crypto";
import { OptgateError } from "../errors";
import { PIN_HASH_BYTES, PIN_SALT_BYTES } from "./resident-table";

export const CODE_HASH_BYTES = 16;

export interface PinLength {
  min: number;
  max: number;
}

/** New PINs: 6-8 digits (a 4-digit PIN falls to a patient guesser; see docs/guessing.md). */
export const DEFAULT_PIN_LENGTH: PinLength = { min: 6, max: 8 };

export function checkPinLength(length: PinLength): void {
  if (!length || !Number.isInteger(length.min) || !Number.isInteger(length.max) || length.min < 4 || length.max > 12 || length.min > length.max) {
    throw new OptgateError("E_BAD_POLICY", "PIN length must be whole digits with 4 <= min <= max <= 12.");
  }
}

export function pinProblem(pin: string, length: PinLength): string | undefined {
  if (typeof pin !== "string" || !/^[0-9]*$/.test(pin)) return "must be digits only";
  if (pin.length < length.min || pin.length > length.max) return `must have ${length.min}-${length.max} digits`;
  return undefined;
}

export function checkPin(pin: string, length: PinLength): void {
  const problem = pinProblem(pin, length);
  if (problem) throw new OptgateError("E_BAD_PIN", `A PIN ${problem}.`);
}

export function hashPin(deviceKey: Uint8Array, salt: Uint8Array, pin: string): Uint8Array {
  const message = new Uint8Array(PIN_SALT_BYTES + pin.length);
  message.set(salt.subarray(0, PIN_SALT_BYTES));
  message.set(utf8(pin), PIN_SALT_BYTES);
  const mac = hmacSha256(deviceKey, message);
  const out = mac.slice(0, PIN_HASH_BYTES);
  wipe(message);
  wipe(mac);
  return out;
}

/** Constant-time check of `pin` against a stored salt and hash (views into the columns). */
export function pinMatches(deviceKey: Uint8Array, salt: Uint8Array, stored: Uint8Array, pin: string): boolean {
  const candidate = hashPin(deviceKey, salt, pin);
  const ok = constantTimeEqual(candidate, stored);
  wipe(candidate);
  return ok;
}

/** One-time visitor/courier codes: 6-10 digits, so they cannot be confused with a PIN entry. */
export function codeProblem(code: string): string | undefined {
  if (typeof code !== "string" || !/^[0-9]{6,10}$/.test(code)) return "must be 6-10 digits";
  return undefined;
}

export function hashCode(deviceKey: Uint8Array, code: string): Uint8Array {
  const mac = hmacSha256(deviceKey, utf8("C" + code));
  const out = mac.slice(0, CODE_HASH_BYTES);
  wipe(mac);
  return out;
}
