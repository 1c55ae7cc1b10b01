// Two gates, each the real firmware in XS (the simulator's host board), join
// a hub on PGlite through the embedded broker over real TCP (relayed by the
// simulator): a renter added at the hub opens gate 2 by card, and a
// withdrawal at the hub erases the template gate 1 holds, each gate
// answering with its signed receipt.
import assert from "node:assert/strict";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../tools/hub/broker";
import type { Db } from "../../tools/hub/db";
import { startHubService, type HubService } from "../../tools/hub/service";
import { startSimulator, type Simulator } from "../../tools/sim/simulator";
import { DATABASES } from "../tools/hub/servers";

const COMPOUND = 1;
const card = (id: number) => `04c0${id.toString(16).padStart(4, "0")}`;

describe("two XS gates and a hub", function () {
  this.timeout(300_000);
  let broker: EmbeddedBroker, db: Db, service: HubService;
  const gates: Simulator[] = [];

  /** Moves every gate's simulated time on, letting real network traffic flow between ticks. */
  async function until(what: string, done: () => boolean | Promise<boolean>, maxMs = 60_000): Promise<void> {
    const end = Date.now() + maxMs;
    while (!(await done())) {
      if (Date.now() > end) {
        if (process.env.FLEET_DEBUG) {
          console.log(JSON.stringify(await Promise.all([1, 2].map((id) => service.hub.gate(id)))));
          for (const g of gates) console.log(g.events.filter((e) => e.e === "log" || e.e === "error").map((e) => JSON.stringify(e)).slice(-20).join("\n"));
        }
        throw new Error(`timed out waiting for ${what}: ${gates.map((g) => `gate ${g.state.gate?.id}: ${g.fleetStatus}`).join("; ")}`);
      }
      for (const g of gates) await g.advance(20);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  before(async () => {
    broker = await startEmbeddedBroker();
    db = await DATABASES[0].open();
    service = await startHubService({ db, brokerUrl: broker.url, signingSeed: new Uint8Array(32).fill(61), clientId: "hub-fleet-xs", tickMs: 200 });
    await service.hub.addCompound(COMPOUND, "XS fleet");
    for (const id of [1, 2]) {
      const sim = await startSimulator({ image: null, gateId: id, demo: id === 1 });
      gates.push(sim);
      const { gateId, publicKey, sealKey } = sim.identity();
      assert.equal(gateId, id);
      assert.equal(sealKey?.length, 32, "the gate publishes its seal key");
      await service.hub.addGate({ id, compoundId: COMPOUND, name: `gate ${id}`, publicKey, sealKey });
      await sim.provisionHub({ compoundId: COMPOUND, host: "127.0.0.1", port: broker.port, hubKeys: [service.hub.publicKey] });
    }
  });

  after(async () => {
    for (const g of gates) await g.close();
    await service?.close();
    await broker?.close();
    await db?.close();
  });

  it("both gates come online, each with its own key, and take the hub's desired state", async () => {
    const [a, b] = gates.map((g) => g.identity().publicKey);
    assert.notDeepEqual(a, b);
    await until("both gates online", () => gates.every((g) => g.fleetStatus?.startsWith("online") === true));
    await until("the hub to hear both: online flags and inventories", async () => {
      const online = await db.query<{ online: boolean }>("select online from gate where compound_id = $1 order by id", [COMPOUND]);
      const reported = await Promise.all([1, 2].map((id) => service.hub.compare(id)));
      return online.length === 2 && online.every((r) => r.online) && reported.every((c) => c.reportedVersion !== undefined);
    });
  });

  it("a renter added at the hub opens gate 2 by card within seconds", async () => {
    await service.hub.putResidents(COMPOUND, [{ id: 7001, unit: "B3-1204", role: "renter", groups: 1, validUntil: Date.now() + 30 * 86_400_000, cards: [Uint8Array.from(Buffer.from(card(7001), "hex"))] }]);
    const added = Date.now();
    const desired = (await service.hub.gate(2))!.desiredVersion;
    assert.ok(desired > 0, "the renter made a new version for gate 2");
    await until("the set applied at gate 2", async () => (await service.hub.gate(2))!.appliedVersion === desired);
    const b = gates[1];
    const before = b.decisions.length;
    await b.presentCard(card(7001));
    const decision = b.decisions.slice(before).find((d) => d.via === "card");
    assert.deepEqual([decision?.grant, decision?.resident], [true, "R07001"]);
    assert.ok(Date.now() - added < 30_000, `took ${Date.now() - added} ms`);
  });

  it("a code issued at the hub, sealed to each gate, opens gate 2's keypad in XS, once", async () => {
    await service.hub.putResidents(COMPOUND, [{ id: 7002, unit: "VISIT", role: "visitor", groups: 1, cards: [] }]);
    const { code, gates: sentTo } = await service.hub.codes.issue(COMPOUND, 7002, { validUntil: Date.now() + 86_400_000, uses: 1 }, "test");
    assert.deepEqual(sentTo, [1, 2]);
    await until("both gates applied the code", async () => {
      const s = await Promise.all([1, 2].map((id) => service.hub.gate(id)));
      return s.every((g) => g!.appliedVersion === g!.desiredVersion);
    });
    const b = gates[1];
    const before = b.decisions.length;
    await b.type(`#${code}#`);
    await b.advance(500);
    const decision = b.decisions.slice(before).find((d) => d.via === "code");
    assert.deepEqual([decision?.grant, decision?.resident], [true, "R07002"]);
    await until("the code used up at the hub", async () => (await service.hub.codes.list(COMPOUND, 7002))[0].endedWhy === "used");
    await until("the removal applied at gate 1", async () => {
      const g = (await service.hub.gate(1))!;
      return g.appliedVersion === g.desiredVersion;
    });
    const a = gates[0], atA = a.decisions.length;
    await a.type(`#${code}#`);
    await a.advance(500);
    assert.equal(a.decisions.slice(atA).find((d) => d.via === "code")?.grant, false, "refused at gate 1 after its use at gate 2");
  });

  it("a withdrawal at the hub erases the template gate 1 holds (the demo's face resident), face stops there, and both gates receipt it", async () => {
    const a = gates[0];
    // The demo compound (gate 1's own seed) has resident 3 enrolled for face, identity 303.
    await a.showFace("genuine", 303);
    const opened = a.decisions.length;
    await a.type("3A");
    await a.advance(5000);
    await a.hideFace();
    assert.ok(a.decisions.slice(opened).some((d) => d.via === "face" && d.grant), "face opens before the withdrawal");
    await service.hub.withdrawConsent(COMPOUND, 3);
    await until("both receipts at the hub", async () => {
      const status = await service.hub.erasureStatus(COMPOUND, 3);
      return status.length === 2 && status.every((e) => e.state === "done");
    });
    const held = (await service.hub.erasureStatus(COMPOUND, 3)).map((e) => [e.gateId, e.held]).sort();
    assert.deepEqual(held, [[1, true], [2, false]]);
    const cameraOns = a.cameraLog.filter((c) => c.on).length;
    await a.showFace("genuine", 303);
    const after = a.decisions.length;
    await a.type("3A");
    await a.advance(5000);
    assert.equal(a.cameraLog.filter((c) => c.on).length, cameraOns, "no consent any more: the camera stays off");
    assert.ok(!a.decisions.slice(after).some((d) => d.via === "face" && d.grant));
    const cardBefore = a.decisions.length;
    await a.presentCard("04112233");
    assert.equal(a.decisions.slice(cardBefore).find((d) => d.via === "card")?.grant, true, "the card still opens");
  });
});
