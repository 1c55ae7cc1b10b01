// Templates within the consent's scope, end to end: three real firmwares
// (host board chip models, Node) over real TCP to the embedded broker and a
// hub on PGlite (and PostgreSQL where it runs). A resident enrolled at gate 1
// under a notice naming gates 1 and 2 is recognised by face at gate 2 and not
// at gate 3; the broker and the hub's database only ever carry ciphertext;
// a forged delivery is refused and audited; a withdrawal at gate 2 erases at
// gates 1 and 2 with signed receipts and deletes the hub's sealed copies.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import mqtt from "mqtt";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../tools/hub/broker";
import type { Db } from "../../tools/hub/db";
import { startHubService, type HubService } from "../../tools/hub/service";
import { hashPin } from "../../src/core/access/secrets";
import { openTemplate } from "../../src/core/face/sealed-template";
import { keyIdOf } from "../../src/core/sync/messages";
import { encodeDelivery, encodeSharedTemplate } from "../../src/core/sync/template-share";
import { sealTemplate } from "../../src/core/sync/template-seal";
import { topic } from "../../src/core/sync/topics";
import { DATABASES } from "../tools/hub/servers";
import { FleetRig, killedHubLoses, type RigGate } from "./fleet-rig";

const COMPOUND = Math.floor(Math.random() * 1e6) + 1000;
const SEED = new Uint8Array(32).fill(45);
const PIN = "13572468";
const R = 8, LABEL = "R00008", IDENTITY = 808;

const cardHex = (id: number) => `04c1${id.toString(16).padStart(4, "0")}`;
const cardBytes = (id: number) => Uint8Array.from(Buffer.from(cardHex(id), "hex"));

/** Every 16-byte stretch of `secret`, in hex, found anywhere in `haystack` (hex). */
function leaks(secret: Uint8Array, haystack: string): number {
  const hex = Buffer.from(secret).toString("hex");
  let n = 0;
  for (let at = 0; at + 16 <= secret.length; at += 8) if (haystack.includes(hex.slice(2 * at, 2 * at + 32))) n++;
  return n;
}

for (const kind of DATABASES) {
  const suite = kind.skip ? describe.skip : describe;
  suite(`templates within the consent's scope, hub on ${kind.name}${kind.skip ? ` (${kind.skip})` : ""}`, function () {
    this.timeout(180_000);
    let broker: EmbeddedBroker, db: Db, service: HubService, rig: FleetRig;
    let g1: RigGate, g2: RigGate, g3: RigGate;
    let spy: mqtt.MqttClient;
    const wire: Buffer[] = [];

    const online = (...gates: RigGate[]) => () => gates.every((g) => g.firmware.fleet?.state === "online");
    const faceAt = async (gate: RigGate, id: number, identity: number) => {
      gate.host.camera.scene = { kind: "genuine", identity };
      const before = gate.decisions.length;
      await rig.keys(gate, `${id}A`);
      await rig.run(1500);
      gate.host.camera.scene = undefined;
      return gate.decisions.slice(before).some((d) => d.via === "face" && d.grant && d.resident === LABEL);
    };
    const seals = async () => (await service.hub.templates.status(COMPOUND, R)).map((s) => `${s.gateId}:${s.state}`);
    const securityDetails = (gate: RigGate) => gate.firmware.core.audit.entries().map((e) => `${e.kind} ${e.detail ?? ""}`);
    /** Consent at gate 1's console, confirmed with the resident's PIN at its keypad, then the face enrolled there. */
    const enrolAtGate1 = async () => {
      const out = await rig.technician(g1, [`consent grant ${LABEL}`, "yes"]);
      assert.match(out[1], /At the gate keypad/, out.join(""));
      await rig.keys(g1, `#8#${R}#${PIN}#`);
      g1.host.camera.scene = { kind: "genuine", identity: IDENTITY };
      const enrolled = await rig.technician(g1, [`face enrol ${LABEL}`, "go"]);
      g1.host.camera.scene = undefined;
      assert.match(enrolled[1], /enrolled under notice/, enrolled.join(""));
    };

    before(async () => {
      broker = await startEmbeddedBroker();
      db = await kind.open();
      service = await startHubService({ db, brokerUrl: broker.url, signingSeed: SEED, clientId: `hub-templates-${kind.name}`, tickMs: 200 });
      await service.hub.addCompound(COMPOUND, "Template scope test");
      spy = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
      spy.on("message", (_t, payload) => wire.push(Buffer.from(payload)));
      await spy.subscribeAsync(`optgate/${COMPOUND}/#`, { qos: 1 });
      rig = await FleetRig.open();
      g1 = rig.boot(1);
      g2 = rig.boot(2);
      g3 = rig.boot(3);
      for (const g of [g1, g2, g3]) {
        const identity = g.firmware.gateIdentity()!;
        assert.ok(identity.sealKey, "every gate has a seal key");
        await service.hub.addGate({ id: g.gateId, compoundId: COMPOUND, name: `gate ${g.gateId}`, publicKey: identity.publicKey, sealKey: identity.sealKey });
        g.firmware.provisionHub({ compoundId: COMPOUND, host: "127.0.0.1", port: broker.port, hubKeys: [service.hub.publicKey] });
        // The compound's notice, the same text at every gate; it names gates 1 and 2 only.
        await rig.technician(g, [`notice set --purpose "Open the gate by face" --method "On-board model" --scope gate-1,gate-2 --retention 365`]);
      }
      await rig.until("three gates online", online(g1, g2, g3));
    });

    after(async () => {
      rig?.close();
      await spy?.endAsync();
      await service?.close();
      await broker?.close();
      await db?.close();
    });

    it("recognises a resident enrolled at gate 1 at gate 2 (in scope), not at gate 3, with only ciphertext on the wire and at the hub", async () => {
      const key = g1.firmware.store.get("device/pin-key")!;
      const salt = new Uint8Array(randomBytes(4));
      await service.hub.putResidents(COMPOUND, [{ id: R, unit: "U8", role: "owner", groups: 1, cards: [cardBytes(R)], pin: { salt, hash: hashPin(key, salt, PIN) } }]);
      await rig.until("resident 8 at every gate", () => [g1, g2, g3].every((g) => g.firmware.core.registry.has(R)));
      // Not yet enrolled anywhere: gate 2 does not know the face.
      assert.equal(await faceAt(g2, R, IDENTITY), false);

      await enrolAtGate1();

      await rig.until("gate 2 installed the template", async () => (await seals()).join() === "2:installed", 60_000);
      const c2 = g2.firmware.core;
      assert.ok(c2.gallery.entry(LABEL), "in gate 2's gallery");
      assert.ok(c2.vault.get(LABEL), "in gate 2's vault");
      assert.equal(c2.registry.get(R)?.faceEnrolled, true);
      const grant = c2.ledger.activeGrant(LABEL)!;
      assert.deepEqual([grant.channel, grant.actorId, grant.pinConfirmed], ["hub", "gate-1", false], "consent relayed from gate 1");
      assert.ok(securityDetails(g2).includes("face-enrolled from gate 1"), securityDetails(g2).join("; "));
      assert.equal(g3.firmware.core.gallery.entry(LABEL), undefined, "gate 3 is out of the consent's scope");

      assert.equal(await faceAt(g2, R, IDENTITY), true, "face opens gate 2");
      assert.equal(await faceAt(g2, R, 909), false, "another face does not");
      assert.equal(await faceAt(g3, R, IDENTITY), false, "not gate 3");
      assert.equal(await faceAt(g1, R, IDENTITY), true, "and still gate 1");

      // Enrolled again at gate 1: the new template replaces the old at gate 2, and the old delivery replayed does not bring it back.
      const firstDelivery = wire.find((p) => p.subarray(0, 5).equals(Buffer.from([0x4f, 0x47, 0x46, 0x31, 2])))!;
      const firstAt = c2.gallery.entry(LABEL)!.enrolledAt;
      g1.host.camera.scene = { kind: "genuine", identity: IDENTITY };
      await rig.technician(g1, [`face enrol ${LABEL}`, "go"]);
      g1.host.camera.scene = undefined;
      await rig.until("the new template at gate 2", () => (c2.gallery.entry(LABEL)?.enrolledAt ?? 0) > firstAt, 60_000);
      const newAt = c2.gallery.entry(LABEL)!.enrolledAt;
      const refusedBefore = securityDetails(g2).length;
      await spy.publishAsync(topic(COMPOUND, 2, "template"), firstDelivery, { qos: 1 });
      await rig.until("the replay refused as older", () => securityDetails(g2).slice(refusedBefore).includes("sync-refused template older from 1"));
      assert.equal(c2.gallery.entry(LABEL)!.enrolledAt, newAt, "the newer template stays");

      // The template in clear (from gate 1's vault, opened as the gallery does), and its shared plaintext.
      const held = g1.firmware.core.vault.get(LABEL)!;
      const { template, meta } = openTemplate(held.sealed, held.key, LABEL);
      const values = new Uint8Array(template.values.buffer, template.values.byteOffset, template.values.length).slice();
      const plain = encodeSharedTemplate({ model: meta.model, enrolledAt: meta.enrolledAt, template });
      assert.ok(values.some((v) => v !== 0));
      // The broker carried the share and the delivery, never the template.
      assert.ok(wire.length > 0);
      const onWire = Buffer.concat(wire).toString("hex");
      assert.equal(leaks(values, onWire) + leaks(plain, onWire), 0, "no 16-byte stretch of the template on the wire");
      // The hub's database: every table, every column.
      const tables = await db.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'");
      let dump = "";
      for (const { table_name } of tables) {
        for (const row of await db.query<Record<string, unknown>>(`select * from ${table_name}`)) {
          for (const v of Object.values(row)) dump += v instanceof Uint8Array ? Buffer.from(v).toString("hex") : Buffer.from(String(v)).toString("hex");
          dump += "00";
        }
      }
      assert.ok(tables.some((t) => t.table_name === "template_seal"));
      const [row] = await db.query<{ n: unknown }>("select count(*) as n from template_seal where compound_id = $1 and resident_id = $2", [COMPOUND, R]);
      assert.equal(Number(row.n), 1, "one ciphertext: for gate 2 only");
      const [stored] = await db.query<{ sealed: Uint8Array }>("select sealed from template_seal where compound_id = $1 and resident_id = $2", [COMPOUND, R]);
      assert.ok(dump.includes(Buffer.from(stored.sealed).toString("hex")), "the scan reads the ciphertext column");
      assert.equal(leaks(values, dump) + leaks(plain, dump), 0, "no 16-byte stretch of the template in the hub's database");
      // Gate 2's flash holds it sealed under its own key, as a template enrolled there.
      assert.equal(leaks(values, Buffer.from(g2.flash.image).toString("hex")), 0, "not in clear on gate 2's flash");
      assert.ok(leaks(values, Buffer.from(values).toString("hex")) > 0, "the scan finds what is there");
    });

    it("refuses and audits a delivery sealed for another gate or scope, or forged, installing nothing", async () => {
      const before = securityDetails(g3).length;
      const hubKeyId = keyIdOf(service.hub.publicKey);
      const plain = encodeSharedTemplate({ model: g3.firmware.core.gallery.model, enrolledAt: Date.now(), template: { dimension: g3.firmware.core.gallery.dimension, scale: 127, values: new Int8Array(g3.firmware.core.gallery.dimension).fill(5) } });
      // Sealed to gate 2's key, addressed to gate 3 (what a hub mixing up rows would send).
      const g2Seal = g2.firmware.gateIdentity()!.sealKey!;
      const random = { fill: (b: Uint8Array) => { b.set(randomBytes(b.length)); } };
      const sealed = sealTemplate(g2Seal, plain, { gateId: 3, residentId: R, scope: 1 }, random);
      const otherGate = encodeDelivery({ gateId: 3, residentId: R, fromGate: 1, scope: 1, grantedAt: Date.now(), issuedAt: Date.now(), keyId: hubKeyId, sealed }, (b) => ed25519.sign(b, SEED));
      // Sealed to gate 3 but signed by someone who is not the hub: refused before anything is opened.
      const g3Seal = g3.firmware.gateIdentity()!.sealKey!;
      const forged = encodeDelivery({ gateId: 3, residentId: R, fromGate: 1, scope: 1, grantedAt: Date.now(), issuedAt: Date.now(), keyId: hubKeyId, sealed: sealTemplate(g3Seal, plain, { gateId: 3, residentId: R, scope: 1 }, random) }, () => new Uint8Array(64).fill(1));
      for (const m of [otherGate, forged]) await spy.publishAsync(topic(COMPOUND, 3, "template"), Buffer.from(m), { qos: 1 });
      await rig.until("gate 3 audited two refusals", () => securityDetails(g3).length >= before + 2);
      const fresh = securityDetails(g3).slice(before);
      assert.ok(fresh.every((d) => /^sync-refused template (seal from 1|bad-signature)$/.test(d)), fresh.join("; "));
      assert.equal(g3.firmware.core.gallery.entry(LABEL), undefined);
      assert.equal(g3.firmware.core.ledger.isActive(LABEL), false);
    });

    it("erases at gates 1 and 2 when the resident withdraws at gate 2, with receipts, and the hub's sealed copies are gone", async () => {
      const before = g2.decisions.length;
      // At gate 2's console (the resident's PIN verifier is keyed for gate 1: docs/sync.md "Not done yet").
      const out = await rig.technician(g2, [`consent withdraw ${LABEL}`]);
      assert.match(out[0], /Consent withdrawn/, out.join(""));
      assert.equal(g2.firmware.core.gallery.entry(LABEL), undefined);
      await rig.until("every gate's receipt", async () => {
        const s = await service.hub.erasureStatus(COMPOUND, R);
        return s.length === 3 && s.every((e) => e.state === "done");
      });
      const held = (await service.hub.erasureStatus(COMPOUND, R)).map((e) => [e.gateId, e.held]).sort();
      assert.deepEqual(held, [[1, true], [2, true], [3, false]], "gates 1 and 2 held it, gate 3 never did");
      assert.equal(g1.firmware.core.gallery.entry(LABEL), undefined);
      assert.equal(g1.firmware.core.vault.get(LABEL), undefined);
      assert.deepEqual(await seals(), [], "no sealed copy left at the hub");
      assert.equal(g2.decisions.slice(before).some((d) => d.via === "face" && d.grant), false);
      assert.equal(await faceAt(g1, R, IDENTITY), false, "no face at gate 1");
      assert.equal(await faceAt(g2, R, IDENTITY), false, "nor at gate 2");
    });

    it("consent given again reaches gate 2 again; gate 2 away while the hub orders erasure erases the template before it offers face", async () => {
      const out = await rig.technician(g1, [`consent grant ${LABEL}`, "yes"]);
      assert.match(out[1], /At the gate keypad/, out.join(""));
      await rig.keys(g1, `#8#${R}#${PIN}#`);
      g1.host.camera.scene = { kind: "genuine", identity: IDENTITY };
      await rig.technician(g1, [`face enrol ${LABEL}`, "go"]);
      g1.host.camera.scene = undefined;
      await rig.until("gate 2 installed it again", () => g2.firmware.core.gallery.entry(LABEL) !== undefined, 60_000);
      await rig.until("its answer at the hub", async () => (await seals()).join() === "2:installed");
      assert.equal(await faceAt(g2, R, IDENTITY), true);

      // Gate 2's network goes; the office withdraws consent meanwhile.
      const flash = g2.flash;
      rig.cut(g2);
      await service.hub.withdrawConsent(COMPOUND, R);
      await rig.until("gates 1 and 3 receipted", async () => {
        const s = await service.hub.erasureStatus(COMPOUND, R);
        return s.filter((e) => e.state === "done" && e.gateId !== 2).length >= 4;
      });
      assert.deepEqual(await seals(), [], "the hub's copy went with the order");
      g2 = rig.boot(2, flash);
      assert.ok(g2.firmware.core.gallery.entry(LABEL), "back on its own store, gate 2 still holds the template");
      g2.host.camera.scene = { kind: "genuine", identity: IDENTITY };
      let held = false;
      await rig.until("gate 2 back online", () => {
        if (g2.firmware.fleet?.state === "catching-up") held ||= g2.firmware.core.faceHold !== undefined;
        return g2.firmware.fleet?.state === "online";
      });
      g2.host.camera.scene = undefined;
      assert.ok(held, "face held while gate 2 caught up");
      assert.equal(g2.firmware.core.gallery.entry(LABEL), undefined, "erased before face was offered again");
      assert.equal(g2.firmware.core.ledger.isActive(LABEL), false, "consent ended there too");
      assert.equal(await faceAt(g2, R, IDENTITY), false);
      await rig.until("gate 2's receipt", async () => (await service.hub.erasureStatus(COMPOUND, R)).every((e) => e.state === "done"));
    });

    it("a face enrolled at gate 1 while it is cut off, then a power cut, then a hub process killed with the share in its hands, still reaches gate 2", async () => {
      rig.partition(g1, true);
      await rig.until("gate 1 offline", () => g1.firmware.fleet?.state === "offline");
      await enrolAtGate1();
      assert.deepEqual(g1.firmware.store.keys("fleet/share/"), [`fleet/share/${LABEL}`], "the share to make is on flash");
      const flash = g1.flash;
      rig.cut(g1);
      // The hub's client takes the first share (the broker counts it delivered), then the process dies before its database has it.
      const hub = killedHubLoses(service.hub, (t) => t === topic(COMPOUND, 1, "share"));
      try {
        g1 = rig.boot(1, flash);
        await rig.until("the share lost", () => hub.lost === 1);
        await rig.run(2000);
        assert.deepEqual(g1.firmware.store.keys("fleet/share/"), [`fleet/share/${LABEL}`], "kept: the broker having it is not enough");
        await rig.until("gate 2 installed the template", () => g2.firmware.core.gallery.entry(LABEL) !== undefined, 120_000);
        await rig.until("the share answered by the hub", () => g1.firmware.store.keys("fleet/share/").length === 0);
      } finally {
        hub.restore();
      }
      assert.equal(await faceAt(g2, R, IDENTITY), true);
    });
  });
}
