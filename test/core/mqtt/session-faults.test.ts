// The client against a broker model under random faults (seeded): links cut
// with bytes in flight, the gate losing power before or after applying, bytes
// arriving in random chunks. Whatever happens, every change set from the hub
// is applied, the application is never handed the same message twice by one
// client (no crash in between), and every audit record reaches the hub.
// Portable.
import assert from "node:assert/strict";
import { type InboundMessage, MqttClient, type MqttLink } from "../../../src/core/mqtt/client";
import { BrokerModel } from "./broker-model";
import { seededRandom } from "../../models/rng";

const DOWN = "gates/7/down";
const UP = "gates/7/up";

function scenario(seed: number, changes: number, audits: number) {
  const random = seededRandom(seed);
  const broker = new BrokerModel(4);
  let now = 0;
  let linkState: "closed" | "opening" | "open" = "closed";
  const link: MqttLink = {
    open() { linkState = "opening"; },
    write(bytes) { if (linkState === "open") broker.fromClient(bytes); },
    close() { if (linkState === "open") broker.dropped(); linkState = "closed"; },
  };

  // What survives a power cut: the applied change sets (the store) and the audit records to send.
  const applied = new Set<number>();
  const auditsToSend: number[] = Array.from({ length: audits }, (_, i) => i);
  const stats = { cuts: 0, crashes: 0, redeliveredAfterApply: 0, instances: 0 };
  let client!: MqttClient;
  let working: { message: InboundMessage; due: number }[] = [];
  let seen = new Map<number, number>();

  const inFlight = new Map<number, number>();
  function boot(): void {
    stats.instances++;
    working = [];
    seen = new Map();
    // Audit packet ids were in RAM: a reborn gate sends its unacknowledged records again.
    inFlight.clear();
    client = new MqttClient({ link, clientId: "gate-7", keepAliveSeconds: 5, responseTimeoutMs: 2000, retryMs: 3000, maxInbound: 4, maxOutbound: 3, reconnectMinMs: 50, reconnectMaxMs: 400 });
    client.events.onMessage = (m) => {
      const n = m.payload[0] | (m.payload[1] << 8);
      seen.set(n, (seen.get(n) ?? 0) + 1);
      if (applied.has(n)) stats.redeliveredAfterApply++;
      working.push({ message: m, due: now + Math.floor(random() * 300) });
    };
    client.events.onPublished = (id) => {
      for (const [n, pid] of inFlight) if (pid === id) { inFlight.delete(n); auditsToSend.splice(auditsToSend.indexOf(n), 1); }
    };
    client.subscribe(DOWN);
    client.start();
  }

  function step(faults: boolean): void {
    now += 10;
    const r = random();
    if (faults && r < 0.004 && linkState === "open") {
      stats.cuts++;
      linkState = "closed";
      broker.dropped();
      client.linkDown();
    } else if (faults && r < 0.006) {
      stats.crashes++;
      if (linkState === "open") broker.dropped();
      linkState = "closed";
      boot();
    }
    if (linkState === "opening" && random() < 0.3) {
      linkState = "open";
      broker.accept();
      client.linkUp();
    }
    // The broker's bytes arrive in chunks of 1 to 40.
    while (linkState === "open" && broker.toClient.length > 0 && random() < 0.8) {
      const chunk = Uint8Array.from(broker.toClient.splice(0, 1 + Math.floor(random() * 40)));
      client.bytesIn(chunk);
    }
    // The application applies what is due, atomically with its own bookkeeping, then accepts.
    for (const w of working.filter((x) => x.due <= now)) {
      applied.add(w.message.payload[0] | (w.message.payload[1] << 8));
      client.accept(w.message);
    }
    working = working.filter((x) => x.due > now);
    // The gate sends audit records while the window has room; a record leaves the list only when acknowledged.
    if (auditsToSend.length > 0 && client.outboundFree > 0 && random() < 0.05) {
      const n = auditsToSend.find((x) => !inFlight.has(x));
      if (n !== undefined) {
        const id = client.publish(UP, Uint8Array.of(n & 255, n >> 8));
        inFlight.set(n, id);
      }
    }
    client.tick(now);
  }
  boot();

  let published = 0;
  for (let i = 0; i < 30_000; i++) {
    // The hub starts once the gate's subscription exists (a broker keeps nothing for a topic nobody subscribed to).
    const subscribed = broker.sessions.get("gate-7")?.filters.has(DOWN) === true;
    if (subscribed && published < changes && random() < 0.03) {
      broker.publish(DOWN, Uint8Array.of(published & 255, published >> 8));
      published++;
    }
    step(true);
    for (const count of seen.values()) assert.ok(count <= 1, `seed ${seed}: one client instance got a message twice`);
  }
  while (published < changes) { broker.publish(DOWN, Uint8Array.of(published & 255, published >> 8)); published++; }
  for (let i = 0; i < 20_000 && (applied.size < changes || auditsToSend.length > 0); i++) step(false);
  return { applied, auditsToSend, broker, stats, published };
}

describe("MqttClient under faults against a broker model", () => {
  for (const seed of [1, 7, 42]) {
    it(`seed ${seed}: every change set applied, no double delivery within a client, every audit record acknowledged`, () => {
      const { applied, auditsToSend, broker, stats } = scenario(seed, 300, 150);
      assert.equal(applied.size, 300, `applied ${applied.size} of 300 (${JSON.stringify(stats)})`);
      assert.deepEqual(auditsToSend, [], "every audit record acknowledged");
      const got = new Set(broker.received.map((p) => p.payload[0] | (p.payload[1] << 8)));
      assert.equal(got.size, 150);
      const session = broker.sessions.get("gate-7")!;
      assert.equal(session.inflight.size + session.queue.length, 0, "nothing left at the broker");
      // The faults really happened.
      assert.ok(stats.cuts >= 10 && stats.crashes >= 5, JSON.stringify(stats));
    });
  }
});
