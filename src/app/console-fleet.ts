// The console's hub and Wi-Fi settings (hub ..., wifi ...) over the store
// (hub-settings.ts). Each change is audited as setting-changed with a detail
// that names what changed and never a password, and tells the firmware's
// link, which restarts with the new settings.
import type { FleetConsole, HubView, WifiView } from "../core/console/backend";
import { toHex } from "../core/crypto";
import { OptgateError } from "../core/errors";
import { keyIdOf } from "../core/sync/messages";
import { caDerFromText, inspectCa } from "../core/tls/ca-certificate";
import type { ConsoleAccounts } from "./console-accounts";
import type { SettingsStore } from "./console-settings";
import {
  checkBrokerPassword, checkSsid, checkWifiPassword, MAX_HUB_KEYS, parseHubKey, readBrokerPassword, readHubSettings, readHubTls, readWifiSettings,
  writeBrokerPassword, writeHubSettings, writeHubTls, writeWifiSettings, type HubSettings, type HubTls,
} from "./hub-settings";

/** What the firmware's fleet link supplies (src/app/console-backend.ts ConsoleHooks). */
export interface FleetHooks {
  /** The link's state for hub show; "not connected" without it. */
  hubStatus?: () => string;
  /** Hub or Wi-Fi settings changed at the console: the link restarts with them. */
  onFleetSettingsChanged?: () => void;
}

export class ConsoleFleet implements FleetConsole {
  constructor(
    private readonly store: SettingsStore,
    private readonly accounts: ConsoleAccounts,
    private readonly gate: { id: number; publicKey?: () => Uint8Array; sealKey?: () => Uint8Array | undefined },
    private readonly hooks: FleetHooks,
  ) {}

  hubShow(): HubView {
    const { settings, damage } = readHubSettings(this.store);
    const password = readBrokerPassword(this.store);
    const tls = readHubTls(this.store);
    const ca = tls.settings?.ca ? inspectCa(tls.settings.ca) : undefined;
    return {
      enabled: settings !== undefined, host: settings?.host ?? null, port: settings?.port ?? null, compound: settings?.compoundId ?? null,
      keys: (settings?.hubKeys ?? []).map((key, i) => ({ slot: i + 1, fingerprint: fingerprint(key), keyId: toHex(keyIdOf(key)) })),
      gateId: this.gate.id,
      gateKey: this.gate.publicKey ? toHex(this.gate.publicKey()) : null,
      sealKey: sealKeyHex(this.gate.sealKey?.()),
      password: password.settings !== undefined,
      transport: tls.settings?.transport ?? null,
      ca: ca ? { fingerprint: ca.fingerprint, notBefore: ca.notBefore, notAfter: ca.notAfter } : null,
      link: this.hooks.hubStatus?.() ?? "not connected",
      damage: damage ?? password.damage ?? tls.damage ?? null,
    };
  }

  hubSet(_actor: string, host: string, port: number, compound: number, key: string | undefined): HubView {
    // A key given starts the trust afresh (a new hub); without one, the keys held stay.
    const hubKeys = key !== undefined ? [parseHubKey(key)] : readHubSettings(this.store).settings?.hubKeys;
    if (!hubKeys) throw new OptgateError("E_HUB_KEY_REQUIRED", "This gate holds no hub key yet: give the hub's public key too: hub set <host> <port> <compound> <key>.");
    return this.#commitHub({ compoundId: compound, host, port, hubKeys }, `hub c${compound} ${host}:${port}`);
  }

  hubKeyAdd(_actor: string, hex: string): HubView {
    const key = parseHubKey(hex);
    const settings = this.#hub();
    if (settings.hubKeys.some((k) => toHex(k) === toHex(key))) throw new OptgateError("E_DUPLICATE_KEY", `Hub key ${fingerprint(key)}... is already trusted.`);
    if (settings.hubKeys.length >= MAX_HUB_KEYS) {
      throw new OptgateError("E_TOO_MANY_KEYS", `A gate trusts at most ${MAX_HUB_KEYS} hub keys (the old and the new during a rotation); remove one first: hub key remove <1|2>.`);
    }
    return this.#commitHub({ ...settings, hubKeys: [...settings.hubKeys, key] }, `hub key +${fingerprint(key)}`);
  }

  hubKeyRemove(_actor: string, slot: number): HubView {
    const settings = this.#hub();
    const key = settings.hubKeys[slot - 1];
    if (!key) throw new OptgateError("E_NO_KEY", `There is no hub key ${slot}; hub show lists them.`);
    if (settings.hubKeys.length === 1) throw new OptgateError("E_LAST_KEY", "That is the only hub key: add the new one first (hub key add), or take the gate off the hub (hub off).");
    return this.#commitHub({ ...settings, hubKeys: settings.hubKeys.filter((_, i) => i !== slot - 1) }, `hub key -${fingerprint(key)}`);
  }

  hubOff(_actor: string): HubView {
    writeHubSettings(this.store, undefined);
    writeBrokerPassword(this.store, undefined);
    writeHubTls(this.store, undefined);
    this.#changed("hub off");
    return this.hubShow();
  }

  hubPasswordCheck(password: string): void {
    if (password !== "") checkBrokerPassword(password);
  }

  hubPassword(_actor: string, password: string): HubView {
    writeBrokerPassword(this.store, password === "" ? undefined : password);
    this.#changed(password === "" ? "hub password cleared" : "hub password set");
    return this.hubShow();
  }

  hubTransport(_actor: string, transport: "tcp" | "tls"): HubView {
    const tls = this.#tls();
    if (tls.transport === transport) return this.hubShow();
    writeHubTls(this.store, { ...tls, transport });
    this.#changed(`hub transport ${tls.transport} -> ${transport}`);
    return this.hubShow();
  }

  hubCa(_actor: string, text: string | undefined): HubView {
    const tls = this.#tls();
    if (text === undefined) {
      if (!tls.ca) return this.hubShow();
      writeHubTls(this.store, { transport: tls.transport });
      this.#changed(`hub ca -${inspectCa(tls.ca).fingerprint.slice(0, 16)}`);
      return this.hubShow();
    }
    const ca = caDerFromText(text);
    const info = inspectCa(ca);
    writeHubTls(this.store, { transport: tls.transport, ca });
    this.#changed(`hub ca +${info.fingerprint.slice(0, 16)}`);
    return this.hubShow();
  }

  wifiShow(): WifiView {
    const { settings, damage } = readWifiSettings(this.store);
    return { enabled: settings !== undefined, ssid: settings?.ssid ?? null, open: settings ? settings.password === "" : null, damage: damage ?? null };
  }

  wifiCheck(ssid: string, password?: string): void {
    checkSsid(ssid);
    if (password !== undefined) checkWifiPassword(password);
  }

  wifiSet(_actor: string, ssid: string, password: string): WifiView {
    writeWifiSettings(this.store, { ssid, password });
    this.#changed(`wifi ${password === "" ? "open " : ""}${ssid}`);
    return this.wifiShow();
  }

  wifiOff(_actor: string): WifiView {
    writeWifiSettings(this.store, undefined);
    this.#changed("wifi off");
    return this.wifiShow();
  }

  /** The readable hub settings a key change starts from. */
  #hub(): HubSettings {
    const { settings, damage } = readHubSettings(this.store);
    if (settings) return settings;
    if (damage) throw new OptgateError("E_SETTINGS_DAMAGED", `The stored hub settings cannot be read; set them again with their key: hub set <host> <port> <compound> <key>.`);
    throw new OptgateError("E_NO_HUB", "No hub is set; set it first: hub set <host> <port> <compound> <key>.");
  }

  /** The transport settings a change starts from; damaged ones start from tls without a CA (the link stays down, nothing goes in clear). */
  #tls(): HubTls {
    return readHubTls(this.store).settings ?? { transport: "tls" };
  }

  #commitHub(settings: HubSettings, detail: string): HubView {
    writeHubSettings(this.store, settings); // checks every field first
    this.#changed(detail);
    return this.hubShow();
  }

  /** The audit detail (no secret), then the link is told. */
  #changed(detail: string): void {
    this.accounts.explain(detail);
    this.hooks.onFleetSettingsChanged?.();
  }
}

/** A hub key as a technician compares it with what the hub prints: its first 8 bytes. */
function fingerprint(key: Uint8Array): string {
  return toHex(key.subarray(0, 8));
}

function sealKeyHex(key: Uint8Array | undefined): string | null {
  return key ? toHex(key) : null;
}
