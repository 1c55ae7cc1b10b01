// Several hub processes over one database and one broker, the gates
// partitioned between them by leases: both work while both live; one is
// killed and the other takes its gates over, with nothing of the dead
// process's memory needed. PostgreSQL (the production shape) and PGlite.
import assert from "node:assert/strict";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../../tools/hub/broker";
import { startHubService, type HubService } from "../../../tools/hub/service";
import { ProtocolGate, connectGate, type ConnectedGate } from "../../../tools/hub/protocol-gate";
import { deviceKey, gateSeed, person, random } from "./fleet";
import { forEachDatabase } from "./servers";

const COMPOUND = 9;
const SEED = new Uint8Array(32).fill(12);
const PARTITIONS = 4;

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

forEachDatabase("hub processes sharing the gates", (kind) => {
  let broker: EmbeddedBroker;
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close().catch(() => {});
  });

  it("split the partitions, converge every gate, and one carries on alone when the other is killed", async () => {
    broker = await startEmbeddedBroker();
    closing.push(() => broker.close());
    const db = await kind.open();
    closing.push(() => db.close());
    const start = async (name: string) => {
      const s = await startHubService({ db, brokerUrl: broker.url, signingSeed: SEED, clientId: name, partitions: { count: PARTITIONS, ttlMs: 800 }, tickMs: 150 });
      closing.push(() => s.close());
      return s;
    };
    const a: HubService = await start("optgate-hub-a");
    const b: HubService = await start("optgate-hub-b");
    await waitFor("the partitions to be shared", () => a.leases!.held.length === 2 && b.leases!.held.length === 2);
    assert.deepEqual([...a.leases!.held, ...b.leases!.held].sort(), [0, 1, 2, 3]);

    await a.hub.addCompound(COMPOUND, "partitioned");
    const gates: ConnectedGate[] = [];
    for (let id = 1; id <= 4; id++) {
      const g = new ProtocolGate({ compoundId: COMPOUND, gateId: id, seed: gateSeed(id), hubKeys: [a.hub.publicKey], deviceKey, random, now: () => Date.now() });
      const c = await connectGate(broker.url, g, COMPOUND, id);
      closing.push(() => c.close());
      gates.push(c);
      await a.hub.addGate({ id, compoundId: COMPOUND, name: `gate ${id}`, publicKey: g.signer.publicKey });
    }
    // Edits through either process; each gate is served by the process holding its partition.
    await a.hub.putResidents(COMPOUND, [person(1), person(2)]);
    await b.hub.putResidents(COMPOUND, [person(3)]);
    const converged = async () => {
      for (let id = 1; id <= 4; id++) {
        const g = await a.hub.gate(id);
        if (!g || g.appliedVersion !== g.desiredVersion || g.desiredVersion === 0) return false;
      }
      return true;
    };
    await waitFor("every gate to converge", converged);
    for (const g of gates) assert.deepEqual(g.gate.registry.ids(), [1, 2, 3]);

    // Process a is killed: its leases run out and b takes every partition.
    await a.abort();
    await b.hub.putResidents(COMPOUND, [person(4)]);
    await waitFor("b to hold every partition", () => b.leases!.held.length === PARTITIONS);
    await waitFor("every gate to converge under b alone", converged);
    for (const g of gates) {
      assert.deepEqual(g.gate.registry.ids(), [1, 2, 3, 4]);
      const versions = g.gate.persisted.map((p) => p.version);
      assert.deepEqual(versions, [...new Set(versions)].sort((x, y) => x - y), "no version applied twice");
    }
  });
});
