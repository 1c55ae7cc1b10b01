// The presentation-attack check (gate.liveness) in a face session: asked of the
// model on every frame when on, never when off; a refused face ends the attempt.
import assert from "node:assert/strict";
import { FaceSession, USE_CARD_OR_PIN } from "../../../src/core/face/face-session";
import { createSyntheticFrame, SyntheticEmbedder, writeSyntheticFrame } from "../../../boards/host/synthetic-embedder";
import type { EmbedOutcome, Embedder, Frame, LivenessCheck } from "../../../src/core/ports";
import { consentAndEnrol, gateWorld as world, RecordingAudit, runFace } from "./face-fakes";

/** A face model that can run antispoof; a synthetic identity in `photos` fails it (a picture held up). Portable: no Node. */
class CheckingEmbedder implements Embedder {
  readonly #inner: SyntheticEmbedder;
  readonly dimension: number;
  readonly simulated = true;
  readonly model: Embedder["model"];
  readonly livenessChecks: readonly LivenessCheck[] = ["antispoof"];
  readonly photos = new Set<number>();
  asked: (LivenessCheck | undefined)[] = [];
  /** How many arguments each call passed (a native binding may count them). */
  arity: number[] = [];
  constructor(dimension: number) {
    this.#inner = new SyntheticEmbedder({ dimension });
    this.dimension = dimension;
    this.model = this.#inner.model;
  }
  embed(...args: [Frame, Float32Array, LivenessCheck?]): EmbedOutcome {
    const [frame, out, liveness] = args;
    this.asked.push(liveness);
    this.arity.push(args.length);
    const identity = new DataView(frame.data.buffer, frame.data.byteOffset).getUint32(5, true);
    if (liveness === "antispoof" && this.photos.has(identity)) return "not-live";
    return this.#inner.embed(frame, out);
  }
}

describe("face/face-session: presentation-attack check (gate.liveness)", () => {
  const PHOTO = 77;

  function checked(liveness: "off" | "antispoof" | undefined, audit?: RecordingAudit) {
    const embedder = new CheckingEmbedder(64);
    embedder.photos.add(PHOTO);
    const w = world({ gate: liveness === undefined ? {} : { liveness }, session: { embedder, ...(audit ? { audit } : {}) } });
    consentAndEnrol(w, "r-1", 1);
    return { w, embedder };
  }

  it("absent or off: the model is asked for no check, and faces match exactly as before", () => {
    for (const setting of [undefined, "off"] as const) {
      const { w, embedder } = checked(setting);
      assert.equal(runFace(w, { kind: "face", identity: 1 }, "r-1").result!.matched, true);
      assert.equal(runFace(w, { kind: "face", identity: PHOTO }).result!.outcome, "no-match", "without the check a photo is only compared");
      assert.ok(embedder.asked.length >= 2 && embedder.asked.every((c) => c === undefined));
      assert.ok(embedder.arity.every((n) => n === 2), "called with frame and output only, as before the check existed");
    }
  });

  it("on: every frame is checked, and a live face matches", () => {
    const { w, embedder } = checked("antispoof");
    const r = runFace(w, { kind: "face", identity: 1 }, "r-1").result!;
    assert.deepEqual([r.matched, r.outcome, r.residentId], [true, "matched", "r-1"]);
    assert.ok(embedder.asked.length >= 1 && embedder.asked.every((c) => c === "antispoof"));
    assert.ok(embedder.arity.every((n) => n === 3));
  });

  it("on: a refused face ends the attempt at its first frame: no comparison, camera off, frame and buffers zeroed, use card or PIN", () => {
    for (const claim of ["r-1", undefined]) {
      const { w } = checked("antispoof");
      const probes: Int8Array[] = [];
      w.matcher.onBytes = (what, bytes) => { if (what === "probe") probes.push(bytes); };
      const start = w.clock.now;
      const { response, result } = runFace(w, { kind: "face", identity: PHOTO }, claim);
      assert.deepEqual(response, { started: true });
      assert.deepEqual([result!.matched, result!.outcome, result!.score, result!.prompt], [false, "not-live", 0, USE_CARD_OR_PIN]);
      assert.equal(result!.residentId, claim, "1:1 names the claimed resident (whose face was tried), 1:N nobody");
      assert.equal(probes.length, 0, "nothing compared");
      assert.equal(w.camera.captures, 1, "one frame, then the camera goes off");
      assert.deepEqual(w.camera.log, [{ on: true, at: start }, { on: false, at: start + 100 }]);
      assert.ok(!w.camera.powered);
      assert.ok(w.frame.data.every((b) => b === 0), "frame zeroed");
      assert.equal(w.session.active, false);
    }
  });

  it("on: refused faces count towards the suspension (photos cannot be tried without end)", () => {
    const audit = new RecordingAudit();
    const { w } = checked("antispoof", audit);
    for (let i = 0; i < 5; i++) {
      assert.equal(runFace(w, { kind: "face", identity: PHOTO }, "r-1").result!.outcome, "not-live");
      w.clock.now += 1000;
    }
    assert.equal(runFace(w, { kind: "face", identity: 1 }, "r-1").response.reason, "face-locked-out");
    assert.deepEqual(audit.events.filter((e) => e.kind === "face.locked-out").map((e) => e.residentId), ["r-1"]);
  });

  it("on, with a model that cannot check (the synthetic embedder): the face key is refused and the camera never powers", () => {
    const w = world({ gate: { liveness: "antispoof" } });
    consentAndEnrol(w, "r-1", 1);
    assert.deepEqual(w.embedder.livenessChecks, []);
    assert.equal(w.session.available("r-1", w.clock.now), "liveness-unavailable");
    const r = runFace(w, { kind: "face", identity: 1 }, "r-1");
    assert.deepEqual(r.response, { started: false, reason: "liveness-unavailable", prompt: USE_CARD_OR_PIN });
    assert.deepEqual(w.camera.log, []);
  });

  it("on, with a model that does not list its checks at all: it can run none, the camera never powers", () => {
    const w = world({ gate: { liveness: "antispoof" } });
    consentAndEnrol(w, "r-1", 1);
    const unlisted = Object.create(w.embedder, { livenessChecks: { value: undefined } }) as Embedder;
    const session = new FaceSession({ gate: w.gate, camera: w.camera, embedder: unlisted, matcher: w.matcher, gallery: w.gallery, ledger: w.ledger, frame: w.frame });
    assert.equal(session.available("r-1", w.clock.now), "liveness-unavailable");
    assert.deepEqual(session.faceKey(w.clock.now, "r-1"), { started: false, reason: "liveness-unavailable", prompt: USE_CARD_OR_PIN });
    assert.deepEqual(w.camera.log, []);
  });

  it("turned on mid-session on a model that cannot check: the session ends as a model error before its next frame", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.camera.scene = { kind: "no-face", identity: 0 };
    assert.equal(w.session.faceKey(w.clock.now, "r-1").started, true);
    w.clock.now += 100;
    assert.equal(w.session.tick(w.clock.now), undefined, "no face yet: the session goes on");
    const captures = w.camera.captures;
    w.gate.liveness = "antispoof";
    w.clock.now += 100;
    const r = w.session.tick(w.clock.now)!;
    assert.deepEqual([r.outcome, r.matched, r.prompt], ["model-error", false, USE_CARD_OR_PIN]);
    assert.equal(w.camera.captures, captures, "no frame taken for a check that cannot run");
    assert.ok(!w.camera.powered);
  });

  it("the synthetic embedder says plainly it cannot check when asked to", () => {
    const embedder = new SyntheticEmbedder({ dimension: 16 });
    const frame = createSyntheticFrame(8, 8);
    writeSyntheticFrame(frame, "face", 1, 1);
    assert.throws(() => embedder.embed(frame, new Float32Array(16), "antispoof"), /E_LIVENESS_UNAVAILABLE: The synthetic embedder cannot run a presentation-attack check \(antispoof\)/);
    assert.equal(embedder.embed(frame, new Float32Array(16)), "ok");
  });
});
