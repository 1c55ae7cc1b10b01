// Registry mutations as compact bytes. Every public Registry mutation is
// encoded as one of these, applied through the same validating path, then
// handed to `onChange` so the store can persist it; replaying the bytes
// rebuilds the registry. Changes carry PIN and code hashes, never PINs or codes.
//
// Layout: kind u8, then the fields below in order, big-endian.
//   meta            nextId u32
//   add-resident    id u32, role u8, status u8, groups u32, from u32, until u32, unit (u8 len + ASCII),
//                   pin u8 (0|1|2) [2: keyId u32] [salt 4, hash 16], cards u8 [len u8 + UID]*,
//                   codes u8 [hash 16, from u32, until u32, uses u16]*
//   update-resident id u32, role u8, status u8, groups u32, from u32, until u32, unit
//   remove-resident id u32
//   add-card        id u32, uid (u8 len + bytes)
//   remove-card     uid
//   set-pin         id u32, salt 4, hash 16
//   clear-pin       id u32
//   add-code        id u32, hash 16, from u32, until u32, uses u16
//   remove-code     hash 16
//   use-code        hash 16
//   set-face        id u32, flag u8
//   rate-pin        id u32, quality u8 (PIN_QUALITIES index: what the gate knows of the PIN's strength)
//   add-sealed-code id u32, from u32, until u32, uses u16, sealed (u8 len + bytes)
//   remove-sealed-code id u32, sealed (u8 len + bytes)
// The two sealed kinds come only from the hub, in a change set: the code sealed
// to the receiving gate (src/core/sync/sealed-codes.ts). The gate opens them into
// add-code / remove-code before anything is applied or stored, so the registry
// never sees them and flash never holds them.
//   set-schedule    group u8 (bit 0-31), present u8 (0: "none", the group leaves this gate; then nothing more),
//                   name (u8 len + ASCII), 7 x (count u8, [from u16, to u16]*) Monday first, holiday count u8 + segments
//   set-holidays    count u16, day u16* (days since 1970-01-01, strictly increasing)
// Those two are the gate policy's, not the Registry's: the sync target routes them to the
// console's settings (src/app/console-policy.ts); Registry.apply refuses them.
//   set-compound-pin id u32, keyId u32 (never 0), salt 4, hash 16: a verifier made under the
//                   compound PIN key (compound-pin.ts), which every gate of the compound holds;
//                   set-pin and add-resident's pin flag 1 are under the gate's own key (key id 0).
//   end-code        hash 16: every use left gone at once (a hub-issued code revoked or used up
//                   elsewhere), one change where use-code would take one per use. Kinds are
//                   numbered by position: new ones are appended, never inserted.
import { OptgateError } from "../errors";
import { CODE_HASH_BYTES } from "./secrets";
import { PIN_HASH_BYTES, PIN_QUALITIES, PIN_SALT_BYTES } from "./resident-table";

export const CHANGE_KINDS = [
  "meta", "add-resident", "update-resident", "remove-resident", "add-card", "remove-card",
  "set-pin", "clear-pin", "add-code", "remove-code", "use-code", "set-face", "rate-pin",
  "add-sealed-code", "remove-sealed-code",
  "set-schedule", "set-holidays",
  "set-compound-pin",
  "end-code",
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Resident fields as stored (numbers are column values: role/status indices, seconds). */
export interface ResidentFields {
  id: number;
  role: number;
  status: number;
  groups: number;
  from: number;
  until: number;
  unit: string;
}

/** Minutes of the day: from 0..1439, to 1..1440; to <= from runs across midnight (as Schedule's "22:00-06:00"). */
export interface Segment {
  from: number;
  to: number;
}

/** A group's weekly segments as the hub sends them. */
export interface GroupSchedule {
  /** The group's name as the console shows it (NAME_PATTERN). */
  name: string;
  /** Seven days, Monday first. */
  week: Segment[][];
  /** Segments on a holiday (none: closed). */
  holiday: Segment[];
}

/** Bounds of a set-schedule / set-holidays change: a day's segments, holidays per list. */
export const MAX_SEGMENTS_PER_DAY = 8;
export const MAX_HOLIDAYS = 256;
/** Group names as the console's name parameter takes them. */
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

export interface PinRecord {
  salt: Uint8Array;
  hash: Uint8Array;
  /** The compound PIN key's id it was made under; absent or 0: the gate's own PIN key. */
  keyId?: number;
}

export interface CodeRecord {
  hash: Uint8Array;
  from: number;
  until: number;
  uses: number;
}

export type Change =
  | { kind: "meta"; nextId: number }
  | ({ kind: "add-resident"; pin?: PinRecord; cards: Uint8Array[]; codes: CodeRecord[] } & ResidentFields)
  | ({ kind: "update-resident" } & ResidentFields)
  | { kind: "remove-resident"; id: number }
  | { kind: "add-card"; id: number; uid: Uint8Array }
  | { kind: "remove-card"; uid: Uint8Array }
  | { kind: "set-pin"; id: number; salt: Uint8Array; hash: Uint8Array }
  | { kind: "set-compound-pin"; id: number; keyId: number; salt: Uint8Array; hash: Uint8Array }
  | { kind: "clear-pin"; id: number }
  | ({ kind: "add-code"; id: number } & CodeRecord)
  | { kind: "remove-code"; hash: Uint8Array }
  | { kind: "use-code"; hash: Uint8Array }
  | { kind: "end-code"; hash: Uint8Array }
  | { kind: "set-face"; id: number; flag: boolean }
  | { kind: "rate-pin"; id: number; quality: number }
  | { kind: "add-sealed-code"; id: number; from: number; until: number; uses: number; sealed: Uint8Array }
  | { kind: "remove-sealed-code"; id: number; sealed: Uint8Array }
  /** `schedule` null: the group has no access at this gate any more. */
  | { kind: "set-schedule"; group: number; schedule: GroupSchedule | null }
  /** The gate's whole holiday list, as local calendar days (days since 1970-01-01). */
  | { kind: "set-holidays"; days: number[] };

/** The gate policy's kinds (not the Registry's): what the hub says about groups, schedules and holidays. */
export type PolicyChange = Extract<Change, { kind: "set-schedule" | "set-holidays" }>;
export const POLICY_KINDS: readonly ChangeKind[] = ["set-schedule", "set-holidays"];

class Writer {
  bytes: number[] = [];
  u8(v: number): void { this.bytes.push(v & 0xff); }
  u16(v: number): void { this.bytes.push((v >>> 8) & 0xff, v & 0xff); }
  u32(v: number): void { this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); }
  raw(b: Uint8Array): void { for (let i = 0; i < b.length; i++) this.bytes.push(b[i]); }
  short(b: Uint8Array): void { this.u8(b.length); this.raw(b); }
}

class Reader {
  #at = 0;
  constructor(readonly bytes: Uint8Array) {}
  #need(n: number): number {
    if (this.#at + n > this.bytes.length) throw badChange("it ends early");
    const at = this.#at;
    this.#at += n;
    return at;
  }
  u8(): number { return this.bytes[this.#need(1)]; }
  u16(): number { const at = this.#need(2); return (this.bytes[at] << 8) | this.bytes[at + 1]; }
  u32(): number {
    const at = this.#need(4), b = this.bytes;
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }
  raw(n: number): Uint8Array { const at = this.#need(n); return this.bytes.slice(at, at + n); }
  short(): Uint8Array { return this.raw(this.u8()); }
  end(): void { if (this.#at !== this.bytes.length) throw badChange("it has trailing bytes"); }
}

function badChange(why: string): OptgateError {
  return new OptgateError("E_BAD_CHANGE", `The registry change cannot be read: ${why}.`);
}

/** A compound key id is a u32 other than 0 (0 names the gate's own key, which needs no id on the wire). */
function checkKeyId(keyId: number): number {
  if (!Number.isInteger(keyId) || keyId < 1 || keyId > 0xffffffff) throw new OptgateError("E_BAD_CHANGE", "A compound PIN key id is a 32-bit number other than 0.");
  return keyId;
}

function readKeyId(r: Reader): number {
  const keyId = r.u32();
  if (keyId === 0) throw badChange("its compound PIN key id is 0");
  return keyId;
}

function checkSealed(sealed: Uint8Array): void {
  if (!(sealed instanceof Uint8Array) || sealed.length > 255) throw new OptgateError("E_BAD_CHANGE", "A sealed code is at most 255 bytes.");
}

function writeFields(w: Writer, f: ResidentFields): void {
  w.u32(f.id); w.u8(f.role); w.u8(f.status); w.u32(f.groups); w.u32(f.from); w.u32(f.until);
  const unit = new Uint8Array(f.unit.length);
  for (let i = 0; i < unit.length; i++) unit[i] = f.unit.charCodeAt(i) & 0xff;
  w.short(unit);
}

function readFields(r: Reader): ResidentFields {
  const id = r.u32(), role = r.u8(), status = r.u8(), groups = r.u32(), from = r.u32(), until = r.u32();
  const unitBytes = r.short();
  let unit = "";
  for (let i = 0; i < unitBytes.length; i++) unit += String.fromCharCode(unitBytes[i]);
  return { id, role, status, groups, from, until, unit };
}

function writeCode(w: Writer, code: CodeRecord): void {
  w.raw(code.hash); w.u32(code.from); w.u32(code.until); w.u16(code.uses);
}

function readCode(r: Reader): CodeRecord {
  return { hash: r.raw(CODE_HASH_BYTES), from: r.u32(), until: r.u32(), uses: r.u16() };
}

function writeSegments(w: Writer, segments: Segment[]): void {
  w.u8(segments.length);
  for (const s of segments) { w.u16(s.from); w.u16(s.to); }
}

function readSegments(r: Reader, what: string): Segment[] {
  const count = r.u8();
  if (count > MAX_SEGMENTS_PER_DAY) throw badChange(`${what} has ${count} segments, more than ${MAX_SEGMENTS_PER_DAY}`);
  const out: Segment[] = [];
  for (let i = 0; i < count; i++) {
    const from = r.u16(), to = r.u16();
    if (from > 1439 || to < 1 || to > 1440 || from === to) throw badChange(`${what} has a segment ${from}-${to} that is not minutes from 0-1439 to 1-1440 (a different minute)`);
    out.push({ from, to });
  }
  return out;
}

function writeSchedule(w: Writer, group: number, schedule: GroupSchedule | null): void {
  w.u8(group);
  w.u8(schedule ? 1 : 0);
  if (!schedule) return;
  const name = new Uint8Array(schedule.name.length);
  for (let i = 0; i < name.length; i++) name[i] = schedule.name.charCodeAt(i) & 0xff;
  w.short(name);
  for (let d = 0; d < 7; d++) writeSegments(w, schedule.week[d] ?? []);
  writeSegments(w, schedule.holiday);
}

function readSchedule(r: Reader): { group: number; schedule: GroupSchedule | null } {
  const group = r.u8(), present = r.u8();
  if (group > 31) throw badChange(`group ${group} is not 0-31`);
  if (present > 1) throw badChange("the schedule flag is not 0 or 1");
  if (present === 0) return { group, schedule: null };
  const nameBytes = r.short();
  let name = "";
  for (let i = 0; i < nameBytes.length; i++) name += String.fromCharCode(nameBytes[i]);
  if (!GROUP_NAME_PATTERN.test(name)) throw badChange("the group name is not 1-32 letters, digits, _ . - (starting with a letter or digit)");
  const week: Segment[][] = [];
  for (let d = 0; d < 7; d++) week.push(readSegments(r, `day ${d + 1} of the week`));
  return { group, schedule: { name, week, holiday: readSegments(r, "the holiday") } };
}

export function encodeChange(change: Change): Uint8Array {
  const w = new Writer();
  w.u8(CHANGE_KINDS.indexOf(change.kind));
  switch (change.kind) {
    case "meta": w.u32(change.nextId); break;
    case "add-resident":
      writeFields(w, change);
      w.u8(change.pin ? (change.pin.keyId ? 2 : 1) : 0);
      if (change.pin?.keyId) w.u32(checkKeyId(change.pin.keyId));
      if (change.pin) { w.raw(change.pin.salt); w.raw(change.pin.hash); }
      w.u8(change.cards.length);
      for (const uid of change.cards) w.short(uid);
      w.u8(change.codes.length);
      for (const code of change.codes) writeCode(w, code);
      break;
    case "update-resident": writeFields(w, change); break;
    case "remove-resident": case "clear-pin": w.u32(change.id); break;
    case "add-card": w.u32(change.id); w.short(change.uid); break;
    case "remove-card": w.short(change.uid); break;
    case "set-pin": w.u32(change.id); w.raw(change.salt); w.raw(change.hash); break;
    case "set-compound-pin": w.u32(change.id); w.u32(checkKeyId(change.keyId)); w.raw(change.salt); w.raw(change.hash); break;
    case "add-code": w.u32(change.id); writeCode(w, change); break;
    case "remove-code": case "use-code": case "end-code": w.raw(change.hash); break;
    case "set-face": w.u32(change.id); w.u8(change.flag ? 1 : 0); break;
    case "rate-pin": w.u32(change.id); w.u8(change.quality); break;
    case "add-sealed-code": checkSealed(change.sealed); w.u32(change.id); w.u32(change.from); w.u32(change.until); w.u16(change.uses); w.short(change.sealed); break;
    case "remove-sealed-code": checkSealed(change.sealed); w.u32(change.id); w.short(change.sealed); break;
    case "set-schedule": writeSchedule(w, change.group, change.schedule); break;
    case "set-holidays":
      w.u16(change.days.length);
      for (const day of change.days) w.u16(day);
      break;
  }
  return Uint8Array.from(w.bytes);
}

/** Structural decoding only; the Registry checks meaning (ids exist, UIDs valid, ...). */
export function decodeChange(bytes: Uint8Array): Change {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw badChange("it is empty");
  const r = new Reader(bytes);
  const kind = CHANGE_KINDS[r.u8()];
  let change: Change;
  switch (kind) {
    case "meta": change = { kind, nextId: r.u32() }; break;
    case "add-resident": {
      const fields = readFields(r);
      const hasPin = r.u8();
      if (hasPin > 2) throw badChange("the PIN flag is not 0, 1 or 2");
      const keyId = hasPin === 2 ? readKeyId(r) : 0;
      const pin: PinRecord | undefined = hasPin ? { salt: r.raw(PIN_SALT_BYTES), hash: r.raw(PIN_HASH_BYTES) } : undefined;
      if (pin && keyId) pin.keyId = keyId;
      const cards: Uint8Array[] = [];
      for (let n = r.u8(); n > 0; n--) cards.push(r.short());
      const codes: CodeRecord[] = [];
      for (let n = r.u8(); n > 0; n--) codes.push(readCode(r));
      change = { kind, ...fields, pin, cards, codes };
      break;
    }
    case "update-resident": change = { kind, ...readFields(r) }; break;
    case "remove-resident": case "clear-pin": change = { kind, id: r.u32() }; break;
    case "add-card": change = { kind, id: r.u32(), uid: r.short() }; break;
    case "remove-card": change = { kind, uid: r.short() }; break;
    case "set-pin": change = { kind, id: r.u32(), salt: r.raw(PIN_SALT_BYTES), hash: r.raw(PIN_HASH_BYTES) }; break;
    case "set-compound-pin": change = { kind, id: r.u32(), keyId: readKeyId(r), salt: r.raw(PIN_SALT_BYTES), hash: r.raw(PIN_HASH_BYTES) }; break;
    case "add-code": change = { kind, id: r.u32(), ...readCode(r) }; break;
    case "remove-code": case "use-code": case "end-code": change = { kind, hash: r.raw(CODE_HASH_BYTES) }; break;
    case "set-face": {
      const id = r.u32(), flag = r.u8();
      if (flag > 1) throw badChange("the face flag is not 0 or 1");
      change = { kind, id, flag: flag === 1 };
      break;
    }
    case "rate-pin": {
      const id = r.u32(), quality = r.u8();
      if (quality >= PIN_QUALITIES.length) throw badChange("the PIN quality is out of range");
      change = { kind, id, quality };
      break;
    }
    case "add-sealed-code": change = { kind, id: r.u32(), from: r.u32(), until: r.u32(), uses: r.u16(), sealed: r.short() }; break;
    case "remove-sealed-code": change = { kind, id: r.u32(), sealed: r.short() }; break;
    case "set-schedule": change = { kind, ...readSchedule(r) }; break;
    case "set-holidays": {
      const count = r.u16();
      if (count > MAX_HOLIDAYS) throw badChange(`it lists ${count} holidays, more than ${MAX_HOLIDAYS}`);
      const days: number[] = [];
      for (let i = 0; i < count; i++) {
        const day = r.u16();
        if (i > 0 && day <= days[i - 1]) throw badChange("its holidays are not in increasing order without repeats");
        days.push(day);
      }
      change = { kind, days };
      break;
    }
    default: throw badChange(`kind ${bytes[0]} is unknown`);
  }
  r.end();
  return change;
}
