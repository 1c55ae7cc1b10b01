// The store's argument checks and error sentences.
import { OptgateError } from "../errors";
import { MAX_KEY } from "./format";

/** Keys starting with this are the store's own (trim marks). */
export const INTERNAL = "#";

export function storeError(code: string, sentence: string): OptgateError {
  return new OptgateError(code, sentence);
}

export function futureError(): OptgateError {
  return storeError("E_STORE_VERSION", "the flash store was written by a newer firmware format; update the firmware. The store was left untouched.");
}

export function checkKey(key: string): void {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY || key.startsWith(INTERNAL) || !/^[\x20-\x7e]+$/.test(key)) {
    throw storeError("E_STORE_KEY", `store keys are 1-${MAX_KEY} printable ASCII characters not starting with "${INTERNAL}".`);
  }
}

export function checkValue(value: Uint8Array, max: number): void {
  if (!(value instanceof Uint8Array) || value.length > max) {
    throw storeError("E_STORE_TOO_LARGE", `a stored value is at most ${max} bytes.`);
  }
}

export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
