// Story 2: a resident opted into face and later withdraws at the keypad. Face
// stops working at once, the template and its key are gone from the flash
// image (the sectors that held them were erased), her card still works, and
// the audit log shows the consent and the withdrawal.
import assert from "node:assert/strict";
import { SYNTHETIC_FRAME_MAGIC } from "../../boards/host/synthetic-embedder";
import { LogStore } from "../../src/core/store/log-store";
import { eraseProof } from "../../src/core/store/erase-proof";
import { NorFlash } from "../../boards/host/nor-flash";
import { ramFlash, SIM_FLASH_SIZE } from "../../tools/sim/flash";
import type { Simulator } from "../../tools/sim/simulator";
import { bootGate, CARD, cameraOnSince, consoleJson, FACE_IDENTITY, lastDecision, lastPrompt, technicianLogin } from "./support";

/** Reads records as they sit on flash, from a copy of the image (the store's own reader, in Node). */
function storedForms(image: Uint8Array, keys: string[]): Uint8Array[] {
  const store = LogStore.open(new NorFlash(image.length, { image }), { random: { fill: (b) => b.fill(7) } });
  return keys.map((key) => {
    const bytes = store.storedForm(key);
    if (!bytes) throw new Error(`${key} is not on flash`);
    return bytes;
  });
}

describe("story 2: withdrawing face consent at the keypad", () => {
  let sim: Simulator;
  let onFlash: Uint8Array[];
  const flash = ramFlash(new NorFlash(SIM_FLASH_SIZE));
  before(async () => { sim = await bootGate({ flash }); });
  after(async () => { await sim.close(); });

  it("before: her face opens the gate, and her sealed template and key are on flash", async () => {
    await sim.showFace("genuine", FACE_IDENTITY);
    await sim.type("3A"); // her resident number, then the face key (1:1)
    await sim.advance(500);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["face", true, "R00003"]);
    onFlash = storedForms(sim.flash.nor.image, ["face/tpl/R00003", "face/key/R00003"]);
    for (const bytes of onFlash) assert.ok(eraseProof(sim.flash.nor.image, bytes).length > 0);
    // Frames never leave RAM: no synthetic frame header ("SYNF" + kind) anywhere on flash.
    for (const kind of [1, 2, 3]) assert.deepEqual(eraseProof(sim.flash.nor.image, Uint8Array.of(...SYNTHETIC_FRAME_MAGIC, kind), 5), []);
  });

  it("she withdraws with her code and PIN: a receipt, and the bytes are gone from the image at once", async () => {
    await sim.type("B3#135724#");
    assert.match(lastPrompt(sim), /^Face consent withdrawn; face data erased\. Receipt: \d{4}-\d{4}$/);
    for (const bytes of onFlash) assert.deepEqual(eraseProof(sim.flash.nor.image, bytes), [], "no piece of the sealed record survives");
  });

  it("face stops working at once: the face key no longer powers the camera", async () => {
    const from = sim.events.length;
    await sim.type("3A"); // her resident number, then the face key (1:1)
    await sim.advance(2000);
    assert.equal(cameraOnSince(sim, from), 0);
    assert.equal(lastPrompt(sim), "Face entry is not available. Please use your card or PIN.");
    assert.equal(sim.decisions.filter((d) => d.via === "face" && d.grant).length, 1, "only the one before withdrawal");
  });

  it("her card still works", async () => {
    await sim.presentCard(CARD.faceUser);
    assert.deepEqual([lastDecision(sim).via, lastDecision(sim).reason, lastDecision(sim).resident], ["card", "granted", "R00003"]);
  });

  it("the audit log shows consent, enrolment, withdrawal and erasure, and verifies", async () => {
    await technicianLogin(sim);
    const log = await consoleJson<{ actor: string; event: string }[]>(sim, "log show --last 50");
    const hers = log.filter((e) => e.actor === "R00003").map((e) => e.event);
    for (const event of ["consent-given", "face-enrolled", "consent-withdrawn", "face-erased"]) assert.ok(hers.includes(event), event);
    assert.ok(hers.indexOf("consent-given") < hers.indexOf("consent-withdrawn"));
    assert.equal((await consoleJson<{ ok: boolean }>(sim, "log verify")).ok, true);
    const consent = await consoleJson<{ state: string; templateHeld: boolean }>(sim, "consent show R00003");
    assert.deepEqual([consent.state, consent.templateHeld], ["withdrawn", false]);
  });

  it("after a restart the withdrawal still holds: no template comes back, the camera stays off", async () => {
    await sim.close();
    sim = await bootGate({ flash });
    const from = sim.events.length;
    await sim.showFace("genuine", FACE_IDENTITY);
    await sim.type("3A"); // her resident number, then the face key (1:1)
    await sim.advance(2000);
    assert.equal(cameraOnSince(sim, from), 0);
    assert.equal(sim.decisions.some((d) => d.via === "face"), false);
    await technicianLogin(sim);
    const consent = await consoleJson<{ state: string; templateHeld: boolean }>(sim, "consent show R00003");
    assert.deepEqual([consent.state, consent.templateHeld], ["withdrawn", false]);
  });
});
