// The enrolled faces of this gate: which matcher slot holds whose template,
// the sealed copy in the vault, and when each was enrolled and last used.
// A template exists here only while the ledger confirms consent.
import { wipe } from "../crypto";
import { OptgateError } from "../errors";
import type { FaceModelTag, Matcher, Random } from "../ports";
import { ActiveConsent, type ConsentLedger } from "./consent-ledger";
import { describeModel, openTemplate, sameModel, sealTemplate, TEMPLATE_KEY_BYTES } from "./sealed-template";
import type { FaceTemplate } from "./template";
import type { TemplateVault } from "./template-vault";

export interface GalleryEntry {
  readonly residentId: string;
  readonly slot: number;
  readonly noticeVersion: number;
  readonly enrolledAt: number;
  /** Last successful match; enrolment counts as use. Kept in RAM: after a reboot, restore time counts. */
  lastUsedAt: number;
}

export interface FaceGalleryOptions {
  matcher: Matcher;
  vault: TemplateVault;
  ledger: ConsentLedger;
  random: Random;
  /** The gate's face model: templates are sealed with it, and only its templates are ever loaded. */
  model: FaceModelTag;
}

export class FaceGallery {
  #o: FaceGalleryOptions;
  #byResident = new Map<string, GalleryEntry>();
  #bySlot: (string | undefined)[] = [];
  #free: number[] = [];
  #scanCount = 0;

  constructor(options: FaceGalleryOptions) {
    this.#o = options;
  }

  get model(): FaceModelTag {
    return this.#o.model;
  }

  /** Values per template this gallery's matcher takes. */
  get dimension(): number {
    return this.#o.matcher.dimension;
  }

  /** Refuses embeddings from another model than the one this gallery's templates come from. */
  requireModel(model: FaceModelTag, what: string): void {
    if (!sameModel(model, this.#o.model)) {
      throw new OptgateError("E_FACE_MODEL_MISMATCH", `${what} uses face model ${describeModel(model)}, but this gate's templates are for ${describeModel(this.#o.model)}; residents must enrol again after a model change (their consent stays).`);
    }
  }

  /**
   * Seals the template under a fresh per-resident key, files it in the vault
   * and loads it into the matcher. Consumes the template: its values are
   * zeroed afterwards, so no extra clear copy stays in RAM.
   */
  enrol(consent: ActiveConsent, template: FaceTemplate, at: number): GalleryEntry {
    const { matcher, vault, ledger, random } = this.#o;
    if (!(consent instanceof ActiveConsent) || !ledger.confirms(consent)) {
      throw new OptgateError("E_CONSENT_NOT_ACTIVE", "This consent is no longer in force (withdrawn, lapsed or the notice changed); nothing was enrolled.");
    }
    if (template.dimension !== matcher.dimension || template.values.length !== matcher.dimension) {
      throw new OptgateError("E_TEMPLATE_DIMENSION", `The template has ${template.values.length} values; this gate's matcher takes ${matcher.dimension}.`);
    }
    const existing = this.#byResident.get(consent.residentId);
    const slot = existing ? existing.slot : this.#freeSlot();
    const key = new Uint8Array(TEMPLATE_KEY_BYTES);
    const nonce = new Uint8Array(12);
    random.fill(key);
    random.fill(nonce);
    const meta = { residentId: consent.residentId, noticeVersion: consent.noticeVersion, enrolledAt: at, model: this.#o.model };
    vault.put(consent.residentId, key, sealTemplate(template, meta, key, nonce));
    wipe(key);
    this.#place({ residentId: meta.residentId, noticeVersion: meta.noticeVersion, enrolledAt: at, slot, lastUsedAt: at }, template.values);
    return this.#byResident.get(consent.residentId)!;
  }

  /** Forgets a resident's face at once: matcher slot zeroed, key and sealed bytes erased. */
  remove(residentId: string): boolean {
    const entry = this.#byResident.get(residentId);
    const held = this.#o.vault.destroy(residentId);
    if (!entry) return held;
    this.#o.matcher.clear(entry.slot);
    this.#byResident.delete(residentId);
    this.#bySlot[entry.slot] = undefined;
    this.#free.push(entry.slot);
    while (this.#scanCount > 0 && this.#bySlot[this.#scanCount - 1] === undefined) this.#scanCount--;
    this.#free = this.#free.filter((slot) => slot < this.#scanCount);
    return true;
  }

  /**
   * After boot: loads every sealed template whose consent is still in force
   * and erases the rest (no consent, no template). A template or key that
   * cannot be read or opened (flash damage) is erased too and listed in
   * `damaged`: that resident's face is off until they enrol again, their card
   * and PIN are untouched. A template made by another face model (or version)
   * than this gate's is erased and listed in `reenrol`: its resident keeps
   * their consent and enrols again. An erase the store refuses is listed in
   * `kept` (the template stays unusable: it is never loaded into the matcher).
   */
  restore(at: number): { loaded: string[]; erased: string[]; damaged: string[]; kept: string[]; reenrol: string[] } {
    const { vault, ledger } = this.#o;
    const loaded: string[] = [], erased: string[] = [], damaged: string[] = [], kept: string[] = [], reenrol: string[] = [];
    for (const residentId of vault.residents()) {
      let opened: ReturnType<typeof openTemplate> | undefined;
      try {
        const held = vault.get(residentId);
        if (held) {
          try {
            opened = openTemplate(held.sealed, held.key, residentId);
          } finally {
            wipe(held.key);
          }
        }
      } catch {
        opened = undefined;
      }
      if (!opened) damaged.push(residentId);
      const grant = ledger.activeGrant(residentId);
      const otherModel = opened !== undefined && !sameModel(opened.meta.model, this.#o.model);
      if (otherModel) reenrol.push(residentId);
      if (!opened || otherModel || !grant || grant.noticeVersion !== opened.meta.noticeVersion || opened.template.dimension !== this.#o.matcher.dimension) {
        if (opened) wipe(new Uint8Array(opened.template.values.buffer));
        try {
          vault.destroy(residentId);
          erased.push(residentId);
        } catch {
          kept.push(residentId);
        }
        continue;
      }
      const { meta } = opened;
      this.#place({ residentId: meta.residentId, noticeVersion: meta.noticeVersion, enrolledAt: meta.enrolledAt, slot: this.#freeSlot(), lastUsedAt: at }, opened.template.values);
      loaded.push(residentId);
    }
    return { loaded, erased, damaged, kept, reenrol };
  }

  entry(residentId: string): Readonly<GalleryEntry> | undefined {
    return this.#byResident.get(residentId);
  }

  residentAt(slot: number): string | undefined {
    return this.#bySlot[slot];
  }

  /** Records a successful match, for the inactivity rule. */
  touch(residentId: string, at: number): void {
    const entry = this.#byResident.get(residentId);
    if (entry && at > entry.lastUsedAt) entry.lastUsedAt = at;
  }

  /** 1:N scans cover slots [0, scanCount). */
  get scanCount(): number {
    return this.#scanCount;
  }

  get size(): number {
    return this.#byResident.size;
  }

  entries(): GalleryEntry[] {
    return [...this.#byResident.values()];
  }

  /** Whether anyone enrolled here may use face at this gate now: the camera may only power for them. */
  availableAt(gateId: string): boolean {
    for (const residentId of this.#byResident.keys()) if (this.#o.ledger.coversGate(residentId, gateId)) return true;
    return false;
  }

  /** The lowest free slot (keeps 1:N scans short); taken only when #place succeeds. */
  #freeSlot(): number {
    if (this.#free.length > 0) return Math.min(...this.#free);
    if (this.#scanCount >= this.#o.matcher.capacity) {
      throw new OptgateError("E_GALLERY_FULL", `All ${this.#o.matcher.capacity} face slots are in use; nothing was enrolled.`);
    }
    return this.#scanCount;
  }

  #place(entry: GalleryEntry, values: Int8Array): void {
    this.#o.matcher.load(entry.slot, values);
    this.#free = this.#free.filter((slot) => slot !== entry.slot);
    wipe(new Uint8Array(values.buffer, values.byteOffset, values.length));
    this.#byResident.set(entry.residentId, entry);
    this.#bySlot[entry.slot] = entry.residentId;
    if (entry.slot >= this.#scanCount) this.#scanCount = entry.slot + 1;
  }
}
