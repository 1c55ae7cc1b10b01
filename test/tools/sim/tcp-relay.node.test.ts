// The host board's TCP sockets (boards/host/tcp.ts) with the simulator's Node
// relay (tools/sim/tcp-relay.ts): every event and command crosses as JSON, as
// over the xsnap link, and the firmware's MQTT client talks to a real broker.
import assert from "node:assert/strict";
import net from "node:net";
import { HostTcpNetwork } from "../../../boards/host/tcp";
import type { HostCommand, HostEvent } from "../../../boards/host/protocol";
import { TcpMqttLink } from "../../../src/app/mqtt-tcp-link";
import { MqttClient, type InboundMessage } from "../../../src/core/mqtt/client";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../../tools/hub/broker";
import { RECEIVE_WINDOW, TcpRelay } from "../../../tools/sim/tcp-relay";

const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A board network and its relay, joined as the simulator joins them (asynchronously, through JSON). */
function joined(): { network: HostTcpNetwork; relay: TcpRelay; commands: HostCommand[] } {
  const commands: HostCommand[] = [];
  let network: HostTcpNetwork;
  const relay = new TcpRelay((command) => {
    const c = viaJson(command);
    commands.push(c);
    setImmediate(() => {
      if (c.t === "tcp-connected") network.connected(c.id);
      else if (c.t === "tcp-data") network.data(c.id, c.data);
      else if (c.t === "tcp-written") network.written(c.id, c.count);
      else if (c.t === "tcp-error") network.error(c.id);
    });
  });
  network = new HostTcpNetwork((event: HostEvent) => relay.event(viaJson(event)));
  return { network, relay, commands };
}

async function until(what: string, done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("host board TCP over the simulator relay", () => {
  let broker: EmbeddedBroker;
  before(async () => { broker = await startEmbeddedBroker(); });
  after(async () => { await broker.close(); });

  it("carries an MQTT session, every byte value intact, to a real broker and back", async () => {
    const { network, relay } = joined();
    const link = new TcpMqttLink({ io: network.io, address: "127.0.0.1", port: broker.port, defer: (fn) => setImmediate(fn) });
    const client = new MqttClient({ link, clientId: "gate-tcp-test" });
    link.attach(client);
    const received: InboundMessage[] = [];
    client.events.onMessage = (m) => { received.push(m); client.accept(m); };
    let published = 0;
    client.events.onPublished = () => { published++; };
    const ticker = setInterval(() => client.tick(Date.now()), 5);
    try {
      client.tick(Date.now());
      client.start();
      await until("the session", () => client.state === "up");
      client.subscribe("optgate/test/bytes");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const payload = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
      client.publish("optgate/test/bytes", payload, { qos: 1 });
      await until("the message back", () => received.length > 0 && published > 0);
      assert.deepEqual(Array.from(received[0].payload), Array.from(payload));
      client.stop();
      await until("the socket to close", () => relay.openCount === 0 && network.openCount === 0);
    } finally {
      clearInterval(ticker);
      relay.close();
    }
  });

  it("reports a refused connection through onError, and keeps nothing open", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { network, relay, commands } = joined();
    let errors = 0;
    let writable = 0;
    new network.io({ address: "127.0.0.1", port, onError: () => { errors++; }, onWritable: () => { writable++; } });
    await until("the error", () => errors > 0);
    assert.equal(writable, 0);
    assert.ok(commands.some((c) => c.t === "tcp-error"));
    assert.equal(relay.openCount, 0);
    assert.equal(network.openCount, 0);
  });

  it("refuses writes beyond the window it announced, and close() ends the real connection", async () => {
    const server = net.createServer();
    let serverClosed = false;
    server.on("connection", (s) => { s.on("close", () => { serverClosed = true; }); });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const { network, relay } = joined();
    let window = 0;
    const socket = new network.io({ address: "127.0.0.1", port, onWritable: (n) => { window = n; } });
    try {
      await until("the connection", () => window > 0);
      assert.throws(() => socket.write(new Uint8Array(window + 1)), /onWritable/);
      socket.close();
      await until("the server to see the close", () => serverClosed);
      assert.equal(relay.openCount, 0);
      assert.throws(() => socket.write(new Uint8Array(1)), /not connected/);
    } finally {
      relay.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("stops reading while a window of bytes waits for a busy board, and delivers everything in order when it catches up", async () => {
    const total = 1 << 20;
    const sent = Uint8Array.from({ length: total }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
    const server = net.createServer((c) => { c.end(sent); });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    // A board that takes a tcp-data command only when the test lets it (it is busy applying a set).
    const held: { data: string; take: () => void }[] = [];
    let connected = false;
    const relay = new TcpRelay((command) => {
      if (command.t === "tcp-connected") connected = true;
      if (command.t !== "tcp-data") return;
      return new Promise<void>((take) => { held.push({ data: command.data, take }); });
    });
    const bytes = () => held.reduce((n, h) => n + h.data.length, 0);
    try {
      relay.event({ e: "tcp-open", id: 1, host: "127.0.0.1", port });
      await until("the connection", () => connected);
      await until("a window of data", () => bytes() > RECEIVE_WINDOW);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const early = bytes();
      // At most the window and the chunk that crossed it: not the megabyte the server wrote.
      assert.ok(early <= RECEIVE_WINDOW + 65536, `${early} bytes relayed to a board that took none`);
      let taken = 0;
      await until("the rest, as the board takes what it was given", () => {
        while (taken < held.length) held[taken++].take();
        return bytes() === total;
      }, 10_000);
      const got = Uint8Array.from(held.map((h) => h.data).join(""), (c) => c.charCodeAt(0));
      assert.deepEqual(got, sent);
    } finally {
      relay.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
