// The full fault-injection run: cut power at every write and erase the
// workload performs (well over 1,000 cut points), recover, and check that
// every acknowledged step is there, the interrupted one is all-or-nothing,
// the audit chain verifies, withdrawn templates are gone from the raw image,
// and the store keeps working. A portable subset runs in XS (power-cut.test.ts).
import assert from "node:assert/strict";
import { NorFlash, PowerCut } from "../../../boards/host/nor-flash";
import { LogStore } from "../../../src/core/store/log-store";
import { eraseProof } from "../../../src/core/store/erase-proof";
import { seededRandom } from "./helpers";
import { checkRecovered, cloneModel, emptyModel, rngFrom, runSteps, type Model, type Step } from "./workload";

const SIZE = 16 * 4096;
const STEPS = 300;

export function runWithCut(cutAt: number, secondCut: number): { ops: number; recovered: boolean } {
  const flash = new NorFlash(SIZE, { seed: cutAt });
  flash.cutAt = cutAt;
  let model: Model = emptyModel();
  let inflight: Step | undefined;
  const secrets: Uint8Array[] = [];
  try {
    const store = LogStore.open(flash, { random: seededRandom(cutAt) });
    runSteps(store, flash.image, model, rngFrom(42), 0, STEPS, (step) => {
      inflight = step;
      secrets.push(...step.secrets);
    });
    return { ops: flash.ops, recovered: false };
  } catch (error) {
    if (!(error instanceof PowerCut)) throw error;
  }
  // The step that threw was not acknowledged; the model holds everything before it.
  flash.powerOn();
  if (secondCut) {
    // A second power cut, this time during recovery's own repairs.
    flash.cutAt = flash.ops + secondCut;
    try {
      LogStore.open(flash, { random: seededRandom(cutAt + 1) });
    } catch (error) {
      if (!(error instanceof PowerCut)) throw error;
    }
    flash.powerOn();
  }
  const store = LogStore.open(flash, { random: seededRandom(cutAt + 2) });
  const label = `cut at op ${cutAt}${secondCut ? ` and recovery op ${secondCut}` : ""} during "${inflight?.name}"`;
  model = checkRecovered(store, flash.image, model, inflight, label);
  for (const secret of secrets) assert.deepEqual(eraseProof(flash.image, secret), [], `${label}: plaintext secret on flash`);
  // Life goes on: more steps after recovery, then a clean reboot.
  const after = cloneModel(model);
  runSteps(store, flash.image, after, rngFrom(cutAt), 10_000, 6);
  checkRecovered(LogStore.open(flash, { random: seededRandom(7) }), flash.image, after, undefined, `${label}, after reboot`);
  assert.equal(flash.violations, 0, `${label}: the store tried to raise programmed bits`);
  return { ops: flash.ops, recovered: true };
}

(globalThis as any).describe?.("store under power cuts at every flash operation (full run)", () => {
  it("a clean run of the workload performs over 1,000 writes and erases", () => {
    const { ops } = runWithCut(0, 0);
    assert.ok(ops >= 1000, `only ${ops} flash operations`);
  });

  it("recovers correctly from a cut at every one of them, and from second cuts during recovery", function () {
    this.timeout(600_000);
    const total = runWithCut(0, 0).ops;
    let cuts = 0;
    for (let k = 1; k <= total; k++) {
      const r = runWithCut(k, k % 9 === 0 ? 1 + (k % 5) : 0);
      if (r.recovered) cuts++;
    }
    assert.ok(cuts >= 1000, `only ${cuts} distinct cut points exercised`);
  });
});
