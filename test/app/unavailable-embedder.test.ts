// A build without a face model (the ESP32-S3 board until the ESP-DL module
// exists): the assembled core with UnavailableEmbedder keeps face off — the
// face key is refused with the camera never powered, enrolment fails with a
// clear error and leaves the camera off — while card and PIN work.
import assert from "node:assert/strict";
import { createSyntheticFrame } from "../../boards/host/synthetic-embedder";
import { GateCore } from "../../src/app/core";
import { UnavailableEmbedder } from "../../src/app/unavailable-embedder";
import { isOptgateError } from "../../src/core/errors";
import { TsMatcher } from "../../src/core/matcher/ts-matcher";
import { FaceCamera, lcgRandom } from "./console-rig";

const T0 = Date.UTC(2026, 2, 2, 0, 30);
const uid = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));

function setup() {
  const random = lcgRandom(1);
  const camera = new FaceCamera();
  const out = { pulses: 0, prompts: [] as string[] };
  const frame = createSyntheticFrame();
  const core = new GateCore({
    gateId: 1, clock: { now: () => T0 }, random, deviceKey: new Uint8Array(32).fill(5), matcher: new TsMatcher(128, 8), camera,
    embedder: new UnavailableEmbedder(128), frame,
    outputs: { unlock: () => out.pulses++, signal: () => {}, prompt: (p) => out.prompts.push(p) },
  });
  const resident = core.registry.addResident({ unit: "3-303", role: "owner", groups: 1, cards: [uid("04112233")], pin: "135724" });
  const notice = core.notices.publish({ purpose: "Open the gate", method: "1:N face match", gates: ["gate-1"], retentionDays: 365 }, T0);
  const id = `R${String(resident).padStart(5, "0")}`;
  core.ledger.grant({ residentId: id, noticeVersion: notice.version, witnessId: "T1", pin: "135724", at: T0 });
  return { core, camera, out, frame, id };
}

describe("UnavailableEmbedder (no face model on the board)", () => {
  it("says it is the real board's embedder of the matcher's size", () => {
    const embedder = new UnavailableEmbedder(512);
    assert.equal(embedder.dimension, 512);
    assert.equal(embedder.simulated, false);
  });

  it("face key: refused with the camera never powered, even for a consenting resident; card and PIN still open", () => {
    const { core, camera, out } = setup();
    core.gate.key("A", T0);
    for (const k of "1A") core.gate.key(k, T0 + 20);
    for (let t = 10; t < 200; t += 10) core.tick(T0 + t);
    assert.equal(camera.powerOns, 0);
    assert.equal(core.session.active, false);
    assert.match(out.prompts.at(-1)!, /card or PIN/);
    core.gate.card(uid("04112233"), T0 + 1000);
    assert.equal(out.pulses, 1);
    for (const k of "1#135724#") core.gate.key(k, T0 + 2000);
    assert.equal(out.pulses, 2);
  });

  it("enrolment fails with E_FACE_MODEL_MISSING after one capture, camera off, frame zeroed, nothing enrolled", () => {
    const { core, camera, frame, id } = setup();
    assert.throws(() => core.enrolment.enrolFromCamera(core.ledger.activeConsent(id), T0), (error) => isOptgateError(error) && error.code === "E_FACE_MODEL_MISSING");
    assert.equal(camera.captures, 1);
    assert.equal(camera.powered, false);
    assert.ok(frame.data.every((b) => b === 0));
    assert.equal(core.gallery.entry(id), undefined);
    assert.equal(core.session.available(id), "claim-not-enrolled", "a 1:1 face key for this resident stays refused");
    assert.notEqual(core.session.available(), undefined, "and so does the bare face key");
  });
});
