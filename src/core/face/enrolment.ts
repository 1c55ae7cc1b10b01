// Enrolment: only with an ActiveConsent in hand (the type says so, the ledger
// re-checks it), N captures → one sealed template. Frames used for enrolment
// live in the board's one frame buffer and are zeroed after each embedding.
import { OptgateError } from "../errors";
import type { Camera, Embedder, Frame } from "../ports";
import { ActiveConsent, type ConsentLedger } from "./consent-ledger";
import type { FaceGallery, GalleryEntry } from "./face-gallery";
import type { AuditSink } from "./ports";
import { templateFromCaptures } from "./template";

export const DEFAULT_ENROL_CAPTURES = 5;

export interface FaceEnrolmentOptions {
  gallery: FaceGallery;
  ledger: ConsentLedger;
  camera: Camera;
  embedder: Embedder;
  frame: Frame;
  audit?: AuditSink;
  /**
   * Throws (an OptgateError the technician can act on) when the resident may
   * not have face enrolled, e.g. the access registry's "a card or a PIN
   * first"; asked before the camera is touched, so a refusal stores nothing.
   */
  eligible?: (residentId: string) => void;
  /** Embeddings averaged into one template. */
  captures?: number;
  /** Frames tried before giving up (no face, low quality). */
  maxFrames?: number;
}

export class FaceEnrolment {
  #o: FaceEnrolmentOptions;

  constructor(options: FaceEnrolmentOptions) {
    this.#o = options;
  }

  /** Enrols from embeddings already computed; zeroes them afterwards. */
  enrolEmbeddings(consent: ActiveConsent, embeddings: Float32Array[], at: number): GalleryEntry {
    this.#requireConsent(consent);
    this.#o.gallery.requireModel(this.#o.embedder.model, "Enrolment");
    const template = templateFromCaptures(embeddings, this.#o.embedder.dimension, this.#o.captures ?? 1);
    for (const embedding of embeddings) embedding.fill(0);
    const entry = this.#o.gallery.enrol(consent, template, at);
    this.#o.audit?.append({ at, kind: "face.enrolled", residentId: consent.residentId, noticeVersion: consent.noticeVersion });
    return entry;
  }

  /** Powers the camera for the captures only, then enrols. Consent is checked before the camera is touched. */
  enrolFromCamera(consent: ActiveConsent, at: number): GalleryEntry {
    this.#requireConsent(consent);
    this.#o.gallery.requireModel(this.#o.embedder.model, "Enrolment");
    const { camera, embedder, frame } = this.#o;
    const wanted = this.#o.captures ?? DEFAULT_ENROL_CAPTURES;
    const maxFrames = this.#o.maxFrames ?? wanted * 3;
    if (camera.powered) {
      throw new OptgateError("E_CAMERA_BUSY", "The camera is in use by a face session; enrol when it has finished.");
    }
    const embeddings: Float32Array[] = [];
    camera.powerOn();
    try {
      for (let tries = 0; tries < maxFrames && embeddings.length < wanted; tries++) {
        if (camera.capture(frame) !== "ok") continue;
        const out = new Float32Array(embedder.dimension);
        const outcome = embedder.embed(frame, out);
        frame.data.fill(0);
        if (outcome === "ok") embeddings.push(out);
      }
    } finally {
      camera.powerOff();
      frame.data.fill(0);
    }
    if (embeddings.length < wanted) {
      for (const embedding of embeddings) embedding.fill(0);
      throw new OptgateError("E_ENROL_TOO_FEW_CAPTURES", `Only ${embeddings.length} of ${wanted} captures showed a usable face; check lighting and try again.`);
    }
    return this.enrolEmbeddings(consent, embeddings, at);
  }

  #requireConsent(consent: ActiveConsent): void {
    if (!(consent instanceof ActiveConsent) || !this.#o.ledger.confirms(consent)) {
      throw new OptgateError("E_CONSENT_NOT_ACTIVE", "This consent is no longer in force (withdrawn, lapsed or the notice changed); nothing was enrolled.");
    }
    this.#o.eligible?.(consent.residentId);
  }
}
