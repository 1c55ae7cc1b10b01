// Store watermarks: how far the registry's change stream reached (and a
// digest of its changes) and which settings were last written, kept in the
// board's NVS (board.nvs), outside
// the gate's store. Damage can make the store lose its newest records without
// a trace inside it (a truncated log, an erased sector holding the newest
// revocation or the newest settings): the registry would quietly roll back
// (a revoked card opens again) and the settings would fall back to older,
// perhaps looser ones; a rewrite under a valid CRC can turn a change into a
// different, still valid one (another PIN hash). Against the watermark such a
// rollback or rewrite shows, and the gate fails closed (registry quarantined,
// fail-safe settings).
//
// Order makes power cuts harmless: the registry's mark is written after the
// store commits (a cut leaves the mark behind the store, never ahead), the
// settings' marks before it, keeping the previous digest too until the store
// has the new ones (a cut leaves the store at the previous settings, which
// still match).
import { crc32 } from "../core/store/crc32";
import type { Nvs } from "./board";

const REGISTRY_GEN = "reg.gen";
const REGISTRY_LENGTH = "reg.len";
const REGISTRY_DIGEST = "reg.crc";
const SETTINGS_PREVIOUS = "set.prev";
const SETTINGS_CURRENT = "set.cur";
/** Digest of "no settings stored". */
const ABSENT = 0;

export class Watermarks {
  readonly #nvs: Nvs | undefined;

  constructor(nvs: Nvs | undefined) {
    this.#nvs = nvs;
  }

  /** After a registry change was stored: generation, length and digest (registryDigest) of its change stream. */
  registryStored(gen: number, length: number, digest: number): void {
    this.#set(REGISTRY_GEN, gen);
    this.#set(REGISTRY_LENGTH, length);
    this.#set(REGISTRY_DIGEST, digest);
  }

  /** The registry's mark, if any. */
  registryMark(): { gen: number; length: number; digest: number | undefined } | undefined {
    const gen = this.#get(REGISTRY_GEN), length = this.#get(REGISTRY_LENGTH);
    return gen === undefined || length === undefined ? undefined : { gen, length, digest: this.#get(REGISTRY_DIGEST) };
  }

  /** After an audit record was stored: how far that chain reached (truncation shows against it). */
  auditStored(log: "access" | "security", seq: number): void {
    this.#set(log === "access" ? "aud.a" : "aud.s", seq);
  }

  auditMark(log: "access" | "security"): number | undefined {
    return this.#get(log === "access" ? "aud.a" : "aud.s");
  }

  /** Before settings are stored. */
  settingsWriting(bytes: Uint8Array): void {
    this.#set(SETTINGS_PREVIOUS, this.#get(SETTINGS_CURRENT) ?? ABSENT);
    this.#set(SETTINGS_CURRENT, digest(bytes));
  }

  /** After they were stored: the previous ones no longer count. */
  settingsStored(bytes: Uint8Array): void {
    this.#set(SETTINGS_PREVIOUS, digest(bytes));
  }

  /** At boot: true when the stored settings (or their absence) are neither the last nor the previous ones written. */
  settingsRolledBack(bytes: Uint8Array | undefined): boolean {
    const current = this.#get(SETTINGS_CURRENT);
    if (current === undefined) return false;
    const found = bytes ? digest(bytes) : ABSENT;
    return found !== current && found !== this.#get(SETTINGS_PREVIOUS);
  }

  #get(key: string): number | undefined {
    try {
      const value = this.#nvs?.get(key);
      return typeof value === "number" && Number.isFinite(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  #set(key: string, value: number): void {
    try {
      this.#nvs?.set(key, value);
    } catch {
      // NVS failing takes the check away, never the gate.
    }
  }
}

/** The registry stream's digest after one more change (0 before the first). */
export function registryDigest(previous: number, change: Uint8Array): number {
  return crc32(change, 0, change.length, (previous ^ change.length) >>> 0) >>> 0;
}

/** 1..2^32: never ABSENT. */
function digest(bytes: Uint8Array): number {
  return (crc32(bytes, 0, bytes.length) >>> 0) + 1;
}
