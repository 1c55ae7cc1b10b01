// Technician accounts kept in the store: key "tech/<id>", value salt ‖ hash
// (HMAC-SHA256 under the device key, see src/core/console/technicians.ts).
// A put is one committed store transaction, so a power cut leaves either the
// old or the new password, never a mix.
import type { LogStore } from "../core/store/log-store";
import type { TechnicianDirectory, TechnicianRecord } from "../core/console/technicians";

const PREFIX = "tech/";
const SALT_BYTES = 16;
const HASH_BYTES = 32;

export class StoreTechnicianDirectory implements TechnicianDirectory {
  readonly #store: LogStore;

  constructor(store: LogStore) {
    this.#store = store;
  }

  find(id: string): TechnicianRecord | undefined {
    const value = this.#store.get(PREFIX + id);
    if (!value || value.length !== SALT_BYTES + HASH_BYTES) return undefined;
    return { id, salt: value.slice(0, SALT_BYTES), hash: value.slice(SALT_BYTES) };
  }

  save(record: TechnicianRecord): void {
    const value = new Uint8Array(SALT_BYTES + HASH_BYTES);
    value.set(record.salt.subarray(0, SALT_BYTES));
    value.set(record.hash.subarray(0, HASH_BYTES), SALT_BYTES);
    this.#store.put(PREFIX + record.id, value);
  }

  /** Ids of every account (for the console's first-boot check). */
  ids(): string[] {
    return this.#store.keys(PREFIX).map((key) => key.slice(PREFIX.length));
  }
}
