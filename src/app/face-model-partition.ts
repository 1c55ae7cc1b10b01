// The face model partition (boards/esp32s3-gate/partitions.csv, "facemodel"):
// the face kernel's model images back to back, each starting on a 4 KiB
// boundary (the flash sector), the embedder first, then the detector, then
// the landmark network (FaceMesh);
// `npm run build` writes it as build/face-model/facemodel.bin. Each image
// says its own length and carries its CRC-32 (tools/face-model/image-format.ts),
// so the partition needs no table of its own. Splitting checks only what it
// must to find the images (magic, lengths inside the partition, the ids
// expected); the kernel checks each image in full when it loads it. Erased
// flash (0xFF), a partition never written, is refused like any other.
// Portable: runs on the board (over the partition's flash map) and on the host.
import { OptgateError } from "../core/errors";

export const FACE_MODEL_PARTITION = "facemodel";
/** Its size in partitions.csv (1.5 MiB); test/boards/manifest.node.test.ts checks both agree. */
export const FACE_MODEL_PARTITION_BYTES = 0x180000;
export const FACE_IMAGE_ALIGN = 4096;
/** The models the board runs: the host's default embedder, the BlazeFace detector and FaceMesh, as `--embedder board`. */
export const BOARD_FACE_MODELS = { embedder: "mobileface", detector: "blazeface-front", landmarks: "facemesh" } as const;

const MAGIC = 0x4b46474f; // "OGFK", little-endian
const HEADER_BYTES = 96;
const ID_AT = 16;
const ID_BYTES = 16;

export interface FaceModelImages {
  embedder: Uint8Array;
  detector: Uint8Array;
  landmarks: Uint8Array;
}

function refuse(what: string): OptgateError {
  return new OptgateError("E_FACE_MODEL_PARTITION", `The face model partition ${what}; face entry is off until it is flashed again (build/face-model/facemodel.bin).`);
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

function imageId(bytes: Uint8Array, at: number): string {
  let id = "";
  for (let i = 0; i < ID_BYTES; i++) {
    const c = bytes[at + ID_AT + i];
    if (c === 0) break;
    id += String.fromCharCode(c);
  }
  return id;
}

export function alignUp(n: number): number {
  return Math.ceil(n / FACE_IMAGE_ALIGN) * FACE_IMAGE_ALIGN;
}

/** The image at `at`: its bytes (a view, no copy) after checking magic, length and id. */
function imageAt(partition: Uint8Array, at: number, id: string, role: string): Uint8Array {
  if (at + HEADER_BYTES > partition.length) throw refuse(`ends before its ${role} image (${id})`);
  if (u32(partition, at) !== MAGIC) throw refuse(`holds no ${role} image at byte ${at} (erased or never written?)`);
  const length = u32(partition, at + 8);
  if (length < HEADER_BYTES || length > partition.length - at) throw refuse(`says its ${role} image at byte ${at} is ${length} bytes, which does not fit`);
  const found = imageId(partition, at);
  if (found !== id) throw refuse(`holds model "${found}" where the ${role} ${id} belongs`);
  return partition.subarray(at, at + length);
}

/** Finds the embedder (at 0), the detector and the landmark network (each at the next 4 KiB boundary); throws E_FACE_MODEL_PARTITION with a sentence. */
export function splitFaceModelPartition(partition: Uint8Array, ids: { embedder: string; detector: string; landmarks: string }): FaceModelImages {
  const embedder = imageAt(partition, 0, ids.embedder, "embedder");
  const detectorAt = alignUp(embedder.length);
  const detector = imageAt(partition, detectorAt, ids.detector, "detector");
  const landmarks = imageAt(partition, detectorAt + alignUp(detector.length), ids.landmarks, "landmark");
  return { embedder, detector, landmarks };
}

/** The partition's bytes for these images (host tools: npm run build); unused bytes are 0xFF, as erased flash. */
export function packFaceModelPartition(images: FaceModelImages): Uint8Array {
  const detectorAt = alignUp(images.embedder.length);
  const landmarksAt = detectorAt + alignUp(images.detector.length);
  const length = alignUp(landmarksAt + images.landmarks.length);
  if (length > FACE_MODEL_PARTITION_BYTES) {
    throw new OptgateError("E_FACE_MODEL_PARTITION", `The face model images need ${length} bytes; the partition has ${FACE_MODEL_PARTITION_BYTES}.`);
  }
  const out = new Uint8Array(length).fill(0xff);
  out.set(images.embedder, 0);
  out.set(images.detector, detectorAt);
  out.set(images.landmarks, landmarksAt);
  return out;
}
