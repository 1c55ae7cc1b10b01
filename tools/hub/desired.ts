// From desired state to registry changes (pure). A resident's desired record
// at a gate is the canonical form the gate also digests (sync/inventory.ts);
// the changes that turn the old record into the new one are ordered so every
// step keeps the registry's invariant (an active resident always holds a
// card or PIN): credentials added first, then the fields, then credentials
// removed.
import { decodeChange, type Change } from "../../src/core/access/changes";
import { MAX_CHANGES_PER_SET, MAX_CHANGE_BYTES, MAX_MESSAGE_BYTES } from "../../src/core/sync/messages";
import type { CanonicalResident } from "../../src/core/sync/inventory";
import { NO_FROM, NO_UNTIL, ROLES, STATUSES, UNIT_MAX, MAX_CARDS_PER_RESIDENT, type Role, type Status, toStoredSeconds } from "../../src/core/access/types";
import { checkUid } from "../../src/core/access/uid";
import { PIN_HASH_BYTES, PIN_SALT_BYTES } from "../../src/core/access/resident-table";

/** A resident as the office enters it (times in ms); the PIN as a verifier made elsewhere. */
export interface ResidentInput {
  id: number;
  unit: string;
  role: Role;
  status?: Status;
  groups: number;
  validFrom?: number;
  validUntil?: number;
  /** keyId: the compound PIN key's id it was made under (a gate's report); absent: a gate's own key. */
  pin?: { salt: Uint8Array; hash: Uint8Array; keyId?: number };
  cards: Uint8Array[];
}

export function toCanonical(input: ResidentInput): CanonicalResident {
  if (!Number.isInteger(input.id) || input.id < 1 || input.id > 0xffffff) throw new Error(`Resident id ${input.id} is out of range (1..16777215).`);
  const role = ROLES.indexOf(input.role), status = STATUSES.indexOf(input.status ?? "active");
  if (role < 0) throw new Error(`Role ${input.role} is unknown.`);
  if (status < 0) throw new Error(`Status ${String(input.status)} is unknown.`);
  if (!/^[\x20-\x7e]*$/.test(input.unit) || input.unit.length > UNIT_MAX) throw new Error(`Unit "${input.unit}" must be printable ASCII, at most ${UNIT_MAX} characters.`);
  if (!Number.isInteger(input.groups) || input.groups < 0 || input.groups > 0xffffffff) throw new Error("Groups is a 32-bit mask.");
  if (input.cards.length > MAX_CARDS_PER_RESIDENT) throw new Error(`At most ${MAX_CARDS_PER_RESIDENT} cards per resident.`);
  for (const uid of input.cards) checkUid(uid);
  if (input.pin && (input.pin.salt.length !== PIN_SALT_BYTES || input.pin.hash.length !== PIN_HASH_BYTES)) throw new Error("A PIN verifier is a 4-byte salt and a 16-byte hash.");
  return {
    id: input.id, role, status, groups: input.groups, unit: input.unit,
    from: input.validFrom === undefined ? NO_FROM : toStoredSeconds(input.validFrom, "validFrom"),
    until: input.validUntil === undefined ? NO_UNTIL : toStoredSeconds(input.validUntil, "validUntil"),
    pin: input.pin, cards: input.cards,
  };
}

export function fromRecord(record: Uint8Array): CanonicalResident {
  const change = decodeChange(record);
  if (change.kind !== "add-resident") throw new Error("A desired record is an add-resident change.");
  return change;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const same = (a?: Uint8Array, b?: Uint8Array) => (a && b ? hex(a) === hex(b) : a === b);

/** The changes that bring a gate holding `before` to `after` (either may be absent). */
export function residentChanges(before: CanonicalResident | undefined, after: CanonicalResident | undefined): Change[] {
  if (!before && !after) return [];
  if (!before) return [{ kind: "add-resident", ...after!, cards: after!.cards, codes: [] }];
  if (!after) return [{ kind: "remove-resident", id: before.id }];
  const id = after.id;
  const had = new Set(before.cards.map(hex)), has = new Set(after.cards.map(hex));
  const out: Change[] = [];
  for (const uid of after.cards) if (!had.has(hex(uid))) out.push({ kind: "add-card", id, uid });
  if (after.pin && !(before.pin && same(before.pin.salt, after.pin.salt) && same(before.pin.hash, after.pin.hash) && (before.pin.keyId ?? 0) === (after.pin.keyId ?? 0))) {
    const { salt, hash, keyId } = after.pin;
    out.push(keyId ? { kind: "set-compound-pin", id, keyId, salt, hash } : { kind: "set-pin", id, salt, hash });
  }
  const fields = (r: CanonicalResident) => [r.role, r.status, r.groups, r.from, r.until, r.unit].join("|");
  if (fields(before) !== fields(after)) {
    out.push({ kind: "update-resident", id, role: after.role, status: after.status, groups: after.groups, from: after.from, until: after.until, unit: after.unit });
  }
  for (const uid of before.cards) if (!has.has(hex(uid))) out.push({ kind: "remove-card", uid });
  if (before.pin && !after.pin) out.push({ kind: "clear-pin", id });
  return out;
}

/** A change set's room for changes (packed: each length-prefixed): the message less header and signature. */
export const SET_BUDGET_BYTES = MAX_MESSAGE_BYTES - 256;

/** Whether `changes` fit after a run of `count` changes and `packedBytes` (as chunkChanges bounds a run). */
export function fitsRun(count: number, packedBytes: number, changes: Uint8Array[]): boolean {
  let bytes = packedBytes;
  for (const c of changes) bytes += 2 + c.length;
  return count + changes.length <= MAX_CHANGES_PER_SET && bytes <= SET_BUDGET_BYTES;
}

/** Splits encoded changes into change-set sized runs (count and bytes both bounded). */
export function chunkChanges(changes: Uint8Array[]): Uint8Array[][] {
  const budget = SET_BUDGET_BYTES;
  const out: Uint8Array[][] = [];
  let run: Uint8Array[] = [], bytes = 0;
  for (const c of changes) {
    if (c.length > MAX_CHANGE_BYTES) throw new Error(`A change of ${c.length} bytes is larger than a change set allows.`);
    if (run.length === MAX_CHANGES_PER_SET || bytes + 2 + c.length > budget) { out.push(run); run = []; bytes = 0; }
    run.push(c);
    bytes += 2 + c.length;
  }
  if (run.length) out.push(run);
  return out;
}

/** Changes as stored in a change_set row: each length-prefixed (u16). */
export function packChanges(changes: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of changes) total += 2 + c.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of changes) {
    out[at] = c.length >> 8;
    out[at + 1] = c.length & 0xff;
    out.set(c, at + 2);
    at += 2 + c.length;
  }
  return out;
}

export function unpackChanges(packed: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < packed.length;) {
    const length = (packed[at] << 8) | packed[at + 1];
    out.push(packed.slice(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return out;
}

