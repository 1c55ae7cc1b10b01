// The gate board's face model: the int8 face kernel (native, wasm2c C) with
// its model images read from the "facemodel" flash partition through the
// flash module's map() (src/app/face-model-partition.ts), behind the board's
// Embedder (src/app/kernel-embedder.ts: the same code the simulator's
// `--embedder board` runs): BlazeFace, FaceMesh, mobileface, one kernel
// instance each. The images are copied from the map into the kernels' linear
// memory (PSRAM: 0.57 + 0.14 + 0.67 MB) and checked there (CRC-32, layout):
// the kernel reads weights only from its own memory.
//
// A partition that is erased, cut, holds other models or fails the kernel's
// check leaves face off: UnavailableEmbedder with the reason, so the face
// key answers "use card or PIN" and the technician reads why.
import Flash from "flash";
import { BOARD_FACE_THRESHOLDS } from "../../src/app/board-face-thresholds";
import { BOARD_FACE_MODELS, FACE_MODEL_PARTITION, splitFaceModelPartition } from "../../src/app/face-model-partition";
import { faceImageInfo, KernelEmbedder } from "../../src/app/kernel-embedder";
import { UnavailableEmbedder } from "../../src/app/unavailable-embedder";
import type { MatchPolicyCosines } from "../../src/core/matcher/decision";
import type { Embedder } from "../../src/core/ports";
import { DETECTOR_SLOT, EMBEDDER_SLOT, LANDMARKS_SLOT, NativeFaceKernel } from "../../src/native/face/native-face-kernel";
import device from "./pins";

/** mobileface's embedding size: the matcher is laid out for it whether or not the model loads. */
export const BOARD_EMBEDDING_DIMENSION = 256;

export interface BoardFaceModel {
  embedder: Embedder;
  /** The thresholds measured for this path; absent when face is off. */
  thresholds?: MatchPolicyCosines;
}

export function openBoardFaceModel(log: (line: string) => void): BoardFaceModel {
  try {
    const map = new Flash(FACE_MODEL_PARTITION).map() as unknown as ArrayBuffer;
    const images = splitFaceModelPartition(new Uint8Array(map), BOARD_FACE_MODELS);
    const frameBytes = device.camera.width * device.camera.height * 2;
    const detector = faceImageInfo(images.detector), embedderInfo = faceImageInfo(images.embedder), landmarks = faceImageInfo(images.landmarks);
    const embedder = new KernelEmbedder({
      detector: { port: new NativeFaceKernel(DETECTOR_SLOT, map, images.detector, detector, frameBytes), info: detector },
      embedder: { port: new NativeFaceKernel(EMBEDDER_SLOT, map, images.embedder, embedderInfo, frameBytes), info: embedderInfo },
      landmarks: { port: new NativeFaceKernel(LANDMARKS_SLOT, map, images.landmarks, landmarks, frameBytes), info: landmarks },
    });
    if (embedder.dimension !== BOARD_EMBEDDING_DIMENSION) throw new Error(`the embedder gives ${embedder.dimension} values, the board expects ${BOARD_EMBEDDING_DIMENSION}`);
    log(`face model: ${embedder.model.id} v${embedder.model.version} from the ${FACE_MODEL_PARTITION} partition`);
    return { embedder, thresholds: BOARD_FACE_THRESHOLDS[BOARD_FACE_MODELS.embedder] };
  } catch (error) {
    const reason = `The face model could not be loaded (${(error as Error).message}).`;
    log(`face off: ${reason}`);
    return { embedder: new UnavailableEmbedder(BOARD_EMBEDDING_DIMENSION, reason) };
  }
}
