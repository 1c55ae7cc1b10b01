// A labelled face folder: one sub-folder per person, image files inside
// (PNG, JPEG, PGM). Sorted by name so every run sees the same order.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export interface FaceFolder {
  root: string;
  people: { name: string; images: string[] }[];
}

const IMAGE = /\.(png|jpe?g|pgm)$/i;
const natural = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

export function readFaceFolder(root: string): FaceFolder {
  const people = readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory())
    .sort(natural)
    .map((name) => ({ name, images: readdirSync(join(root, name)).filter((f) => IMAGE.test(f)).sort(natural).map((f) => join(root, name, f)) }))
    .filter((p) => p.images.length > 0);
  if (people.length < 2) throw new Error(`${root}: needs two or more sub-folders of face images (one per person); found ${people.length}`);
  return { root, people };
}
