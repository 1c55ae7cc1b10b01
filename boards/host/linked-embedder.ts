// The host board's real face model (`npm start -- --embedder real`): the
// packaged host pipeline (tools/face/: BlazeFace → FaceMesh → alignment →
// mobileface on tfjs) runs on the Node side, so this Embedder hands each frame
// over the link and reads the embedding back (link.ts, 'F'). The firmware sees
// an ordinary Embedder with the model's tag and size; the message buffer is
// allocated once and zeroed after every frame, as is the answer.
import type { EmbedOutcome, Embedder, FaceModelTag, Frame } from "../../src/core/ports";
import { embedMessage, embedOverLink } from "./link";
import type { HostEmbedderSpec } from "./protocol";

const OUTCOMES: EmbedOutcome[] = ["ok", "no-face", "low-quality"];

export class LinkedEmbedder implements Embedder {
  readonly dimension: number;
  readonly simulated = false;
  readonly model: FaceModelTag;
  readonly #spec: HostEmbedderSpec;
  readonly #message: Uint8Array;
  readonly #frameAt: number;
  readonly #frameBytes: number;

  constructor(spec: HostEmbedderSpec) {
    this.#spec = spec;
    this.dimension = spec.dimension;
    this.model = { id: spec.id, version: spec.version };
    const { message, frameAt } = embedMessage(spec.frame.width, spec.frame.height, spec.frame.format);
    this.#message = message;
    this.#frameAt = frameAt;
    this.#frameBytes = message.length - frameAt;
  }

  embed(frame: Frame, out: Float32Array): EmbedOutcome {
    const { width, height, format } = this.#spec.frame;
    if (out.length !== this.dimension) throw new Error(`embedding buffer must hold ${this.dimension} values`);
    if (frame.width !== width || frame.height !== height || frame.format !== format || frame.data.length < this.#frameBytes) {
      throw new Error(`the host face model takes ${width}x${height} ${format} frames`);
    }
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
