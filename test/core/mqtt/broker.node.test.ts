// The MQTT client, through the ECMA-419 TCP link, against real brokers over
// loopback: aedes (in process, from npm) everywhere, and Mosquitto at
// 127.0.0.1:1883 where it runs. Two clients of ours meet through the broker:
// a "gate" and a "hub".
import assert from "node:assert/strict";
import net from "node:net";
import { Aedes } from "aedes";
import { TcpMqttLink } from "../../../src/app/mqtt-tcp-link";
import { type InboundMessage, MqttClient, type MqttClientOptions } from "../../../src/core/mqtt/client";
import { encodeConnect, encodeEmpty } from "../../../src/core/mqtt/encode";
import { PacketType } from "../../../src/core/mqtt/packets";
import { NodeTcpSocket } from "../../support/node-tcp-socket";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** One of our clients on a real socket, ticked every 5 ms, recording what happens. */
class Peer {
  readonly link: TcpMqttLink;
  readonly client: MqttClient;
  readonly messages: InboundMessage[] = [];
  readonly published: number[] = [];
  readonly ups: boolean[] = [];
  readonly downs: string[] = [];
  readonly subacks: number[] = [];
  pingsOut = 0;
  pingsIn = 0;
  #timer: NodeJS.Timeout;

  constructor(port: number, clientId: string, options: Partial<MqttClientOptions> = {}, accept = false) {
    this.link = new TcpMqttLink({ io: NodeTcpSocket, address: "127.0.0.1", port, defer: (fn) => setImmediate(fn) });
    // Count PINGREQ / PINGRESP on the wire: they are the keep-alive's only trace.
    const link = this.link;
    const counting = {
      open: () => link.open(),
      close: () => link.close(),
      write: (b: Uint8Array) => { if (b.length === 2 && b[0] === 0xc0) this.pingsOut++; link.write(b); },
    };
    this.client = new MqttClient({ link: counting, clientId, reconnectMinMs: 100, reconnectMaxMs: 400, ...options });
    const bytesIn = this.client.bytesIn.bind(this.client);
    this.client.bytesIn = (b) => { if (b.length >= 2 && b[b.length - 2] === 0xd0 && b[b.length - 1] === 0) this.pingsIn++; bytesIn(b); };
    link.attach(this.client);
    const e = this.client.events;
    e.onMessage = (m) => { this.messages.push(m); if (accept) this.client.accept(m); };
    e.onPublished = (id) => this.published.push(id);
    e.onUp = (s) => this.ups.push(s);
    e.onDown = (c) => this.downs.push(c);
    e.onSubscribed = (_, code) => this.subacks.push(code);
    this.client.start();
    this.#timer = setInterval(() => this.client.tick(performance.now()), 5);
    this.client.tick(performance.now());
  }

  get socket(): NodeTcpSocket {
    return NodeTcpSocket.made.at(-1)!;
  }

  payloads(): string[] {
    return this.messages.map((m) => str(m.payload));
  }

  up(): Promise<void> {
    return until("CONNACK", () => this.client.state === "up");
  }

  /** Power cut: the process is gone with its RAM; the broker sees the TCP connection drop. */
  crash(): void {
    clearInterval(this.#timer);
    this.socket.cut();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.client.stop();
  }
}

/** Ends a persistent session on the broker (CONNECT with clean session, DISCONNECT), so test runs leave nothing behind. */
async function forgetSession(port: number, clientId: string): Promise<void> {
  const socket = net.connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.on("error", reject);
    socket.on("connect", () => socket.write(encodeConnect({ type: PacketType.CONNECT, clientId, cleanSession: true, keepAlive: 0 })));
    socket.once("data", () => { socket.end(encodeEmpty(PacketType.DISCONNECT)); resolve(); });
  });
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port }, () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
}

/** dupOnResume: the broker sets DUP on what it resends to a resumed session (Mosquitto does, aedes 1.2 does not). */
function brokerSuite(name: string, dupOnResume: boolean, setup: () => Promise<{ port: number; close(): Promise<void> }>): void {
  describe(`MqttClient against ${name}`, function () {
    this.timeout(30_000);
    let port = 0;
    let close: () => Promise<void> = async () => {};
    const peers: Peer[] = [];
    const ids: string[] = [];
    const run = Math.random().toString(36).slice(2, 8);
    const peer = (id: string, options: Partial<MqttClientOptions> = {}, accept = false) => {
      const clientId = `optgate-test-${run}-${id}`;
      if (!ids.includes(clientId)) ids.push(clientId);
      const p = new Peer(port, clientId, options, accept);
      peers.push(p);
      return p;
    };
    const topic = (t: string) => `optgate-test/${run}/${t}`;

    before(async function () {
      const server = await setup().catch((error: Error) => error);
      if (server instanceof Error) {
        console.log(`      skipped: ${name} is not reachable (${server.message})`);
        this.skip();
      }
      ({ port, close } = server as { port: number; close(): Promise<void> });
    });
    afterEach(() => { for (const p of peers.splice(0)) p.stop(); });
    after(async () => {
      if (!port) return;
      for (const id of ids) await forgetSession(port, id).catch(() => {});
      await close();
    });

    it("connects with a persistent session, subscribes at QoS 1, and carries QoS 1 both ways", async () => {
      const gate = peer("gate-a", {}, true);
      const hub = peer("hub-a", {}, true);
      gate.client.subscribe(topic("gate-a/down"));
      hub.client.subscribe(topic("gate-a/up"));
      await gate.up();
      await hub.up();
      assert.deepEqual([gate.ups, hub.ups], [[false], [false]], "a new client id has no session yet");
      await until("SUBACKs", () => gate.subacks.length === 1 && hub.subacks.length === 1);
      assert.deepEqual([gate.subacks, hub.subacks], [[1], [1]], "granted QoS 1");

      const down = hub.client.publish(topic("gate-a/down"), text("change-set 1"));
      const up = gate.client.publish(topic("gate-a/up"), text("applied 1"));
      await until("both messages", () => gate.messages.length === 1 && hub.messages.length === 1);
      await until("both PUBACKs", () => hub.published.includes(down) && gate.published.includes(up));
      assert.deepEqual(gate.messages.map((m) => [m.topic, str(m.payload), m.qos]), [[topic("gate-a/down"), "change-set 1", 1]]);
      assert.deepEqual(hub.payloads(), ["applied 1"]);
      assert.equal(gate.client.outboundPending + hub.client.outboundPending, 0);
      // QoS 0 goes through too.
      hub.client.publish(topic("gate-a/down"), text("hello"), { qos: 0 });
      await until("QoS 0", () => gate.messages.length === 2);
      assert.equal(gate.messages[1].qos, 0);
    });

    it("redelivers after a power cut before the change was applied; after the accept, never again", async () => {
      const gate = peer("gate-b");
      gate.client.subscribe(topic("gate-b/down"));
      await gate.up();
      await until("SUBACK", () => gate.subacks.length === 1);
      const hub = peer("hub-b");
      await hub.up();
      hub.client.publish(topic("gate-b/down"), text("change-set 7"));
      await until("delivery", () => gate.messages.length === 1);
      // The gate dies before it applied (and so before any PUBACK).
      gate.crash();
      await sleep(100);
      const reborn = peer("gate-b");
      await reborn.up();
      assert.deepEqual(reborn.ups, [true], "the broker kept the session");
      await until("redelivery", () => reborn.messages.length === 1);
      assert.deepEqual([str(reborn.messages[0].payload), reborn.messages[0].dup], ["change-set 7", dupOnResume]);
      reborn.client.accept(reborn.messages[0]);
      await sleep(200);
      reborn.stop();
      await sleep(100);
      const again = peer("gate-b");
      await again.up();
      await sleep(500);
      assert.deepEqual(again.messages, [], "acknowledged: not redelivered");
    });

    it("keeps messages for a gate that is offline and delivers them when it comes back, in order", async () => {
      const gate = peer("gate-c", {}, true);
      gate.client.subscribe(topic("gate-c/down"));
      await until("SUBACK", () => gate.subacks.length === 1);
      gate.stop();
      const hub = peer("hub-c");
      await hub.up();
      for (let i = 1; i <= 5; i++) hub.client.publish(topic("gate-c/down"), text(`v${i}`));
      await until("PUBACKs from the broker", () => hub.published.length === 5);
      const back = peer("gate-c", {}, true);
      await until("five queued messages", () => back.messages.length === 5);
      assert.deepEqual(back.ups, [true]);
      assert.deepEqual(back.payloads(), ["v1", "v2", "v3", "v4", "v5"]);
    });

    it("survives a cut link: reconnects by itself and resends the unacknowledged QoS 1 message", async () => {
      const hub = peer("hub-d", {}, true);
      hub.client.subscribe(topic("gate-d/up"));
      await until("SUBACK", () => hub.subacks.length === 1);
      const gate = peer("gate-d");
      await gate.up();
      gate.socket.stall(); // PUBACKs will not reach the gate
      gate.client.publish(topic("gate-d/up"), text("audit 1"));
      await until("hub got it", () => hub.messages.length === 1);
      gate.socket.cut();
      await until("gate reconnected", () => gate.ups.length === 2);
      await until("PUBACK after the resend", () => gate.published.length === 1);
      assert.equal(gate.client.outboundPending, 0);
      assert.ok(gate.downs.length === 1 && gate.downs[0] === "E_MQTT_LINK_LOST", gate.downs.join());
      // At least once: the hub may see it twice (the second with DUP); the payload is the same.
      assert.ok(hub.payloads().every((p) => p === "audit 1"));
    });

    it("pings at the keep-alive interval and detects a broker gone silent", async () => {
      const gate = peer("gate-e", { keepAliveSeconds: 1, responseTimeoutMs: 800 });
      await gate.up();
      await sleep(2600);
      assert.ok(gate.pingsOut >= 2, `${gate.pingsOut} PINGREQ`);
      assert.ok(gate.pingsIn >= 2, `${gate.pingsIn} PINGRESP`);
      assert.deepEqual(gate.downs, []);
      gate.socket.stall();
      await until("dead link", () => gate.downs.length > 0, 4000);
      assert.equal(gate.downs[0], "E_MQTT_DEAD_LINK");
      await until("reconnected", () => gate.ups.length === 2, 4000);
    });
  });
}

brokerSuite("aedes (in process)", false, async () => {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.close(() => broker.close(() => resolve())); for (const s of NodeTcpSocket.made) s.node.destroy(); }),
  };
});

brokerSuite("Mosquitto at 127.0.0.1:1883", true, async () => {
  if (!(await reachable(1883))) throw new Error("nothing listens on 127.0.0.1:1883");
  return { port: 1883, close: async () => {} };
});
