// Faults on the way between hub and gates (embedded aedes broker, PGlite):
// the broker restarts mid-sync, the hub process dies with acks in flight, a
// hub transaction fails half-way. Every gate still converges, nothing is
// applied twice, nothing half-written stays.
import assert from "node:assert/strict";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../../tools/hub/broker";
import { LINGER_MS, startHubService, type HubService } from "../../../tools/hub/service";
import { ProtocolGate, connectGate, type ConnectedGate } from "../../../tools/hub/protocol-gate";
import type { Db } from "../../../tools/hub/db";
import { card, deviceKey, gateSeed, person, random } from "./fleet";
import { DATABASES } from "./servers";

const COMPOUND = 5;
const SEED = new Uint8Array(32).fill(8);

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function appliedOnce(gate: ProtocolGate): void {
  const versions = gate.persisted.map((p) => p.version);
  assert.deepEqual(versions, [...new Set(versions)].sort((a, b) => a - b), "each version applied once, in order");
}

describe("hub faults (aedes, PGlite)", () => {
  let broker: EmbeddedBroker, db: Db;
  const open: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    broker = await startEmbeddedBroker();
    db = await DATABASES[0].open();
  });
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => {});
    await broker.close();
    await db.close();
  });

  async function hubService(clientId = "optgate-hub-faults"): Promise<HubService> {
    const s = await startHubService({ db, brokerUrl: broker.url, signingSeed: SEED, clientId });
    open.push(s);
    return s;
  }

  async function gate(service: HubService, gateId: number): Promise<ConnectedGate> {
    const g = new ProtocolGate({ compoundId: COMPOUND, gateId, seed: gateSeed(gateId), hubKeys: [service.hub.publicKey], deviceKey, random, now: () => Date.now() });
    const c = await connectGate(broker.url, g, COMPOUND, gateId);
    open.push(c);
    await service.hub.addGate({ id: gateId, compoundId: COMPOUND, name: `gate ${gateId}`, publicKey: g.signer.publicKey });
    return c;
  }

  const converged = (service: HubService, gateId: number) => async () => {
    const g = await service.hub.gate(gateId);
    return !!g && g.desiredVersion > 0 && g.appliedVersion === g.desiredVersion;
  };

  it("the broker restarts mid-sync: hub and gates reconnect and every gate converges", async () => {
    const service = await hubService();
    await service.hub.addCompound(COMPOUND, "faults");
    const gates = [await gate(service, 1), await gate(service, 2), await gate(service, 3)];
    await service.hub.putResidents(COMPOUND, Array.from({ length: 20 }, (_, i) => person(i + 1)));
    for (const g of gates) await waitFor(`gate ${g.gate.sync.gateId}`, converged(service, g.gate.sync.gateId));
    const port = broker.port;
    await broker.close();
    // Edits while the broker is down: stored at once, sent when it is back.
    const edits = service.hub.putResidents(COMPOUND, [person(30), person(2, { cards: [card(222)] })]);
    await new Promise((r) => setTimeout(r, 700));
    broker = await startEmbeddedBroker(port);
    await edits;
    for (const g of gates) await waitFor(`gate ${g.gate.sync.gateId} after the restart`, converged(service, g.gate.sync.gateId));
    for (const g of gates) {
      assert.equal(g.gate.registry.has(30), true);
      assert.deepEqual(g.gate.registry.cardsOf(2), [card(222)]);
      appliedOnce(g.gate);
      assert.deepEqual(g.errors, []);
    }
  });

  it("the hub process dies with acks in flight: a new process picks them up (its persistent session, the retained acks)", async () => {
    const first = await hubService("optgate-hub-mortal");
    await first.hub.addCompound(COMPOUND, "faults");
    const g = await gate(first, 1);
    await first.hub.putResidents(COMPOUND, [person(1)]);
    await waitFor("gate 1", converged(first, 1));
    // Past the linger, the next edit's set leaves at once (service.ts LINGER_MS).
    await new Promise((r) => setTimeout(r, LINGER_MS));
    // Killed right after sending: its acks arrive while no hub is connected.
    await first.hub.putResidents(COMPOUND, [person(2), person(3)]);
    await first.abort();
    open.splice(open.indexOf(first), 1);
    await waitFor("the gate to apply version 2", async () => g.gate.sync.applied === 2);
    assert.equal((await first.hub.gate(1))?.appliedVersion, 1, "nobody recorded the ack yet");
    const second = await hubService("optgate-hub-mortal");
    await waitFor("the new hub process to record the queued ack", converged(second, 1));
    assert.equal((await second.hub.gate(1))?.appliedVersion, 2);
    appliedOnce(g.gate);
  });

  it("an edit whose transaction fails half-way leaves no version and no desired record behind", async () => {
    const service = await hubService();
    await service.hub.addCompound(COMPOUND, "faults");
    const g = await gate(service, 1);
    await service.hub.putResidents(COMPOUND, [person(1)]);
    await waitFor("gate 1", converged(service, 1));
    const before = await db.query("select (select count(*) from change_set) as sets, (select count(*) from desired_record) as records, (select count(*) from resident) as residents");
    // Resident 3 takes resident 1's card: the card insert fails after resident 2 was written.
    await assert.rejects(service.hub.putResidents(COMPOUND, [person(2), person(3, { cards: [card(1)] })]));
    assert.deepEqual(await db.query("select (select count(*) from change_set) as sets, (select count(*) from desired_record) as records, (select count(*) from resident) as residents"), before);
    assert.equal((await service.hub.gate(1))?.desiredVersion, 1);
    assert.deepEqual(g.gate.registry.ids(), [1]);
  });
});
