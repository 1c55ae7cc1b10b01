// Templates within the consent's scope under attack (portable: Node and XS).
// Everything the broker (or anyone who can publish on it) might do to a
// template delivery: forge, truncate, flip a header byte, replay, reorder it
// against a withdrawal, cross it to another gate. First against the wire core
// (GateTemplates), then through the gate's real install port (FleetTemplates
// over an assembled GateCore), where consent is decided.
import assert from "node:assert/strict";
import { SyntheticEmbedder, createSyntheticFrame } from "../../../boards/host/synthetic-embedder";
import { GateCore } from "../../../src/app/core";
import { FleetTemplates } from "../../../src/app/fleet-templates";
import { formatResidentId } from "../../../src/core/access/types";
import { TsMatcher } from "../../../src/core/matcher/ts-matcher";
import type { Camera, Random } from "../../../src/core/ports";
import { GateErasures, encodeEraseOrder } from "../../../src/core/sync/erasure";
import { sealKeyPair } from "../../../src/core/sync/gate-seal";
import { keyIdOf } from "../../../src/core/sync/messages";
import {
  GateTemplates, consentScope, decodeShare, encodeDelivery, encodeInstalled, encodeSealKeys, encodeShare, encodeSharedTemplate,
  type InstallRequest, type InstallResult, type SharedTemplate,
} from "../../../src/core/sync/template-share";
import { sealTemplate } from "../../../src/core/sync/template-seal";
import { T0, gateSign, hubSigner, otherSigner } from "./fixtures";

let counter = 7;
const random: Random = { fill: (b) => { for (let i = 0; i < b.length; i++) b[i] = (counter++ * 197 + i * 13) & 0xff; } };
const seal = [sealKeyPair(new Uint8Array(32).fill(11)), sealKeyPair(new Uint8Array(32).fill(12)), sealKeyPair(new Uint8Array(32).fill(13))];
const sealOf = (gateId: number) => seal[gateId - 1];
const HUB_KEY_ID = keyIdOf(hubSigner.publicKey);
const hubSign = (b: Uint8Array) => hubSigner.sign(b);
const NOTICE = { purpose: "Open the gate by face", method: "On-board model", gates: ["gate-1", "gate-2"], retentionDays: 365 };
const SCOPE = consentScope(NOTICE);
const GRANTED = T0 - 60_000;

const plainOf = (s: SharedTemplate) => encodeSharedTemplate(s);
const template = (dimension: number, fill: number, model = { id: "test-model", version: 3 }, enrolledAt = T0 - 30_000): SharedTemplate =>
  ({ model, enrolledAt, template: { dimension, scale: 127, values: Int8Array.from({ length: dimension }, (_, i) => ((i * fill) % 200) - 100) } });

const wire = (to: number, residentId: number, scope: number, s: SharedTemplate) => sealTemplate(sealOf(to).publicKey, plainOf(s), { gateId: to, residentId, scope }, random);
type Delivery = Parameters<typeof encodeDelivery>[0];
const deliver = (sealed: Uint8Array, over: Partial<Delivery> = {}, sign = hubSign) =>
  encodeDelivery({ gateId: 2, residentId: 42, fromGate: 1, scope: SCOPE, grantedAt: GRANTED, issuedAt: T0, keyId: HUB_KEY_ID, sealed, ...over }, sign);
const gateTemplates = (gateId: number, keys = sealOf(gateId)) => new GateTemplates({ gateId, hubKeys: [hubSigner.publicKey], sign: gateSign, sealKeys: () => keys });

function recorder(result: InstallResult = "installed") {
  const calls: InstallRequest[] = [];
  return { calls, port: { install: (r: InstallRequest) => { calls.push(r); return result; } } };
}

describe("template share under attack: the wire core", () => {
  const sealed = wire(2, 42, SCOPE, template(64, 37));

  it("refuses every truncation of a delivery, before opening anything and without an answer", () => {
    const good = deliver(sealed);
    for (let n = 0; n < good.length; n += n < 80 ? 1 : 41) {
      const r = recorder();
      const out = gateTemplates(2).handleDelivery(good.slice(0, n), T0, r.port);
      assert.equal(r.calls.length, 0, `cut at ${n}`);
      assert.equal(out.answer, undefined, `cut at ${n}`);
      assert.ok(out.refused === "malformed" || out.refused === "bad-signature", `cut at ${n}: ${out.refused}`);
    }
    // The whole message with one byte missing from the middle of the ciphertext.
    const spliced = Uint8Array.from([...good.subarray(0, 100), ...good.subarray(101)]);
    assert.equal(gateTemplates(2).handleDelivery(spliced, T0, recorder().port).refused !== undefined, true);
  });

  it("refuses a delivery with any single header or signature byte changed", () => {
    const good = deliver(sealed);
    const headerEnd = 4 + 1 + 4 + 4 + 4 + 4 + 8 + 8 + 8 + 2; // up to and with the sealed length
    const positions = [...Array.from({ length: headerEnd }, (_, i) => i), good.length - 64, good.length - 33, good.length - 1];
    for (const at of positions) {
      const bad = good.slice();
      bad[at] ^= 0x01;
      const r = recorder();
      const out = gateTemplates(2).handleDelivery(bad, T0, r.port);
      assert.equal(r.calls.length, 0, `byte ${at}`);
      assert.notEqual(out.result, "installed", `byte ${at}`);
    }
  });

  it("refuses a ciphertext changed anywhere (the hub re-signing it does not help): nothing reaches the install port", () => {
    for (let at = 0; at < sealed.length; at += 7) {
      const bad = sealed.slice();
      bad[at] ^= 0x80;
      const r = recorder();
      const out = gateTemplates(2).handleDelivery(deliver(bad), T0, r.port);
      assert.deepEqual([out.result, r.calls.length], ["seal", 0], `ciphertext byte ${at}`);
    }
    // Cut short or extended by a byte, validly framed and signed.
    for (const bad of [sealed.slice(0, sealed.length - 1), Uint8Array.from([...sealed, 0])]) {
      const r = recorder();
      assert.deepEqual([gateTemplates(2).handleDelivery(deliver(bad), T0, r.port).result, r.calls.length], ["seal", 0]);
    }
  });

  it("a share sealed for gate 2 does not open at gate 3, even addressed, keyed and signed for gate 3 by the hub", () => {
    const r = recorder();
    const out = gateTemplates(3).handleDelivery(deliver(sealed, { gateId: 3 }), T0, r.port);
    assert.deepEqual([out.result, r.calls.length], ["seal", 0]);
    // Nor at a gate 2 whose seal key pair is another (a gate re-provisioned, or an impostor with gate 2's id).
    const r2 = recorder();
    assert.deepEqual([gateTemplates(2, sealOf(3)).handleDelivery(deliver(sealed), T0, r2.port).result, r2.calls.length], ["seal", 0]);
  });

  it("a ciphertext moved to another resident or another scope in the header does not open", () => {
    for (const over of [{ residentId: 43 }, { scope: (SCOPE ^ 1) >>> 0 }, { residentId: 42 + 0x10000 }]) {
      const r = recorder();
      assert.deepEqual([gateTemplates(2).handleDelivery(deliver(sealed, over), T0, r.port).result, r.calls.length], ["seal", 0], JSON.stringify(over));
    }
  });

  it("other messages of the same protocol, signed by the gate or the hub, never pass for a delivery", () => {
    const share = encodeShare({ gateId: 2, residentId: 42, scope: SCOPE, grantedAt: GRANTED, sealed: [{ gateId: 2, sealed }] }, hubSign);
    const installed = encodeInstalled({ gateId: 2, residentId: 42, fromGate: 1, grantedAt: GRANTED, result: "installed", time: T0 }, hubSign);
    const directory = encodeSealKeys({ gateId: 2, issuedAt: T0, keyId: HUB_KEY_ID, keys: [{ gateId: 2, key: seal[1].publicKey }] }, hubSign);
    for (const m of [share, installed, directory]) {
      const r = recorder();
      const out = gateTemplates(2).handleDelivery(m, T0, r.port);
      assert.deepEqual([out.refused, r.calls.length, out.answer], ["malformed", 0, undefined], decodeShare(m).message.type);
    }
  });

  it("a delivery signed by a key the gate does not hold is refused even when its key id names the hub", () => {
    const r = recorder();
    const forged = deliver(sealed, {}, (b) => otherSigner.sign(b));
    const out = gateTemplates(2).handleDelivery(forged, T0, r.port);
    assert.deepEqual([out.refused, r.calls.length, out.answer], ["bad-signature", 0, undefined]);
  });

  it("a replayed, stale or future delivery is refused while the clock is trusted", () => {
    const old = deliver(sealed, { issuedAt: T0 - 24 * 3600_000 - 1 });
    const ahead = deliver(sealed, { issuedAt: T0 + 5 * 60_000 + 1 });
    assert.equal(gateTemplates(2).handleDelivery(old, T0, recorder().port).refused, "stale");
    assert.equal(gateTemplates(2).handleDelivery(ahead, T0, recorder().port).refused, "from-future");
  });

  it("the seal-key directory: only the newest, addressed here, from the hub; a replayed older one cannot swap a key back", () => {
    const g = gateTemplates(1);
    const dir = (issuedAt: number, key: Uint8Array, to = 1, sign = hubSign) =>
      encodeSealKeys({ gateId: to, issuedAt, keyId: HUB_KEY_ID, keys: [{ gateId: 2, key }] }, sign);
    const oldDir = dir(T0 - 1000, seal[2].publicKey);
    assert.equal(g.handleSealKeys(dir(T0, seal[1].publicKey), T0).ok, true);
    assert.equal(g.handleSealKeys(oldDir, T0).ok, false, "an older directory replayed");
    assert.equal(g.handleSealKeys(dir(T0 + 10, seal[2].publicKey, 2), T0).ok, false, "another gate's directory");
    assert.equal(g.handleSealKeys(dir(T0 + 10, seal[2].publicKey, 1, (b) => otherSigner.sign(b)), T0).ok, false, "forged");
    const truncated = dir(T0 + 10, seal[2].publicKey);
    assert.equal(g.handleSealKeys(truncated.slice(0, truncated.length - 1), T0).ok, false, "truncated");
    assert.deepEqual(g.sealKeyOf(2), seal[1].publicKey, "gate 2's key is still the newest one");
  });
});

// ---- through the install port: consent decides --------------------------------

const T = T0;
const uid = (n: number) => Uint8Array.of(0x04, 0xa1, n >> 8, n & 0xff);
const idle: Camera = { powered: false, powerOn() {}, powerOff() {}, capture: () => "error" };

/** Gate 2 (gate-2), a resident with a card, its notice naming gates 1 and 2; FleetTemplates over the real core. */
function gate2(options: { notice?: typeof NOTICE } = {}) {
  let now = T;
  let n = 1;
  const rnd: Random = { fill(b) { for (let i = 0; i < b.length; i++) b[i] = (n = (n * 1103515245 + 12345) >>> 0) >>> 24; } };
  const core = new GateCore({
    gateId: 2, clock: { now: () => now }, random: rnd, deviceKey: new Uint8Array(32).fill(5), matcher: new TsMatcher(128, 16), camera: idle,
    embedder: new SyntheticEmbedder({ dimension: 128 }), frame: createSyntheticFrame(), outputs: { unlock: () => undefined, signal: () => undefined, prompt: () => undefined },
  });
  core.notices.publish(options.notice ?? NOTICE, now - 3600_000);
  const resident = core.registry.addResident({ unit: "2-201", role: "owner", groups: 1, cards: [uid(1)] });
  const fleet = new FleetTemplates({ core, templates: gateTemplates(2), random: rnd, now: () => now, send: () => undefined, log: () => undefined });
  const erasures = new GateErasures({ gateId: 2, hubKeys: [hubSigner.publicKey], sign: gateSign });
  const label = formatResidentId(resident);
  const shared = (enrolledAt = T - 30_000, fill = 37) => template(128, fill, core.gallery.model, enrolledAt);
  const delivery = (over: Partial<Delivery> = {}, s = shared()) =>
    deliver(wire(2, resident, over.scope ?? SCOPE, s), { residentId: resident, issuedAt: now, ...over });
  let orders = 0;
  /**
   * The hub's erase order for the resident (a withdrawal at another gate or at the hub), executed
   * through the port exactly as src/app/fleet.ts eraseTemplate does it.
   */
  const eraseOrder = () => {
    const orderId = new Uint8Array(16).fill(++orders);
    const bytes = encodeEraseOrder({ gateId: 2, residentId: resident, orderId, issuedAt: now, keyId: HUB_KEY_ID }, hubSign);
    return erasures.handleOrder(bytes, now, {
      eraseTemplate: (id) => {
        const l = formatResidentId(id);
        const { held } = core.withdrawal.byHubOrder({ residentId: l, at: now });
        if (core.registry.get(id)?.faceEnrolled) core.registry.setFaceEnrolled(id, false);
        return { held };
      },
    });
  };
  return {
    core, fleet, resident, label, delivery, shared, eraseOrder,
    at: (t: number) => { now = t; },
    get now() { return now; },
    faces: () => core.gallery.entry(label) !== undefined,
  };
}

describe("template share under attack: the gate's install port", () => {
  it("installs an honest delivery (the rig works)", () => {
    const g = gate2();
    const out = g.fleet.handle(g.delivery(), g.now);
    assert.equal(out.refused, false);
    assert.equal(g.faces(), true);
    assert.equal(g.core.ledger.activeGrant(g.label)?.actorId, "gate-1");
  });

  it("a duplicate delivery installs once: one gallery entry, one consent record, the same slot", () => {
    const g = gate2();
    const m = g.delivery();
    g.fleet.handle(m, g.now);
    const entry = g.core.gallery.entry(g.label)!;
    const records = g.core.ledger.history(g.label).length;
    g.at(g.now + 1000);
    g.fleet.handle(m, g.now);
    g.fleet.handle(m, g.now);
    assert.equal(g.core.gallery.entry(g.label)!.slot, entry.slot);
    assert.equal(g.core.gallery.entry(g.label)!.enrolledAt, entry.enrolledAt);
    assert.equal(g.core.ledger.history(g.label).length, records, "no second consent record");
  });

  it("a delivery replayed after the resident re-enrolled does not put the old face back", () => {
    const g = gate2();
    const first = g.delivery({}, g.shared(T - 30_000, 37));
    g.fleet.handle(first, g.now);
    g.at(T + 60_000);
    g.fleet.handle(g.delivery({}, g.shared(T + 30_000, 53)), g.now);
    assert.equal(g.core.gallery.entry(g.label)!.enrolledAt, T + 30_000);
    const out = g.fleet.handle(first, g.now);
    assert.equal(out.refused, true);
    assert.equal(g.core.gallery.entry(g.label)!.enrolledAt, T + 30_000);
  });

  it("a delivery for a scope this gate's notice does not have (wider, or not naming it) is refused", () => {
    const wider = consentScope({ ...NOTICE, gates: ["gate-1", "gate-2", "gate-3"] });
    const g = gate2();
    assert.equal(g.fleet.handle(g.delivery({ scope: wider }), g.now).refused, true);
    const h = gate2({ notice: { ...NOTICE, gates: ["gate-1", "gate-3"] } });
    assert.equal(h.fleet.handle(h.delivery({ scope: consentScope({ ...NOTICE, gates: ["gate-1", "gate-3"] }) }), h.now).refused, true);
    assert.equal(g.faces() || h.faces(), false);
  });

  it("a delivery for a resident this gate does not hold, or one removed since, is refused", () => {
    const g = gate2();
    assert.equal(g.fleet.handle(g.delivery({ residentId: g.resident + 1 }), g.now).refused, true);
    g.core.registry.removeResident(g.resident);
    assert.equal(g.fleet.handle(g.delivery(), g.now).refused, true);
    assert.equal(g.faces(), false);
  });

  it("withdrawn after it was installed here, a replay of the delivery does not install again", () => {
    const g = gate2();
    const m = g.delivery();
    g.fleet.handle(m, g.now);
    g.at(g.now + 60_000);
    assert.equal(g.eraseOrder().refused, undefined);
    assert.equal(g.faces(), false);
    g.at(g.now + 60_000);
    const out = g.fleet.handle(m, g.now);
    assert.equal(out.refused, true);
    assert.equal(g.faces(), false);
    assert.equal(g.core.ledger.isActive(g.label), false);
  });

  it("withdrawn before it arrived here (the erase order came first), a late or replayed delivery must not install", () => {
    // The delivery is under way (the broker holds it for gate 2, or an attacker kept a copy) when
    // the resident withdraws at gate 1: the hub deletes its copy and orders every gate to erase.
    // Gate 2 held no consent for the resident yet, so its erase removes nothing.
    const g = gate2();
    const m = g.delivery();
    g.at(g.now + 60_000);
    assert.equal(g.eraseOrder().refused, undefined, "gate 2 executes the erase order");
    g.at(g.now + 60_000);
    const out = g.fleet.handle(m, g.now); // the delivery, late (reordered) or replayed, hub-signed and fresh
    assert.equal(g.faces(), false, "a face of a resident whose consent was withdrawn is installed");
    assert.equal(g.core.ledger.isActive(g.label), false, "consent is recorded as active after its withdrawal");
    assert.equal(out.refused, true);
  });

  it("with the gate's clock untrusted, an old delivery withdrawn before it arrived must not install either", () => {
    const g = gate2();
    const m = g.delivery();
    g.at(g.now + 3 * 24 * 3600_000);
    g.eraseOrder();
    const out = g.fleet.handle(m, undefined); // no freshness judged: the ledger alone decides
    assert.equal(g.faces(), false);
    assert.equal(out.refused, true);
  });
});
