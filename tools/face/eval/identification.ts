// The 1:N rule measured on labelled embeddings: a gallery of G people, each
// enrolled from their first `enrolImages` images (one averaged template, as
// the gate enrols), probed with every other image. A genuine search is a probe
// of a gallery member; an impostor search is a probe of someone left out of
// the gallery. Accept = best score ≥ threshold and best − second ≥ margin.
import { cosine } from "./scores";

export interface IdentificationRule {
  threshold: number;
  margin: number;
}

export interface IdentificationResult {
  gallerySize: number;
  genuineSearches: number;
  impostorSearches: number;
  /** Genuine probes not accepted as themselves (rejected, or accepted as someone else). */
  fnir: number;
  /** Genuine probes accepted as someone else. */
  misidentified: number;
  /** Impostor searches that opened for someone (false positive identification rate, per search). */
  fpir: number;
  /** Rank-1: genuine probes whose best match is themselves, whatever the score. */
  rank1: number;
}

export function averageTemplate<T extends Float32Array>(captures: readonly T[]): Float32Array {
  const out = new Float32Array(captures[0].length);
  for (const c of captures) for (let i = 0; i < out.length; i++) out[i] += c[i];
  let n = 0;
  for (const x of out) n += x * x;
  n = Math.sqrt(n);
  return out.map((x) => x / n);
}

type Vector = Float32Array | Int8Array;
type Score = (a: Vector, b: Vector) => number;

function search(probe: Vector, gallery: Vector[], members: number[], score: Score): { best: number; bestScore: number; secondScore: number } {
  let best = -1, bestScore = -Infinity, secondScore = -Infinity;
  for (const m of members) {
    const s = score(probe, gallery[m]);
    if (s > bestScore) { secondScore = bestScore; bestScore = s; best = m; } else if (s > secondScore) secondScore = s;
  }
  return { best, bestScore, secondScore };
}

/**
 * Every gallery of size G is drawn as G consecutive people (rotating through
 * all starting points), so each person is a member in some galleries and an
 * impostor in the others.
 */
export function identify(
  templates: (Float32Array | Int8Array)[],
  probes: (Float32Array | Int8Array)[][],
  gallerySize: number,
  rule: IdentificationRule,
  score: Score = cosine,
): IdentificationResult {
  const people = templates.length;
  if (gallerySize < 1 || gallerySize > people) throw new Error(`gallery size ${gallerySize} outside 1..${people}`);
  let genuine = 0, rejected = 0, wrong = 0, rank1 = 0, impostor = 0, falseAccepts = 0;
  const starts = gallerySize === people ? 1 : people;
  for (let start = 0; start < starts; start++) {
    const members = Array.from({ length: gallerySize }, (_, k) => (start + k) % people);
    const inGallery = new Set(members);
    for (let person = 0; person < people; person++) {
      for (const probe of probes[person]) {
        const r = search(probe, templates, members, score);
        const accepted = r.bestScore >= rule.threshold && (members.length < 2 || r.bestScore - r.secondScore >= rule.margin);
        if (inGallery.has(person)) {
          genuine++;
          if (r.best === person) rank1++;
          if (!accepted || r.best !== person) rejected++;
          if (accepted && r.best !== person) wrong++;
        } else {
          impostor++;
          if (accepted) falseAccepts++;
        }
      }
    }
  }
  // With the whole population in the gallery nobody is left out: leave-one-out impostor searches instead.
  if (gallerySize === people) {
    for (let person = 0; person < people; person++) {
      const members = [...Array(people).keys()].filter((m) => m !== person);
      for (const probe of probes[person]) {
        const r = search(probe, templates, members, score);
        impostor++;
        if (r.bestScore >= rule.threshold && r.bestScore - r.secondScore >= rule.margin) falseAccepts++;
      }
    }
  }
  return {
    gallerySize,
    genuineSearches: genuine,
    impostorSearches: impostor,
    fnir: rejected / genuine,
    misidentified: wrong / genuine,
    fpir: impostor ? falseAccepts / impostor : 0,
    rank1: rank1 / genuine,
  };
}
