// Issue 20's "gate power cut mid-apply", end to end with the hub resending:
// two real firmwares (host board chip models, Node) on real TCP to the
// embedded broker and a hub (PGlite, and PostgreSQL where it runs). For each
// cut point k, gate 1's power goes at the k-th flash operation from the start
// of the store group of the set an edit at the hub sent (inside the group, at
// its audit record, or at what follows). Gate 1 boots again on the
// flash the cut left; the hub, which never got the ack, sends again. Every
// time: gate 1 converges to the hub's version with exactly the desired
// residents, opens for the resident just added, and across the whole
// campaign its audit chain holds each version's sync-applied record once
// (a cut between the set and its record: the record is made at boot).
import assert from "node:assert/strict";
import type { ResidentInput } from "../../tools/hub/desired";
import type { HubService } from "../../tools/hub/service";
import { DATABASES } from "../tools/hub/servers";
import { openHubFleet, type FleetRig, type HubFleet, type RigGate } from "./fleet-rig";

const COMPOUND = 4;
const cardHex = (id: number) => `04e0${id.toString(16).padStart(4, "0")}`;
const cardBytes = (id: number) => Uint8Array.from(Buffer.from(cardHex(id), "hex"));
const person = (id: number, unit = `U${id}`): ResidentInput => ({ id, unit, role: "owner", groups: 1, cards: [cardBytes(id)] });
/** Where the power goes, counted in flash operations from the start of the set's group: every one
 * of the group's (7 for these sets), its audit record's, and those that follow. */
const CUT_POINTS = Array.from({ length: 12 }, (_, i) => i + 1);

for (const kind of DATABASES) {
  const suite = kind.skip ? describe.skip : describe;
  suite(`a gate's power cut mid-apply, the hub resending, hub on ${kind.name}${kind.skip ? ` (${kind.skip})` : ""}`, function () {
    this.timeout(300_000);
    let fleet: HubFleet, service: HubService, rig: FleetRig, g1: RigGate, g2: RigGate;

    const synced = (...ids: number[]) => async () => {
      const states = await Promise.all(ids.map((id) => service.hub.gate(id)));
      return states.every((s) => s !== undefined && s.appliedVersion === s.desiredVersion);
    };
    const inventoryMatches = (id: number) => async () => {
      const c = await service.hub.compare(id);
      const g = await service.hub.gate(id);
      return c.reportedVersion === g?.desiredVersion && c.missing.length + c.extra.length + c.different.length === 0;
    };

    /** The power goes at the k-th flash operation from the start of the next set's store group (the one that puts its version). */
    const armCut = (gate: RigGate, k: number) => {
      const store = gate.firmware.store;
      const commit = store.commit.bind(store);
      store.commit = (ops) => {
        if (!ops.some((op) => "put" in op && op.put === "sync/version")) return commit(ops);
        store.commit = commit;
        gate.flash.cutAt = gate.flash.ops + k;
        return commit(ops);
      };
    };

    before(async () => {
      fleet = await openHubFleet({ openDb: kind.open, compoundId: COMPOUND, compoundName: "Power cuts", signingSeed: new Uint8Array(32).fill(46), clientId: `hub-cut-${kind.name}`, gateIds: [1, 2], hubOnRigClock: true });
      ({ service, rig, gates: [g1, g2] } = fleet);
      await rig.until("both gates online", () => [g1, g2].every((g) => g.firmware.fleet?.state === "online"));
      await service.hub.putResidents(COMPOUND, Array.from({ length: 40 }, (_, i) => person(100 + i)));
      await rig.until("both gates synced", synced(1, 2), 120_000);
    });

    after(async () => { await fleet?.close(); });

    it("converges after a cut at each point of the apply, opens for the resident the set added, and applies no version twice", async () => {
      const cutsTaken: number[] = [];
      for (const [round, k] of CUT_POINTS.entries()) {
        const added = 500 + round;
        const flash = g1.flash;
        armCut(g1, k);
        // One edit: a resident added, two changed (a new unit, a second card).
        await service.hub.putResidents(COMPOUND, [person(added), { ...person(100 + round, `U${100 + round}-r${round}`), cards: [cardBytes(100 + round), cardBytes(900 + round)] }, person(120 + round, `moved-${round}`)]);
        await rig.until(`round ${round}: gate 1 synced or its power cut`, async () => flash.dead || await synced(1)(), 120_000);
        if (flash.dead) {
          cutsTaken.push(k);
          rig.cut(g1);
          flash.powerOn();
          g1 = rig.boot(1, flash);
        } else {
          flash.cutAt = 0;
        }
        await rig.until(`round ${round} (cut at ${k}): both gates at the hub's version`, synced(1, 2), 120_000);
        await rig.until(`round ${round}: gate 1's inventory equals the desired state`, inventoryMatches(1), 120_000);
        const before = g1.decisions.length;
        await rig.card(g1, cardHex(added));
        assert.equal(g1.decisions.slice(before).find((d) => d.via === "card")?.grant, true, `round ${round}: the resident the set added opens gate 1`);
      }
      assert.ok(cutsTaken.length >= 8, `the power went in the set's group and at its record (cut at ${cutsTaken.join(", ")})`);
      // Every version on record once, in order: also the one whose record the power took (made at boot, saying so).
      const applied = g1.firmware.core.audit.entries().filter((e) => e.kind === "sync-applied");
      const versions = applied.map((e) => Number(/^v(\d+)/.exec(e.detail ?? "")?.[1]));
      const desired = (await service.hub.gate(1))!.desiredVersion;
      assert.deepEqual(versions, Array.from({ length: desired }, (_, i) => i + 1), `each version once, none missing: ${applied.map((e) => e.detail).join("; ")}`);
      assert.ok(applied.some((e) => /^v\d+ \d+ change\(s\), power cut$/.test(e.detail ?? "")), `a cut fell between a set and its record: ${applied.map((e) => e.detail).join("; ")}`);
      await rig.until("gate 2's inventory equals the desired state", inventoryMatches(2), 120_000);
    });
  });
}
