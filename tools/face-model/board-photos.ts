// The board's path on a photo, as the simulator's camera shows it: the photo
// rendered into the board's frame (QVGA RGB565, fitted and centred on grey:
// tools/sim/photo.ts), then BoardFacePipeline on that frame. What
// `npm run eval:face -- --board` measures the board's thresholds on.
import type { FaceResult } from "../face/face-pipeline";
import type { RgbImage } from "../face/image-file";
import { renderFrame } from "../sim/photo";
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
