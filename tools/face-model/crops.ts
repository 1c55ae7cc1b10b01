// Aligned face crops from a labelled folder, made by the float pipeline's own
// detection + landmarks + similarity warp (tools/face), so the kernel and the
// float network see the same pixels. Crops stay in memory; nothing is written.
import type { Similarity } from "../face/alignment";
import type { Detection } from "../face/detector";
import type { FacePipeline } from "../face/face-pipeline";
import { readImageFile, type RgbImage } from "../face/image-file";
import type { FaceFolder } from "../face/eval/dataset";

export interface FaceCrops {
  person: number;
  image: string;
  /** The face, and its mirror image when the pipeline flips. */
  crops: Uint8Array[];
  /** The whole photo and the similarity (photo → crop) the crops were warped with. */
  frame: RgbImage;
  alignment: Similarity;
  detection: Detection;
}

export function folderCrops(pipeline: FacePipeline, folder: FaceFolder, people: (index: number, name: string) => boolean = () => true): { crops: FaceCrops[]; failures: string[] } {
  const crops: FaceCrops[] = [];
  const failures: string[] = [];
  folder.people.forEach((p, person) => {
    if (!people(person, p.name)) return;
    for (const image of p.images) {
      const rgb = readImageFile(image);
      const detection = pipeline.detector.detect(rgb, pipeline.options.minFaceScore);
      if (!detection) { failures.push(image); continue; }
      const alignment = pipeline.alignment(rgb, detection);
      crops.push({ person, image, crops: pipeline.crops(rgb, detection), frame: rgb, alignment, detection });
    }
  });
  return { crops, failures };
}

/** ORL's s1…s40 by number: calibration on s1–s20, evaluation on s21–s40. */
export const orlSubject = (name: string) => Number(/^s(\d+)$/.exec(name)?.[1] ?? NaN);
