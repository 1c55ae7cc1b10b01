// Where sealed templates and their per-resident keys live. The store helper
// implements this on flash (keys and sealed templates in separate records,
// erased sector-wise on destroy); MemoryTemplateVault is for the host and tests.

export interface VaultEntry {
  key: Uint8Array;
  sealed: Uint8Array;
}

export interface TemplateVault {
  /** Keeps one resident's key and sealed template, erasing any earlier pair first. */
  put(residentId: string, key: Uint8Array, sealed: Uint8Array): void;
  /** Copies of what is held, or undefined. */
  get(residentId: string): VaultEntry | undefined;
  /** Erases the key and the sealed bytes (overwritten, not just unlinked). False if nothing was held. */
  destroy(residentId: string): boolean;
  residents(): string[];
}

export interface MemoryVaultOptions {
  /** Sees every byte array the vault writes (the arrays it keeps), e.g. to scan or to check erasure. */
  onWrite?: (residentId: string, bytes: Uint8Array) => void;
}

export class MemoryTemplateVault implements TemplateVault {
  #entries = new Map<string, VaultEntry>();
  #options: MemoryVaultOptions;

  constructor(options: MemoryVaultOptions = {}) {
    this.#options = options;
  }

  put(residentId: string, key: Uint8Array, sealed: Uint8Array): void {
    this.destroy(residentId);
    const entry = { key: key.slice(), sealed: sealed.slice() };
    this.#entries.set(residentId, entry);
    this.#options.onWrite?.(residentId, entry.key);
    this.#options.onWrite?.(residentId, entry.sealed);
  }

  get(residentId: string): VaultEntry | undefined {
    const entry = this.#entries.get(residentId);
    return entry && { key: entry.key.slice(), sealed: entry.sealed.slice() };
  }

  destroy(residentId: string): boolean {
    const entry = this.#entries.get(residentId);
    if (!entry) return false;
    entry.key.fill(0);
    entry.sealed.fill(0);
    this.#entries.delete(residentId);
    return true;
  }

  residents(): string[] {
    return [...this.#entries.keys()];
  }
}
