// TEMPORARY (replaced by the hub-console branch's module at merge): the agreed API only.
import type { SettingsStore } from "./console-settings";
export const HUB_SETTINGS_KEY = "fleet/hub";
export interface HubSettings { compoundId: number; host: string; port: number; hubKeys: Uint8Array[] }
export function readHubSettings(store: SettingsStore): { settings?: HubSettings; damage?: string } {
  const bytes = store.get(HUB_SETTINGS_KEY);
  if (!bytes) return {};
  const o = JSON.parse(String.fromCharCode(...bytes)) as { compoundId: number; host: string; port: number; hubKeys: number[][] };
  return { settings: { ...o, hubKeys: o.hubKeys.map((k) => Uint8Array.from(k)) } };
}
export function writeHubSettings(store: SettingsStore, settings: HubSettings | undefined): void {
  if (!settings) { store.delete?.(HUB_SETTINGS_KEY); return; }
  const text = JSON.stringify({ ...settings, hubKeys: settings.hubKeys.map((k) => Array.from(k)) });
  store.put(HUB_SETTINGS_KEY, Uint8Array.from(text, (c) => c.charCodeAt(0)));
}
