// The host board's real face model (`npm start -- --embedder real`): the
// packaged host pipeline (tools/face/: BlazeFace → FaceMesh → alignment →
// mobileface on tfjs) runs on the Node side, so this Embedder hands each frame
// over the link and reads the embedding back (link.ts, 'F'). The firmware sees
// an ordinary Embedder with the model's tag and size; the message buffer is
// allocated once and zeroed after every frame, as is the answer. A
// presentation-attack check the gate asks for travels as the message's check
// byte; the Node side runs it (tools/sim/face-model.ts) only when its spec
// lists it, and this side refuses to ask for one it does not list.
import { OptgateError } from "../../src/core/errors";
import { LIVENESS_CHECKS, type EmbedOutcome, type Embedder, type FaceModelTag, type Frame, type LivenessCheck } from "../../src/core/ports";
import { EMBED_CHECK_AT, embedMessage, embedOverLink, LIVENESS_CHECK_CODE } from "./link";
import type { HostEmbedderSpec } from "./protocol";

const OUTCOMES: EmbedOutcome[] = ["ok", "no-face", "low-quality", "not-live"];

export class LinkedEmbedder implements Embedder {
  readonly dimension: number;
  readonly simulated = false;
  readonly model: FaceModelTag;
  readonly livenessChecks: readonly LivenessCheck[];
  readonly #spec: HostEmbedderSpec;
  readonly #message: Uint8Array;
  readonly #frameAt: number;
  readonly #frameBytes: number;

  constructor(spec: HostEmbedderSpec) {
    this.#spec = spec;
    this.dimension = spec.dimension;
    this.model = { id: spec.id, version: spec.version };
    this.livenessChecks = (spec.liveness ?? []).filter((c) => (LIVENESS_CHECKS as readonly string[]).includes(c));
    const { message, frameAt } = embedMessage(spec.frame.width, spec.frame.height, spec.frame.format);
    this.#message = message;
    this.#frameAt = frameAt;
    this.#frameBytes = message.length - frameAt;
  }

  embed(frame: Frame, out: Float32Array, liveness?: LivenessCheck): EmbedOutcome {
    const { width, height, format } = this.#spec.frame;
    if (liveness !== undefined && !this.livenessChecks.includes(liveness)) {
      throw new OptgateError("E_LIVENESS_UNAVAILABLE", `The host face model (${this.model.id}) cannot run the ${liveness} check.`);
    }
    if (out.length !== this.dimension) throw new Error(`embedding buffer must hold ${this.dimension} values`);
    if (frame.width !== width || frame.height !== height || frame.format !== format || frame.data.length < this.#frameBytes) {
      throw new Error(`the host face model takes ${width}x${height} ${format} frames`);
    }
    this.#message[EMBED_CHECK_AT] = liveness === undefined ? LIVENESS_CHECK_CODE.none : LIVENESS_CHECK_CODE[liveness];
    this.#message.set(frame.data.subarray(0, this.#frameBytes), this.#frameAt);
    let answer: Uint8Array | undefined;
    try {
      answer = embedOverLink(this.#message);
      const outcome = OUTCOMES[answer[0]];
      if (!outcome) throw new Error(`the host face model answered outcome ${answer[0]}`);
      if (outcome !== "ok") return outcome;
      if (answer.length !== 1 + 4 * this.dimension) throw new Error(`the host face model gave ${(answer.length - 1) / 4} values, expected ${this.dimension}`);
      const view = new DataView(answer.buffer, answer.byteOffset + 1, 4 * this.dimension);
      for (let i = 0; i < this.dimension; i++) out[i] = view.getFloat32(4 * i, true);
      return "ok";
    } finally {
      this.#message.fill(0, this.#frameAt);
      answer?.fill(0);
    }
  }
}
