// What the firmware's boot opens beside its own logic: the settings view of
// the store (lost keys read as absent), the trusted-set record of the clock,
// the RTC, a registry that denies everything when its loader failed, and the
// version list the DAMAGE lines show. Split from firmware.ts to keep it to
// the gate's life cycle.
import type { LogStore } from "../core/store/log-store";
import { Registry } from "../core/access/registry";
import type { SettingsStore } from "./console-settings";
import type { Board } from "./board";
import type { BatteryClock } from "./clock-source";
import { Pcf8563 } from "../drivers/pcf8563";

/**
 * The store as the console backend sees it: a key whose newest record was
 * lost reads as absent (an older technician password must not work again)
 * until it is written anew.
 */
export function withoutDamaged(store: LogStore, damagedKeys: readonly string[]): SettingsStore {
  const lost = new Set(damagedKeys);
  return {
    get: (key) => (lost.has(key) ? undefined : store.get(key)),
    put: (key, value, options) => {
      store.put(key, value, options);
      lost.delete(key);
    },
    // A sealed record (an account, the Wi-Fi password) is erased from flash, not only forgotten.
    delete: (key) => {
      store.delete(key);
      lost.delete(key);
    },
    keys: (prefix) => store.keys(prefix),
  };
}

/** "1, 2, 5", or for many the first eight and the count. */
export function versionList(versions: readonly number[]): string {
  const shown = versions.slice(0, 8).join(", ");
  return versions.length > 8 ? `${shown} ... (${versions.length} in all)` : shown;
}

/** A registry that loads nothing and denies every credential (its loader failed outright). */
export function quarantined(deviceKey: Uint8Array, random: Board["random"]): Registry {
  const registry = new Registry({ deviceKey, random });
  registry.quarantine("the registry could not be loaded");
  return registry;
}

/** clock/trusted-set: f64 wall time of the last trusted clock set (technician, or the hub's time on an untrusted clock). */
export function trustedSetRecord(store: LogStore): { read(): number | undefined; write(ms: number): void } {
  const KEY = "clock/trusted-set";
  return {
    read() {
      const bytes = store.get(KEY);
      return bytes && bytes.length === 8 ? new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0) : undefined;
    },
    write(ms) {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, ms);
      store.put(KEY, bytes);
    },
  };
}

/** The board's RTC, or undefined when it has none or the bus cannot be opened (logged). */
export function openRtc(board: Board): BatteryClock | undefined {
  if (!board.device.rtc) return undefined;
  try {
    return new Pcf8563(board.device.rtc);
  } catch (error) {
    board.log(`clock: RTC unavailable (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}
