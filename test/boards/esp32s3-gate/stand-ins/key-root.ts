// The ESP32-S3 HMAC peripheral as key-root.c uses it: HMAC-SHA256 over an
// eFuse key that the firmware cannot read (the rig's world holds it; nothing
// but derive() reaches it). An unburned block answers as ESP-IDF does: an error.
import { hmacSha256 } from "../../../../src/core/crypto";
import { world } from "./rig";

export function derive(label: ArrayBuffer): ArrayBuffer {
  const key = world.efuseKey4;
  if (!key) throw new Error("key root unavailable: eFuse KEY4 not burned with purpose HMAC_UP (docs/secrets.md)");
  const bytes = new Uint8Array(label);
  if (bytes.length === 0 || bytes.length > 64) throw new RangeError("key root label: 1..64 bytes");
  return hmacSha256(key, bytes).slice().buffer;
}
