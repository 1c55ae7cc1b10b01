// The MQTT link over a model of embedded:io/socket/tcp: connection by first
// onWritable, writes held to the space granted, reads as they come, errors,
// stale sockets, and a full buffer closing instead of growing. Portable.
import assert from "node:assert/strict";
import { TcpMqttLink, type TcpOptions, type TcpSocket } from "../../src/app/mqtt-tcp-link";
import { MqttClient } from "../../src/core/mqtt/client";
import { encodePacket } from "../../src/core/mqtt/encode";
import { type Packet, PacketType, type PublishPacket } from "../../src/core/mqtt/packets";
import { StreamDecoder } from "../../src/core/mqtt/stream-decoder";

/** A TCP socket the test drives: connect, grant space, send bytes, fail. */
class TcpModel implements TcpSocket {
  static made: TcpModel[] = [];
  static refuse = false;
  written: number[] = [];
  space = 0;
  closed = false;
  #incoming: number[] = [];

  constructor(readonly options: TcpOptions) {
    if (TcpModel.refuse) throw new Error("no route to host");
    TcpModel.made.push(this);
  }

  connect(space: number): void { this.grant(space); }
  grant(space: number): void { this.space = space; this.options.onWritable?.(space); }
  send(bytes: Uint8Array): void {
    this.#incoming.push(...bytes);
    this.options.onReadable?.(this.#incoming.length);
  }
  fail(): void { this.options.onError?.(); }

  read(byteLength: number): ArrayBuffer {
    return Uint8Array.from(this.#incoming.splice(0, byteLength)).buffer;
  }
  write(bytes: Uint8Array): void {
    if (this.closed) throw new Error("closed");
    if (bytes.length > this.space) throw new Error("would block");
    this.space -= bytes.length;
    this.written.push(...bytes);
  }
  close(): void { this.closed = true; }

  packets(): Packet[] {
    const d = new StreamDecoder(1 << 16);
    const out: Packet[] = [];
    d.onPacket = (p) => out.push(p);
    assert.equal(d.push(Uint8Array.from(this.written)), undefined);
    return out;
  }
}

function rig(bufferBytes = 1024) {
  TcpModel.made = [];
  TcpModel.refuse = false;
  const deferred: (() => void)[] = [];
  const link = new TcpMqttLink({ io: TcpModel, host: "hub.local", port: 1883, bufferBytes, defer: (fn) => deferred.push(fn) });
  const client = new MqttClient({ link, clientId: "gate-3", keepAliveSeconds: 0, reconnectMinMs: 100 });
  link.attach(client);
  const downs: string[] = [];
  client.events.onDown = (code) => downs.push(code);
  let now = 0;
  const tick = (ms = 0) => client.tick(now += ms);
  const runDeferred = () => { for (const fn of deferred.splice(0)) fn(); };
  client.start();
  tick();
  return { link, client, downs, tick, deferred, runDeferred, socket: () => TcpModel.made.at(-1)! };
}

const connack = encodePacket({ type: PacketType.CONNACK, sessionPresent: true, returnCode: "accepted" });

describe("TcpMqttLink over an ECMA-419 TCP model", () => {
  it("opens a buffer-format, no-delay socket, sends CONNECT on the first onWritable, and reads the CONNACK", () => {
    const r = rig();
    const s = r.socket();
    assert.deepEqual([s.options.host, s.options.port, s.options.nodelay, s.options.format], ["hub.local", 1883, true, "buffer"]);
    assert.equal(r.client.state, "opening");
    s.connect(512);
    assert.equal(r.client.state, "handshake");
    assert.deepEqual(s.packets().map((p) => p.type), [PacketType.CONNECT]);
    // The CONNACK in two reads.
    s.send(connack.subarray(0, 1));
    s.send(connack.subarray(1));
    assert.equal(r.client.state, "up");
  });

  it("holds bytes beyond the granted space and sends them, in order, as space comes", () => {
    const r = rig(4096);
    const s = r.socket();
    s.connect(64);
    s.send(connack);
    const payload = Uint8Array.from({ length: 3000 }, (_, i) => (i * 31) & 255);
    const id = r.client.publish("gates/3/audit", payload);
    assert.ok(s.written.length < 3000, "not all at once");
    while (s.space === 0 && s.written.length < 3000 + 20) s.grant(100);
    const last = s.packets().at(-1) as PublishPacket;
    assert.deepEqual([last.type, last.packetId, last.payload], [PacketType.PUBLISH, id, payload]);
  });

  it("closes rather than grow when the buffer would overflow, and tells the client afterwards, not inside its call", () => {
    const r = rig(256);
    const s = r.socket();
    s.connect(0); // connected, but the peer grants no space
    s.send(connack);
    assert.equal(r.client.state, "up");
    r.client.publish("t", new Uint8Array(150));
    assert.equal(s.closed, false, "CONNECT and 157 bytes fit in 256");
    r.client.publish("t", new Uint8Array(150));
    assert.equal(s.closed, true);
    assert.equal(r.client.state, "up", "not from inside publish()");
    r.runDeferred();
    assert.equal(r.client.state, "down");
    assert.deepEqual(r.downs, ["E_MQTT_LINK_OVERFLOW"], "the overflow is named, so a technician can tell it from a lost peer");
    assert.equal(r.client.outboundPending, 2, "the messages wait for the next connection");
  });

  it("reports a socket error as the link lost, then reconnects on a new socket and ignores the old one", () => {
    const r = rig();
    const old = r.socket();
    old.connect(512);
    old.send(connack);
    old.fail();
    assert.equal(old.closed, true);
    assert.deepEqual(r.downs, ["E_MQTT_LINK_LOST"]);
    r.tick(100);
    assert.equal(TcpModel.made.length, 2);
    const fresh = r.socket();
    old.grant(512); // a late callback from the closed socket
    old.send(connack);
    assert.equal(r.client.state, "opening");
    fresh.connect(512);
    fresh.send(connack);
    assert.equal(r.client.state, "up");
  });

  it("a socket that cannot even be made is a link that failed to open, reported later", () => {
    const r = rig();
    r.socket().fail();
    TcpModel.refuse = true;
    r.tick(100);
    assert.equal(r.client.state, "opening");
    r.runDeferred();
    assert.equal(r.client.state, "down");
    assert.deepEqual(r.downs, ["E_MQTT_LINK_LOST", "E_MQTT_LINK_OPEN"]);
  });

  it("a socket whose write throws is closed and reported as a failed write, later", () => {
    const r = rig();
    const s = r.socket();
    s.connect(512);
    s.send(connack);
    s.closed = true; // the stack dropped it without telling us: its next write throws
    r.client.publish("t", new Uint8Array(8));
    assert.equal(r.client.state, "up", "not from inside publish()");
    r.runDeferred();
    assert.deepEqual([r.client.state, r.downs], ["down", ["E_MQTT_LINK_WRITE"]]);
  });

  it("a deferred report about an old connection does not take down a new one", () => {
    const r = rig(64);
    const s = r.socket();
    s.connect(0);
    s.send(connack);
    r.client.publish("t", new Uint8Array(100 - 9), { qos: 1 });
    r.client.linkDown(); // the client hears of the loss first by another way
    r.tick(100);
    r.socket().connect(64);
    r.runDeferred();
    assert.equal(r.client.state, "handshake");
  });
});
