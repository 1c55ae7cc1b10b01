// The PIN key: the secret that keys PIN, code and technician password hashes,
// kept sealed in the store ("device/pin-key"). It is made once, on a gate
// that holds nothing yet. It is never replaced quietly: when it cannot be read
// back (its record damaged, or the store key that seals it lost) on a gate
// that holds data, a new key is made in the same transaction as
//   - a damage marker ("device/pin-key-damage"), shown as DAMAGE in status
//     at every boot until a technician clears it (damage clear), and
//   - the removal of every technician account: their password hashes were
//     keyed by the lost key, so none can log in; installation mode then
//     provisions a technician again, at the gate (src/app/installation.ts).
// Residents' PINs were keyed by the lost key too: they must be set again
// (pin set); cards, codes issued afterwards and the exit button are unaffected.
//
// A board with a key root (board.ts keyRoot) derives the PIN key instead and
// never stores it: nothing on flash then lets an attacker test PIN or
// password guesses offline. A gate that already stored a key keeps it (its
// PINs were made with it); it is sealed under the root-wrapped store key.
import { isOptgateError } from "../core/errors";
import type { Random } from "../core/ports";
import type { LogStore, StoreOp } from "../core/store/log-store";
import { utf8 } from "../core/crypto";

export const PIN_KEY = "device/pin-key";
export const PIN_KEY_DAMAGE = "device/pin-key-damage";
const TECH_PREFIX = "console/tech/";
const KEY_BYTES = 32;

export interface PinKeyState {
  key: Uint8Array;
  /** Why the key in use is not the one PINs and passwords were made with (until cleared), else undefined. */
  damage?: string;
  /** The damage was found at this boot (audit it once). */
  foundNow: boolean;
}

/** True when the gate holds something the PIN key protects (a technician, a registry change). */
function holdsKeyedData(store: LogStore): boolean {
  return store.keys(TECH_PREFIX).length > 0 || store.has("registry/gen") || store.streamLength("registry") > 0;
}

/**
 * Reads the PIN key, or makes it (fresh gate), or replaces a damaged one
 * visibly (see the top of this file). `lost`: the store saw the key's record
 * damaged, so an older copy it may still index is not trusted either.
 */
export function loadPinKey(store: LogStore, random: Random, lost: boolean, log: (line: string) => void, keyRoot?: { derive(label: string): Uint8Array }): PinKeyState {
  if (keyRoot && !lost && !store.has(PIN_KEY)) return { key: keyRoot.derive("pin-key"), damage: markerText(store), foundNow: false };
  let why: string | undefined = lost ? "its record was damaged on flash" : store.report.keyLost ? "the store key that sealed it was lost" : undefined;
  let held: Uint8Array | undefined;
  try {
    held = store.get(PIN_KEY);
  } catch (error) {
    why ??= isOptgateError(error) ? `it does not open: ${error.code}` : "it cannot be read";
  }
  if (held && held.length !== KEY_BYTES) why = "it has the wrong length";
  if (held && !why) return { key: held, damage: markerText(store), foundNow: false };
  if (why && !holdsKeyedData(store) && !store.has(PIN_KEY)) why = undefined; // nothing was ever keyed by it
  if (!why && !holdsKeyedData(store)) return { key: fresh(store, random, [], log), foundNow: false };
  const damage = `PIN key lost (${why ?? "its record is missing"}): a new key is in use; residents must set their PINs again, technicians were removed (installation mode)`;
  const ops: StoreOp[] = [{ put: PIN_KEY_DAMAGE, value: utf8(damage) }];
  for (const tech of store.keys(TECH_PREFIX)) ops.push({ delete: tech });
  return { key: fresh(store, random, ops, log), damage, foundNow: true };
}

/** A technician's acknowledgement (after PINs were set again): the DAMAGE line goes. */
export function clearPinKeyDamage(store: LogStore): boolean {
  if (!store.has(PIN_KEY_DAMAGE)) return false;
  store.delete(PIN_KEY_DAMAGE);
  return true;
}

function fresh(store: LogStore, random: Random, with_: StoreOp[], log: (line: string) => void): Uint8Array {
  const key = new Uint8Array(KEY_BYTES);
  random.fill(key);
  try {
    store.commit([{ put: PIN_KEY, value: key, sealed: true }, ...with_]);
  } catch (error) {
    // Full, or the flash refusing writes: the gate still serves, with this key in RAM.
    log(`store: ${error instanceof Error ? error.message : String(error)} The PIN key lives in RAM until the next boot.`);
  }
  return key;
}

function markerText(store: LogStore): string | undefined {
  try {
    const bytes = store.get(PIN_KEY_DAMAGE);
    if (!bytes) return undefined;
    let text = "";
    for (const b of bytes) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "?";
    return text;
  } catch {
    return "PIN key damage noted earlier (the note itself is unreadable)";
  }
}
