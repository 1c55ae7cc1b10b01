// The firmware's hub link end to end: real firmwares (host board chip models,
// Node) with real TCP to the embedded MQTT broker and a real hub on PGlite
// (and PostgreSQL where it runs). Residents added at the hub open the gate;
// the gates' audit records and signed heads reach the hub; a withdrawal at the
// hub or at a gate's keypad erases the template at every gate with signed
// receipts; a gate cut off while an erasure is ordered erases it before it
// offers face again.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { bytes, type Db } from "../../tools/hub/db";
import type { HubService } from "../../tools/hub/service";
import { hashPin } from "../../src/core/access/secrets";
import type { ConsentRecord } from "../../src/core/face/consent-record";
import { legacyNoticeIdOf, noticeIdOf } from "../../src/core/sync/notice-id";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../../src/core/version";
import { DATABASES } from "../tools/hub/servers";
import { killedHubLoses, openHubFleet, type FleetRig, type HubFleet, type RigGate } from "./fleet-rig";

const COMPOUND = 1;
const SEED = new Uint8Array(32).fill(44);
const PIN = "13572468";

const cardHex = (id: number) => `04c0${id.toString(16).padStart(4, "0")}`;
const cardBytes = (id: number) => Uint8Array.from(Buffer.from(cardHex(id), "hex"));

for (const kind of DATABASES) {
  const suite = kind.skip ? describe.skip : describe;
  suite(`firmware hub link, hub on ${kind.name}${kind.skip ? ` (${kind.skip})` : ""}`, function () {
    this.timeout(120_000);
    let fleet: HubFleet, db: Db, service: HubService, rig: FleetRig;
    let g1: RigGate, g2: RigGate;

    const hubSettings = () => fleet.hubSettings();
    const online = (...gates: RigGate[]) => () => gates.every((g) => g.firmware.fleet?.state === "online");
    /** A resident the hub knows, with a PIN that `gate` verifies (a verifier under its PIN key). */
    const withPinAt = (gate: RigGate, id: number) => {
      const key = gate.firmware.store.get("device/pin-key")!;
      const salt = new Uint8Array(randomBytes(4));
      return { id, unit: `U${id}`, role: "owner" as const, groups: 1, cards: [cardBytes(id)], pin: { salt, hash: hashPin(key, salt, PIN) } };
    };
    const withPin = (id: number) => withPinAt(g1, id);
    /** Consent confirmed by the resident at the gate's keypad, then enrolment at its console. */
    const consentAndEnrolAt = async (gate: RigGate, id: number, identity: number) => {
      const label = `R${String(id).padStart(5, "0")}`;
      const out = await rig.technician(gate, [`consent grant ${label}`, "yes"]);
      assert.match(out[1], /At the gate keypad/, out.join(""));
      await rig.keys(gate, `#8#${id}#${PIN}#`);
      assert.ok(gate.firmware.core.ledger.isActive(label), "consent confirmed at the keypad");
      gate.host.camera.scene = { kind: "genuine", identity };
      const enrolled = await rig.technician(gate, [`face enrol ${label}`, "go"]);
      gate.host.camera.scene = undefined;
      assert.match(enrolled[1], /enrolled under notice/, enrolled.join(""));
      assert.ok(gate.firmware.core.gallery.entry(label));
    };
    const consentAndEnrol = (id: number, identity: number) => consentAndEnrolAt(g1, id, identity);
    const erasures = async (resident: number) => (await service.hub.erasureStatus(COMPOUND, resident)).map((e) => `${e.gateId}:${e.state}`).sort();
    const heldBy = async (resident: number) => (await service.hub.erasureStatus(COMPOUND, resident)).map((e) => [e.gateId, e.held]).sort();

    before(async () => {
      fleet = await openHubFleet({ openDb: kind.open, compoundId: COMPOUND, compoundName: "Fleet test", signingSeed: SEED, clientId: `hub-fleet-${kind.name}`, gateIds: [1, 2] });
      ({ db, service, rig, gates: [g1, g2] } = fleet);
      await rig.technician(g1, [`notice set --purpose "Open the gate by face" --method "On-board model" --scope ${g1.firmware.core.gateName} --retention 365`]);
      await rig.until("both gates online", online(g1, g2));
    });

    after(async () => { await fleet?.close(); });

    it("takes a renter added at the hub at every gate, and opens for the renter's card", async () => {
      const until = Date.now() + 30 * 86_400_000;
      await service.hub.putResidents(COMPOUND, [{ id: 7, unit: "B3-1204", role: "renter", groups: 1, validUntil: until, cards: [cardBytes(7)] }]);
      await rig.until("the renter at both gates", () => g1.firmware.core.registry.has(7) && g2.firmware.core.registry.has(7));
      const before = g1.decisions.length;
      await rig.card(g1, cardHex(7));
      const decision = g1.decisions.slice(before).find((d) => d.via === "card");
      assert.deepEqual([decision?.grant, decision?.resident], [true, "R00007"]);
      await rig.until("both gates acknowledged", async () => {
        const states = await Promise.all([1, 2].map((id) => service.hub.gate(id)));
        return states.every((s) => s !== undefined && s.appliedVersion === s.desiredVersion && s.appliedVersion > 0);
      });
      // The inventory follows each ack: the hub's comparison comes clean once it is in.
      await rig.until("both inventories to match the hub", async () => {
        const c = await Promise.all([1, 2].map((id) => service.hub.compare(id)));
        return c.every((x) => x.reportedVersion !== undefined && x.reportedVersion > 0 && x.missing.length + x.extra.length + x.different.length === 0);
      });
      // Each gate told the hub what it runs with its online flag.
      const firmware = await db.query<{ firmware: string | null }>("select firmware from gate where id in (1, 2) order by id");
      assert.deepEqual(firmware.map((r) => r.firmware), [`${FIRMWARE_NAME}/${FIRMWARE_VERSION}`, `${FIRMWARE_NAME}/${FIRMWARE_VERSION}`]);
    });

    it("streams the gates' audit records to the hub, which witnesses their signed heads", async () => {
      await rig.until("records and heads at the hub", async () => {
        const [heads] = await db.query<{ n: unknown }>("select count(*) as n from audit_head where gate_id = 1 and records_verified");
        return (await service.hub.auditCount(1)) > 0 && Number(heads.n) > 0;
      }, 180_000);
      assert.deepEqual(await service.hub.auditAlarms(1), []);
    });

    it("an audit batch lost by a hub process killed after the broker had it: the head's answer says so, and the gate sends its window again", async () => {
      const hub = killedHubLoses(service.hub, (t) => t.endsWith("/1/audit"));
      const records = async () => Number((await db.query<{ n: unknown }>("select count(*) as n from audit_record where gate_id = 1 and log = 0"))[0].n);
      try {
        // A card at gate 1's reader: an access record, its batch lost.
        await rig.card(g1, cardHex(4242));
        await rig.until("the batch lost", () => hub.lost === 1);
        const chain = () => g1.firmware.core.audit.access.head().seq;
        await rig.until("every access record of gate 1 at the hub, and its head verified", async () => {
          const [head] = await db.query<{ head_seq: unknown; records_verified: boolean }>("select head_seq, records_verified from audit_head where gate_id = 1 and log = 0");
          return (await records()) >= chain() && Number(head?.head_seq) === chain() && head.records_verified;
        }, 180_000);
      } finally {
        hub.restore();
      }
      assert.deepEqual(await service.hub.auditAlarms(1), []);
    });

    it("erases a template at every gate when consent is withdrawn at the hub, each gate with its signed receipt", async () => {
      await service.hub.putResidents(COMPOUND, [withPin(8)]);
      await rig.until("resident 8 at gate 1", () => g1.firmware.core.registry.has(8));
      await consentAndEnrol(8, 808);
      await service.hub.withdrawConsent(COMPOUND, 8);
      await rig.until("every gate's receipt", async () => (await erasures(8)).every((s) => s.endsWith(":done")));
      assert.deepEqual(await erasures(8), ["1:done", "2:done"]);
      assert.deepEqual(await heldBy(8), [[1, true], [2, false]], "gate 1 held the template, gate 2 never did");
      const core = g1.firmware.core;
      assert.equal(core.gallery.entry("R00008"), undefined);
      assert.equal(core.vault.get("R00008"), undefined);
      assert.equal(core.ledger.isActive("R00008"), false, "consent ended here too");
      assert.equal(core.registry.get(8)?.faceEnrolled, false);
      assert.ok(core.ledger.records().some((r) => r.residentId === "R00008" && r.event === "withdrawn" && r.channel === "hub"));
      const before = g1.decisions.length;
      await rig.card(g1, cardHex(8));
      assert.equal(g1.decisions.slice(before).find((d) => d.via === "card")?.grant, true, "the card still opens");
    });

    it("a withdrawal at a gate's keypad reaches the hub as a signed notice and erases at the other gates", async () => {
      await service.hub.putResidents(COMPOUND, [withPin(9)]);
      await rig.until("resident 9 at gate 1", () => g1.firmware.core.registry.has(9));
      await consentAndEnrol(9, 909);
      await rig.keys(g1, `#9#9#${PIN}#`);
      assert.equal(g1.firmware.core.gallery.entry("R00009"), undefined, "erased at once where it was withdrawn");
      await rig.until("the hub's record of it, done everywhere", async () => {
        const s = await erasures(9);
        return s.length === 2 && s.every((x) => x.endsWith(":done"));
      });
      assert.deepEqual(await heldBy(9), [[1, true], [2, false]]);
    });

    it("a notice lost by a hub process killed after the broker had it: the gate keeps it until the hub's order answers it, and every gate erases", async () => {
      await service.hub.putResidents(COMPOUND, [withPin(14)]);
      await rig.until("resident 14 at gate 1", () => g1.firmware.core.registry.has(14));
      await consentAndEnrol(14, 1414);
      // The hub's client has the notice (the broker counts it delivered), then the process dies before its database does.
      const hub = killedHubLoses(service.hub, (t) => t.endsWith("/withdrawn"));
      try {
        await rig.keys(g1, `#9#14#${PIN}#`);
        await rig.until("the notice lost", () => hub.lost === 1);
        await rig.run(2000);
        assert.deepEqual(await erasures(14), [], "the hub never heard of it");
        assert.match(g1.firmware.fleetStatus() ?? "", /1 withdrawal notice\(s\) to deliver/, "kept: the broker having it is not enough");
        await rig.until("sent again, fanned out, receipted everywhere", async () => {
          const s = await erasures(14);
          return s.length === 2 && s.every((x) => x.endsWith(":done"));
        }, 120_000);
        assert.deepEqual(await heldBy(14), [[1, true], [2, false]]);
        await rig.until("answered by the hub's order: nothing left to send", () => !/to deliver/.test(g1.firmware.fleetStatus() ?? ""));
        assert.deepEqual(g1.firmware.store.keys("fleet/pending/"), []);
      } finally {
        hub.restore();
      }
    });

    it("a power cut between a keypad withdrawal's consent record and its notice: the notice is made again from the record, reaches the hub once", async () => {
      await service.hub.putResidents(COMPOUND, [withPin(12)]);
      await rig.until("resident 12 at gate 1", () => g1.firmware.core.registry.has(12));
      await consentAndEnrol(12, 1212);
      const flash = g1.flash;
      const notify = g1.firmware.core.withdrawal.onWithdrawn!;
      // The link is told once the consent record and the template's removal are on flash: the
      // next flash operation is the notice's (its receipt, then the notice itself).
      g1.firmware.core.withdrawal.onWithdrawn = (receipt) => {
        flash.cutAt = flash.ops + 1;
        notify(receipt);
      };
      await rig.keys(g1, `#9#12#${PIN}#`);
      assert.ok(flash.dead, "the power went in that window");
      rig.cut(g1);
      flash.powerOn();
      g1 = rig.boot(1, flash);
      const core = g1.firmware.core;
      assert.equal(core.ledger.isActive("R00012"), false, "the withdrawal is on record");
      assert.equal(core.gallery.entry("R00012"), undefined);
      assert.ok(g1.logs.some((l) => /withdrawal of R00012 .* made again/.test(l)), g1.logs.join("\n"));
      await rig.until("the hub's record of it, done everywhere", async () => {
        const s = await erasures(12);
        return s.length === 2 && s.every((x) => x.endsWith(":done"));
      });
      await rig.until("delivered: nothing left to send", () => !/to deliver/.test(g1.firmware.fleetStatus() ?? ""));
      // Once delivered it is not made again: another reboot sends nothing.
      rig.cut(g1);
      g1 = rig.boot(1, flash);
      assert.equal(g1.logs.filter((l) => /made again/.test(l)).length, 0);
      assert.doesNotMatch(g1.firmware.fleetStatus() ?? "", /to deliver/);
      await rig.until("gate 1 online again", online(g1));
      const [orders] = await db.query<{ n: unknown }>("select count(*) as n from erasure_order where resident_id = 12");
      assert.equal(Number(orders.n), 1, "one erasure order at the hub");
    });

    it("a notice the firmware before saved under its v1 id is still recognised after the upgrade: not made again, reaches the hub once", async () => {
      await service.hub.putResidents(COMPOUND, [withPin(13)]);
      await rig.until("resident 13 at gate 1", () => g1.firmware.core.registry.has(13));
      await consentAndEnrol(13, 1313);
      const flash = g1.flash;
      const publicKey = g1.firmware.gateIdentity()!.publicKey;
      rig.partition(g1, true); // not delivered before the upgrade
      let record: ConsentRecord | undefined;
      const notify = g1.firmware.core.withdrawal.onWithdrawn!;
      g1.firmware.core.withdrawal.onWithdrawn = (receipt) => { record = receipt.record; notify(receipt); };
      await rig.keys(g1, `#9#13#${PIN}#`);
      assert.ok(record, "withdrawn at the keypad");
      // Flash as the firmware before left it: the same notice (signed by this gate) under the id it
      // derived, and none under this firmware's; its progress (fleet/notified) below the record.
      const legacyId = legacyNoticeIdOf(publicKey, record);
      g1.firmware.fleet!.withdrawnHere(13, true, legacyId, record.at);
      g1.firmware.store.commit([{ delete: `fleet/pending/${Buffer.from(noticeIdOf(publicKey, record)).toString("hex")}` }]);
      assert.deepEqual(g1.firmware.store.keys("fleet/pending/"), [`fleet/pending/${Buffer.from(legacyId).toString("hex")}`]);
      rig.cut(g1);
      g1 = rig.boot(1, flash); // this firmware, whose own ids are v2
      assert.equal(g1.logs.filter((l) => /made again/.test(l)).length, 0, g1.logs.join("\n"));
      await rig.until("the hub's record of it, done everywhere", async () => {
        const s = await erasures(13);
        return s.length === 2 && s.every((x) => x.endsWith(":done"));
      });
      await rig.until("delivered: nothing left to send", () => !/to deliver/.test(g1.firmware.fleetStatus() ?? ""));
      const orders = await db.query<{ order_id: unknown }>("select order_id from erasure_order where resident_id = 13");
      assert.deepEqual(orders.map((o) => Buffer.from(bytes(o.order_id)).toString("hex")), [Buffer.from(legacyId).toString("hex")], "one erasure order at the hub, under the saved notice's id");
      // A reboot after delivery makes nothing again either.
      rig.cut(g1);
      g1 = rig.boot(1, flash);
      assert.equal(g1.logs.filter((l) => /made again/.test(l)).length, 0);
      await rig.until("gate 1 online again", online(g1));
    });

    it("a gate cut off while an erasure is ordered erases it when it comes back, before it offers face again", async () => {
      await service.hub.putResidents(COMPOUND, [withPin(10)]);
      await rig.until("resident 10 at gate 1", () => g1.firmware.core.registry.has(10));
      await consentAndEnrol(10, 1010);
      const flash = g1.flash;
      rig.cut(g1);
      await service.hub.withdrawConsent(COMPOUND, 10);
      await rig.until("gate 2's receipt", async () => (await erasures(10)).includes("2:done"));
      assert.ok((await erasures(10)).includes("1:pending"), "gate 1 is away: pending");
      g1 = rig.boot(1, flash);
      assert.ok(g1.firmware.core.gallery.entry("R00010"), "back on its own store, the template is still there");
      // Until the hub has answered, the face key powers nothing.
      g1.host.camera.scene = { kind: "genuine", identity: 1010 };
      let held = false;
      await rig.until("the link up", () => {
        const state = g1.firmware.fleet?.state;
        if (state === "catching-up") held ||= g1.firmware.core.faceHold !== undefined;
        return state === "online";
      });
      assert.ok(held, "face was held while the gate caught up");
      assert.equal(g1.firmware.core.gallery.entry("R00010"), undefined, "erased before face was offered again");
      await rig.until("gate 1's receipt", async () => (await erasures(10)).every((s) => s.endsWith(":done")));
      const before = g1.decisions.length;
      await rig.keys(g1, "10A");
      await rig.run(1000);
      assert.equal(g1.firmware.hardware.camera.powered, false);
      assert.equal(g1.decisions.slice(before).some((d) => d.via === "face" && d.grant), false, "no face entry for a withdrawn resident");
    });

    it("a withdrawal at the keypad of a gate that cannot reach the broker is kept across a reboot and reaches the hub once it can", async () => {
      const g3 = rig.boot(3);
      await service.hub.addGate({ id: 3, compoundId: COMPOUND, name: "gate 3", publicKey: g3.firmware.gateIdentity()!.publicKey });
      g3.firmware.provisionHub({ ...hubSettings(), port: 9 }); // nothing listens there: the gate stays offline
      await service.hub.putResidents(COMPOUND, [withPinAt(g3, 11)]);
      g3.firmware.provisionHub(hubSettings());
      await rig.until("resident 11 at gate 3", () => g3.firmware.core.registry.has(11));
      g3.firmware.provisionHub({ ...hubSettings(), port: 9 });
      await rig.technician(g3, [`notice set --purpose "Open the gate by face" --method "On-board model" --scope ${g3.firmware.core.gateName} --retention 365`]);
      await consentAndEnrolAt(g3, 11, 1111);
      await rig.keys(g3, `#9#11#${PIN}#`);
      assert.equal(g3.firmware.core.gallery.entry("R00011"), undefined);
      assert.match(g3.firmware.fleetStatus() ?? "", /1 withdrawal notice\(s\) to deliver/);
      const flash = g3.flash;
      rig.cut(g3);
      const again = rig.boot(3, flash);
      assert.match(again.firmware.fleetStatus() ?? "", /1 withdrawal notice\(s\) to deliver/, "kept across the reboot");
      again.firmware.provisionHub(hubSettings());
      await rig.until("the notice at the hub, receipted everywhere", async () => {
        const s = await erasures(11);
        return s.length === 3 && s.every((x) => x.endsWith(":done"));
      });
      assert.deepEqual(await heldBy(11), [[1, false], [2, false], [3, true]]);
      await rig.until("delivered: nothing left to send", () => !/to deliver/.test(again.firmware.fleetStatus() ?? ""));
    });
  });
}
