// The resident registry: who may open the gate, with which credentials.
//
//   const registry = new Registry({ deviceKey, random });
//   registry.onChange = (bytes) => store.append(bytes);     // persistence hook
//   const id = registry.addResident({ unit: "B3-1204", role: "owner", groups: 1, cards: [uid], pin: "482913" });
//   registry.addCard(id, uid2); registry.removeCard(uid); registry.setPin(id, "551234");
//   registry.issueCode(visitorId, "73910264", { validUntil, uses: 2 });
//   registry.setFaceEnrolled(id, true);                      // face reference only, never a template
//   registry.apply(bytes);                                   // replay one persisted change
//   Registry.fromSnapshot(registry.exportSnapshot(), options)
//
// Every mutation is encoded as a change (changes.ts), validated completely,
// and only then written, so a change applies fully or not at all; the same
// path replays persisted changes. Invariant: an active resident always keeps
// at least one working non-face credential (card, PIN, or one-time code with
// uses left). A code that a visitor uses up is the designed end of their
// access, not a registry change, so use-code is exempt (and end-code, all uses
// at once: a hub-issued code revoked or used up elsewhere). That exemption is why
// codes do not count for a resident with face enrolled: a code runs out or
// expires without any registry change, and face would then be the only way
// in. So face enrolment needs a card or a PIN (E_FACE_NEEDS_CARD_OR_PIN; so
// does setFaceEnrolled(id, true) for an active resident), and the last
// card/PIN of an active face-enrolled resident cannot be removed, whatever
// codes they hold.
//
// Used-up codes stay (uses 0) until they expire, in RAM and in snapshots, so a
// visitor retyping one hears "code-used-up" (not "unknown-code", which also
// counts against the keypad), even after a restore or a store rebase; the same
// code cannot be issued again meanwhile. purgeUsedUpCodes(now) drops the ones
// past their expiry (each a remove-code change), which bounds the table. Since
// use-code and revoking or purging a used-up code leave an active visitor with
// no working credential, a replayed add-resident (what snapshots are made of)
// may describe such a resident; addResident() itself still refuses one.
import { toHex } from "../crypto";
import { OptgateError } from "../errors";
import type { Random } from "../ports";
import { type Change, type CodeRecord, type PinRecord, type ResidentFields, decodeChange, encodeChange } from "./changes";
import { CardTable } from "./card-table";
import { FLAG_FACE, FLAG_PIN, PIN_HASH_BYTES, PIN_KEY_SLOT_MASK, PIN_QUALITIES, PIN_SALT_BYTES, type PinQuality, ResidentTable, tooManyPinKeys } from "./resident-table";
import { DEFAULT_PIN_LENGTH, type PinLength, checkPin, checkPinLength, codeProblem, hashCode, hashPin } from "./secrets";
import { type PinKeys, compoundPinKey, hashCompoundPin, pinMatchesUnder } from "./compound-pin";
import { pinQualityIndex, weakPinReason } from "./pin-rules";
import { unframeSnapshot } from "./snapshot-frame";
import { pinRecordAt, snapshotOf } from "./registry-snapshot";
import {
  MAX_CARDS_PER_RESIDENT, MAX_RESIDENT_ID, NO_FROM, NO_UNTIL, ROLES, type ResidentId, type Role, STATUSES, type Status,
  formatResidentId, toStoredSeconds,
} from "./types";
import { checkUid } from "./uid";
import type { CodeEntry, CodeSpec, RegistryOptions, ResidentPatch, ResidentSpec, ResidentView } from "./registry-types";
import { codesLeft, hasCardOrPin, keepsCredential, refuseLast, requireCardOrPinForFace } from "./registry-credentials";
import { checkFields, checkGroups, checkUses, copyBytes, roleIndex, sameBytes, statusIndex, tooManyCards, writeFields } from "./resident-fields";

export type { CodeEntry, CodeSpec, RegistryOptions, ResidentPatch, ResidentSpec, ResidentView } from "./registry-types";

export class Registry {
  /** Receives every committed change as bytes (not called while replaying). */
  onChange?: (change: Uint8Array) => void;

  readonly #deviceKey: Uint8Array;
  /** The device key and, once installed, the compound PIN key (new PINs are made under it). */
  readonly #keys: PinKeys;
  readonly #random: Random;
  #pinLength: PinLength;
  #residents = new ResidentTable();
  #cards = new CardTable();
  #codes = new Map<string, CodeEntry>();
  #nextId = 1;
  #revision = 0;
  #damage: string | undefined;
  /** Told when a technician clears the damage (the caller stores the registry as it now stands). */
  onRepaired?: () => void;

  constructor(options: RegistryOptions) {
    if (!(options.deviceKey instanceof Uint8Array) || options.deviceKey.length < 16) {
      throw new OptgateError("E_BAD_DEVICE_KEY", "The device key must be at least 16 bytes.");
    }
    this.#deviceKey = options.deviceKey;
    this.#keys = { device: options.deviceKey, compound: options.compoundPinKey ? compoundPinKey(options.compoundPinKey) : undefined };
    this.#random = options.random;
    this.#pinLength = options.pinLength ?? DEFAULT_PIN_LENGTH;
  }

  /** Column tables, read-only for the access core's hot path (no allocation per lookup). */
  get residents(): ResidentTable { return this.#residents; }
  get cards(): CardTable { return this.#cards; }
  get size(): number { return this.#residents.size; }
  get cardCount(): number { return this.#cards.size; }
  get codeCount(): number { return this.#codes.size; }
  get nextId(): number { return this.#nextId; }
  /** Moves on at every change and table swap: a reader spread over many ticks knows its view went stale. */
  get revision(): number { return this.#revision; }

  /** Typed-array bytes held by residents and cards (codes are few and kept in a Map). */
  get byteLength(): number {
    return this.#residents.byteLength + this.#cards.byteLength;
  }

  /**
   * Why this registry cannot be trusted (its stored form was damaged, so a
   * revocation may be missing), else undefined. While set, the access core
   * denies every credential with "registry-damaged"; the exit button works.
   */
  get damage(): string | undefined { return this.#damage; }

  /** Marks the registry untrusted (at boot, from the store's recovery report). */
  quarantine(why: string): void {
    this.#damage = why;
  }

  /**
   * A technician's explicit decision that the registry as it now stands
   * (after re-importing or checking residents and cards) is the truth again.
   */
  clearDamage(): void {
    if (this.#damage === undefined) return;
    this.#damage = undefined;
    this.onRepaired?.();
  }

  /**
   * Installs (or removes, undefined) the compound PIN key: PINs set from now
   * on are made under it; verifiers made before keep the key they name.
   */
  setCompoundPinKey(key: Uint8Array | undefined): void {
    const next = key === undefined ? undefined : compoundPinKey(key);
    this.#keys.compound?.key.fill(0);
    this.#keys.compound = next;
  }

  /** The installed compound PIN key's id, or undefined. */
  get compoundPinKeyId(): number | undefined { return this.#keys.compound?.id; }

  reserve(residents: number, cards: number): void {
    this.#residents.reserve(residents);
    this.#cards.reserve(cards);
  }

  // ---- mutations (each commits one change) ----

  addResident(spec: ResidentSpec): ResidentId {
    const id = this.#nextId;
    const fields = this.#fields(id, spec.unit, spec.role, spec.status ?? "active", spec.groups, spec.validFrom, spec.validUntil);
    const pin = spec.pin === undefined ? undefined : this.#newPin(spec.pin, id);
    const codes = (spec.codes ?? []).map((code) => this.#codeRecord(code));
    // Checked here, not in #apply: a snapshot must be able to replay a visitor whose codes ran out.
    if (STATUSES[fields.status] === "active" && (spec.cards ?? []).length === 0 && !pin && codes.length === 0) {
      throw new OptgateError("E_NO_NON_FACE_CREDENTIAL", "An active resident needs a card, a PIN or a one-time code; face is optional and never enough.");
    }
    this.#commit({ kind: "add-resident", ...fields, pin, cards: spec.cards ?? [], codes });
    if (pin) this.ratePin(id, "ok");
    return id;
  }

  updateResident(id: ResidentId, patch: ResidentPatch): void {
    const row = this.#row(id);
    const t = this.#residents;
    const from = patch.validFrom === undefined ? t.from[row] : patch.validFrom === null ? NO_FROM : toStoredSeconds(patch.validFrom, "validFrom");
    const until = patch.validUntil === undefined ? t.until[row] : patch.validUntil === null ? NO_UNTIL : toStoredSeconds(patch.validUntil, "validUntil");
    const fields: ResidentFields = {
      id,
      unit: patch.unit ?? t.unitAt(row),
      role: patch.role === undefined ? t.roles[row] : roleIndex(patch.role),
      status: patch.status === undefined ? t.statuses[row] : statusIndex(patch.status),
      groups: patch.groups === undefined ? t.groups[row] : checkGroups(patch.groups),
      from,
      until,
    };
    this.#commit({ kind: "update-resident", ...fields });
  }

  removeResident(id: ResidentId): void { this.#commit({ kind: "remove-resident", id }); }
  addCard(id: ResidentId, uid: Uint8Array): void { this.#commit({ kind: "add-card", id, uid: copyBytes(uid) }); }
  removeCard(uid: Uint8Array): void { this.#commit({ kind: "remove-card", uid: copyBytes(uid) }); }
  setPin(id: ResidentId, pin: string): void {
    this.#row(id);
    const verifier = this.#newPin(pin, id);
    this.#commit(verifier.keyId ? { kind: "set-compound-pin", id, keyId: verifier.keyId, salt: verifier.salt, hash: verifier.hash } : { kind: "set-pin", id, salt: verifier.salt, hash: verifier.hash });
    this.ratePin(id, "ok");
  }
  /** Rules for PINs set from now on (the gate policy's pinLength); PINs already set keep working. */
  setPinLength(length: PinLength): void { checkPinLength(length); this.#pinLength = { min: length.min, max: length.max }; }
  /** Records what the gate learnt of a PIN's strength (set, or typed correctly); no change when it already knows. */
  ratePin(id: ResidentId, quality: PinQuality): void {
    const row = this.#residents.find(id);
    if (row < 0 || (this.#residents.flags[row] & FLAG_PIN) === 0 || this.#residents.pinQuality[row] === pinQualityIndex(quality)) return;
    this.#commit({ kind: "rate-pin", id, quality: pinQualityIndex(quality) });
  }
  clearPin(id: ResidentId): void { this.#commit({ kind: "clear-pin", id }); }
  issueCode(id: ResidentId, code: CodeSpec): void { this.#commit({ kind: "add-code", id, ...this.#codeRecord(code) }); }
  revokeCode(code: string): void { this.#commit({ kind: "remove-code", hash: this.#codeHash(code) }); }
  /** Set by the consent/face side when a template exists (true) or was erased (false). */
  setFaceEnrolled(id: ResidentId, enrolled: boolean): void { this.#commit({ kind: "set-face", id, flag: enrolled === true }); }
  /**
   * Throws E_FACE_NEEDS_CARD_OR_PIN (or E_UNKNOWN_RESIDENT) unless the resident holds a card or a PIN,
   * whatever their status; enrolment asks before the camera is touched.
   */
  checkFaceEnrolment(id: ResidentId): void { requireCardOrPinForFace(this.#residents, this.#row(id), id); }

  /** Counts one use of a code (the access core calls this on a grant); persisted like any change. */
  consumeCode(hash: Uint8Array): void { this.#commit({ kind: "use-code", hash }); }

  /**
   * Drops used-up codes whose expiry (validUntil) is at or before `now` (ms),
   * one remove-code change each, and returns how many. The access core calls
   * it on code attempts while the clock is trusted. A dropped code reads as
   * "unknown-code": still denied, and issuable again.
   */
  purgeUsedUpCodes(now: number): number {
    if (typeof now !== "number" || !Number.isFinite(now)) return 0;
    const nowS = Math.floor(now / 1000);
    const stale: Uint8Array[] = [];
    for (const entry of this.#codes.values()) if (entry.uses === 0 && entry.until <= nowS) stale.push(entry.hash);
    for (const hash of stale) this.#commit({ kind: "remove-code", hash });
    return stale.length;
  }

  /** Replays one persisted change. Throws (registry unchanged) if it is malformed or does not fit. */
  apply(bytes: Uint8Array): void {
    this.#apply(decodeChange(bytes));
  }

  /**
   * Applies several changes all or nothing (a hub's change set, src/core/sync):
   * each is checked as apply() checks it; if one is refused, the registry is put
   * back as it was before the first (from typed-array copies, so the cost is a
   * memory copy, not a re-encoding of every resident) and the error is thrown.
   * Like apply(), it does not call onChange: the caller persists the set, in
   * `commit` (run after the last change; if it throws, the set is put back too).
   */
  applyAll(changes: Uint8Array[], commit?: () => void): void {
    const decoded = changes.map((bytes) => decodeChange(bytes));
    const residents = this.#residents.clone(), cards = this.#cards.clone(), nextId = this.#nextId;
    const codes = new Map<string, CodeEntry>();
    for (const [key, entry] of this.#codes) codes.set(key, { ...entry });
    try {
      for (const change of decoded) this.#apply(change);
      commit?.();
    } catch (error) {
      this.#useTables(residents, cards, codes, nextId);
      throw error;
    }
  }

  // ---- queries ----

  has(id: ResidentId): boolean { return this.#residents.find(id) >= 0; }

  get(id: ResidentId): ResidentView | undefined {
    const row = this.#residents.find(id);
    if (row < 0) return undefined;
    const t = this.#residents;
    const view: ResidentView = {
      id,
      label: formatResidentId(id),
      unit: t.unitAt(row),
      role: ROLES[t.roles[row]],
      status: STATUSES[t.statuses[row]],
      groups: t.groups[row],
      hasPin: (t.flags[row] & FLAG_PIN) !== 0,
      pinQuality: PIN_QUALITIES[t.pinQuality[row]] ?? "unknown",
      faceEnrolled: (t.flags[row] & FLAG_FACE) !== 0,
      cards: t.cardCounts[row],
      codes: codesLeft(this.#codes, id),
    };
    if (t.from[row] !== NO_FROM) view.validFrom = t.from[row] * 1000;
    if (t.until[row] !== NO_UNTIL) view.validUntil = t.until[row] * 1000;
    return view;
  }

  /** Resident ids in row order. */
  ids(): ResidentId[] {
    return Array.from(this.#residents.ids.subarray(0, this.#residents.size));
  }

  findCard(uid: Uint8Array): ResidentId | undefined {
    const row = this.#cards.find(uid);
    return row < 0 ? undefined : this.#cards.ownerAt(row);
  }

  cardsOf(id: ResidentId): Uint8Array[] {
    return this.#cards.rowsOf(id).reverse().map((row) => this.#cards.uidAt(row));
  }

  /**
   * Constant-time PIN check for the resident in `row` under the key their
   * verifier names; false when they have no PIN or it names a key this gate
   * does not hold (compound-pin.ts).
   */
  pinMatchesAt(row: number, pin: string): boolean {
    const t = this.#residents;
    if ((t.flags[row] & FLAG_PIN) === 0) return false;
    return pinMatchesUnder(
      this.#keys, t.pinKeyIdAt(row), t.ids[row],
      t.pinSalts.subarray(row * PIN_SALT_BYTES, (row + 1) * PIN_SALT_BYTES),
      t.pinHashes.subarray(row * PIN_HASH_BYTES, (row + 1) * PIN_HASH_BYTES),
      pin,
    );
  }

  /** The code entry for a typed code, or undefined; `hash` is what consumeCode takes. */
  findCode(code: string): CodeEntry | undefined {
    if (codeProblem(code)) return undefined;
    return this.#codes.get(toHex(hashCode(this.#deviceKey, code)));
  }

  // ---- snapshot ----

  /** Everything as one byte string: a meta change then one add-resident (+ set-face) per resident. */
  exportSnapshot(): Uint8Array {
    return snapshotOf(this.#residents, this.#cards, this.#codes, this.#nextId);
  }

  /** Builds a registry from a snapshot; throws E_BAD_SNAPSHOT (or the failing change's code). */
  static fromSnapshot(bytes: Uint8Array, options: RegistryOptions): Registry {
    const registry = new Registry(options);
    for (const change of unframeSnapshot(bytes)) registry.apply(change);
    return registry;
  }

  /**
   * Replaces this registry's contents with a snapshot's, all or nothing; if
   * `commit` (run once the snapshot is in: face flags back, persist) throws,
   * the previous tables and damage note come back (replaced, never changed).
   */
  importSnapshot(bytes: Uint8Array, commit?: () => void): void {
    const fresh = Registry.fromSnapshot(bytes, { deviceKey: this.#deviceKey, random: this.#random, pinLength: this.#pinLength, compoundPinKey: this.#keys.compound?.key });
    const residents = this.#residents, cards = this.#cards, codes = this.#codes, nextId = this.#nextId, damage = this.#damage;
    this.#useTables(fresh.#residents, fresh.#cards, fresh.#codes, fresh.#nextId);
    try {
      // A complete re-import replaces whatever the damage may have lost.
      this.clearDamage();
      commit?.();
    } catch (error) {
      this.#useTables(residents, cards, codes, nextId);
      this.#damage = damage;
      throw error;
    }
  }

  // ---- internals ----

  /** Puts whole tables in place: an import's, or the copies a refused set rolls back to. */
  #useTables(residents: ResidentTable, cards: CardTable, codes: Map<string, CodeEntry>, nextId: number): void {
    this.#revision++;
    this.#residents = residents;
    this.#cards = cards;
    this.#codes = codes;
    this.#nextId = nextId;
  }

  #commit(change: Change): void {
    const bytes = encodeChange(change);
    this.#apply(change);
    this.onChange?.(bytes);
  }

  #row(id: ResidentId): number {
    const row = this.#residents.find(id);
    if (row < 0) throw new OptgateError("E_UNKNOWN_RESIDENT", `There is no resident ${formatResidentId(id)}.`);
    return row;
  }

  #fields(id: number, unit: string, role: Role, status: Status, groups: number, validFrom?: number, validUntil?: number): ResidentFields {
    return {
      id,
      unit,
      role: roleIndex(role),
      status: statusIndex(status),
      groups: checkGroups(groups),
      from: validFrom === undefined ? NO_FROM : toStoredSeconds(validFrom, "validFrom"),
      until: validUntil === undefined ? NO_UNTIL : toStoredSeconds(validUntil, "validUntil"),
    };
  }

  /** A verifier for a new PIN: under the compound key when installed (keyId set), else the gate's own. */
  #newPin(pin: string, id: ResidentId): PinRecord {
    checkPin(pin, this.#pinLength);
    const weak = weakPinReason(pin, id);
    if (weak) throw new OptgateError("E_WEAK_PIN", `That PIN is easy to guess (${weak}); choose another.`);
    const salt = new Uint8Array(PIN_SALT_BYTES);
    this.#random.fill(salt);
    const compound = this.#keys.compound;
    if (compound) return { salt, hash: hashCompoundPin(compound.key, id, salt, pin), keyId: compound.id };
    return { salt, hash: hashPin(this.#deviceKey, salt, pin) };
  }

  /** The resident's PIN verifier (salt, hash, key id; no secret), or undefined: what a gate reports to the hub. */
  pinVerifier(id: ResidentId): PinRecord | undefined {
    const row = this.#residents.find(id);
    return row < 0 || (this.#residents.flags[row] & FLAG_PIN) === 0 ? undefined : pinRecordAt(this.#residents, row);
  }

  #codeHash(code: string): Uint8Array {
    const problem = codeProblem(code);
    if (problem) throw new OptgateError("E_BAD_CODE", `A one-time code ${problem}.`);
    return hashCode(this.#deviceKey, code);
  }

  #codeRecord(spec: CodeSpec): CodeRecord {
    const hash = this.#codeHash(spec.code);
    checkUses(spec.uses, 1);
    const from = spec.validFrom === undefined ? NO_FROM : toStoredSeconds(spec.validFrom, "validFrom");
    return { hash, from, until: toStoredSeconds(spec.validUntil, "validUntil"), uses: spec.uses };
  }

  /** Validates the whole change, then writes it: nothing is written if anything is wrong. */
  #apply(change: Change): void {
    this.#revision++;
    const t = this.#residents;
    switch (change.kind) {
      case "meta": {
        if (!Number.isInteger(change.nextId) || change.nextId < 1 || change.nextId > MAX_RESIDENT_ID + 1) throw new OptgateError("E_BAD_CHANGE", "The next resident id is out of range.");
        this.#nextId = Math.max(this.#nextId, change.nextId);
        return;
      }
      case "add-resident": {
        if (change.id < 1 || change.id > MAX_RESIDENT_ID) throw new OptgateError("E_BAD_RESIDENT_ID", `Resident id ${change.id} is out of range.`);
        if (t.find(change.id) >= 0) throw new OptgateError("E_DUPLICATE_RESIDENT", `Resident ${formatResidentId(change.id)} already exists.`);
        checkFields(change);
        if (change.cards.length > MAX_CARDS_PER_RESIDENT) throw tooManyCards(change.id);
        for (let i = 0; i < change.cards.length; i++) {
          this.#checkNewCard(change.cards[i]);
          for (let j = 0; j < i; j++) if (sameBytes(change.cards[i], change.cards[j])) throw new OptgateError("E_DUPLICATE_CARD", "The same card is listed twice.");
        }
        for (let i = 0; i < change.codes.length; i++) {
          // Uses 0 is a used-up code as a snapshot carries it; it stays used up (nothing adds uses).
          this.#checkNewCode(change.codes[i], 0);
          for (let j = 0; j < i; j++) if (sameBytes(change.codes[i].hash, change.codes[j].hash)) throw new OptgateError("E_DUPLICATE_CODE", "The same code is listed twice.");
        }
        if (change.pin && !t.canTakePinKeyId(change.pin.keyId ?? 0)) throw tooManyPinKeys();
        const row = t.add(change.id);
        writeFields(t, row, change);
        if (change.pin) this.#writePin(row, change.pin.salt, change.pin.hash, change.pin.keyId ?? 0);
        for (const uid of change.cards) this.#cards.add(uid, change.id);
        t.cardCounts[row] = change.cards.length;
        for (const code of change.codes) this.#codes.set(toHex(code.hash), { ...code, resident: change.id });
        this.#nextId = Math.max(this.#nextId, change.id + 1);
        return;
      }
      case "update-resident": {
        const row = this.#row(change.id);
        checkFields(change);
        if (STATUSES[change.status] === "active" && STATUSES[t.statuses[row]] !== "active") {
          const face = (t.flags[row] & FLAG_FACE) !== 0;
          if (face && !hasCardOrPin(this.#residents, row)) throw new OptgateError("E_NO_NON_FACE_CREDENTIAL", `Resident ${formatResidentId(change.id)} has face enrolled but no card or PIN (one-time codes do not count then); give them one before activating.`);
          if (!hasCardOrPin(this.#residents, row) && codesLeft(this.#codes, change.id) === 0) throw new OptgateError("E_NO_NON_FACE_CREDENTIAL", `Resident ${formatResidentId(change.id)} has no card, PIN or code; give them one before activating.`);
        }
        writeFields(t, row, change);
        return;
      }
      case "remove-resident": {
        const row = this.#row(change.id);
        for (const cardRow of this.#cards.rowsOf(change.id)) this.#cards.removeAt(cardRow);
        for (const [key, entry] of this.#codes) if (entry.resident === change.id) this.#codes.delete(key);
        t.removeAt(row);
        return;
      }
      case "add-card": {
        const row = this.#row(change.id);
        this.#checkNewCard(change.uid);
        if (t.cardCounts[row] >= MAX_CARDS_PER_RESIDENT) throw tooManyCards(change.id);
        this.#cards.add(change.uid, change.id);
        t.cardCounts[row]++;
        return;
      }
      case "remove-card": {
        checkUid(change.uid);
        const cardRow = this.#cards.find(change.uid);
        if (cardRow < 0) throw new OptgateError("E_UNKNOWN_CARD", "No resident holds that card.");
        const owner = this.#cards.ownerAt(cardRow);
        const row = this.#row(owner);
        if (!keepsCredential(this.#residents, this.#codes, row, { cards: 1 })) refuseLast(owner, "This card");
        this.#cards.removeAt(cardRow);
        t.cardCounts[row]--;
        return;
      }
      case "set-pin": case "set-compound-pin": {
        const row = this.#row(change.id);
        const keyId = change.kind === "set-compound-pin" ? change.keyId : 0;
        if (!t.canTakePinKeyId(keyId, row)) throw tooManyPinKeys();
        // The verifier the gate already holds (the hub echoing one set here) keeps its rating.
        if (this.#holdsVerifier(row, change.salt, change.hash, keyId)) return;
        this.#writePin(row, change.salt, change.hash, keyId);
        t.pinQuality[row] = 0; // a new PIN of unknown strength until rated
        return;
      }
      case "rate-pin": {
        const row = this.#row(change.id);
        if ((t.flags[row] & FLAG_PIN) === 0) throw new OptgateError("E_NO_PIN", `Resident ${formatResidentId(change.id)} has no PIN to rate.`);
        t.pinQuality[row] = change.quality;
        return;
      }
      case "clear-pin": {
        const row = this.#row(change.id);
        if ((t.flags[row] & FLAG_PIN) === 0) throw new OptgateError("E_NO_PIN", `Resident ${formatResidentId(change.id)} has no PIN to clear.`);
        if (!keepsCredential(this.#residents, this.#codes, row, { pin: true })) refuseLast(change.id, "The PIN");
        t.flags[row] &= ~(FLAG_PIN | PIN_KEY_SLOT_MASK);
        t.pinQuality[row] = 0;
        t.pinSalts.fill(0, row * PIN_SALT_BYTES, (row + 1) * PIN_SALT_BYTES);
        t.pinHashes.fill(0, row * PIN_HASH_BYTES, (row + 1) * PIN_HASH_BYTES);
        return;
      }
      case "add-code": {
        this.#row(change.id);
        this.#checkNewCode(change, 1);
        this.#codes.set(toHex(change.hash), { hash: change.hash, from: change.from, until: change.until, uses: change.uses, resident: change.id });
        return;
      }
      case "remove-code": {
        const key = toHex(change.hash);
        const entry = this.#codes.get(key);
        if (!entry) throw new OptgateError("E_UNKNOWN_CODE", "No such one-time code.");
        const row = this.#row(entry.resident);
        if (entry.uses > 0 && !keepsCredential(this.#residents, this.#codes, row, { codes: 1 })) refuseLast(entry.resident, "This code");
        this.#codes.delete(key);
        return;
      }
      case "use-code": case "end-code": {
        const entry = this.#codes.get(toHex(change.hash));
        if (!entry) throw new OptgateError("E_UNKNOWN_CODE", "No such one-time code.");
        if (entry.uses === 0) throw new OptgateError("E_CODE_USED_UP", "The one-time code has no uses left.");
        // end-code: every use left at once (a revoke, which may end a visitor's last credential).
        entry.uses = change.kind === "end-code" ? 0 : entry.uses - 1;
        return;
      }
      case "set-face": {
        const row = this.#row(change.id);
        // Active residents only, like every credential rule here: a suspended resident may have lost
        // their card (and a snapshot must replay that state); activating them needs a card or PIN again.
        if (change.flag && STATUSES[t.statuses[row]] === "active") requireCardOrPinForFace(t, row, change.id);
        if (change.flag) t.flags[row] |= FLAG_FACE;
        else t.flags[row] &= ~FLAG_FACE;
        return;
      }
      case "add-sealed-code": case "remove-sealed-code":
        // Only fleet sync opens these (into add-code / remove-code) before anything is applied.
        throw new OptgateError("E_SEALED_CHANGE", `A ${change.kind} change must be opened by the gate's sync before it is applied.`);
      case "set-schedule": case "set-holidays": throw new OptgateError("E_NOT_REGISTRY_CHANGE", `A ${change.kind} change belongs to the gate policy, not the registry.`);
    }
  }

  #checkNewCard(uid: Uint8Array): void {
    checkUid(uid);
    const row = this.#cards.find(uid);
    if (row >= 0) throw new OptgateError("E_DUPLICATE_CARD", `That card already belongs to ${formatResidentId(this.#cards.ownerAt(row))}; remove it there first.`);
  }

  #checkNewCode(code: CodeRecord, minUses: number): void {
    checkUses(code.uses, minUses);
    if (code.until === NO_UNTIL || code.from >= code.until) throw new OptgateError("E_BAD_WINDOW", "A one-time code must expire after it becomes valid.");
    if (this.#codes.has(toHex(code.hash))) throw new OptgateError("E_DUPLICATE_CODE", "That one-time code is already issued; choose another.");
  }

  #writePin(row: number, salt: Uint8Array, hash: Uint8Array, keyId: number): void {
    const t = this.#residents;
    t.pinSalts.set(salt, row * PIN_SALT_BYTES);
    t.pinHashes.set(hash, row * PIN_HASH_BYTES);
    t.setPinKeyId(row, keyId);
    t.flags[row] |= FLAG_PIN;
  }

  #holdsVerifier(row: number, salt: Uint8Array, hash: Uint8Array, keyId: number): boolean {
    const t = this.#residents;
    return (t.flags[row] & FLAG_PIN) !== 0 && t.pinKeyIdAt(row) === keyId
      && sameBytes(t.pinSalts.subarray(row * PIN_SALT_BYTES, (row + 1) * PIN_SALT_BYTES), salt)
      && sameBytes(t.pinHashes.subarray(row * PIN_HASH_BYTES, (row + 1) * PIN_HASH_BYTES), hash);
  }
}
