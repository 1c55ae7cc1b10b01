import assert from "node:assert/strict";
import { FaceSession, USE_CARD_OR_PIN, type FaceResult, type FaceSessionOptions } from "../../../src/core/face/face-session";
import { FaceGallery } from "../../../src/core/face/face-gallery";
import { TsMatcher } from "../../../src/core/matcher/ts-matcher";
import { SeededRandom } from "./face-fakes";
import type { Embedder } from "../../../src/core/ports";
import { consentAndEnrol, gateWorld as world, RecordingAudit, runFace, type FaceWorld } from "./face-fakes";

describe("face/face-session", () => {
  it("keeps the camera off when the gate has no consenting resident", () => {
    const w = world();
    w.registry.add("r-1", "1111");
    const r = runFace(w, { kind: "face", identity: 1 });
    assert.deepEqual(r.response, { started: false, reason: "no-consenting-resident", prompt: USE_CARD_OR_PIN });
    // Consent without a template is not enough either: nothing to match, nothing to power for.
    w.ledger.grant({ residentId: "r-1", noticeVersion: 1, witnessId: "t", pin: "1111", at: 1 });
    assert.equal(runFace(w, { kind: "face", identity: 1 }).response.reason, "no-consenting-resident");
    assert.deepEqual(w.camera.log, []);
  });

  it("keeps the camera off when the gate does not allow face, or 1:N without a claim", () => {
    const off = world({ gate: { face: false } });
    consentAndEnrol(off, "r-1", 1);
    assert.equal(runFace(off, { kind: "face", identity: 1 }).response.reason, "face-not-allowed");
    assert.equal(runFace(off, { kind: "face", identity: 1 }, "r-1").response.reason, "face-not-allowed");
    const oneToOneOnly = world({ gate: { oneToN: false } });
    consentAndEnrol(oneToOneOnly, "r-1", 1);
    const r = runFace(oneToOneOnly, { kind: "face", identity: 1 });
    assert.equal(r.response.reason, "one-to-n-not-allowed");
    assert.equal(r.response.prompt, USE_CARD_OR_PIN);
    assert.deepEqual([...off.camera.log, ...oneToOneOnly.camera.log], []);
    // The same gate verifies 1:1 after a claim.
    assert.equal(runFace(oneToOneOnly, { kind: "face", identity: 1 }, "r-1").result!.matched, true);
  });

  it("keeps the camera off for a claim whose resident has no face enrolled", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.registry.add("r-2", "2222");
    const r = runFace(w, { kind: "face", identity: 2 }, "r-2");
    assert.deepEqual(r.response, { started: false, reason: "claim-not-enrolled", prompt: USE_CARD_OR_PIN });
    assert.deepEqual(w.camera.log, []);
  });

  it("identifies 1:N, powers the camera only for the window, and zeroes frame and probe", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    consentAndEnrol(w, "r-2", 2);
    const probes: Int8Array[] = [];
    w.matcher.onBytes = (what, bytes) => { if (what === "probe") probes.push(bytes); };
    const start = w.clock.now;
    const { response, result } = runFace(w, { kind: "face", identity: 2 });
    assert.deepEqual(response, { started: true });
    assert.equal(result!.residentId, "r-2");
    assert.equal(result!.matched, true);
    assert.equal(result!.mode, "1:N");
    assert.equal(result!.prompt, undefined);
    assert.deepEqual(w.camera.log, [{ on: true, at: start }, { on: false, at: start + 100 }]);
    assert.equal(result!.cameraOnAt, start);
    assert.equal(result!.cameraOffAt, start + 100);
    assert.equal(w.session.cameraOnMs, 100);
    assert.ok(!w.camera.powered);
    assert.equal(w.camera.lastFrameData, w.frame.data, "captured into the one preallocated frame");
    assert.ok(w.frame.data.every((b) => b === 0), "frame zeroed");
    assert.equal(probes.length, 1);
    assert.ok(probes[0].every((b) => b === 0), "probe zeroed");
    assert.equal(w.gallery.entry("r-2")!.lastUsedAt, start + 100);
  });

  it("verifies 1:1 after a claim: the genuine face matches, another face does not", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    consentAndEnrol(w, "r-2", 2);
    const genuine = runFace(w, { kind: "face", identity: 1 }, "r-1").result!;
    assert.deepEqual([genuine.residentId, genuine.matched, genuine.mode], ["r-1", true, "1:1"]);
    const impostor = runFace(w, { kind: "face", identity: 2 }, "r-1").result!;
    assert.deepEqual([impostor.residentId, impostor.matched, impostor.outcome, impostor.prompt], ["r-1", false, "no-match", USE_CARD_OR_PIN]);
    const stranger = runFace(w, { kind: "face", identity: 99 }).result!;
    assert.deepEqual([stranger.residentId, stranger.matched, stranger.prompt], [undefined, false, USE_CARD_OR_PIN]);
    assert.ok(!w.camera.powered);
  });

  it("ends every failure with the card-or-PIN prompt and the camera off", () => {
    const w = world({ session: { maxAttempts: 3 } });
    consentAndEnrol(w, "r-1", 1);
    const cases: [Parameters<typeof runFace>[1], string, number][] = [
      [{ kind: "no-face", identity: 0 }, "no-face", 300],
      [{ kind: "low-quality", identity: 1 }, "low-quality", 300],
      ["error", "camera-error", 100],
      ["no-frame", "timeout", 8000],
    ];
    for (const [scene, outcome, window] of cases) {
      const before = w.camera.log.length;
      const { result } = runFace(w, scene);
      assert.equal(result!.outcome, outcome);
      assert.equal(result!.matched, false);
      assert.equal(result!.prompt, USE_CARD_OR_PIN);
      assert.equal(result!.cameraOffAt - result!.cameraOnAt, window, `${outcome} window`);
      assert.deepEqual(w.camera.log.slice(before).map((e) => e.on), [true, false]);
      assert.ok(w.frame.data.every((b) => b === 0));
    }
    assert.equal(w.session.cameraOnMs, 300 + 300 + 100 + 8000);
  });

  it("enforces the hard timeout even when ticks are late, and a camera that fails to power", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.camera.scene = "no-frame";
    w.session.faceKey(w.clock.now);
    w.clock.now += 20_000;
    assert.equal(w.session.tick(w.clock.now)!.outcome, "timeout");
    assert.ok(!w.camera.powered);
    w.camera.failPowerOn = true;
    const r = w.session.faceKey(w.clock.now);
    assert.deepEqual(r, { started: false, reason: "camera-error", prompt: USE_CARD_OR_PIN });
    assert.ok(!w.session.active);
  });

  it("cancels when a card or PIN arrives mid-session, and ignores a second face key", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.camera.scene = "no-frame";
    assert.ok(w.session.faceKey(w.clock.now).started);
    assert.deepEqual(w.session.faceKey(w.clock.now), { started: false, reason: "busy" });
    w.clock.now += 250;
    const r = w.session.cancel(w.clock.now)!;
    assert.equal(r.outcome, "cancelled");
    assert.ok(!w.camera.powered);
    assert.equal(w.session.cancel(w.clock.now), undefined);
    assert.equal(w.session.tick(w.clock.now), undefined);
  });

  it("records how long the camera was on at every camera-off: a match, a time-out and a cancelled session alike", () => {
    const audit = new RecordingAudit();
    const w = world({ session: { audit } });
    consentAndEnrol(w, "r-1", 1);
    const cameraOff = () => audit.events.filter((e) => e.kind === "camera.off");
    const matched = runFace(w, { kind: "face", identity: 1 }).result!;
    w.camera.scene = "no-frame";
    const startTimeout = w.clock.now;
    assert.ok(w.session.faceKey(startTimeout).started);
    let timedOut: FaceResult | undefined;
    while (!timedOut) { w.clock.now += 50; timedOut = w.session.tick(w.clock.now); }
    assert.ok(w.session.faceKey(w.clock.now).started);
    w.clock.now += 250;
    w.session.cancel(w.clock.now);
    const records = cameraOff();
    assert.deepEqual(records.map((e) => e.cameraMs), [
      matched.cameraOffAt - matched.cameraOnAt, timedOut.cameraOffAt - timedOut.cameraOnAt, 250,
    ]);
    assert.equal(timedOut.outcome, "timeout");
    assert.ok(records[1].cameraMs! >= 8000, "a time-out keeps the camera on for the whole time-out");
    // The camera, not a resident: no resident named, the gate as channel.
    assert.ok(records.every((e) => e.residentId === "" && e.channel === w.gate.gateId));
    assert.equal(records.reduce((sum, e) => sum + e.cameraMs!, 0), w.session.cameraOnMs);
  });

  for (const [what, shift] of [["an hour ahead", 3600_000], ["an hour back", -3600_000]] as const) {
    it(`times the session and its camera on the monotonic clock: a wall clock set ${what} mid-session bends neither`, () => {
      const audit = new RecordingAudit();
      let mono = 5_000;
      const w = world({ session: { audit, ticks: () => mono } });
      consentAndEnrol(w, "r-1", 1);
      w.camera.scene = "no-frame";
      assert.ok(w.session.faceKey(w.clock.now).started);
      let result: FaceResult | undefined;
      for (let step = 0; !result; step++) {
        w.clock.now += 50;
        mono += 50;
        if (step === 20) w.clock.now += shift; // the clock set, one second in
        result = w.session.tick(w.clock.now);
        assert.ok(step < 400, "the session ends");
      }
      assert.equal(result.outcome, "timeout");
      const records = audit.events.filter((e) => e.kind === "camera.off");
      assert.deepEqual(records.map((e) => e.cameraMs), [8000], "on for its whole time-out, as the monotonic clock says");
      assert.equal(result.cameraOffAt - result.cameraOnAt, 8000);
      assert.equal(w.session.cameraOnMs, 8000);
    });
  }

  it("does not match residents whose consent does not cover this gate", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.notices.publish({ purpose: "garage only", method: "face model", gates: ["garage"], retentionDays: 365 }, w.clock.now);
    consentAndEnrol(w, "r-2", 2);
    assert.equal(runFace(w, { kind: "face", identity: 2 }).result!.matched, false);
    assert.equal(runFace(w, { kind: "face", identity: 2 }, "r-2").response.reason, "claim-not-enrolled");
    assert.equal(runFace(w, { kind: "face", identity: 1 }).result!.residentId, "r-1");
  });

  it("uses the top-2 margin: two near-identical enrolled faces are not told apart 1:N", () => {
    const w = world();
    consentAndEnrol(w, "twin-a", 7);
    // The second twin enrols the same identity seed: scores tie, so 1:N must refuse.
    consentAndEnrol(w, "twin-b", 7);
    const r = runFace(w, { kind: "face", identity: 7 }).result!;
    assert.equal(r.matched, false);
    assert.ok(r.score > 127 * 127 * 0.5, "the best score alone would have passed");
    assert.equal(runFace(w, { kind: "face", identity: 7 }, "twin-b").result!.matched, true, "1:1 still works");
  });

  it("runs unchanged on the product's TS matcher kernel (same scores as the reference)", () => {
    const w = world();
    const matcher = new TsMatcher(w.dimension, 8);
    const gallery = new FaceGallery({ matcher, vault: w.vault, ledger: w.ledger, random: new SeededRandom(3), model: w.embedder.model });
    consentAndEnrol(w, "r-1", 1);
    consentAndEnrol(w, "r-2", 2);
    // Rebuild over the TS kernel from the sealed vault, as a reboot would.
    assert.deepEqual(gallery.restore(w.clock.now).loaded.sort(), ["r-1", "r-2"]);
    const session = new FaceSession({ gate: w.gate, camera: w.camera, embedder: w.embedder, matcher, gallery, ledger: w.ledger, frame: w.frame });
    const reference = runFace(w, { kind: "face", identity: 2 }).result!;
    w.camera.scene = { kind: "face", identity: 2 };
    w.camera.captures -= 1; // the same capture number, so the same frame
    assert.ok(session.faceKey(w.clock.now).started);
    w.clock.now += 100;
    const kernel = session.tick(w.clock.now)!;
    assert.equal(kernel.residentId, "r-2");
    assert.equal(kernel.matched, true);
    assert.equal(kernel.score, reference.score);
  });

  it("turns a matcher fault into the prompt with the camera off, never an open door", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.matcher.scan = () => { throw new Error("kernel trap"); };
    w.matcher.verify = () => { throw new Error("kernel trap"); };
    for (const claim of [undefined, "r-1"]) {
      const { result } = runFace(w, { kind: "face", identity: 1 }, claim);
      assert.deepEqual([result!.outcome, result!.matched, result!.prompt], ["model-error", false, USE_CARD_OR_PIN]);
      assert.ok(!w.camera.powered);
      assert.ok(w.frame.data.every((b) => b === 0));
    }
  });
});

describe("face/face-session: failure limit per gate", () => {
  const stranger = { kind: "face" as const, identity: 4242 };
  const genuine = { kind: "face" as const, identity: 1 };

  function limited(failureLimit?: FaceSessionOptions["failureLimit"]) {
    const audit = new RecordingAudit();
    const w = world({ session: { audit, ...(failureLimit ? { failureLimit } : {}) } });
    consentAndEnrol(w, "r-1", 1);
    return { w, audit };
  }

  function fail(w: FaceWorld, times: number, claim?: string): void {
    for (let i = 0; i < times; i++) {
      const r = runFace(w, stranger, claim);
      assert.equal(r.result?.outcome, "no-match", `failure ${i + 1} ran a session`);
      w.clock.now += 1000;
    }
  }

  it("after 5 failed matches the face key is refused for a minute: camera off, card or PIN prompt, audited", () => {
    const { w, audit } = limited();
    fail(w, 5);
    const powered = w.camera.log.length;
    const refused = runFace(w, genuine, "r-1");
    assert.deepEqual(refused.response, { started: false, reason: "face-locked-out", prompt: USE_CARD_OR_PIN });
    assert.deepEqual(runFace(w, genuine).response.reason, "face-locked-out");
    assert.equal(w.camera.log.length, powered, "the camera stayed off");
    assert.ok(!w.camera.powered);
    const locks = audit.events.filter((e) => e.kind === "face.locked-out");
    assert.equal(locks.length, 1);
    assert.equal(locks[0].channel, "north");
    // One minute after the fifth failure, face works again.
    w.clock.now += 60_000;
    assert.equal(runFace(w, genuine).result?.matched, true);
  });

  it("the suspension doubles each time and is capped", () => {
    const { w, audit } = limited({ attempts: 3, windowMs: 60_000, backoffMs: 1000, maxBackoffMs: 3000 });
    for (const expected of [1000, 2000, 3000, 3000]) {
      fail(w, 3);
      const lockedAt = w.clock.now - 1000;
      w.clock.now = lockedAt + expected - 1;
      assert.equal(runFace(w, stranger).response.reason, "face-locked-out", `still suspended just before ${expected} ms`);
      w.clock.now = lockedAt + expected;
      assert.equal(w.session.available(undefined, w.clock.now), undefined, `open again after ${expected} ms`);
    }
    assert.equal(audit.events.filter((e) => e.kind === "face.locked-out").length, 4);
  });

  it("failures spread wider than the window, no-face attempts and matches do not add up to a suspension", () => {
    const { w } = limited({ attempts: 3, windowMs: 10_000 });
    fail(w, 2);
    w.clock.now += 10_000;
    fail(w, 2);
    assert.equal(runFace(w, stranger).result?.outcome, "no-match", "the first two fell out of the window");
    const { w: w2 } = limited({ attempts: 3 });
    for (let i = 0; i < 6; i++) assert.equal(runFace(w2, { kind: "no-face", identity: 0 }).result?.outcome, "no-face");
    fail(w2, 2);
    assert.equal(runFace(w2, genuine).result?.matched, true);
    fail(w2, 2);
    assert.equal(runFace(w2, stranger).result?.outcome, "no-match", "the match cleared the count");
  });
});

describe("face/face-session: claims for residents without face", () => {
  it("count towards the limit, so the resident numbers that use face cannot be probed without end", () => {
    const audit = new RecordingAudit();
    const w = world({ session: { audit } });
    consentAndEnrol(w, "r-1", 1);
    w.registry.add("r-2", "2222");
    for (let i = 0; i < 5; i++) {
      assert.equal(runFace(w, { kind: "face", identity: 1 }, "r-2").response.reason, "claim-not-enrolled");
      w.clock.now += 1000;
    }
    assert.equal(runFace(w, { kind: "face", identity: 1 }, "r-1").response.reason, "face-locked-out");
    assert.deepEqual(w.camera.log.filter((e) => e.on).length, 0, "the camera never powered");
    assert.equal(audit.events.filter((e) => e.kind === "face.locked-out").length, 1);
  });
});

describe("face/face-session: what an attacker or a fault does mid-session (found by mutation testing)", () => {
  it("refuses a failure limit that could never suspend or never end, and accepts the tightest valid one", () => {
    const bad = [{ attempts: 0 }, { windowMs: 0 }, { backoffMs: 0 }, { backoffMs: 2000, maxBackoffMs: 1999 }];
    for (const failureLimit of bad) {
      assert.throws(() => world({ session: { failureLimit } }), (e: Error & { code?: string }) => e.code === "E_FACE_FAILURE_LIMIT" && /attempts >= 1/.test(e.message), JSON.stringify(failureLimit));
    }
    const tight = world({ session: { failureLimit: { attempts: 1, windowMs: 1, backoffMs: 5, maxBackoffMs: 5 } } });
    consentAndEnrol(tight, "r-1", 1);
    assert.equal(runFace(tight, { kind: "face", identity: 4242 }).result!.outcome, "no-match");
    assert.equal(tight.session.available(undefined, tight.clock.now), "face-locked-out", "one failure suspends with attempts 1");
  });

  it("names both sizes when the model and the matcher disagree", () => {
    const w = world();
    assert.throws(() => new FaceSession({ ...sessionParts(w), embedder: { ...w.embedder, dimension: 32, model: w.embedder.model, simulated: true, embed: () => "ok" } }),
      (e: Error & { code?: string }) => e.code === "E_TEMPLATE_DIMENSION" && e.message.endsWith("The face model gives 32 values but the matcher takes 64; fit a matching model."));
  });

  it("asked without a time, a running suspension refuses (the safe answer); with none it does not", () => {
    const w = world({ session: { failureLimit: { attempts: 1 } } });
    consentAndEnrol(w, "r-1", 1);
    assert.equal(w.session.available(), undefined);
    runFace(w, { kind: "face", identity: 4242 });
    assert.equal(w.session.available(), "face-locked-out");
    assert.equal(w.session.lockedUntil, w.clock.now + 60_000);
  });

  it("a tick at the very millisecond the session started is a capture, not the end", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.camera.scene = { kind: "face", identity: 1 };
    assert.ok(w.session.faceKey(w.clock.now, "r-1").started);
    const r = w.session.tick(w.clock.now)!;
    assert.deepEqual([r.outcome, r.matched, r.cameraOffAt - r.cameraOnAt], ["matched", true, 0]);
  });

  it("a clock stepped back mid-session ends it with the camera off and no negative camera time", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.camera.scene = { kind: "face", identity: 1 };
    assert.ok(w.session.faceKey(w.clock.now, "r-1").started);
    const r = w.session.tick(w.clock.now - 1)!;
    assert.deepEqual([r.outcome, r.matched, r.cameraOffAt, r.prompt], ["timeout", false, r.cameraOnAt, USE_CARD_OR_PIN]);
    assert.equal(w.session.cameraOnMs, 0);
    assert.ok(!w.camera.powered);
  });

  it("a session that times out reports timeout, not the miss of an earlier session", () => {
    const w = world({ session: { maxAttempts: 2 } });
    consentAndEnrol(w, "r-1", 1);
    assert.equal(runFace(w, { kind: "no-face", identity: 0 }).result!.outcome, "no-face");
    assert.equal(runFace(w, "no-frame").result!.outcome, "timeout");
  });

  it("a camera that throws while capturing, or a model that throws or answers nonsense, ends in the prompt, never a match", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    const capture = w.camera.capture.bind(w.camera);
    w.camera.capture = () => { throw new Error("i2c timeout"); };
    assert.deepEqual(pick(runFace(w, { kind: "face", identity: 1 }).result!), ["camera-error", false, USE_CARD_OR_PIN]);
    w.camera.capture = capture;
    const embed = w.embedder.embed.bind(w.embedder);
    for (const fault of [() => { throw new Error("arena too small"); }, () => "maybe" as never]) {
      w.embedder.embed = fault;
      assert.deepEqual(pick(runFace(w, { kind: "face", identity: 1 }, "r-1").result!), ["model-error", false, USE_CARD_OR_PIN]);
      assert.ok(w.frame.data.every((b) => b === 0) && !w.camera.powered);
    }
    w.embedder.embed = embed;
    assert.equal(runFace(w, { kind: "face", identity: 1 }, "r-1").result!.matched, true);
  });

  it("a withdrawal during a 1:1 session wins: the face that was enrolled no longer opens", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.camera.scene = { kind: "face", identity: 1 };
    assert.ok(w.session.faceKey(w.clock.now, "r-1").started);
    w.withdrawal.fromConsole({ residentId: "r-1", technicianId: "tech-7", at: w.clock.now });
    const r = w.session.tick(w.clock.now + 100)!;
    assert.deepEqual(pick(r), ["no-match", false, USE_CARD_OR_PIN]);
    assert.equal(r.score, 0);
  });

  it("a withdrawal during a 1:N session leaves nobody to match: no resident named, score 0", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.camera.scene = { kind: "face", identity: 1 };
    assert.ok(w.session.faceKey(w.clock.now).started);
    w.withdrawal.fromConsole({ residentId: "r-1", technicianId: "tech-7", at: w.clock.now });
    const r = w.session.tick(w.clock.now + 100)!;
    assert.deepEqual([...pick(r), r.residentId, r.score], ["no-match", false, USE_CARD_OR_PIN, undefined, 0]);
  });

  it("consent narrowed to other gates during a session: the best face is not admitted here, 1:N or 1:1", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    w.camera.scene = { kind: "face", identity: 1 };
    assert.ok(w.session.faceKey(w.clock.now).started);
    const covers = w.ledger.coversGate.bind(w.ledger);
    w.ledger.coversGate = (residentId, gateId) => residentId !== "r-1" && covers(residentId, gateId);
    const r = w.session.tick(w.clock.now + 100)!;
    assert.deepEqual([...pick(r), r.residentId], ["no-match", false, USE_CARD_OR_PIN, undefined]);
    assert.ok(r.score > 0, "the scan ran and found the face; consent alone refused it");
    // The same for 1:1: the template is still there, the consent no longer covers this gate.
    w.ledger.coversGate = covers;
    assert.ok(w.session.faceKey(w.clock.now, "r-1").started);
    w.ledger.coversGate = (residentId, gateId) => residentId !== "r-1" && covers(residentId, gateId);
    assert.deepEqual([...pick(w.session.tick(w.clock.now + 100)!), w.gallery.entry("r-1") !== undefined], ["no-match", false, USE_CARD_OR_PIN, true]);
  });

  it("a failed 1:1 attempt on someone's face does not keep their template alive for the inactivity rule", () => {
    const w = world();
    consentAndEnrol(w, "r-1", 1);
    const lastUsed = w.gallery.entry("r-1")!.lastUsedAt;
    w.clock.now += 5000;
    assert.equal(runFace(w, { kind: "face", identity: 4242 }, "r-1").result!.outcome, "no-match");
    assert.equal(w.gallery.entry("r-1")!.lastUsedAt, lastUsed);
  });

  it("a failure exactly one window old has left the window", () => {
    const { w } = limitedWorld({ attempts: 2, windowMs: 10_000 });
    assert.equal(runFace(w, stranger).result!.outcome, "no-match");
    w.clock.now += 10_000 - 100; // runFace ticks 100 ms before the result
    assert.equal(runFace(w, stranger).result!.outcome, "no-match");
    assert.equal(w.session.available(undefined, w.clock.now), undefined, "two failures exactly 10 s apart are not two in 10 s");
  });

  it("a quiet spell exactly as long as the longest suspension starts the doubling over", () => {
    const { w } = limitedWorld({ attempts: 1, windowMs: 60_000, backoffMs: 1000, maxBackoffMs: 4000 });
    runFace(w, stranger);
    assert.equal(w.session.lockedUntil - w.clock.now, 1000);
    w.clock.now = w.session.lockedUntil + 1;
    runFace(w, stranger); // second suspension doubles
    assert.equal(w.session.lockedUntil - w.clock.now, 2000);
    w.clock.now = w.session.lockedUntil + 4000 - 100; // the result comes 100 ms after the key
    runFace(w, stranger);
    assert.equal(w.session.lockedUntil - w.clock.now, 1000, "4 s of quiet after the suspension: back to the first step");
  });

  it("the suspension record names the claimed resident for 1:1 and nobody for 1:N", () => {
    const claimed = limitedWorld({ attempts: 1 });
    runFace(claimed.w, stranger, "r-1");
    const anonymous = limitedWorld({ attempts: 1 });
    runFace(anonymous.w, stranger);
    const lock = (a: RecordingAudit) => a.events.filter((e) => e.kind === "face.locked-out").map((e) => e.residentId);
    assert.deepEqual([lock(claimed.audit), lock(anonymous.audit)], [["r-1"], [""]]);
  });

  it("names what refuses a face model other than the one the templates were made with", () => {
    const w = world();
    const other: Embedder = { ...w.embedder, embed: w.embedder.embed.bind(w.embedder), dimension: w.dimension, simulated: true, livenessChecks: [], model: { id: "other-net", version: 1 } };
    assert.throws(() => new FaceSession({ ...sessionParts(w), embedder: other }),
      (e: Error & { code?: string }) => e.code === "E_FACE_MODEL_MISMATCH" && e.message.startsWith("E_FACE_MODEL_MISMATCH: Face matching uses face model other-net"));
  });

  it("a claim for a resident who consented but has no template leaves the camera off and counts as a guess", () => {
    const w = world({ session: { failureLimit: { attempts: 1 } } });
    consentAndEnrol(w, "r-1", 1);
    w.registry.add("r-2", "2222");
    w.ledger.grant({ residentId: "r-2", noticeVersion: 1, witnessId: "tech-7", pin: "2222", at: w.clock.now });
    assert.ok(w.ledger.coversGate("r-2", "north"), "consent covers this gate: only the missing template refuses");
    assert.equal(w.session.available("r-2", w.clock.now), "claim-not-enrolled");
    assert.deepEqual(runFace(w, { kind: "face", identity: 2 }, "r-2").response, { started: false, reason: "claim-not-enrolled", prompt: USE_CARD_OR_PIN });
    assert.deepEqual(w.camera.log, []);
    assert.equal(w.session.available(undefined, w.clock.now), "face-locked-out");
  });

  it("a camera that fails to power reports camera-error to the listener, with no camera time", () => {
    const results: FaceResult[] = [];
    const w = world({ session: { onResult: (r) => results.push(r) } });
    consentAndEnrol(w, "r-1", 1);
    w.camera.failPowerOn = true;
    assert.equal(w.session.faceKey(w.clock.now, "r-1").reason, "camera-error");
    assert.deepEqual(results.map((r) => [r.outcome, r.matched, r.residentId, r.mode, r.prompt, r.cameraOffAt - r.cameraOnAt]), [["camera-error", false, undefined, "1:1", USE_CARD_OR_PIN, 0]]);
    assert.equal(w.session.cameraOnMs, 0);
  });

  it("a model that answers ok with NaN or all zeros is a model error: nothing compared, camera off, frame zeroed", () => {
    for (const bad of [Number.NaN, 0]) {
      for (const claim of ["r-1", undefined]) {
        const w = world();
        consentAndEnrol(w, "r-1", 1);
        const probes: Int8Array[] = [];
        w.matcher.onBytes = (what, bytes) => { if (what === "probe") probes.push(bytes); };
        w.embedder.embed = (_frame, out) => { out.fill(bad); return "ok"; };
        const { result } = runFace(w, { kind: "face", identity: 1 }, claim);
        assert.deepEqual([...pick(result!), result!.score, probes.length], ["model-error", false, USE_CARD_OR_PIN, 0, 0], `${bad} ${claim}`);
        assert.equal(result!.cameraOffAt - result!.cameraOnAt, 100, "ended at the first frame");
        assert.ok(!w.camera.powered && w.frame.data.every((b) => b === 0));
      }
    }
  });
});

const stranger = { kind: "face" as const, identity: 4242 };

function pick(r: { outcome: string; matched: boolean; prompt?: string }): [string, boolean, string | undefined] {
  return [r.outcome, r.matched, r.prompt];
}

function sessionParts(w: FaceWorld): FaceSessionOptions {
  return { gate: w.gate, camera: w.camera, embedder: w.embedder, matcher: w.matcher, gallery: w.gallery, ledger: w.ledger, frame: w.frame };
}

function limitedWorld(failureLimit: FaceSessionOptions["failureLimit"]) {
  const audit = new RecordingAudit();
  const w = world({ session: { audit, failureLimit } });
  consentAndEnrol(w, "r-1", 1);
  return { w, audit };
}
