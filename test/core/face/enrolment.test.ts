import assert from "node:assert/strict";
import { FaceEnrolment } from "../../../src/core/face/enrolment";
import { templateFromCaptures } from "../../../src/core/face/template";
import { FaceGallery } from "../../../src/core/face/face-gallery";
import { FaceSession } from "../../../src/core/face/face-session";
import { SyntheticEmbedder } from "../../../boards/host/synthetic-embedder";
import type { TemplateVault, VaultEntry } from "../../../src/core/face/template-vault";
import { ReferenceMatcher } from "./reference-matcher";
import { isOptgateError } from "../../../src/core/errors";
import { consentAndEnrol, faceWorld, SeededRandom } from "./face-fakes";

const code = (c: string) => (e: unknown) => isOptgateError(e, c);

function captures(w: ReturnType<typeof faceWorld>, identity: number, n = 5): Float32Array[] {
  return Array.from({ length: n }, (_, c) => {
    const e = new Float32Array(w.dimension);
    w.embedder.capture(identity, c, e);
    return e;
  });
}

describe("face/enrolment and gallery", () => {
  it("enrols only with an ActiveConsent: the type refuses anything else", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    w.registry.add("r-1", "1111");
    // @ts-expect-error a plain object is not consent: this line must not type-check.
    assert.throws(() => w.enrolment.enrolEmbeddings({ residentId: "r-1", noticeVersion: 1, grantSeq: 1 }, captures(w, 1), 0), code("E_CONSENT_NOT_ACTIVE"));
    // @ts-expect-error nor is a missing one.
    assert.throws(() => w.gallery.enrol(undefined, templateFromCaptures(captures(w, 1), w.dimension), 0), code("E_CONSENT_NOT_ACTIVE"));
    assert.equal(w.gallery.size, 0);
    assert.deepEqual(w.vault.residents(), []);
  });

  it("stores the template sealed under a per-resident key and loads it into a matcher slot", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    consentAndEnrol(w, "r-1", 11);
    consentAndEnrol(w, "r-2", 22);
    assert.equal(w.gallery.size, 2);
    const e1 = w.gallery.entry("r-1")!, e2 = w.gallery.entry("r-2")!;
    assert.notEqual(e1.slot, e2.slot);
    assert.notDeepEqual(w.vault.get("r-1")!.key, w.vault.get("r-2")!.key);
    // The matcher slot holds the template: a fresh capture of identity 11 scores high there, low at r-2.
    const probe = templateFromCaptures(captures(w, 11, 1).map((c) => c), w.dimension).values;
    assert.ok(w.matcher.verify(e1.slot, probe) > 127 * 127 * 0.5);
    assert.ok(w.matcher.verify(e2.slot, probe) < 127 * 127 * 0.4);
    assert.equal(w.audit.events.filter((e) => e.kind === "face.enrolled").length, 2);
  });

  it("refuses withdrawn consent, a changed notice and a wrong dimension, changing nothing", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    w.registry.add("r-1", "1111");
    w.ledger.grant({ residentId: "r-1", noticeVersion: 1, witnessId: "t", pin: "1111", at: 1 });
    const token = w.ledger.activeConsent("r-1");
    assert.throws(() => w.enrolment.enrolEmbeddings(token, Array.from({ length: 5 }, () => new Float32Array(w.dimension + 1).fill(1)), 2), code("E_TEMPLATE_DIMENSION"));
    const withNaN = captures(w, 1);
    withNaN[2][5] = NaN;
    assert.throws(() => w.enrolment.enrolEmbeddings(token, withNaN, 2), code("E_TEMPLATE_NOT_FINITE"));
    w.notices.publish({ purpose: "p2", method: "m", gates: ["north"], retentionDays: 30 }, 3);
    assert.throws(() => w.enrolment.enrolEmbeddings(token, captures(w, 1), 4), code("E_CONSENT_NOT_ACTIVE"));
    assert.equal(w.gallery.size, 0);
    assert.deepEqual(w.vault.residents(), []);
    assert.equal(w.camera.log.length, 0);
  });

  for (const why of ["withdrawn", "the notice changed", "withdrawn and granted again"]) {
    it(`never powers the camera for a consent token the ledger no longer confirms (${why})`, () => {
      const w = faceWorld();
      const notice = { purpose: "p", method: "m", gates: ["north"], retentionDays: 30 };
      w.notices.publish(notice, w.clock.now);
      w.camera.scene = { kind: "face", identity: 5 };
      w.registry.add("r-1", "1111");
      w.ledger.grant({ residentId: "r-1", noticeVersion: 1, witnessId: "t", pin: "1111", at: 1 });
      const token = w.ledger.activeConsent("r-1");
      if (why === "the notice changed") w.notices.publish({ ...notice, purpose: "p2" }, 2);
      else w.ledger.withdraw({ channel: "console", residentId: "r-1", technicianId: "t", at: 2 });
      if (why === "withdrawn and granted again") w.ledger.grant({ residentId: "r-1", noticeVersion: 1, witnessId: "t", pin: "1111", at: 3 });
      assert.throws(() => w.enrolment.enrolFromCamera(token, 4), code("E_CONSENT_NOT_ACTIVE"));
      assert.deepEqual(w.camera.log, [], "the camera was powered for a stale token");
      assert.equal(w.camera.captures, 0);
      assert.equal(w.gallery.size, 0);
      assert.deepEqual(w.vault.residents(), []);
    });
  }

  it("enrols from the camera, powering it only for the captures, and zeroes the frame", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    w.registry.add("r-1", "1111");
    w.ledger.grant({ residentId: "r-1", noticeVersion: 1, witnessId: "t", pin: "1111", at: 1 });
    w.camera.scene = { kind: "face", identity: 5 };
    w.enrolment.enrolFromCamera(w.ledger.activeConsent("r-1"), w.clock.now);
    assert.deepEqual(w.camera.log.map((e) => e.on), [true, false]);
    assert.ok(!w.camera.powered);
    assert.ok(w.frame.data.every((b) => b === 0));
    assert.ok(w.gallery.entry("r-1"));
    // No face in view: nothing is enrolled and the camera still goes off.
    w.registry.add("r-2", "2222");
    w.ledger.grant({ residentId: "r-2", noticeVersion: 1, witnessId: "t", pin: "2222", at: 1 });
    w.camera.scene = { kind: "no-face", identity: 0 };
    assert.throws(() => w.enrolment.enrolFromCamera(w.ledger.activeConsent("r-2"), w.clock.now), code("E_ENROL_TOO_FEW_CAPTURES"));
    assert.ok(!w.camera.powered);
    assert.equal(w.gallery.entry("r-2"), undefined);
    // Never while a face session holds the camera.
    w.camera.scene = "no-frame";
    assert.ok(w.session.faceKey(w.clock.now).started);
    assert.throws(() => w.enrolment.enrolFromCamera(w.ledger.activeConsent("r-2"), w.clock.now), code("E_CAMERA_BUSY"));
    assert.ok(w.session.active && w.camera.powered);
    w.session.cancel(w.clock.now);
  });

  it("reuses freed slots, reports a full gallery, and restores from the vault after a reboot", () => {
    const w = faceWorld({ capacity: 3 });
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    consentAndEnrol(w, "a", 1);
    consentAndEnrol(w, "b", 2);
    consentAndEnrol(w, "c", 3);
    w.registry.add("d", "2468");
    w.ledger.grant({ residentId: "d", noticeVersion: 1, witnessId: "t", pin: "2468", at: 1 });
    assert.throws(() => w.enrolment.enrolEmbeddings(w.ledger.activeConsent("d"), captures(w, 4), 1), code("E_GALLERY_FULL"));
    w.withdrawal.fromConsole({ residentId: "b", technicianId: "t", at: 2 });
    w.enrolment.enrolEmbeddings(w.ledger.activeConsent("d"), captures(w, 4), 3);
    assert.equal(w.gallery.entry("d")!.slot, 1);
    // Reboot: a new gallery and matcher over the same vault and ledger.
    const before = w.matcher.gallery.slice();
    w.matcher.gallery.fill(0);
    const again = new FaceGallery({ matcher: w.matcher, vault: w.vault, ledger: w.ledger, random: new SeededRandom(5), model: w.embedder.model });
    // Consent for "c" ends behind the new gallery's back: restore must erase that template.
    w.ledger.withdraw({ channel: "console", residentId: "c", technicianId: "t", at: 4 });
    const { loaded, erased } = again.restore(10);
    assert.deepEqual(loaded.sort(), ["a", "d"]);
    assert.deepEqual(erased, ["c"]);
    assert.deepEqual(w.vault.residents().sort(), ["a", "d"]);
    for (const id of ["a", "d"]) {
      const slot = again.entry(id)!.slot;
      const oldSlot = w.gallery.entry(id)!.slot;
      assert.deepEqual(w.matcher.gallery.subarray(slot * w.dimension, (slot + 1) * w.dimension), before.subarray(oldSlot * w.dimension, (oldSlot + 1) * w.dimension));
    }
  });

  it("erases a sealed template that does not open on restore, and refuses a model of the wrong dimension", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    consentAndEnrol(w, "a", 1);
    const held = w.vault.get("a")!;
    held.sealed[held.sealed.length - 1] ^= 1;
    w.vault.put("a", held.key, held.sealed);
    const again = new FaceGallery({ matcher: w.matcher, vault: w.vault, ledger: w.ledger, random: new SeededRandom(5), model: w.embedder.model });
    assert.deepEqual(again.restore(1), { loaded: [], erased: ["a"], damaged: ["a"], kept: [], reenrol: [] });
    assert.deepEqual(w.vault.residents(), []);
    assert.throws(() => new FaceSession({ gate: w.gate, camera: w.camera, embedder: new SyntheticEmbedder({ dimension: 32 }), matcher: w.matcher, gallery: w.gallery, ledger: w.ledger, frame: w.frame }), code("E_TEMPLATE_DIMENSION"));
  });
});

describe("face/gallery restore: what is loaded, erased, damaged or kept", () => {
  function enrolled(...ids: string[]) {
    const w = faceWorld();
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    ids.forEach((id, i) => consentAndEnrol(w, id, i + 1));
    return w;
  }
  /** The memory vault seen through a store that can lose an entry, refuse an erase, and shows the copies it hands out. */
  function flakyVault(inner: TemplateVault, o: { missing?: string; undeletable?: string }) {
    const handed: VaultEntry[] = [];
    const vault: TemplateVault = {
      put: (id, key, sealed) => inner.put(id, key, sealed),
      get: (id) => {
        if (id === o.missing) return undefined;
        const got = inner.get(id);
        if (got) handed.push(got);
        return got;
      },
      destroy: (id) => {
        if (id === o.undeletable) throw new Error("flash write failed");
        return inner.destroy(id);
      },
      residents: () => inner.residents(),
    };
    return { vault, handed };
  }

  it("erases a template sealed under an older notice than the consent now in force", () => {
    const w = enrolled("a", "b");
    w.notices.publish({ purpose: "p2", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    w.ledger.grant({ residentId: "a", noticeVersion: 2, witnessId: "t", pin: "2468", at: w.clock.now + 1 });
    assert.equal(w.ledger.activeGrant("a")!.noticeVersion, 2);
    const again = new FaceGallery({ matcher: w.matcher, vault: w.vault, ledger: w.ledger, random: new SeededRandom(5), model: w.embedder.model });
    assert.deepEqual(again.restore(1), { loaded: ["b"], erased: ["a"], damaged: [], kept: [], reenrol: [] });
    assert.deepEqual(w.vault.residents(), ["b"]);
    assert.equal(again.entry("a"), undefined);
  });

  it("erases a template of another dimension than the matcher's, though the model tag is the same", () => {
    const w = enrolled("a");
    const small = new ReferenceMatcher(32, 8);
    const again = new FaceGallery({ matcher: small, vault: w.vault, ledger: w.ledger, random: new SeededRandom(5), model: w.embedder.model });
    assert.deepEqual(again.restore(1), { loaded: [], erased: ["a"], damaged: [], kept: [], reenrol: [] });
    assert.equal(again.size, 0);
    assert.ok(small.gallery.every((v) => v === 0), "nothing reached the matcher");
  });

  it("a template whose erase the store refuses is kept, listed and never loaded; the others still load", () => {
    const w = enrolled("a", "b");
    w.ledger.withdraw({ channel: "console", residentId: "a", technicianId: "t", at: w.clock.now });
    const { vault } = flakyVault(w.vault, { undeletable: "a" });
    w.matcher.gallery.fill(0);
    const again = new FaceGallery({ matcher: w.matcher, vault, ledger: w.ledger, random: new SeededRandom(5), model: w.embedder.model });
    assert.deepEqual(again.restore(1), { loaded: ["b"], erased: [], damaged: [], kept: ["a"], reenrol: [] });
    assert.equal(again.entry("a"), undefined);
    assert.equal(again.entry("b")!.slot, 0);
    assert.ok(w.matcher.gallery.subarray(w.dimension).every((v) => v === 0), "only b's slot holds a template");
  });

  it("a resident the store lists but cannot read is damaged and erased", () => {
    const w = enrolled("a", "b");
    const { vault } = flakyVault(w.vault, { missing: "a" });
    const again = new FaceGallery({ matcher: w.matcher, vault, ledger: w.ledger, random: new SeededRandom(5), model: w.embedder.model });
    assert.deepEqual(again.restore(1), { loaded: ["b"], erased: ["a"], damaged: ["a"], kept: [], reenrol: [] });
    assert.deepEqual(w.vault.residents(), ["b"]);
  });

  it("wipes every key copy it read, whether the template opened or not", () => {
    const w = enrolled("a", "b");
    const held = w.vault.get("a")!;
    held.sealed[held.sealed.length - 1] ^= 1;
    w.vault.put("a", held.key, held.sealed);
    const { vault, handed } = flakyVault(w.vault, {});
    const again = new FaceGallery({ matcher: w.matcher, vault, ledger: w.ledger, random: new SeededRandom(5), model: w.embedder.model });
    assert.deepEqual(again.restore(1), { loaded: ["b"], erased: ["a"], damaged: ["a"], kept: [], reenrol: [] });
    assert.equal(handed.length, 2);
    for (const entry of handed) assert.ok(entry.key.every((b) => b === 0), "key copy wiped");
  });
});

describe("face/templates know their model", () => {
  /** The same synthetic numbers, but labelled as another model (what a firmware update with a new network is). */
  function relabelled(w: ReturnType<typeof faceWorld>, id: string, version: number): SyntheticEmbedder {
    const e = new SyntheticEmbedder({ dimension: w.dimension });
    Object.defineProperty(e, "model", { value: { id, version } });
    return e;
  }

  it("after a model change, restore loads none of the old model's templates, erases them and lists them for re-enrolment; consent stays", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    consentAndEnrol(w, "a", 1);
    consentAndEnrol(w, "b", 2);
    for (const model of [{ id: "synthetic", version: 2 }, { id: "mobileface", version: 1 }]) {
      const w2 = faceWorld();
      w2.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w2.clock.now);
      consentAndEnrol(w2, "a", 1);
      const again = new FaceGallery({ matcher: w2.matcher, vault: w2.vault, ledger: w2.ledger, random: new SeededRandom(5), model });
      assert.deepEqual(again.restore(1), { loaded: [], erased: ["a"], damaged: [], kept: [], reenrol: ["a"] });
      assert.deepEqual(w2.vault.residents(), []);
      assert.ok(w2.ledger.activeGrant("a"), "consent is untouched by a model change");
      // Re-enrolment with the new model works under the same consent.
      const enrol = new FaceEnrolment({ gallery: again, ledger: w2.ledger, camera: w2.camera, embedder: relabelled(w2, model.id, model.version), frame: w2.frame, captures: 5 });
      enrol.enrolEmbeddings(w2.ledger.activeConsent("a"), captures(w2, 1), 2);
      assert.equal(again.size, 1);
    }
    // The same model reloads everything.
    const same = new FaceGallery({ matcher: w.matcher, vault: w.vault, ledger: w.ledger, random: new SeededRandom(5), model: { id: "synthetic", version: 1 } });
    assert.deepEqual(same.restore(1).loaded.sort(), ["a", "b"]);
  });

  it("enrolment refuses an embedder of another model before the camera powers, and stores nothing", () => {
    const w = faceWorld();
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    consentAndEnrol(w, "a", 1);
    const other = new FaceEnrolment({ gallery: w.gallery, ledger: w.ledger, camera: w.camera, embedder: relabelled(w, "mobileface", 1), frame: w.frame, captures: 5 });
    const consent = w.ledger.activeConsent("a");
    assert.throws(() => other.enrolFromCamera(consent, 5), (e: unknown) => code("E_FACE_MODEL_MISMATCH")(e) && /mobileface v1.*synthetic v1.*enrol again.*consent stays/.test((e as Error).message));
    assert.equal(w.camera.powered, false);
    assert.throws(() => other.enrolEmbeddings(consent, captures(w, 1), 5), code("E_FACE_MODEL_MISMATCH"));
    assert.equal(w.gallery.size, 1);
  });

  it("matching refuses an embedder of another model or version than the gallery's templates", () => {
    const w = faceWorld();
    for (const [id, version] of [["mobileface", 1], ["synthetic", 2]] as const) {
      assert.throws(() => new FaceSession({ gate: w.gate, camera: w.camera, embedder: relabelled(w, id, version), matcher: w.matcher, gallery: w.gallery, ledger: w.ledger, frame: w.frame }), code("E_FACE_MODEL_MISMATCH"));
    }
  });
});

describe("face/enrolment and gallery: counts, slots and sentences (found by mutation testing)", () => {
  const message = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as Error).message.replace(/^E_[A-Z_]+: /, ""); } return "no error"; };

  function consenting(options: Parameters<typeof faceWorld>[0] = {}, ids = ["r-1"]) {
    const w = faceWorld(options);
    w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
    for (const id of ids) {
      w.registry.add(id, "1111");
      w.ledger.grant({ residentId: id, noticeVersion: 1, witnessId: "t", pin: "1111", at: 1 });
    }
    return w;
  }

  it("takes exactly the configured number of captures, and gives up after exactly maxFrames tries", () => {
    const w = consenting();
    const enrolment = new FaceEnrolment({ gallery: w.gallery, ledger: w.ledger, camera: w.camera, embedder: w.embedder, frame: w.frame, captures: 3, maxFrames: 4 });
    w.camera.scene = { kind: "face", identity: 5 };
    enrolment.enrolFromCamera(w.ledger.activeConsent("r-1"), w.clock.now);
    assert.equal(w.camera.captures, 3, "three good frames, three captures");
    w.gallery.remove("r-1");
    w.camera.scene = { kind: "no-face", identity: 0 };
    const embedded: Float32Array[] = [];
    const embed = w.embedder.embed.bind(w.embedder);
    w.embedder.embed = (frame, out) => { embedded.push(out); return embed(frame, out); };
    assert.equal(message(() => enrolment.enrolFromCamera(w.ledger.activeConsent("r-1"), w.clock.now)), "Only 0 of 3 captures showed a usable face; check lighting and try again.");
    assert.equal(embedded.length, 4, "four tries, no more");
    // Two good frames of four: not enough, and the two embeddings that were good are zeroed.
    let n = 0;
    w.embedder.embed = (frame, out) => { embedded.push(out); return n++ % 2 === 0 ? embed(frame, out) : "no-face"; };
    w.camera.scene = { kind: "face", identity: 5 };
    embedded.length = 0;
    assert.equal(message(() => enrolment.enrolFromCamera(w.ledger.activeConsent("r-1"), w.clock.now)), "Only 2 of 3 captures showed a usable face; check lighting and try again.");
    assert.ok(embedded.every((e) => e.every((v) => v === 0)), "the captures that were usable do not stay in RAM");
    assert.equal(w.gallery.entry("r-1"), undefined);
  });

  it("without a setting, enrolment takes five captures from the camera and needs at least as many given", () => {
    const w = consenting();
    const enrolment = new FaceEnrolment({ gallery: w.gallery, ledger: w.ledger, camera: w.camera, embedder: w.embedder, frame: w.frame });
    w.camera.scene = { kind: "face", identity: 5 };
    enrolment.enrolFromCamera(w.ledger.activeConsent("r-1"), w.clock.now);
    assert.equal(w.camera.captures, 5);
    const five = new FaceEnrolment({ gallery: w.gallery, ledger: w.ledger, camera: w.camera, embedder: w.embedder, frame: w.frame, captures: 5 });
    assert.equal(message(() => five.enrolEmbeddings(w.ledger.activeConsent("r-1"), captures(w, 1, 4), 1)), "Enrolment needs at least 5 captures; got 4.");
  });

  it("names the busy camera, a model change and a full gallery in full", () => {
    const w = consenting({ capacity: 1 }, ["r-1", "r-2"]);
    w.enrolment.enrolEmbeddings(w.ledger.activeConsent("r-1"), captures(w, 1), 1);
    assert.equal(message(() => w.enrolment.enrolEmbeddings(w.ledger.activeConsent("r-2"), captures(w, 2), 1)), "All 1 face slots are in use; nothing was enrolled.");
    w.camera.scene = "no-frame";
    assert.ok(w.session.faceKey(w.clock.now).started);
    assert.equal(message(() => w.enrolment.enrolFromCamera(w.ledger.activeConsent("r-2"), w.clock.now)), "The camera is in use by a face session; enrol when it has finished.");
    w.session.cancel(w.clock.now);
    const embedder = { dimension: w.dimension, simulated: true, model: { id: "other-net", version: 2 }, embed: () => "ok" as const, livenessChecks: [] };
    const other = new FaceEnrolment({ gallery: w.gallery, ledger: w.ledger, camera: w.camera, embedder, frame: w.frame });
    for (const enrol of [() => other.enrolFromCamera(w.ledger.activeConsent("r-2"), w.clock.now), () => other.enrolEmbeddings(w.ledger.activeConsent("r-2"), captures(w, 2), 1)]) {
      assert.match(message(enrol), /^Enrolment uses face model other-net.* but this gate's templates are for .*; residents must enrol again after a model change \(their consent stays\)\.$/);
    }
    assert.ok(!w.camera.powered);
  });

  it("a template of the wrong size is refused by the gallery itself", () => {
    const w = consenting();
    const t = templateFromCaptures(captures(w, 1), w.dimension);
    assert.equal(message(() => w.gallery.enrol(w.ledger.activeConsent("r-1"), { ...t, values: t.values.subarray(0, w.dimension - 1) }, 1)), `The template has ${w.dimension - 1} values; this gate's matcher takes ${w.dimension}.`);
    assert.equal(message(() => w.gallery.enrol(w.ledger.activeConsent("r-1"), { ...t, dimension: w.dimension + 1 }, 1)), `The template has ${w.dimension} values; this gate's matcher takes ${w.dimension}.`);
    assert.equal(w.gallery.size, 0);
  });

  it("slots: the lowest free one is taken, the scan shrinks when the last ones empty, and freed slots past it are forgotten", () => {
    const w = consenting({ capacity: 4 }, ["a", "b", "c", "d", "e"]);
    const enrol = (id: string, identity: number) => w.enrolment.enrolEmbeddings(w.ledger.activeConsent(id), captures(w, identity), 1).slot;
    assert.deepEqual([enrol("a", 1), enrol("b", 2), enrol("c", 3), enrol("d", 4)], [0, 1, 2, 3]);
    w.gallery.remove("b");
    w.gallery.remove("a");
    assert.equal(w.gallery.scanCount, 4);
    assert.equal(enrol("e", 5), 0, "the lowest free slot, not the last freed");
    w.gallery.remove("d");
    w.gallery.remove("c");
    assert.equal(w.gallery.scanCount, 1, "slots 1-3 are empty: the scan covers slot 0 only");
    assert.equal(w.gallery.residentAt(0), "e");
    assert.equal(enrol("a", 1), 1, "a freed slot beyond the scan is not handed out twice");
    assert.equal(enrol("b", 2), 2);
    assert.equal(w.gallery.scanCount, 3);
    w.gallery.remove("a");
    assert.equal(enrol("c", 3), 1);
    assert.deepEqual([0, 1, 2].map((s) => w.gallery.residentAt(s)), ["e", "c", "b"]);
    assert.equal(w.gallery.remove("nobody"), false);
  });

  it("slots: two holes below the scan are filled lowest first, and filling one keeps the scan over every resident", () => {
    const w = consenting({ capacity: 5 }, ["a", "b", "c", "d", "e"]);
    const enrol = (id: string, identity: number) => w.enrolment.enrolEmbeddings(w.ledger.activeConsent(id), captures(w, identity), 1).slot;
    assert.deepEqual([enrol("a", 1), enrol("b", 2), enrol("c", 3)], [0, 1, 2]);
    w.gallery.remove("a");
    w.gallery.remove("b");
    assert.equal(enrol("d", 4), 0);
    assert.equal(w.gallery.scanCount, 3, "c in slot 2 is still scanned");
    assert.equal(enrol("e", 5), 1, "the second hole is remembered after the first was filled");
    assert.deepEqual([0, 1, 2].map((s) => w.gallery.residentAt(s)), ["d", "e", "c"]);
    assert.equal(w.gallery.scanCount, 3);
  });

  it("enrolment itself names a consent that is no longer in force, and keeps the camera off", () => {
    const w = consenting();
    const consent = w.ledger.activeConsent("r-1");
    w.ledger.withdraw({ channel: "console", residentId: "r-1", technicianId: "t", at: 2 });
    for (const attempt of [() => w.enrolment.enrolEmbeddings(consent, captures(w, 1), 3), () => w.enrolment.enrolFromCamera(consent, 3)]) {
      let said = "no error";
      try { attempt(); } catch (e) { said = (e as Error).message; }
      assert.equal(said, "E_CONSENT_NOT_ACTIVE: This consent is no longer in force (withdrawn, lapsed or the notice changed); nothing was enrolled.");
    }
    assert.deepEqual(w.camera.log, []);
    assert.equal(w.gallery.size, 0);
  });

  it("the gallery itself refuses a consent handle that the ledger no longer confirms, and reports its model", () => {
    const w = consenting();
    assert.equal(w.gallery.residentAt(0), undefined, "a new gallery holds no one");
    assert.deepEqual(w.gallery.model, w.embedder.model);
    const consent = w.ledger.activeConsent("r-1");
    w.ledger.withdraw({ channel: "console", residentId: "r-1", technicianId: "t", at: 2 });
    let said = "no error";
    try { w.gallery.enrol(consent, templateFromCaptures(captures(w, 1), w.dimension), 3); } catch (e) { said = (e as Error).message; }
    assert.equal(said, "E_CONSENT_NOT_ACTIVE: This consent is no longer in force (withdrawn, lapsed or the notice changed); nothing was enrolled.");
    assert.equal(w.gallery.size, 0);
    assert.deepEqual(w.vault.residents(), []);
  });

  it("a match earlier than the last one does not move the last use back; an unknown resident is ignored", () => {
    const w = consenting();
    w.enrolment.enrolEmbeddings(w.ledger.activeConsent("r-1"), captures(w, 1), 1000);
    w.gallery.touch("r-1", 5000);
    w.gallery.touch("r-1", 3000);
    assert.equal(w.gallery.entry("r-1")!.lastUsedAt, 5000, "an earlier match leaves the last use where it was");
    w.gallery.touch("r-1", 5000);
    assert.equal(w.gallery.entry("r-1")!.lastUsedAt, 5000);
    w.gallery.touch("nobody", 9000);
    assert.equal(w.gallery.size, 1);
  });
});
