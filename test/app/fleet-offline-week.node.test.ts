// Issue 20's "a gate offline for a week, then back", end to end: two real
// firmwares (host board chip models, Node) with real TCP to the embedded
// broker and a hub on PGlite (and PostgreSQL where it runs), the hub's clock
// the simulation's. Gate 2's network is cut for seven simulated days while the
// hub adds, changes and removes a few hundred residents and a resident
// withdraws face consent at the hub; gate 2 goes on deciding by card from its
// own store (a renter's window ends while it is away). Back online it erases
// the template before it offers face, converges to the hub's version, its
// week of audit records reaches the hub once each, and no set applies twice.
// Days pass by jumping the simulated clocks, not by waiting.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { hashPin } from "../../src/core/access/secrets";
import type { Db } from "../../tools/hub/db";
import type { ResidentInput } from "../../tools/hub/desired";
import type { HubService } from "../../tools/hub/service";
import { DATABASES } from "../tools/hub/servers";
import { openHubFleet, type FleetRig, type HubFleet, type RigGate } from "./fleet-rig";

const COMPOUND = 3;
const DAY = 86_400_000;
const PIN = "24681357";
const FACE = 50; // the resident who withdraws at the hub while gate 2 is away
const RENTER = 51; // lease ends on the third day
const OWNER = 52;

const cardHex = (id: number) => `04d0${id.toString(16).padStart(4, "0")}`;
const cardBytes = (id: number) => Uint8Array.from(Buffer.from(cardHex(id), "hex"));
const label = (id: number) => `R${String(id).padStart(5, "0")}`;

for (const kind of DATABASES) {
  const suite = kind.skip ? describe.skip : describe;
  suite(`a gate offline for a week, hub on ${kind.name}${kind.skip ? ` (${kind.skip})` : ""}`, function () {
    this.timeout(180_000);
    let fleet: HubFleet, db: Db, service: HubService, rig: FleetRig, g1: RigGate, g2: RigGate;

    const person = (id: number, extra: Partial<ResidentInput> = {}): ResidentInput => ({ id, unit: `U${id}`, role: "owner", groups: 1, cards: [cardBytes(id)], ...extra });
    const synced = (...ids: number[]) => async () => {
      const states = await Promise.all(ids.map((id) => service.hub.gate(id)));
      return states.every((s) => s !== undefined && s.appliedVersion === s.desiredVersion);
    };
    const admits = async (gate: RigGate, id: number) => {
      const before = gate.decisions.length;
      await rig.card(gate, cardHex(id));
      return gate.decisions.slice(before).find((d) => d.via === "card");
    };

    before(async () => {
      fleet = await openHubFleet({ openDb: kind.open, compoundId: COMPOUND, compoundName: "Offline week", signingSeed: new Uint8Array(32).fill(45), clientId: `hub-week-${kind.name}`, gateIds: [1, 2], hubOnRigClock: true });
      ({ db, service, rig, gates: [g1, g2] } = fleet);
      await rig.until("both gates online", () => [g1, g2].every((g) => g.firmware.fleet?.state === "online"));
    });

    after(async () => { await fleet?.close(); });

    it("gate 2 decides from its own store for a week; back, it erases before face, converges, and uploads its week once", async () => {
      // Before: 120 residents, one with a PIN under gate 2's key who consents and enrols there.
      const key = g2.firmware.store.get("device/pin-key")!;
      const salt = new Uint8Array(randomBytes(4));
      const base = Array.from({ length: 120 }, (_, i) => person(100 + i));
      await service.hub.putResidents(COMPOUND, [
        ...base, person(FACE, { pin: { salt, hash: hashPin(key, salt, PIN) } }), person(OWNER),
        person(RENTER, { role: "renter", validUntil: rig.now + 3 * DAY - 3600_000 }),
      ]);
      await rig.until("both gates synced", synced(1, 2), 120_000);
      await rig.technician(g2, [`notice set --purpose "Open the gate by face" --method "On-board model" --scope ${g2.firmware.core.gateName} --retention 365`]);
      const consent = await rig.technician(g2, [`consent grant ${label(FACE)}`, "yes"]);
      assert.match(consent[1], /At the gate keypad/, consent.join(""));
      await rig.keys(g2, `#8#${FACE}#${PIN}#`);
      g2.host.camera.scene = { kind: "genuine", identity: 5050 };
      const enrolled = await rig.technician(g2, [`face enrol ${label(FACE)}`, "go"]);
      g2.host.camera.scene = undefined;
      assert.match(enrolled[1], /enrolled under notice/, enrolled.join(""));

      // Gate 2's network goes.
      rig.partition(g2, true);
      await rig.until("gate 2 offline", () => g2.firmware.fleet?.state === "offline");
      let changes = 0;
      const offlineDecisions: { day: number; id: number; grant: boolean; reason: string }[] = [];
      for (let day = 1; day <= 7; day++) {
        // The hub's week: 30 added, 20 changed, 10 removed a day (cards, units, roles): 420 changes and more.
        const added = Array.from({ length: 30 }, (_, i) => person(1000 + day * 100 + i));
        const changed = base.slice((day - 1) * 15, (day - 1) * 15 + 20).map((r) => ({ ...r, unit: `U${r.id}-d${day}`, cards: [cardBytes(r.id), cardBytes(r.id + 5000)] }));
        await service.hub.putResidents(COMPOUND, [...added, ...changed]);
        await service.hub.removeResidents(COMPOUND, base.slice(60 + (day - 1) * 8, 60 + (day - 1) * 8 + 10).map((r) => r.id).filter((id) => !changed.some((c) => c.id === id)));
        changes += added.length + changed.length + 10;
        if (day === 3) await service.hub.withdrawConsent(COMPOUND, FACE);
        await rig.until("gate 1 keeps up", synced(1), 120_000);
        // Gate 2 meanwhile, from its own store.
        for (const id of [OWNER, RENTER, 1000 + day * 100]) {
          const d = await admits(g2, id);
          offlineDecisions.push({ day, id, grant: d?.grant ?? false, reason: d?.reason ?? "none" });
        }
        assert.equal(g2.firmware.fleet?.state, "offline");
        await rig.jump(DAY);
      }
      assert.ok(changes >= 400, `${changes} changes at the hub`);
      assert.ok(offlineDecisions.filter((d) => d.id === OWNER).every((d) => d.grant), "the owner's card opens every day");
      assert.deepEqual(offlineDecisions.filter((d) => d.id === RENTER).map((d) => d.grant), [true, true, true, false, false, false, false], "the lease ends on the third day, offline too");
      assert.ok(offlineDecisions.filter((d) => d.id > 1000).every((d) => !d.grant), "residents added at the hub meanwhile are not known to gate 2 yet");
      assert.ok(g2.firmware.core.gallery.entry(label(FACE)), "offline, the template is still at gate 2");
      const erasures = async () => (await service.hub.erasureStatus(COMPOUND, FACE)).map((e) => `${e.gateId}:${e.state}`).sort();
      assert.deepEqual(await erasures(), ["1:done", "2:pending"]);
      const applied = g2.firmware.core.audit.entries().filter((e) => e.kind === "sync-applied").length;

      // Back: face is held until the erasure is done, then the gate converges.
      rig.partition(g2, false);
      await rig.jump(61_000); // past the client's reconnection backoff
      let held = false, erasedFirst = true;
      await rig.until("gate 2 online", () => {
        const state = g2.firmware.fleet?.state;
        if (state === "catching-up") held ||= g2.firmware.core.faceHold !== undefined;
        if (state === "online" && g2.firmware.core.gallery.entry(label(FACE))) erasedFirst = false;
        return state === "online";
      }, 120_000);
      assert.ok(held, "face was held while gate 2 caught up");
      assert.ok(erasedFirst, "the template was gone before face was offered again");
      assert.equal(g2.firmware.core.ledger.isActive(label(FACE)), false, "consent ended here too");
      await rig.until("gate 2's receipt", async () => (await erasures()).every((s) => s.endsWith(":done")));
      await rig.until("gate 2 at the hub's version", synced(1, 2), 120_000);
      await rig.until("gate 2's inventory matches the hub", async () => {
        const c = await service.hub.compare(2);
        const g = await service.hub.gate(2);
        return c.reportedVersion === g?.desiredVersion && c.missing.length + c.extra.length + c.different.length === 0;
      }, 120_000);
      assert.equal((await admits(g2, 1000 + 7 * 100))?.grant, true, "a resident added while it was away opens gate 2 now");

      // Nothing applied twice: each version once, in order.
      const versions = g2.firmware.core.audit.entries().filter((e) => e.kind === "sync-applied").map((e) => Number(/^v(\d+)/.exec(e.detail ?? "")?.[1]));
      assert.ok(versions.length > applied, "the week's sets were applied");
      assert.deepEqual(versions, [...versions].sort((a, b) => a - b), "in order");
      assert.equal(new Set(versions).size, versions.length, `no version twice: ${versions.join(",")}`);

      // The week of audit records: every one at the hub, once (keyed by gate, log and sequence), no alarm.
      await rig.until("gate 2's records all at the hub", async () => {
        const audit = g2.firmware.core.audit;
        return (await service.hub.auditCount(2)) === audit.access.head().seq + audit.security.head().seq;
      }, 120_000);
      // Stored once each (the hub keys them by gate, log and sequence): every sequence from 1 to the head, nothing else.
      const rows = await db.query<{ log: unknown; n: unknown; lo: unknown; hi: unknown }>("select log, count(*) as n, min(seq) as lo, max(seq) as hi from audit_record where gate_id = 2 group by log order by log");
      const audit = g2.firmware.core.audit;
      assert.deepEqual(rows.map((r) => [Number(r.log), Number(r.n), Number(r.lo), Number(r.hi)]), [
        [0, audit.access.head().seq, 1, audit.access.head().seq], [1, audit.security.head().seq, 1, audit.security.head().seq],
      ]);
      assert.deepEqual(await service.hub.auditAlarms(2), []);
      const cardsOffline = audit.entries().filter((e) => e.log === "access" && e.kind === "card").length;
      assert.ok(cardsOffline >= offlineDecisions.length, "the week's card decisions are in the access log the hub now holds");
    });
  });
}
