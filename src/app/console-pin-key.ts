// `pin key` and `pin key install <sealed>` (docs/console.md): the compound PIN
// key's status, and installing it from the blob the provisioning CLI sealed to
// this gate (tools/optgate pin-key). The gate opens it with its own seal key,
// for its gate id and the compound its hub settings name; anything else
// (another gate's, another compound's, altered, the wrong length) is refused
// and nothing changes. The key is stored sealed first, then put in force; the
// console audits the command (its detail holds ciphertext only) and status
// shows the key's fingerprint, never the key.
import { compoundPinKeyFingerprint } from "../core/access/compound-pin";
import type { Registry } from "../core/access/registry";
import { FLAG_PIN } from "../core/access/resident-table";
import type { PinKeyConsole, PinKeyView } from "../core/console/backend";
import { wipe } from "../core/crypto";
import { OptgateError } from "../core/errors";
import type { SealKeyPair } from "../core/sync/gate-seal";
import { fromBase64, openPinKey } from "../core/sync/pin-key-seal";
import { COMPOUND_PIN_KEY } from "./compound-pin-key";
import type { SettingsStore } from "./console-settings";
import { readHubSettings } from "./hub-settings";

export interface PinKeyGate {
  id: number;
  registry: () => Registry;
  sealKeys: () => SealKeyPair | undefined;
  /** Why the key held cannot be used (its DAMAGE line), else undefined. */
  damage?: () => string | undefined;
  /** Told after a key was installed (the firmware clears its DAMAGE line). */
  onInstalled?: () => void;
  /** The audit record's detail for the install (console-accounts.ts explain). */
  explain?: (detail: string) => void;
}

export class ConsolePinKey implements PinKeyConsole {
  #fingerprint: string | undefined;

  constructor(private readonly store: SettingsStore, private readonly gate: PinKeyGate, initialKey?: Uint8Array) {
    if (initialKey) this.#fingerprint = compoundPinKeyFingerprint(initialKey);
  }

  show(): PinKeyView {
    const registry = this.gate.registry(), t = registry.residents, keyId = registry.compoundPinKeyId;
    const pins = { device: 0, compound: 0, other: 0 };
    for (let row = 0; row < t.size; row++) {
      if ((t.flags[row] & FLAG_PIN) === 0) continue;
      const id = t.pinKeyIdAt(row);
      if (id === 0) pins.device++;
      else if (id === keyId) pins.compound++;
      else pins.other++;
    }
    return {
      installed: keyId !== undefined,
      fingerprint: keyId === undefined ? null : this.#fingerprint ?? null,
      keyId: keyId === undefined ? null : keyId.toString(16).padStart(8, "0"),
      compound: readHubSettings(this.store).settings?.compoundId ?? null,
      pins,
      damage: this.gate.damage?.() ?? null,
    };
  }

  install(_actor: string, sealedText: string): PinKeyView {
    const compound = readHubSettings(this.store).settings?.compoundId;
    if (compound === undefined) throw new OptgateError("E_HUB_NOT_SET", "The key is sealed for a compound: set the hub first (hub set), then install it.");
    const keys = this.gate.sealKeys();
    if (!keys) throw new OptgateError("E_SEAL_BAD_KEY", "This gate has no seal key (no audit store): a sealed PIN key cannot be opened here.");
    const key = openPinKey(keys, fromBase64(sealedText.trim()), { gateId: this.gate.id, compoundId: compound });
    try {
      this.store.put(COMPOUND_PIN_KEY, key, { sealed: true });
      this.gate.registry().setCompoundPinKey(key);
      this.#fingerprint = compoundPinKeyFingerprint(key);
    } finally {
      wipe(key);
    }
    this.gate.onInstalled?.();
    const view = this.show();
    this.gate.explain?.(`pin key ${view.fingerprint} id ${view.keyId}`);
    return view;
  }
}
