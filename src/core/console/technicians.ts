// Technician accounts. A password is kept only as HMAC-SHA256(PIN key,
// salt ‖ password). The PIN key is sealed in the store, so the hash is only as
// safe as the store key: a flash dump that holds both can be brute-forced.
import { constantTimeEqual, hmacSha256, utf8, wipe } from "../crypto";
import { OptgateError } from "../errors";
import type { Random } from "../ports";
import type { Role } from "./roles";

export interface TechnicianRecord {
  id: string;
  salt: Uint8Array;
  hash: Uint8Array;
  role: Role;
}

/** Persistent technician accounts (the store on the board, memory in tests). */
export interface TechnicianDirectory {
  find(id: string): TechnicianRecord | undefined;
  save(record: TechnicianRecord): void;
  /** Deletes the account (its password hash is erased with it). */
  remove(id: string): void;
  /** Every account, without its secrets. */
  list(): { id: string; role: Role }[];
}

export const MIN_PASSWORD_LENGTH = 8;

export function hashPassword(deviceKey: Uint8Array, salt: Uint8Array, password: string): Uint8Array {
  const secret = utf8(password);
  const input = new Uint8Array(salt.length + secret.length);
  input.set(salt);
  input.set(secret, salt.length);
  const hash = hmacSha256(deviceKey, input);
  wipe(secret);
  wipe(input);
  return hash;
}

export function makeTechnician(deviceKey: Uint8Array, random: Random, id: string, password: string, role: Role): TechnicianRecord {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new OptgateError("E_WEAK_PASSWORD", `A technician password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const salt = new Uint8Array(16);
  random.fill(salt);
  return { id, salt, hash: hashPassword(deviceKey, salt, password), role };
}

/** Unknown ids are checked against a dummy record so timing does not reveal which ids exist. */
export function checkPassword(deviceKey: Uint8Array, record: TechnicianRecord | undefined, password: string): boolean {
  const salt = record?.salt ?? new Uint8Array(16);
  const expected = record?.hash ?? new Uint8Array(32);
  const ok = constantTimeEqual(hashPassword(deviceKey, salt, password), expected);
  return ok && record !== undefined;
}

/** In-memory directory, for hosts and tests; the board keeps records in the store. */
export class MemoryTechnicianDirectory implements TechnicianDirectory {
  readonly #records = new Map<string, TechnicianRecord>();
  find(id: string): TechnicianRecord | undefined {
    return this.#records.get(id);
  }
  save(record: TechnicianRecord): void {
    this.#records.set(record.id, record);
  }
  remove(id: string): void {
    this.#records.delete(id);
  }
  list(): { id: string; role: Role }[] {
    return [...this.#records.values()].map(({ id, role }) => ({ id, role }));
  }
}
