// The Embedder of a build without a working face model: a build without one,
// or a board whose model partition failed its check at boot (the reason is
// then the check's sentence).
//
// The core has no "no face model" switch, so this is how face stays off:
// - the face key: FaceSession refuses before the camera is powered unless a
//   consenting resident is enrolled here, and nobody can be enrolled without
//   a model, so the gate answers "Face entry is not available. Please use
//   your card or PIN." with the camera off;
// - console "face enrol": enrolment powers the camera for one capture, then
//   embed() throws this error, the camera goes off and the technician reads
//   the sentence below (nothing is enrolled, consent records stay as granted);
// - a session that somehow starts (templates from another build in the store)
//   ends at its first frame as a model error: camera off, "use card or PIN".
// - a presentation-attack check (face.liveness): it has none, so the console
//   refuses to turn one on (console-backend.ts) and says why.
// Card, PIN, codes, console and store are unaffected.
import { OptgateError } from "../core/errors";
import type { EmbedOutcome, Embedder, FaceModelTag, Frame, LivenessCheck } from "../core/ports";

export class UnavailableEmbedder implements Embedder {
  readonly dimension: number;
  readonly simulated = false;
  /** No model: nothing can be enrolled, so no template ever carries this tag. */
  readonly model: FaceModelTag = { id: "none", version: 0 };
  /** No model, so no presentation-attack check either. */
  readonly livenessChecks: readonly LivenessCheck[] = [];

  readonly #reason: string;

  /** `reason`: why there is no model, as the technician should read it (default: this firmware has none). */
  constructor(dimension: number, reason = "This firmware has no face model.") {
    this.dimension = dimension;
    this.#reason = reason;
  }

  embed(_frame: Frame, _out: Float32Array, _liveness?: LivenessCheck): EmbedOutcome {
    throw new OptgateError("E_FACE_MODEL_MISSING", `${this.#reason} Face entry is unavailable; residents use card or PIN.`);
  }
}
