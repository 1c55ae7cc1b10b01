// Drives the power-cut tests: a clean run of the workload records, at every
// step boundary, the flash image and the acknowledged model; then each cut
// point k restarts from the boundary before op k (a clean reboot there is
// write-free, which the run checks), cuts power at op k, recovers, and checks.
import assert from "node:assert/strict";
import { NorFlash, PowerCut } from "../../../boards/host/nor-flash";
import { eraseProof } from "../../../src/core/store/erase-proof";
import { LogStore } from "../../../src/core/store/log-store";
import { mutating, seededRandom } from "./helpers";
import { checkRecovered, cloneModel, emptyModel, runStep, runSteps, stepAt, type Model, type Profile, type Step } from "./workload";

export interface Boundary {
  /** Flash operations performed before this step (the first is the format). */
  ops: number;
  image: Uint8Array;
  model: Model;
  step: number;
}

export interface CleanRun {
  boundaries: Boundary[];
  totalOps: number;
  secrets: Uint8Array[];
  /** Compactions of the oldest sector (for room) and purges (withdrawals) in the clean run. */
  compactions: number;
  purges: number;
  /** What each flash operation of the run did, by op number - 1 ("<step kind> <operation kind>", see opKind). */
  kinds: string[];
}

export const SEED = 42;

export function cleanRun(size: number, steps: number, profile: Profile = "gate"): CleanRun {
  const flash = new NorFlash(size);
  const model = emptyModel(profile);
  const boundaries: Boundary[] = [];
  const secrets: Uint8Array[] = [];
  const kinds: string[] = [];
  let stepKind = "format";
  const write = flash.write.bind(flash), erase = flash.erase.bind(flash);
  flash.write = (offset, data) => {
    kinds.push(`${stepKind} ${opKind(offset, data)}`);
    write(offset, data);
  };
  flash.erase = (sector) => {
    kinds.push(`${stepKind} ${opKind(sector * flash.sectorSize)}`);
    erase(sector);
  };
  const store = LogStore.open(flash, { random: seededRandom(1) });
  for (let n = 0; n < steps; n++) {
    boundaries.push({ ops: flash.ops, image: flash.image.slice(), model: cloneModel(model), step: n });
    const step = stepAt(model, SEED, n);
    stepKind = step.name.split(" ")[0];
    secrets.push(...step.secrets);
    runStep(store, flash.image, model, step);
  }
  boundaries.push({ ops: flash.ops, image: flash.image.slice(), model: cloneModel(model), step: steps });
  assert.equal(flash.violations, 0);
  const { compactions, purges } = store.stats();
  assert.equal(kinds.length, flash.ops);
  return { boundaries, totalOps: flash.ops, secrets, compactions, purges, kinds };
}

/**
 * What a flash operation does, from where it lands and what it writes (no
 * bytes: an erase): key copy, header mark / A / B, a record by type and place
 * in its group, or an erase.
 */
function opKind(offset: number, data?: Uint8Array): string {
  const sector = Math.floor(offset / 4096), at = offset % 4096;
  if (!data) return sector < 2 ? "key erase" : "erase";
  if (sector < 2) return "key write";
  if (at === 0) return data.length === 4 ? "header mark" : "header A";
  if (at === 16) return "header B";
  const place = data[6] === data[7] - 1 ? "last" : data[6] === 0 ? "first" : "middle";
  return `record type ${data[1]} ${place}`;
}

/**
 * The cut points of a campaign from `first`, every `stride`-th operation.
 * While mutating (helpers.ts), a sample instead: the first operation of each
 * kind (opKind: key copy, erase, each header part, each record type in each
 * place of its group) and the first operation of each kind of step.
 */
export function cutPoints(run: CleanRun, first: number, stride: number): number[] {
  const points: number[] = [];
  if (!mutating) {
    for (let k = first; k <= run.totalOps; k += stride) points.push(k);
    return points;
  }
  const seen = new Set<string>();
  for (let k = first; k <= run.totalOps; k++) {
    const [step, ...op] = run.kinds[k - 1].split(" ");
    const fresh = [`step ${step}`, `op ${op.join(" ")}`].filter((kind) => !seen.has(kind));
    if (fresh.length) points.push(k);
    for (const kind of fresh) seen.add(kind);
  }
  return points;
}

/** Cuts power at flash operation k (1-based over the clean run) and checks the recovery. Optionally cuts recovery too. */
/** `damage` varies what the cut leaves behind (torn lengths, erase patterns) for the same cut point. */
export function cutAndCheck(run: CleanRun, size: number, k: number, secondCut = 0, damage = 0): void {
  // Cuts up to boundaries[0].ops hit the format of the blank chip.
  const formatting = k <= run.boundaries[0].ops;
  let b = 0;
  while (b + 1 < run.boundaries.length && run.boundaries[b + 1].ops < k) b++;
  const boundary = run.boundaries[b];
  const flash = new NorFlash(size, { seed: k + damage * 100_003, image: formatting ? undefined : boundary.image });
  let inflight: Step | undefined;
  let model = cloneModel(boundary.model);
  try {
    if (formatting) {
      flash.cutAt = k;
      LogStore.open(flash, { random: seededRandom(k) });
      flash.cutAt = 0;
      assert.fail(`op ${k} is past the format`);
    }
    const store = LogStore.open(flash, { random: seededRandom(k) });
    assert.equal(flash.ops, 0, "a clean reboot writes nothing");
    flash.cutAt = k - boundary.ops;
    inflight = stepAt(model, SEED, boundary.step);
    runStep(store, flash.image, model, inflight);
    assert.fail(`no power cut happened at op ${k}`);
  } catch (error) {
    if (!(error instanceof PowerCut)) throw error;
  }
  flash.powerOn();
  // The cut step was not acknowledged: `model` still holds only what was.
  model = cloneModel(boundary.model);
  if (secondCut) {
    flash.cutAt = flash.ops + secondCut;
    try {
      LogStore.open(flash, { random: seededRandom(k + 1) });
    } catch (error) {
      if (!(error instanceof PowerCut)) throw error;
    }
    flash.powerOn();
  }
  const label = `cut at op ${k}${secondCut ? ` and at recovery op ${secondCut}` : ""} during "${inflight?.name ?? "format"}"`;
  const store = LogStore.open(flash, { random: seededRandom(k + 2) });
  const recovered = checkRecovered(store, flash.image, model, inflight, label);
  // A power cut is never mistaken for corruption (which would quarantine the gate's registry).
  assert.equal(store.report.lostRecords, 0, `${label}: a torn write reported as lost committed records`);
  assert.deepEqual(store.report.streamHoles, {}, `${label}: a torn write reported as a stream hole`);
  assert.equal(flash.violations, 0, `${label}: the store tried to raise programmed bits`);
  assert.deepEqual(eraseProof(flash.image, run.secrets), [], `${label}: plaintext of a secret on flash`);
  // The store keeps working after recovery, and a clean reboot agrees (on every 4th cut: it costs).
  if (k % 4 !== 0) return;
  const after = cloneModel(recovered);
  runSteps(store, flash.image, after, k, 100_000, 3);
  checkRecovered(LogStore.open(flash, { random: seededRandom(7) }), flash.image, after, undefined, `${label}, then 3 steps and a reboot`);
  assert.equal(flash.violations, 0, `${label}: the store tried to raise programmed bits`);
}
