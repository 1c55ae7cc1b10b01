// The audit chain's key. A record's chain hash is HMAC-SHA256(key, record):
// without the key nobody can re-link a chain after changing, dropping or
// reordering records, so an edit shows as a break even when the forger fixes
// every store CRC. The gate derives the key from its key root (secrets.md) and
// never exports it; host tools verify through signed heads (head-signature.ts).
import { keyedHmacSha256 } from "../crypto";
import { OptgateError } from "../errors";

export const AUDIT_KEY_BYTES = 32;

export class AuditKey {
  readonly #mac: (record: Uint8Array) => Uint8Array;

  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length !== AUDIT_KEY_BYTES) throw new OptgateError("E_BAD_AUDIT_KEY", `An audit key is ${AUDIT_KEY_BYTES} bytes.`);
    this.#mac = keyedHmacSha256(key.slice());
  }

  /** The chain hash of one record's bytes. */
  mac(record: Uint8Array): Uint8Array {
    return this.#mac(record);
  }
}

/**
 * The all-zero key: for logs that only live in RAM (tests, a core without a
 * store). It detects accidents, not forgers; a gate always has its own key.
 */
export const UNKEYED = new AuditKey(new Uint8Array(AUDIT_KEY_BYTES));
