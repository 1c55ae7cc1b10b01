// The simulator's `--embedder board`: what the ESP32-S3 runs, under Node. The
// int8 face kernel (build/wasm/face-kernel.wasm, the module wasm2c turns into
// the board's C) loads the model images from build/face-model/ after
// checking them (tools/face-model/board-pipeline.ts) and answers the host
// board's embed requests ('F', boards/host/link.ts) from the camera's RGB565
// frame as it is: BlazeFace in the kernel, its keypoints, the kernel's warp
// and embedding. Thresholds are the ones measured on this path
// (BOARD_FACE_THRESHOLDS); templates carry the kernel image's tag.
//
// An image that is missing, truncated or corrupt does not stop the simulator:
// the board boots with UnavailableEmbedder and the reason (protocol.ts
// `unavailable`), as the S3 build does when its model partition fails its
// check, so face answers "use card or PIN" and card and PIN work.
import { LIVENESS_CHECK_CODE } from "../../boards/host/link";
import type { HostEmbedderSpec } from "../../boards/host/protocol";
import { OptgateError } from "../../src/core/errors";
import { BOARD_FACE_THRESHOLDS } from "../face/thresholds";
import { DEFAULT_EMBEDDING_MODEL, embeddingModel } from "../face/embedding-models";
import { BoardFacePipeline, KERNEL_FORMAT, type BoardModelOptions } from "../face-model/board-pipeline";
import { embedAnswer, readEmbedRequest } from "./embed-request";
import { REAL_FRAME } from "./face-model";

export class BoardFaceModel {
  readonly spec: HostEmbedderSpec;
  /** Absent when the images were refused (spec.unavailable says why). */
  readonly pipeline: BoardFacePipeline | undefined;

  private constructor(spec: HostEmbedderSpec, pipeline: BoardFacePipeline | undefined) {
    this.spec = spec;
    this.pipeline = pipeline;
  }

  /** Loads and checks the images; a refused image gives a model whose spec is `unavailable`, never an exception. */
  static load(options: BoardModelOptions = {}): BoardFaceModel {
    const id = options.embedder ?? DEFAULT_EMBEDDING_MODEL;
    const thresholds = BOARD_FACE_THRESHOLDS[id];
    if (!thresholds) throw new Error(`no measured board thresholds for face model ${id} in tools/face/thresholds.ts`);
    const base = { dimension: embeddingModel(id).dimension, thresholds: { ...thresholds }, frame: REAL_FRAME, liveness: [] };
    try {
      const pipeline = BoardFacePipeline.load(options);
      return new BoardFaceModel({ ...base, ...pipeline.tag }, pipeline);
    } catch (error) {
      if (!(error instanceof OptgateError)) throw error;
      return new BoardFaceModel({ ...base, id: "none", version: 0, unavailable: error.message }, undefined);
    }
  }

  /** The 'F' answer (embed-request.ts); the board has no presentation-attack check. Zeroes the message's pixels. */
  answer(message: Uint8Array): Uint8Array | string {
    try {
      const request = readEmbedRequest(message);
      if (typeof request === "string") return request;
      const { frame, check, pixels } = request;
      if (!this.pipeline) return `!face model: ${this.spec.unavailable}`;
      if (check !== LIVENESS_CHECK_CODE.none) return `!face model: the board's model has no liveness check (${check} asked)`;
      return embedAnswer(this.pipeline.embedFrame(pixels, frame.width, frame.height, frame.format === "rgb565" ? KERNEL_FORMAT.rgb565le : KERNEL_FORMAT.gray8));
    } catch (error) {
      return `!face model: ${(error as Error).message}`;
    } finally {
      message.fill(0, 11);
    }
  }
}
