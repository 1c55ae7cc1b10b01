// The compound PIN key at the installer's host (docs/secrets.md "The compound
// PIN key"): made here, kept here (a 0600 file the compound's operator keeps
// offline, never on the hub), and sealed to each gate's X25519 seal key for
// its gate id and compound, so only that gate can open what crosses the
// console, the ticket or the laptop.
//   optgate pin-key new --key-file f                                  make a key (refuses to overwrite)
//   optgate pin-key seal --key-file f --gate G --compound C --seal-key HEX   print the sealed key (base64)
//   optgate pin-key install --key-file f --port ...                   read the gate's ids (hub show), seal, install
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { COMPOUND_PIN_KEY_BYTES, compoundPinKeyFingerprint } from "../../src/core/access/compound-pin";
import { fromHex, toHex } from "../../src/core/crypto";
import { sealPinKey, toBase64 } from "../../src/core/sync/pin-key-seal";

const FILE_TAG = "optgate compound PIN key v1";

/** A new key file: the tag line, then 64 hex digits. */
export function newKeyFile(path: string): string {
  if (existsSync(path)) throw new Error(`${path} exists: a compound has one key (pin-key new refuses to replace it).`);
  const key = randomBytes(COMPOUND_PIN_KEY_BYTES);
  writeFileSync(path, `${FILE_TAG}\n${toHex(key)}\n`, { mode: 0o600, flag: "wx" });
  return compoundPinKeyFingerprint(key);
}

export function readKeyFile(path: string): Uint8Array {
  const [tag, hex] = readFileSync(path, "utf8").split(/\r?\n/);
  if (tag !== FILE_TAG || !/^[0-9a-f]{64}$/.test(hex ?? "")) throw new Error(`${path} is not an optgate compound PIN key file.`);
  return fromHex(hex);
}

/** The key sealed to one gate, as `pin key install` takes it. */
export function sealFor(key: Uint8Array, gate: { gateId: number; compoundId: number; sealKeyHex: string }): string {
  if (!/^[0-9a-f]{64}$/i.test(gate.sealKeyHex)) throw new Error("A gate's seal key is 64 hex digits (hub show: seal key).");
  const random = { fill: (b: Uint8Array) => b.set(randomBytes(b.length)) };
  return toBase64(sealPinKey(fromHex(gate.sealKeyHex.toLowerCase()), key, { gateId: gate.gateId, compoundId: gate.compoundId }, random));
}

/** What `hub show --json` says of the gate: its id, seal key and compound. */
export function gateFromHubShow(view: { gateId?: number; sealKey?: string | null; compound?: number | null }): { gateId: number; compoundId: number; sealKeyHex: string } {
  if (typeof view.gateId !== "number") throw new Error("The gate did not say its id.");
  if (!view.sealKey) throw new Error("The gate has no seal key (no audit store): it cannot take a sealed PIN key.");
  if (typeof view.compound !== "number") throw new Error("The gate has no hub set: set the hub first (hub set), the key is sealed for its compound.");
  return { gateId: view.gateId, compoundId: view.compound, sealKeyHex: view.sealKey };
}
