// The fleet settings a technician types at the console (docs/console.md,
// docs/sync.md): which hub this gate syncs with and the hub keys it trusts,
// and the Wi-Fi network it reaches the broker through. Each is one small
// binary record with a version byte, checked field by field when written and
// again when read: bytes from flash that do not check come back as damage
// (one DAMAGE line), never as an exception and never as half a setting.
//
//   hub   v1: version 1 | compound u32 | port u16 | host length u8 | host (ASCII) | key count u8 | keys (32 B each)
//   wifi  v1: version 1 | ssid length u8 | ssid (UTF-8) | password length u8 | password (ASCII)
//   tls   v1: version 1 | transport u8 (0 tcp, 1 tls) | CA length u16 | CA certificate (DER, 0..2048 B)
//
// No tls record means plain TCP (gates set before TLS existed keep working);
// a tls record that does not read back keeps the link down, never on TCP.
//
// The Wi-Fi record is sealed in the store (its password is a secret at rest);
// the hub record holds only public values.
import { decodeUtf8 } from "../core/console/utf8-decode";
import { fromHex, utf8 } from "../core/crypto";
import { OptgateError } from "../core/errors";
import { isDottedIpv4 } from "../core/net-address";
import { inspectCa, MAX_CA_BYTES } from "../core/tls/ca-certificate";
import type { SettingsStore } from "./console-settings";

export const HUB_SETTINGS_KEY = "fleet/hub";
export const WIFI_SETTINGS_KEY = "fleet/wifi";
/** The broker password of this gate's MQTT user (gate-<compound>-<gate> in Mosquitto's password file). */
export const HUB_PASSWORD_KEY = "fleet/hub-password";

/** How the link reaches the broker, and the CA its certificate must chain to (hub transport, hub ca). */
export const HUB_TLS_KEY = "fleet/hub-tls";

export type HubTransport = "tcp" | "tls";

export interface HubTls {
  transport: HubTransport;
  /** The CA certificate (DER) that signed the broker's; none until hub ca. */
  ca?: Uint8Array;
}

export interface HubSettings {
  compoundId: number;
  host: string;
  port: number;
  /** 1..2 Ed25519 public keys (32 B): two while the hub rotates its key. */
  hubKeys: Uint8Array[];
}

export interface WifiSettings {
  ssid: string;
  /** 8..63 printable ASCII characters (WPA2 passphrase), or "" for an open network. */
  password: string;
}

const VERSION = 1;
const KEY_BYTES = 32;
export const MAX_HUB_KEYS = 2;
const MAX_HOST = 63;
const MAX_SSID_BYTES = 32;

// ---- validation (the same rules for what is typed and what is read back) ----

function checkCompoundId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > 0xffff_ffff) throw new OptgateError("E_BAD_HUB_SETTING", "The compound id is a whole number 1..4294967295 (the hub's compound).");
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new OptgateError("E_BAD_HUB_SETTING", "The port is a whole number 1..65535 (8883 for MQTT over TLS).");
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A DNS name (letters, digits, hyphens; dots between labels) or a dotted IPv4 address, at most 63 characters. */
function checkHost(host: string): void {
  const refuse = (why: string) => new OptgateError("E_BAD_HUB_SETTING", `The hub host ${why}; give a DNS name (hub.example.org) or a dotted IPv4 address (192.168.1.20), at most ${MAX_HOST} characters.`);
  if (host.length === 0) throw refuse("is empty");
  if (host.length > MAX_HOST) throw refuse(`is ${host.length} characters long`);
  const labels = host.split(".");
  if (!labels.every((l) => LABEL.test(l))) throw refuse("has a character or a label a host name cannot have");
  // A name never ends in an all-digit label: such a host is an IPv4 address, and must be a real one.
  if (/^\d+$/.test(labels[labels.length - 1]) && !isDottedIpv4(host)) {
    throw refuse("is not a dotted IPv4 address (four numbers 0..255, no leading zeros)");
  }
}

function checkHubKeys(keys: Uint8Array[]): void {
  if (keys.length < 1 || keys.length > MAX_HUB_KEYS) throw new OptgateError("E_BAD_HUB_SETTING", "A gate holds one or two hub keys (two only while the hub rotates its key).");
  for (const key of keys) if (key.length !== KEY_BYTES) throw new OptgateError("E_BAD_HUB_KEY", "A hub key is 32 bytes (an Ed25519 public key).");
  if (keys.length === 2 && sameBytes(keys[0], keys[1])) throw new OptgateError("E_BAD_HUB_SETTING", "The two hub keys are the same key.");
}

function checkHubSettings(s: HubSettings): void {
  checkCompoundId(s.compoundId);
  checkPort(s.port);
  checkHost(s.host);
  checkHubKeys(s.hubKeys);
}

/** 1..32 bytes of UTF-8, no control characters. */
export function checkSsid(ssid: string): void {
  const bytes = utf8(ssid).length;
  if (bytes < 1 || bytes > MAX_SSID_BYTES) throw new OptgateError("E_BAD_WIFI_SETTING", `An SSID is 1..${MAX_SSID_BYTES} bytes (this one is ${bytes}).`);
  if (/[\x00-\x1f\x7f]/.test(ssid)) throw new OptgateError("E_BAD_WIFI_SETTING", "An SSID cannot hold control characters.");
}

/** 8..63 printable ASCII characters, or empty for an open network. The refusal never repeats the password. */
export function checkWifiPassword(password: string): void {
  if (password === "") return;
  if (password.length < 8 || password.length > 63 || !/^[\x20-\x7e]+$/.test(password)) {
    throw new OptgateError("E_BAD_WIFI_SETTING", "A Wi-Fi password is 8..63 printable ASCII characters, or empty for an open network.");
  }
}

/** 1..64 printable ASCII characters (what mosquitto_passwd was given). The refusal never repeats it. */
export function checkBrokerPassword(password: string): void {
  if (password.length < 1 || password.length > 64 || !/^[\x20-\x7e]+$/.test(password)) {
    throw new OptgateError("E_BAD_HUB_SETTING", "A broker password is 1..64 printable ASCII characters.");
  }
}

/** A hub public key as `npm run hub` prints it: 64 hex digits. */
export function parseHubKey(hex: string): Uint8Array {
  if (!/^[0-9A-Fa-f]{64}$/.test(hex)) {
    throw new OptgateError("E_BAD_HUB_KEY", `A hub key is 64 hex digits (the hub's Ed25519 public key, printed by npm run hub); got ${hex.length} character(s)${/^[0-9A-Fa-f]*$/.test(hex) ? "" : ", not all hex"}.`);
  }
  return fromHex(hex);
}

// ---- hub ----

function encodeHubSettings(s: HubSettings): Uint8Array {
  checkHubSettings(s);
  const host = utf8(s.host); // ASCII, checked above
  const out = new Uint8Array(1 + 4 + 2 + 1 + host.length + 1 + KEY_BYTES * s.hubKeys.length);
  const view = new DataView(out.buffer);
  out[0] = VERSION;
  view.setUint32(1, s.compoundId);
  view.setUint16(5, s.port);
  out[7] = host.length;
  out.set(host, 8);
  let at = 8 + host.length;
  out[at++] = s.hubKeys.length;
  for (const key of s.hubKeys) { out.set(key, at); at += KEY_BYTES; }
  return out;
}

function decodeHubSettings(bytes: Uint8Array): HubSettings {
  const r = new Reader(bytes);
  r.version();
  const compoundId = r.u32();
  const port = r.u16();
  const host = r.ascii(r.u8());
  const count = r.u8();
  if (count < 1 || count > MAX_HUB_KEYS) throw damaged(`hold ${count} hub keys`);
  const hubKeys: Uint8Array[] = [];
  for (let i = 0; i < count; i++) hubKeys.push(r.bytes(KEY_BYTES));
  r.end();
  const s = { compoundId, host, port, hubKeys };
  checkHubSettings(s);
  return s;
}

export function readHubSettings(store: SettingsStore): { settings?: HubSettings; damage?: string } {
  return read(store, HUB_SETTINGS_KEY, decodeHubSettings, "hub settings", "this gate stays off the fleet hub until an installer sets them again (hub set)");
}

export function writeHubSettings(store: SettingsStore, settings: HubSettings | undefined): void {
  if (settings === undefined) remove(store, HUB_SETTINGS_KEY);
  else store.put(HUB_SETTINGS_KEY, encodeHubSettings(settings));
}

// ---- transport and CA ----

function encodeHubTls(s: HubTls): Uint8Array {
  if (s.transport !== "tcp" && s.transport !== "tls") throw new OptgateError("E_BAD_HUB_SETTING", "The transport is tcp or tls.");
  const ca = s.ca ?? new Uint8Array(0);
  if (ca.length > 0) inspectCa(ca);
  const out = new Uint8Array(4 + ca.length);
  out[0] = VERSION;
  out[1] = s.transport === "tls" ? 1 : 0;
  out[2] = ca.length >> 8;
  out[3] = ca.length & 0xff;
  out.set(ca, 4);
  return out;
}

function decodeHubTls(bytes: Uint8Array): HubTls {
  const r = new Reader(bytes);
  r.version();
  const t = r.u8();
  if (t > 1) throw damaged(`name a transport (it holds ${t})`);
  const length = r.u16();
  if (length > MAX_CA_BYTES) throw damaged("hold a CA certificate of a possible size");
  const ca = r.bytes(length);
  r.end();
  if (length > 0) inspectCa(ca);
  return { transport: t === 1 ? "tls" : "tcp", ...(length > 0 ? { ca } : {}) };
}

/** No record: plain TCP, no CA. */
export function readHubTls(store: SettingsStore): { settings?: HubTls; damage?: string } {
  const stored = read(store, HUB_TLS_KEY, decodeHubTls, "hub transport settings", "the link stays down until an installer sets them again (hub transport, hub ca)");
  return stored.damage || stored.settings ? stored : { settings: { transport: "tcp" } };
}

/** Undefined removes the record (plain TCP, no CA). */
export function writeHubTls(store: SettingsStore, settings: HubTls | undefined): void {
  if (settings === undefined) remove(store, HUB_TLS_KEY);
  else store.put(HUB_TLS_KEY, encodeHubTls(settings));
}

// ---- Wi-Fi ----

function encodeWifiSettings(s: WifiSettings): Uint8Array {
  checkSsid(s.ssid);
  checkWifiPassword(s.password);
  const ssid = utf8(s.ssid);
  const password = utf8(s.password); // ASCII, checked above
  const out = new Uint8Array(1 + 1 + ssid.length + 1 + password.length);
  out[0] = VERSION;
  out[1] = ssid.length;
  out.set(ssid, 2);
  out[2 + ssid.length] = password.length;
  out.set(password, 3 + ssid.length);
  return out;
}

function decodeWifiSettings(bytes: Uint8Array): WifiSettings {
  const r = new Reader(bytes);
  r.version();
  const ssid = r.text(r.u8());
  const password = r.ascii(r.u8());
  r.end();
  checkSsid(ssid);
  checkWifiPassword(password);
  return { ssid, password };
}

export function readWifiSettings(store: SettingsStore): { settings?: WifiSettings; damage?: string } {
  return read(store, WIFI_SETTINGS_KEY, decodeWifiSettings, "Wi-Fi settings", "no Wi-Fi until an installer sets them again (wifi set)");
}

/** Sealed in the store; undefined removes them (a sealed record is erased from flash, not only forgotten). */
export function writeWifiSettings(store: SettingsStore, settings: WifiSettings | undefined): void {
  if (settings === undefined) remove(store, WIFI_SETTINGS_KEY);
  else store.put(WIFI_SETTINGS_KEY, encodeWifiSettings(settings), { sealed: true });
}

// ---- broker password ----

export function readBrokerPassword(store: SettingsStore): { settings?: string; damage?: string } {
  return read(store, HUB_PASSWORD_KEY, decodeBrokerPassword, "the broker password", "the broker refuses this gate until an installer sets it again (hub password)");
}

/** Sealed in the store; undefined removes it (erased from flash). */
export function writeBrokerPassword(store: SettingsStore, password: string | undefined): void {
  if (password === undefined) { remove(store, HUB_PASSWORD_KEY); return; }
  checkBrokerPassword(password);
  const out = new Uint8Array(2 + password.length);
  out[0] = VERSION;
  out[1] = password.length;
  for (let i = 0; i < password.length; i++) out[2 + i] = password.charCodeAt(i);
  store.put(HUB_PASSWORD_KEY, out, { sealed: true });
}

function decodeBrokerPassword(bytes: Uint8Array): string {
  const r = new Reader(bytes);
  r.version();
  const password = r.ascii(r.u8());
  r.end();
  checkBrokerPassword(password);
  return password;
}

// ---- internals ----

function read<T>(store: SettingsStore, key: string, decode: (bytes: Uint8Array) => T, what: string, consequence: string): { settings?: T; damage?: string } {
  const damage = (why: string) => ({ damage: `${what} unreadable (${why}): ${consequence}` });
  let bytes: Uint8Array | undefined;
  try {
    bytes = store.get(key);
  } catch (error) {
    // A sealed record from another chip, a read error: the store's own sentence is about its record, not these settings.
    return damage(`the store could not read them${error instanceof OptgateError ? `: ${error.code}` : ""}`);
  }
  if (bytes === undefined) return {};
  try {
    return { settings: decode(bytes) };
  } catch (error) {
    return damage(error instanceof OptgateError ? error.message : "they do not decode");
  }
}

function remove(store: SettingsStore, key: string): void {
  let present = true; // a record that cannot be read is there all the same, and goes too
  try { present = store.get(key) !== undefined; } catch { /* unreadable */ }
  if (!present) return;
  if (!store.delete) throw new OptgateError("E_UNSUPPORTED", "This gate's store cannot remove settings.");
  store.delete(key);
}

function damaged(what: string): OptgateError {
  return new OptgateError("E_SETTINGS_DAMAGED", `the stored record does not ${what}`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Reads a record front to back; running past its end, or not reaching it, is damage. */
class Reader {
  readonly #data: Uint8Array;
  #at = 0;

  constructor(data: Uint8Array) {
    this.#data = data;
  }

  version(): void {
    const v = this.u8();
    if (v !== VERSION) throw new OptgateError("E_SETTINGS_DAMAGED", `the stored record has version ${v}, this firmware reads ${VERSION}`);
  }

  u8(): number {
    return this.bytes(1)[0];
  }

  u16(): number {
    const b = this.bytes(2);
    return (b[0] << 8) | b[1];
  }

  u32(): number {
    const b = this.bytes(4);
    return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  }

  bytes(n: number): Uint8Array {
    if (this.#at + n > this.#data.length) throw damaged("hold all its fields (cut short)");
    const out = this.#data.slice(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  ascii(n: number): string {
    const b = this.bytes(n);
    let text = "";
    for (let i = 0; i < b.length; i++) {
      if (b[i] < 0x20 || b[i] > 0x7e) throw damaged("hold printable text");
      text += String.fromCharCode(b[i]);
    }
    return text;
  }

  text(n: number): string {
    const text = decodeUtf8(this.bytes(n), n);
    if (text === undefined) throw damaged("hold UTF-8 text");
    return text;
  }

  end(): void {
    if (this.#at !== this.#data.length) throw damaged("end where its fields end");
  }
}
