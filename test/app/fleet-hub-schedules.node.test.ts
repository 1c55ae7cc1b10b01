// End to end: a schedule set at the hub (desired state in SQL, signed sets
// over the embedded broker) makes a real firmware gate (host board chip
// models, Node, real TCP) refuse a resident's card outside the group's hours
// and admit it inside, on the gate's simulated clock; a holiday closes it; a
// full resync brings the same schedule back to a gate whose technician edited it.
import assert from "node:assert/strict";
import type { Segment } from "../../src/core/access/changes";
import type { HubService } from "../../tools/hub/service";
import { DATABASES } from "../tools/hub/servers";
import { openHubFleet, type FleetRig, type HubFleet, type RigGate } from "./fleet-rig";

const COMPOUND = 3;
const SEED = new Uint8Array(32).fill(45);
const DAY_MS = 86_400_000;
const CARD = "04c0aa01";
const BIT = 6;

for (const kind of DATABASES) {
  const suite = kind.skip ? describe.skip : describe;
  suite(`hub schedules at a firmware gate, hub on ${kind.name}${kind.skip ? ` (${kind.skip})` : ""}`, function () {
    this.timeout(120_000);
    let fleet: HubFleet, service: HubService, rig: FleetRig, g: RigGate;

    /** The gate's local time now, to place windows around it. */
    const local = () => {
      const now = g.firmware.board.clock.now();
      return now + g.firmware.core.access.policy.zone.offsetMs(now);
    };
    const window = (before: number, after: number): Segment => {
      const m = Math.floor((local() % DAY_MS) / 60_000);
      return { from: (m - before + 1440) % 1440, to: ((m + after) % 1440) || 1440 };
    };
    const putHours = async (s: Segment) => {
      const before = (await service.hub.gate(1))!.desiredVersion;
      await service.hub.schedules.putGroup(COMPOUND, { bit: BIT, name: "evening", week: Array.from({ length: 7 }, () => [s]), holiday: [] });
      await rig.until("the gate applied the new hours", async () => (await service.hub.gate(1))!.appliedVersion > before);
    };
    const card = async () => {
      const before = g.decisions.length;
      await rig.card(g, CARD);
      return g.decisions.slice(before).find((d) => d.via === "card");
    };

    before(async () => {
      fleet = await openHubFleet({ openDb: kind.open, compoundId: COMPOUND, compoundName: "Schedules test", signingSeed: SEED, clientId: `hub-schedules-${kind.name}`, gateIds: [1] });
      ({ service, rig, gates: [g] } = fleet);
      await rig.until("online", () => g.firmware.fleet?.state === "online");
      await service.hub.putResidents(COMPOUND, [{ id: 21, unit: "C1-301", role: "staff", groups: 1 << BIT, cards: [Uint8Array.from(Buffer.from(CARD, "hex"))] }]);
      await rig.until("the resident at the gate", () => g.firmware.core.registry.has(21));
    });

    after(async () => { await fleet?.close(); });

    it("refuses the card outside the group's hours and admits it inside", async () => {
      await putHours(window(-90, 180)); // opens in 90 minutes
      const outside = await card();
      assert.deepEqual([outside?.grant, outside?.reason], [false, "outside-schedule"]);
      await putHours(window(30, 30));
      const inside = await card();
      assert.deepEqual([inside?.grant, inside?.resident], [true, "R00021"]);
      const [groups] = await rig.technician(g, ["group list"]);
      assert.match(groups, /evening\s+evening\.1\s+1/);
    });

    it("a holiday today closes the group (it has no holiday hours), its removal opens it again", async () => {
      const today = Math.floor(local() / DAY_MS);
      const before = (await service.hub.gate(1))!.desiredVersion;
      await service.hub.schedules.addHoliday(COMPOUND, { day: today, name: "Test day" });
      await rig.until("the holiday applied", async () => (await service.hub.gate(1))!.appliedVersion > before);
      const refused = await card();
      assert.deepEqual([refused?.grant, refused?.reason], [false, "holiday"]);
      await service.hub.schedules.removeHoliday(COMPOUND, today);
      await rig.until("the holiday removed", async () => (await service.hub.gate(1))!.appliedVersion === (await service.hub.gate(1))!.desiredVersion);
      assert.equal((await card())?.grant, true);
    });

    it("a full resync puts the hub's hours back over a technician's local edit", async () => {
      await rig.technician(g, ["schedule set never --days mon --from 03:00 --to 03:01", "group add evening --schedules never"]);
      const local = await card();
      assert.equal(local?.grant, false, "the local edit is in force until the hub speaks");
      await service.hub.resync(1);
      await rig.until("resynced", async () => {
        const s = (await service.hub.gate(1))!;
        return !s.needsFull && s.appliedVersion === s.desiredVersion;
      });
      await rig.run(500);
      assert.equal((await card())?.grant, true);
      const [schedules] = await rig.technician(g, ["schedule list"]);
      assert.doesNotMatch(schedules, /never/);
    });
  });
}
