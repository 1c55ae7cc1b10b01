// End to end over a real MQTT broker (MQTT 3.1.1, QoS 1, persistent sessions,
// retained acks): the hub publishes signed change sets, protocol gates (the
// real sync core and Registry) verify, apply and acknowledge. The embedded
// aedes broker always; Mosquitto, and Mosquitto with PostgreSQL, when they run.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { startHubService, type HubService } from "../../../tools/hub/service";
import { ProtocolGate, connectGate, type ConnectedGate } from "../../../tools/hub/protocol-gate";
import { topic } from "../../../src/core/sync/topics";
import type { Db } from "../../../tools/hub/db";
import { card, deviceKey, gateSeed, person, random } from "./fleet";
import { BROKERS, DATABASES, type BrokerKind, type DbKind } from "./servers";

async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Removes a persistent session and retained messages, so a shared broker keeps nothing from this run. */
async function forget(url: string, clientIds: string[], retained: string[]): Promise<void> {
  for (const clientId of clientIds) {
    const c = await mqtt.connectAsync(url, { protocolVersion: 4, clientId, clean: true });
    for (const t of retained) await c.publishAsync(t, "", { qos: 1, retain: true });
    await c.endAsync();
    retained = [];
  }
}

function scenario(brokerKind: BrokerKind, dbKind: DbKind): void {
  describe(`hub over MQTT (${brokerKind.name}, ${dbKind.name})`, () => {
    if (brokerKind.skip || dbKind.skip) { it.skip(`skipped: ${brokerKind.skip ?? dbKind.skip}`); return; }
    // A compound of its own per run: a shared broker may hold retained messages of earlier runs.
    const compound = 1000 + (randomBytes(2).readUInt16BE() % 60000);
    let broker: { url: string; close(): Promise<void> };
    let db: Db;
    let service: HubService;
    const gates: ConnectedGate[] = [];
    const hubClientId = `optgate-hub-test-${compound}`;
    const errors: Error[] = [];

    async function openGate(gateId: number, gate?: ProtocolGate): Promise<ConnectedGate> {
      gate ??= new ProtocolGate({ compoundId: compound, gateId, seed: gateSeed(gateId), hubKeys: [service.hub.publicKey], deviceKey, random, now: () => Date.now() });
      const connected = await connectGate(broker.url, gate, compound, gateId);
      gates.push(connected);
      return connected;
    }

    const converged = (gateId: number) => async () => {
      const g = await service.hub.gate(gateId);
      return !!g && g.desiredVersion > 0 && g.appliedVersion === g.desiredVersion;
    };

    before(async () => {
      broker = await brokerKind.start();
      db = await dbKind.open();
      service = await startHubService({ db, brokerUrl: broker.url, signingSeed: new Uint8Array(32).fill(3), clientId: hubClientId, onError: (e) => errors.push(e) });
      await service.hub.addCompound(compound, "MQTT test compound");
    });

    after(async () => {
      for (const g of gates) if (g.client.connected) await g.close();
      await service?.close();
      const retained = [10, 11].flatMap((g) => [topic(compound, g, "ack"), topic(compound, g, "online")]);
      await forget(broker.url, [hubClientId, `optgate-gate-${compound}-10`, `optgate-gate-${compound}-11`], retained);
      await db?.close();
      await broker?.close();
    });

    it("gates verify, apply and acknowledge the hub's signed change sets; the hub sees them converge", async () => {
      const a = await openGate(10), b = await openGate(11);
      await service.hub.addGate({ id: 10, compoundId: compound, name: "pedestrian", publicKey: a.gate.signer.publicKey });
      await service.hub.addGate({ id: 11, compoundId: compound, name: "vehicle", publicKey: b.gate.signer.publicKey, groups: 0b10 });
      await service.hub.putResidents(compound, Array.from({ length: 30 }, (_, i) => person(i + 1, { groups: i % 2 ? 0b11 : 0b01 })));
      await waitFor("gate 10 to converge", converged(10));
      await waitFor("gate 11 to converge", converged(11));
      assert.equal(a.gate.registry.size, 30);
      assert.equal(b.gate.registry.size, 15);
      await service.hub.putResidents(compound, [person(2, { cards: [card(900)] })]);
      await service.hub.removeResidents(compound, [4]);
      await waitFor("gate 10 to converge again", converged(10));
      await waitFor("gate 11 to converge again", converged(11));
      assert.deepEqual(a.gate.registry.cardsOf(2), [card(900)]);
      assert.equal(a.gate.registry.has(4), false);
      await service.idle();
      await waitFor("gate 10's inventory to match", async () => {
        const c = await service.hub.compare(10);
        return c.missing.length + c.extra.length + c.different.length === 0 && c.reportedVersion === (await service.hub.gate(10))?.appliedVersion;
      });
      assert.deepEqual(errors, []);
      assert.ok(!a.gate.audit.some((e) => e.kind === "sync-refused"), JSON.stringify(a.gate.audit.filter((e) => e.kind === "sync-refused")));
    });

    it("a gate offline while the desired state changes catches up when it comes back", async () => {
      const a = gates.find((g) => g.client.options.clientId === `optgate-gate-${compound}-10`)!;
      await a.close();
      await service.hub.putResidents(compound, [person(40), person(41)]);
      await service.hub.removeResidents(compound, [1]);
      assert.equal(a.gate.registry.has(40), false);
      await openGate(10, a.gate);
      await waitFor("gate 10 to converge after reconnecting", converged(10));
      assert.equal(a.gate.registry.has(40), true);
      assert.equal(a.gate.registry.has(1), false);
      // Whatever came twice (the broker's queue and the hub's resend) was refused as a replay, never applied twice.
      const versions = a.gate.persisted.map((p) => p.version);
      assert.deepEqual(versions, [...new Set(versions)].sort((x, y) => x - y));
      assert.deepEqual(errors, []);
    });
  });
}

const pglite = DATABASES.find((d) => d.name === "PGlite")!;
const postgres = DATABASES.find((d) => d.name === "PostgreSQL")!;
for (const broker of BROKERS) scenario(broker, pglite);
scenario(BROKERS.find((b) => b.name === "Mosquitto")!, postgres);
