// The retained payload on optgate/C/G/online (docs/sync.md): "1" and the
// firmware the gate runs ("1 optgate/0.1.0") when it connects, "0" as its last
// will. Unsigned like the topic itself: the broker's per-gate ACL is what
// stands behind it, and the hub only shows it (gates page), never acts on it.

/** Longest firmware id carried ("name/version", printable ASCII without spaces). */
export const MAX_FIRMWARE_ID = 40;
const FIRMWARE_ID = /^[\x21-\x7e]{1,40}$/;

export interface OnlineFlag {
  online: boolean;
  /** What the gate said it runs, when it said it in a form the hub can show. */
  firmware?: string;
}

export function encodeOnline(firmware: string): Uint8Array {
  const text = FIRMWARE_ID.test(firmware) ? `1 ${firmware}` : "1";
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

export function parseOnline(payload: Uint8Array): OnlineFlag {
  if (payload.length === 0 || payload[0] !== 0x31) return { online: false };
  if (payload.length === 1) return { online: true };
  if (payload[1] !== 0x20 || payload.length > 2 + MAX_FIRMWARE_ID) return { online: false };
  let text = "";
  for (let i = 2; i < payload.length; i++) text += String.fromCharCode(payload[i]);
  return FIRMWARE_ID.test(text) ? { online: true, firmware: text } : { online: false };
}
