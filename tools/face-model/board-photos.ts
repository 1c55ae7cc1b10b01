// The board's path on a photo, as the simulator's camera shows it: the photo
// rendered into the board's frame (QVGA RGB565, fitted and centred on grey:
// tools/sim/photo.ts), then BoardFacePipeline on that frame. What
// `npm run eval:face -- --board` measures the board's thresholds on; and the
// float host pipeline on the very same frame (`--board-frame`), the float
// reference the board's path is held to.
import type { FacePipeline, FaceResult } from "../face/face-pipeline";
import type { RgbImage } from "../face/image-file";
import { frameToRgb, renderFrame } from "../sim/photo";
import { BoardFacePipeline, KERNEL_FORMAT } from "./board-pipeline";

export const BOARD_CAMERA = { width: 320, height: 240, format: "rgb565" as const };

export class BoardPhotoEmbedder {
  readonly pipeline: BoardFacePipeline;
  readonly #frame = new Uint8Array(BOARD_CAMERA.width * BOARD_CAMERA.height * 2);

  constructor(pipeline: BoardFacePipeline) {
    this.pipeline = pipeline;
  }

  embedImage(image: RgbImage): FaceResult {
    renderFrame(image, this.#frame, BOARD_CAMERA);
    try {
      return this.pipeline.embedFrame(this.#frame, BOARD_CAMERA.width, BOARD_CAMERA.height, KERNEL_FORMAT.rgb565le);
    } finally {
      this.#frame.fill(0);
    }
  }
}

/** The float host pipeline on the photo as the board's camera frame shows it. */
export class FloatOnBoardFrame {
  readonly #pipeline: FacePipeline;
  readonly #frame = new Uint8Array(BOARD_CAMERA.width * BOARD_CAMERA.height * 2);

  constructor(pipeline: FacePipeline) {
    this.#pipeline = pipeline;
  }

  embedImage(image: RgbImage): FaceResult {
    renderFrame(image, this.#frame, BOARD_CAMERA);
    const rgb = frameToRgb(this.#frame, BOARD_CAMERA);
    try {
      return this.#pipeline.embedImage(rgb);
    } finally {
      this.#frame.fill(0);
      rgb.data.fill(0);
    }
  }
}
