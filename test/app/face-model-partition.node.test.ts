// The face model partition (src/app/face-model-partition.ts): what
// `npm run build` writes as build/face-model/facemodel.bin fits the partition,
// and splitting it gives back the very images the kernel loads; a partition
// that is erased, cut short, holds the images in the wrong order or another
// model is refused with a sentence, never half-read. Needs npm run build.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { alignUp, BOARD_FACE_MODELS, FACE_MODEL_PARTITION_BYTES, packFaceModelPartition, splitFaceModelPartition } from "../../src/app/face-model-partition";
import { isOptgateError } from "../../src/core/errors";
import { FaceKernel, readModelImage } from "../../tools/face-model/face-kernel";
import { faceModelDir } from "../../tools/face-model/models";

const embedder = readModelImage(BOARD_FACE_MODELS.embedder);
const detector = readModelImage(BOARD_FACE_MODELS.detector);
const landmarks = readModelImage(BOARD_FACE_MODELS.landmarks);
const refused = (bytes: Uint8Array, why: RegExp) =>
  assert.throws(() => splitFaceModelPartition(bytes, BOARD_FACE_MODELS), (e) => isOptgateError(e, "E_FACE_MODEL_PARTITION") && why.test(e.message));

describe("the face model partition", () => {
  it("npm run build wrote facemodel.bin: the three images, 4 KiB aligned, within the partition, the rest erased", () => {
    const built = new Uint8Array(readFileSync(path.join(faceModelDir, "facemodel.bin")));
    assert.deepEqual(built, packFaceModelPartition({ embedder, detector, landmarks }));
    assert.ok(built.length <= FACE_MODEL_PARTITION_BYTES, `${built.length} bytes`);
    const at = alignUp(embedder.length);
    assert.equal(at % 4096, 0);
    assert.ok(built.subarray(embedder.length, at).every((b) => b === 0xff));
    const meshAt = at + alignUp(detector.length);
    assert.deepEqual(built.subarray(meshAt, meshAt + landmarks.length), landmarks);
    assert.ok(built.subarray(meshAt + landmarks.length).every((b) => b === 0xff));
  });

  it("splits into the images the kernel loads and checks (a full partition of erased flash after them is fine)", () => {
    const partition = new Uint8Array(FACE_MODEL_PARTITION_BYTES).fill(0xff);
    partition.set(packFaceModelPartition({ embedder, detector, landmarks }));
    const images = splitFaceModelPartition(partition, BOARD_FACE_MODELS);
    assert.deepEqual(images.embedder, embedder);
    assert.deepEqual(images.detector, detector);
    assert.deepEqual(images.landmarks, landmarks);
    assert.equal(new FaceKernel(images.embedder).header.id, "mobileface");
    assert.equal(new FaceKernel(images.detector, { frameBytes: 320 * 240 * 2 }).header.id, "blazeface-front");
    assert.equal(new FaceKernel(images.landmarks, { frameBytes: 320 * 240 * 2 }).header.id, "facemesh");
  });

  it("refuses erased flash, a cut partition, swapped images and another model, each with a sentence", () => {
    refused(new Uint8Array(FACE_MODEL_PARTITION_BYTES).fill(0xff), /holds no embedder image at byte 0 \(erased or never written\?\)/);
    const packed = packFaceModelPartition({ embedder, detector, landmarks });
    refused(packed.subarray(0, 1000), /says its embedder image at byte 0 is 566736 bytes, which does not fit/);
    refused(packed.subarray(0, alignUp(embedder.length) + 50), /ends before its detector image/);
    refused(packed.subarray(0, alignUp(embedder.length) + 2000), /says its detector image at byte 569344 is 137652 bytes, which does not fit/);
    refused(packFaceModelPartition({ embedder: detector, detector: embedder, landmarks }), /holds model "blazeface-front" where the embedder mobileface belongs/);
    refused(packFaceModelPartition({ embedder, detector: landmarks, landmarks: detector }), /holds model "facemesh" where the detector blazeface-front belongs/);
    const meshAt = alignUp(embedder.length) + alignUp(detector.length);
    refused(packed.subarray(0, meshAt + 4000), new RegExp(`says its landmark image at byte ${meshAt} is ${landmarks.length} bytes, which does not fit`));
    const noMesh = packed.slice();
    noMesh.fill(0xff, meshAt);
    refused(noMesh, new RegExp(`holds no landmark image at byte ${meshAt}`));
    const noDetector = packed.slice();
    noDetector.fill(0xff, alignUp(embedder.length));
    refused(noDetector, /holds no detector image at byte 569344/);
  });

  it("refuses to pack images larger than the partition", () => {
    assert.throws(() => packFaceModelPartition({ embedder: new Uint8Array(FACE_MODEL_PARTITION_BYTES), detector, landmarks }), (e) => isOptgateError(e, "E_FACE_MODEL_PARTITION"));
  });
});
