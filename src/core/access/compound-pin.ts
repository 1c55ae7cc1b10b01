// PIN verifiers under a compound key (docs/sync.md "PINs across gates"):
// one 32-byte key shared by every gate of a compound and by no hub, so a PIN
// set at one gate opens the others while the hub carries only the verifier.
//
//   verifier = HMAC-SHA256(compound key, "OGP1" ‖ resident id u32 ‖ salt 4 ‖ PIN), first 16 bytes
//   key id   = HMAC-SHA256(compound key, "optgate compound pin key id v1"), first 4 bytes (never 0)
//
// A verifier carries the id of the key that made it (0: the gate's own PIN
// key, as every verifier made before the compound key existed). The resident
// id is inside the MAC: a hub that moves one resident's verifier to another
// resident moves nothing that opens. A verifier under a key this gate does not
// hold (another compound, a key since replaced) never matches, and costs the
// same time to refuse as a wrong PIN.
import { constantTimeEqual, hmacSha256, toHex, utf8, wipe } from "../crypto";
import { OptgateError } from "../errors";
import { PIN_HASH_BYTES, PIN_SALT_BYTES } from "./resident-table";
import { hashPin } from "./secrets";

export const COMPOUND_PIN_KEY_BYTES = 32;
/** Key id 0 names the gate's own PIN key (device/pin-key). */
export const DEVICE_PIN_KEY_ID = 0;
const ID_LABEL = "optgate compound pin key id v1";
const MAC_DOMAIN = utf8("OGP1");

export interface CompoundPinKey {
  key: Uint8Array;
  /** u32, never 0: what verifiers made under it carry. */
  id: number;
}

/** The keys a gate checks PINs under: its own, and the compound's once installed. */
export interface PinKeys {
  device: Uint8Array;
  compound?: CompoundPinKey;
}

function idMac(key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== COMPOUND_PIN_KEY_BYTES) {
    throw new OptgateError("E_BAD_PIN_KEY", `A compound PIN key is ${COMPOUND_PIN_KEY_BYTES} bytes.`);
  }
  return hmacSha256(key, utf8(ID_LABEL));
}

/** The key with its id (throws E_BAD_PIN_KEY for anything but 32 bytes). The key is copied. */
export function compoundPinKey(key: Uint8Array): CompoundPinKey {
  const mac = idMac(key);
  const id = (((mac[0] << 24) | (mac[1] << 16) | (mac[2] << 8) | mac[3]) >>> 0) || 1;
  wipe(mac);
  return { key: key.slice(), id };
}

/** What status shows of the key: 8 bytes of the id MAC in hex (names the key, reveals nothing of it). */
export function compoundPinKeyFingerprint(key: Uint8Array): string {
  const mac = idMac(key);
  const text = toHex(mac.subarray(0, 8));
  wipe(mac);
  return text;
}

/** The compound verifier of `pin` for `residentId` with `salt`. */
export function hashCompoundPin(key: Uint8Array, residentId: number, salt: Uint8Array, pin: string): Uint8Array {
  const digits = utf8(pin);
  const message = new Uint8Array(MAC_DOMAIN.length + 4 + PIN_SALT_BYTES + digits.length);
  message.set(MAC_DOMAIN);
  const at = MAC_DOMAIN.length;
  message[at] = residentId >>> 24; message[at + 1] = residentId >>> 16; message[at + 2] = residentId >>> 8; message[at + 3] = residentId;
  message.set(salt.subarray(0, PIN_SALT_BYTES), at + 4);
  message.set(digits, at + 4 + PIN_SALT_BYTES);
  const mac = hmacSha256(key, message);
  const out = mac.slice(0, PIN_HASH_BYTES);
  wipe(message);
  wipe(digits);
  wipe(mac);
  return out;
}

/**
 * Constant-time check of `pin` against a verifier made under key `keyId`
 * (0: the device key). A verifier under a key the gate does not hold is
 * hashed anyway (under the device key) and refused, so the refusal takes a
 * wrong PIN's time.
 */
export function pinMatchesUnder(keys: PinKeys, keyId: number, residentId: number, salt: Uint8Array, stored: Uint8Array, pin: string): boolean {
  const compound = keys.compound;
  const usable = keyId === DEVICE_PIN_KEY_ID || (compound !== undefined && compound.id === keyId);
  const candidate = keyId !== DEVICE_PIN_KEY_ID && usable ? hashCompoundPin(compound!.key, residentId, salt, pin) : hashPin(keys.device, salt, pin);
  const ok = constantTimeEqual(candidate, stored);
  wipe(candidate);
  return ok && usable;
}
