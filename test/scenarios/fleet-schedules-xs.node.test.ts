// A gate running the real firmware in XS (the simulator's host board) takes
// its groups' hours from the hub on PGlite through the embedded broker over
// real TCP: a group closed all week refuses the resident's card, the same
// group open all day admits it. (Hours around the gate's own clock:
// test/app/fleet-hub-schedules.node.test.ts, firmware in Node.)
import assert from "node:assert/strict";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../tools/hub/broker";
import type { Db } from "../../tools/hub/db";
import { startHubService, type HubService } from "../../tools/hub/service";
import { startSimulator, type Simulator } from "../../tools/sim/simulator";
import { DATABASES } from "../tools/hub/servers";

const COMPOUND = 4, GATE = 1, BIT = 5;
const CARD = "04c0b001";

describe("an XS gate and the hub's schedules", function () {
  this.timeout(300_000);
  let broker: EmbeddedBroker, db: Db, service: HubService, gate: Simulator;

  async function until(what: string, done: () => boolean | Promise<boolean>, maxMs = 60_000): Promise<void> {
    const end = Date.now() + maxMs;
    while (!(await done())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${gate.fleetStatus}`);
      await gate.advance(20);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  const hours = async (segments: { from: number; to: number }[]) => {
    await service.hub.schedules.putGroup(COMPOUND, { bit: BIT, name: "garage", week: Array.from({ length: 7 }, () => segments), holiday: [] });
    const desired = (await service.hub.gate(GATE))!.desiredVersion;
    await until("the hours applied at the gate", async () => (await service.hub.gate(GATE))!.appliedVersion === desired);
  };
  const card = async () => {
    const before = gate.decisions.length;
    await gate.presentCard(CARD);
    return gate.decisions.slice(before).find((d) => d.via === "card");
  };

  before(async () => {
    broker = await startEmbeddedBroker();
    db = await DATABASES[0].open();
    service = await startHubService({ db, brokerUrl: broker.url, signingSeed: new Uint8Array(32).fill(62), clientId: "hub-schedules-xs", tickMs: 200 });
    await service.hub.addCompound(COMPOUND, "XS schedules");
    gate = await startSimulator({ image: null, gateId: GATE, demo: false });
    const { publicKey, sealKey } = gate.identity();
    await service.hub.addGate({ id: GATE, compoundId: COMPOUND, name: "garage gate", publicKey, sealKey });
    await gate.provisionHub({ compoundId: COMPOUND, host: "127.0.0.1", port: broker.port, hubKeys: [service.hub.publicKey] });
    await until("online", () => gate.fleetStatus?.startsWith("online") === true);
    await service.hub.putResidents(COMPOUND, [{ id: 31, unit: "G-1", role: "staff", groups: 1 << BIT, cards: [Uint8Array.from(Buffer.from(CARD, "hex"))] }]);
  });

  after(async () => {
    await gate?.close();
    await service?.close();
    await broker?.close();
    await db?.close();
  });

  it("refuses the card while the group is closed and admits it once the hub opens it", async () => {
    await hours([]);
    const refused = await card();
    assert.deepEqual([refused?.grant, refused?.reason], [false, "outside-schedule"]);
    await hours([{ from: 0, to: 1440 }]);
    const admitted = await card();
    assert.deepEqual([admitted?.grant, admitted?.resident], [true, "R00031"]);
  });
});
