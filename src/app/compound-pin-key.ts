// The compound PIN key on the gate's flash: "device/compound-pin-key", sealed
// under the store key like device/pin-key (never in clear on flash), written
// in one store commit (a power cut leaves the old key or the new one, never a
// mix). It arrives sealed to this gate (src/core/sync/pin-key-seal.ts,
// `pin key install`); the hub never holds it (docs/secrets.md).
//
// A key that cannot be read back is a DAMAGE line, not a silent new key: the
// PINs residents set at other gates stop opening here (card, codes, the exit
// button and PINs under this gate's own key are unaffected) until an installer
// installs it again. New PINs meanwhile are made under the gate's own key.
import { COMPOUND_PIN_KEY_BYTES } from "../core/access/compound-pin";
import { isOptgateError } from "../core/errors";
import type { LogStore } from "../core/store/log-store";

export const COMPOUND_PIN_KEY = "device/compound-pin-key";

export interface CompoundPinKeyState {
  key?: Uint8Array;
  /** Why a key once installed cannot be used, else undefined. */
  damage?: string;
}

const AGAIN = "PINs set at other gates do not open here until it is installed again (pin key install)";

/** `lost`: the store saw the key's newest record damaged (an older copy is not trusted either). */
export function loadCompoundPinKey(store: LogStore, lost: boolean): CompoundPinKeyState {
  if (lost) return { damage: `compound PIN key lost (its record was damaged on flash): ${AGAIN}` };
  let key: Uint8Array | undefined;
  try {
    key = store.get(COMPOUND_PIN_KEY);
  } catch (error) {
    return { damage: `compound PIN key unreadable (${isOptgateError(error) ? error.code : "it cannot be read"}): ${AGAIN}` };
  }
  if (key === undefined) return {};
  if (key.length !== COMPOUND_PIN_KEY_BYTES) return { damage: `compound PIN key has the wrong length: ${AGAIN}` };
  return { key };
}
