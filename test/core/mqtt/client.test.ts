// The MQTT client session without IO: handshake, subscriptions across
// sessions, QoS 1 both ways with ack-after-accept, retransmission, keep-alive,
// dead links, bounds. The broker is played by the test. Portable.
import assert from "node:assert/strict";
import { isOptgateError } from "../../../src/core/errors";
import { MqttClient } from "../../../src/core/mqtt/client";
import { encodePacket } from "../../../src/core/mqtt/encode";
import { type Packet, PacketType, type PublishPacket } from "../../../src/core/mqtt/packets";
import { harness, LinkDouble } from "./link-double";

const bytes = (...b: number[]) => Uint8Array.from(b);
const incoming = (packetId: number, topic = "gates/7/sync", qos: 0 | 1 = 1, dup = false): PublishPacket => ({
  type: PacketType.PUBLISH, topic, payload: bytes(packetId & 255), qos, retain: false, dup, ...(qos ? { packetId } : {}),
});
const ids = (packets: Packet[], type: number) => packets.filter((p) => p.type === type).map((p) => (p as { packetId: number }).packetId);

describe("MqttClient handshake", () => {
  it("opens on the first tick after start, sends CONNECT with a persistent session, and is up on CONNACK", () => {
    const h = harness({ username: "gate-7", password: bytes(1, 2), keepAliveSeconds: 45, will: { topic: "gates/7/online", payload: bytes(0x30), qos: 1, retain: true } });
    h.advance(10);
    assert.equal(h.link.opens, 0, "nothing before start()");
    h.client.start();
    h.advance(10);
    assert.equal(h.link.opens, 1);
    assert.equal(h.client.state, "opening");
    h.client.linkUp();
    assert.equal(h.client.state, "handshake");
    assert.deepEqual(h.link.take(), [{
      type: PacketType.CONNECT, clientId: "gate-7", cleanSession: false, keepAlive: 45, username: "gate-7", password: bytes(1, 2),
      will: { topic: "gates/7/online", payload: bytes(0x30), qos: 1, retain: true },
    }]);
    h.deliver({ type: PacketType.CONNACK, sessionPresent: true, returnCode: "accepted" });
    assert.equal(h.client.state, "up");
    assert.deepEqual(h.ups, [true]);
  });

  it("gives up on a link or a CONNACK that does not come, then retries with a doubling backoff", () => {
    const h = harness({ responseTimeoutMs: 5000, reconnectMinMs: 1000, reconnectMaxMs: 4000 });
    h.client.start();
    h.advance(0);
    h.advance(4999);
    assert.equal(h.link.closes, 0);
    h.advance(1);
    assert.deepEqual(h.downs, ["E_MQTT_CONNECT_TIMEOUT"]);
    assert.equal(h.link.closes, 1);
    h.advance(999);
    assert.equal(h.link.opens, 1);
    h.advance(1);
    assert.equal(h.link.opens, 2);
    h.client.linkUp();
    h.advance(5000); // CONNECT sent, CONNACK never came
    assert.deepEqual(h.downs, ["E_MQTT_CONNECT_TIMEOUT", "E_MQTT_CONNECT_TIMEOUT"]);
    h.advance(1999);
    assert.equal(h.link.opens, 2);
    h.advance(1);
    assert.equal(h.link.opens, 3);
    h.client.linkDown();
    h.advance(4000); // capped at reconnectMaxMs
    assert.equal(h.link.opens, 4);
    // A good connection resets the backoff.
    h.client.linkUp();
    h.deliver({ type: PacketType.CONNACK, sessionPresent: false, returnCode: "accepted" });
    h.client.linkDown();
    h.advance(1000);
    assert.equal(h.link.opens, 5);
  });

  it("spreads reconnections over the upper half of the backoff when given randomness", () => {
    const draws = [0, 255, 128];
    const h = harness({ reconnectMinMs: 1000, reconnectMaxMs: 1000, random: { fill: (b) => { b[0] = draws.shift()!; } } });
    const waits: number[] = [];
    h.client.start();
    h.advance(0);
    for (let i = 0; i < 3; i++) {
      h.client.linkDown();
      const opens = h.link.opens;
      let waited = 0;
      while (h.link.opens === opens) { h.advance(1); waited++; }
      waits.push(waited);
    }
    assert.deepEqual(waits, [1000, 1000 - Math.floor(255_000 / 512), 1000 - 250]);
  });

  it("reports a refused CONNACK by its return code and closes", () => {
    const h = harness();
    h.client.start();
    h.advance(0);
    h.client.linkUp();
    h.deliver({ type: PacketType.CONNACK, sessionPresent: false, returnCode: "bad-username-or-password" });
    assert.deepEqual(h.downs, ["E_MQTT_REFUSED_BAD_USERNAME_OR_PASSWORD"]);
    assert.equal(h.client.state, "down");
    assert.equal(h.link.closes, 1);
  });

  it("closes on anything but CONNACK first, on a malformed packet, and on packets a broker never sends a client", () => {
    const h = harness();
    h.client.start();
    h.advance(0);
    h.client.linkUp();
    h.deliver({ type: PacketType.PINGRESP });
    assert.deepEqual(h.downs, ["E_MQTT_PROTOCOL"]);
    assert.equal(h.link.closes, 1);
    h.advance(60_000);
    h.connect();
    h.client.bytesIn(bytes(0x30, 3, 0, 1, 0x23)); // PUBLISH to "#"
    assert.deepEqual(h.downs, ["E_MQTT_PROTOCOL", "E_MQTT_BAD_TOPIC"]);
    assert.equal(h.link.closes, 2);
    for (const p of [
      { type: PacketType.PINGREQ }, { type: PacketType.PUBREL, packetId: 1 }, { type: PacketType.SUBSCRIBE, packetId: 1, subscriptions: [{ filter: "a", qos: 1 }] },
      { ...incoming(5), qos: 2 }, { type: PacketType.CONNACK, sessionPresent: false, returnCode: "accepted" },
    ] as Packet[]) {
      h.advance(60_000);
      h.connect(true);
      const before = h.downs.length;
      const closedBefore: number = h.link.closes;
      h.deliver(p);
      assert.equal(h.downs.length, before + 1, `closes on ${JSON.stringify(p.type)}`);
      assert.equal(h.downs.at(-1), "E_MQTT_PROTOCOL");
      assert.equal(h.link.closes, closedBefore + 1);
    }
    assert.equal(h.messages.length, 0);
  });

  it("start() only starts a stopped client; stop() closes only an open link, and says DISCONNECT only when up", () => {
    const h = harness();
    h.connect();
    h.client.start();
    assert.equal(h.client.state, "up");
    h.client.linkDown();
    h.client.stop();
    assert.deepEqual([h.link.closes, h.link.take()], [0, []], "nothing to close while down");
    h.client.start();
    h.advance(0);
    h.client.linkUp();
    h.link.take();
    h.client.start();
    assert.equal(h.client.state, "handshake");
    h.client.stop();
    assert.deepEqual([h.link.closes, h.link.take()], [1, []], "closed, without DISCONNECT before CONNACK");
    h.client.stop();
    assert.equal(h.link.closes, 1);
  });

  it("a link reported down twice counts once: one onDown, no close, the backoff not doubled", () => {
    const h = harness({ reconnectMinMs: 1000 });
    h.connect();
    h.client.linkDown();
    h.client.linkDown();
    assert.deepEqual(h.downs, ["E_MQTT_LINK_DOWN"]);
    assert.equal(h.link.closes, 0, "the adapter's link is already gone");
    h.advance(1000);
    assert.equal(h.link.opens, 2);
  });

  it("ignores bytes that arrive while down (left over from the lost link)", () => {
    const h = harness();
    h.connect();
    h.client.linkDown();
    h.deliver(incoming(1), { type: PacketType.PINGREQ });
    assert.deepEqual([h.messages.length, h.downs], [0, ["E_MQTT_LINK_DOWN"]]);
  });

  it("stop() sends DISCONNECT, closes, and stays down", () => {
    const h = harness();
    h.connect();
    h.client.stop();
    assert.deepEqual(h.link.take(), [{ type: PacketType.DISCONNECT }]);
    assert.equal(h.link.closes, 1);
    h.advance(120_000);
    assert.equal(h.link.opens, 1);
    assert.equal(h.client.state, "stopped");
  });
});

describe("MqttClient subscriptions", () => {
  it("subscribes at QoS 1 on connect and reports each filter's SUBACK", () => {
    const h = harness();
    h.client.subscribe("gates/7/#");
    h.client.subscribe("compound/time");
    h.client.subscribe("gates/7/#"); // once only
    const sent = h.connect();
    assert.equal(sent.length, 2);
    const sub = sent[1] as Extract<Packet, { type: 8 }>;
    assert.deepEqual(sub.subscriptions, [{ filter: "gates/7/#", qos: 1 }, { filter: "compound/time", qos: 1 }]);
    h.deliver({ type: PacketType.SUBACK, packetId: sub.packetId, returnCodes: [1, 0x80] });
    assert.deepEqual(h.subscribed, [["gates/7/#", 1], ["compound/time", 0x80]]);
    // A later subscribe while up goes at once, alone.
    h.client.subscribe("x");
    const later = h.link.take()[0] as Extract<Packet, { type: 8 }>;
    assert.deepEqual(later.subscriptions, [{ filter: "x", qos: 1 }]);
    h.deliver({ type: PacketType.SUBACK, packetId: later.packetId, returnCodes: [0] });
    assert.deepEqual(h.subscribed.at(-1), ["x", 0]);
    assert.deepEqual(h.downs, []);
  });

  it("does not re-subscribe when the broker kept the session, and re-subscribes everything when it did not", () => {
    const h = harness();
    h.client.subscribe("a/#");
    const first = h.connect(false);
    h.deliver({ type: PacketType.SUBACK, packetId: (first[1] as { packetId: number }).packetId, returnCodes: [1] });
    h.client.linkDown();
    h.advance(60_000);
    assert.deepEqual(h.connect(true).map((p) => p.type), [PacketType.CONNECT]);
    h.client.linkDown();
    h.advance(60_000);
    assert.deepEqual(h.connect(false).map((p) => p.type), [PacketType.CONNECT, PacketType.SUBSCRIBE]);
  });

  it("sends again a SUBSCRIBE whose SUBACK was lost with the link, even in a kept session", () => {
    const h = harness();
    h.client.subscribe("a/#");
    h.connect(false);
    h.client.linkDown();
    h.advance(60_000);
    assert.deepEqual(h.connect(true).map((p) => p.type), [PacketType.CONNECT, PacketType.SUBSCRIBE]);
  });

  it("refuses a bad filter and more than maxSubscriptions", () => {
    const h = harness({ maxSubscriptions: 2 });
    assert.throws(() => h.client.subscribe("a/#/b"), (e) => isOptgateError(e, "E_MQTT_BAD_TOPIC"));
    h.client.subscribe("a");
    h.client.subscribe("b");
    assert.throws(() => h.client.subscribe("c"), (e) => isOptgateError(e, "E_MQTT_TOO_MANY_SUBSCRIPTIONS") && /at most 2 /.test((e as Error).message));
  });

  it("closes on a SUBACK whose codes do not match the filters asked", () => {
    const h = harness();
    h.client.subscribe("a");
    const sent = h.connect();
    h.deliver({ type: PacketType.SUBACK, packetId: (sent[1] as { packetId: number }).packetId, returnCodes: [1, 1] });
    assert.deepEqual(h.downs, ["E_MQTT_PROTOCOL"]);
    assert.equal(h.link.closes, 1);
  });
});

describe("MqttClient outbound QoS 1", () => {
  it("sends at once, frees the slot on PUBACK, and reports it once", () => {
    const h = harness();
    h.connect();
    const id = h.client.publish("gates/7/audit", bytes(1, 2, 3));
    assert.deepEqual(h.link.take(), [{ type: PacketType.PUBLISH, topic: "gates/7/audit", payload: bytes(1, 2, 3), qos: 1, retain: false, dup: false, packetId: id }]);
    assert.equal(h.client.outboundPending, 1);
    h.deliver({ type: PacketType.PUBACK, packetId: id }, { type: PacketType.PUBACK, packetId: id });
    assert.deepEqual(h.published, [id]);
    assert.equal(h.client.outboundPending, 0);
  });

  it("a publish while up writes only itself, not the ones still awaiting their PUBACK", () => {
    const h = harness();
    h.connect();
    h.client.publish("t", bytes(1));
    h.link.take();
    const second = h.client.publish("t", bytes(2));
    assert.deepEqual(ids(h.link.take(), PacketType.PUBLISH), [second]);
  });

  it("resends with DUP and the same id after retryMs without a PUBACK, and again after another retryMs", () => {
    const h = harness({ retryMs: 5000, keepAliveSeconds: 0 });
    h.connect();
    const id = h.client.publish("t", bytes(9), { retain: true });
    h.link.take();
    h.advance(4999);
    assert.deepEqual(h.link.take(), []);
    h.advance(1);
    assert.deepEqual(h.link.take(), [{ type: PacketType.PUBLISH, topic: "t", payload: bytes(9), qos: 1, retain: true, dup: true, packetId: id }]);
    h.advance(5000);
    assert.equal(ids(h.link.take(), PacketType.PUBLISH)[0], id);
    h.deliver({ type: PacketType.PUBACK, packetId: id });
    h.advance(20_000);
    assert.deepEqual(h.link.take(), []);
  });

  it("writes the window's messages only as a bounded link has room, oldest first, after a reconnection too", () => {
    // A link buffer of 1,500 bytes that closes the link on a write past it (as the TCP link does).
    const CAP = 1500;
    let drained = 0, overflows = 0;
    const held = () => h.link.writes.slice(drained).reduce((n, w) => n + w.length, 0);
    const drain = () => { drained = h.link.writes.length; };
    const h = harness({ keepAliveSeconds: 0, retryMs: 5000, room: () => CAP - held() });
    const write = h.link.write.bind(h.link);
    h.link.write = (bytes) => { write(bytes); if (held() > CAP) overflows++; };
    h.connect();
    drain();
    const [a, b, c] = [1, 2, 3].map((n) => h.client.publish("t", new Uint8Array(600).fill(n)));
    assert.deepEqual(ids(h.link.take(), PacketType.PUBLISH), [a, b], "the third waits for room");
    h.advance(10);
    assert.deepEqual(h.link.take(), [], "no room yet");
    drain();
    h.advance(10);
    assert.deepEqual(ids(h.link.take(), PacketType.PUBLISH), [c]);
    // Unacknowledged after retryMs: resent as room allows, oldest first.
    drain();
    h.advance(5000);
    assert.deepEqual(ids(h.link.take(), PacketType.PUBLISH), [a, b]);
    drain();
    h.advance(10);
    assert.deepEqual(ids(h.link.take(), PacketType.PUBLISH), [c]);
    // A new connection resends the window the same way, with DUP.
    h.client.linkDown();
    h.advance(60_000);
    drain();
    const again = h.connect(true).filter((p) => p.type === PacketType.PUBLISH) as PublishPacket[];
    assert.deepEqual(again.map((p) => [p.packetId, p.dup]), [[a, true], [b, true]]);
    drain();
    h.advance(10);
    assert.deepEqual(ids(h.link.take(), PacketType.PUBLISH), [c]);
    h.deliver({ type: PacketType.PUBACK, packetId: a }, { type: PacketType.PUBACK, packetId: b }, { type: PacketType.PUBACK, packetId: c });
    drain();
    h.advance(20_000);
    assert.deepEqual(h.link.take(), []);
    assert.equal(overflows, 0, "never a write past the link's room");
  });

  it("keeps messages published while down and sends them after CONNACK without DUP; ones sent before go again with DUP", () => {
    const h = harness();
    const early = h.client.publish("t", bytes(1));
    const sent = h.connect(true);
    assert.deepEqual(sent.slice(1), [{ type: PacketType.PUBLISH, topic: "t", payload: bytes(1), qos: 1, retain: false, dup: false, packetId: early }]);
    const later = h.client.publish("t", bytes(2));
    h.link.take();
    h.client.linkDown();
    h.advance(60_000);
    const again = h.connect(false).slice(1) as PublishPacket[];
    assert.deepEqual(again.map((p) => [p.packetId, p.dup]), [[early, true], [later, true]]);
  });

  it("refuses, without growing, when maxOutbound messages await acknowledgement", () => {
    const h = harness({ maxOutbound: 3 });
    const got = [h.client.publish("t", bytes(1)), h.client.publish("t", bytes(2)), h.client.publish("t", bytes(3))];
    assert.equal(new Set(got).size, 3);
    assert.equal(h.client.outboundFree, 0);
    assert.throws(() => h.client.publish("t", bytes(4)), (e) => isOptgateError(e, "E_MQTT_QUEUE_FULL") && /3 messages/.test((e as Error).message));
    h.connect(true);
    assert.equal(h.client.publish("t", bytes(4), { qos: 0 }), 0, "QoS 0 does not need a slot");
    h.deliver({ type: PacketType.PUBACK, packetId: got[1] });
    assert.equal(h.client.outboundFree, 1);
    const next = h.client.publish("t", bytes(5));
    assert.ok(next !== got[0] && next !== got[2], "not an id still in flight");
  });

  it("never hands out an id still in flight, across the 65535 wrap", () => {
    const h = harness({ maxOutbound: 2 });
    h.connect();
    const held = h.client.publish("t", bytes(0));
    h.client.subscribe("s"); // its SUBACK never comes: its id stays taken too
    const subscribing = (h.link.take().find((p) => p.type === PacketType.SUBSCRIBE) as { packetId: number }).packetId;
    let last = held;
    for (let i = 0; i < 70_000; i++) {
      last = h.client.publish("t", bytes(1));
      assert.notEqual(last, held);
      assert.notEqual(last, subscribing);
      assert.ok(last >= 1 && last <= 65535);
      h.deliver({ type: PacketType.PUBACK, packetId: last });
    }
  });

  it("QoS 0 goes only while up and is never kept", () => {
    const h = harness();
    assert.throws(() => h.client.publish("t", bytes(1), { qos: 0 }), (e) => isOptgateError(e, "E_MQTT_NOT_CONNECTED") && /live connection/.test((e as Error).message));
    h.connect();
    assert.equal(h.client.publish("t", bytes(1), { qos: 0 }), 0);
    assert.deepEqual(h.link.take(), [{ type: PacketType.PUBLISH, topic: "t", payload: bytes(1), qos: 0, retain: false, dup: false }]);
    assert.equal(h.client.outboundPending, 0);
  });

  it("refuses a message larger than maxPacket and a wildcard topic", () => {
    const h = harness({ maxPacket: 64 });
    // 1 (type) + 1 (length) + 3 (topic "t") + 2 (id) + payload: 57 bytes of payload fill 64 exactly.
    assert.throws(() => h.client.publish("t", new Uint8Array(58)), (e) => isOptgateError(e, "E_MQTT_TOO_LARGE"));
    assert.equal(h.client.outboundPending, 0);
    h.client.publish("t", new Uint8Array(57));
    assert.equal(h.client.outboundPending, 1);
    assert.throws(() => h.client.publish("a/+", bytes(1)), (e) => isOptgateError(e, "E_MQTT_BAD_TOPIC"));
  });
});

describe("MqttClient inbound QoS 1: PUBACK only after the application accepted", () => {
  it("delivers, holds the PUBACK until accept(), then sends it once", () => {
    const h = harness();
    h.connect(true);
    h.deliver(incoming(42));
    assert.equal(h.messages.length, 1);
    assert.deepEqual({ ...h.messages[0], session: 0 }, { topic: "gates/7/sync", payload: bytes(42), qos: 1, retain: false, dup: false, packetId: 42, session: 0 });
    assert.deepEqual(h.link.take(), []);
    assert.equal(h.client.inboundPending, 1);
    h.client.accept(h.messages[0]);
    assert.deepEqual(h.link.take(), [{ type: PacketType.PUBACK, packetId: 42 }]);
    h.client.accept(h.messages[0]);
    assert.deepEqual(h.link.take(), []);
    assert.equal(h.client.inboundPending, 0);
  });

  it("acks inside onMessage when the application accepts at once", () => {
    const h = harness();
    h.client.events.onMessage = (m) => h.client.accept(m);
    h.connect(true);
    h.deliver(incoming(1), incoming(2, "a", 0), incoming(3));
    assert.deepEqual(ids(h.link.take(), PacketType.PUBACK), [1, 3]);
  });

  it("hands every QoS 0 message over, holds none, and never acks one", () => {
    const h = harness();
    h.client.events.onMessage = (m) => { h.messages.push(m); h.client.accept(m); };
    h.connect(true);
    h.deliver(incoming(0, "a", 0), incoming(0, "a", 0));
    assert.equal(h.messages.length, 2);
    assert.equal(h.client.inboundPending, 0);
    assert.deepEqual(h.link.take(), []);
  });

  it("does not hand a redelivery (same id) to the application while the first is still being applied", () => {
    const h = harness();
    h.connect(true);
    h.deliver(incoming(7), incoming(7, "gates/7/sync", 1, true));
    assert.equal(h.messages.length, 1);
    h.client.accept(h.messages[0]);
    assert.deepEqual(ids(h.link.take(), PacketType.PUBACK), [7]);
    // After the PUBACK the broker may reuse the id for a new message.
    h.deliver(incoming(7));
    assert.equal(h.messages.length, 2);
  });

  it("a crash before accept: the link drops, the broker redelivers, the PUBACK follows the late accept", () => {
    const h = harness();
    h.connect(true);
    h.deliver(incoming(9));
    h.client.linkDown();
    h.advance(60_000);
    h.connect(true);
    h.deliver(incoming(9, "gates/7/sync", 1, true)); // redelivery: the application still has it
    assert.equal(h.messages.length, 1);
    h.client.accept(h.messages[0]);
    assert.deepEqual(ids(h.link.take(), PacketType.PUBACK), [9]);
  });

  it("after a resumed session, an accept that beats the broker's resend waits for it: the PUBACK cannot cross the stale copy", () => {
    const h = harness();
    h.connect(true);
    h.deliver(incoming(21));
    h.client.linkDown();
    h.advance(60_000);
    h.connect(true);
    // The broker's copy of 21 is already on the wire when the application accepts.
    h.client.accept(h.messages[0]);
    assert.deepEqual(h.link.take(), [], "no PUBACK before the copy arrives");
    h.deliver(incoming(21, "gates/7/sync", 1, true));
    assert.deepEqual(ids(h.link.take(), PacketType.PUBACK), [21]);
    assert.equal(h.messages.length, 1, "the stale copy is not a new message");
    // Only now may the broker reuse 21.
    h.deliver(incoming(21));
    assert.equal(h.messages.length, 2);
  });

  it("an accept while the link is down is owed: the redelivery is acked without reaching the application again", () => {
    const h = harness();
    h.connect(true);
    h.deliver(incoming(11));
    h.client.linkDown();
    h.client.accept(h.messages[0]);
    assert.deepEqual(h.link.take(), []);
    h.advance(60_000);
    h.connect(true);
    h.deliver(incoming(11, "gates/7/sync", 1, true));
    assert.equal(h.messages.length, 1);
    assert.deepEqual(ids(h.link.take(), PacketType.PUBACK), [11]);
    assert.equal(h.client.inboundPending, 0);
  });

  it("forgets held ids when the broker lost the session: a late accept sends nothing", () => {
    const h = harness();
    h.connect(true);
    h.deliver(incoming(12));
    h.client.linkDown();
    h.advance(60_000);
    h.connect(false);
    assert.equal(h.client.inboundPending, 0);
    h.client.accept(h.messages[0]);
    assert.deepEqual(h.link.take(), []);
    h.deliver(incoming(12));
    assert.equal(h.messages.length, 2);
    assert.notEqual(h.messages[1].session, h.messages[0].session);
    // The old message's accept must not acknowledge the new one that took its id.
    h.client.accept(h.messages[0]);
    assert.deepEqual(h.link.take(), []);
    h.client.accept(h.messages[1]);
    assert.deepEqual(ids(h.link.take(), PacketType.PUBACK), [12]);
  });

  it("closes rather than grow when maxInbound messages are held, and gets them again after reconnecting", () => {
    const h = harness({ maxInbound: 2 });
    h.connect(true);
    h.deliver(incoming(1), incoming(2), incoming(3));
    assert.equal(h.messages.length, 2);
    assert.deepEqual(h.downs, ["E_MQTT_INBOUND_FULL"]);
    assert.equal(h.link.closes, 1);
    h.client.accept(h.messages[0]);
    h.advance(60_000);
    h.connect(true);
    h.deliver(incoming(1, "gates/7/sync", 1, true), incoming(2, "gates/7/sync", 1, true), incoming(3, "gates/7/sync", 1, true));
    assert.deepEqual(h.messages.map((m) => m.packetId), [1, 2, 3]);
    assert.deepEqual(ids(h.link.take(), PacketType.PUBACK), [1]);
  });
});

describe("MqttClient keep-alive", () => {
  it("pings after keepAlive of silence either way, and a PINGRESP keeps the link", () => {
    const h = harness({ keepAliveSeconds: 10, responseTimeoutMs: 3000 });
    h.connect(true);
    h.advance(9999);
    assert.deepEqual(h.link.take(), []);
    h.advance(1);
    assert.deepEqual(h.link.take(), [{ type: PacketType.PINGREQ }]);
    h.advance(1000);
    assert.deepEqual(h.link.take(), [], "one ping outstanding at a time");
    h.deliver({ type: PacketType.PINGRESP });
    h.advance(8999);
    assert.deepEqual(h.link.take(), []);
    h.advance(1);
    assert.deepEqual(h.link.take(), [{ type: PacketType.PINGREQ }]);
    assert.equal(h.client.state, "up");
  });

  it("pings when the broker is silent even while the gate keeps sending", () => {
    const h = harness({ keepAliveSeconds: 10, retryMs: 60_000 });
    h.connect(true);
    for (let t = 0; t < 10; t++) {
      h.client.publish("t", bytes(t), { qos: 0 });
      h.advance(1000);
    }
    assert.ok(h.link.take().some((p) => p.type === PacketType.PINGREQ));
  });

  it("declares the link dead when no PINGRESP comes within responseTimeoutMs, closes and reconnects", () => {
    const h = harness({ keepAliveSeconds: 10, responseTimeoutMs: 3000, reconnectMinMs: 500 });
    h.connect(true);
    h.advance(10_000);
    h.advance(2999);
    assert.equal(h.client.state, "up");
    h.advance(1);
    assert.deepEqual(h.downs, ["E_MQTT_DEAD_LINK"]);
    assert.equal(h.link.closes, 1);
    h.advance(500);
    assert.equal(h.link.opens, 2);
    // The unanswered ping belonged to the dead link: the new one starts clean.
    h.connect(true);
    h.advance(5000);
    assert.equal(h.client.state, "up");
    assert.deepEqual(h.downs, ["E_MQTT_DEAD_LINK"]);
  });

  it("never pings with keep-alive 0", () => {
    const h = harness({ keepAliveSeconds: 0 });
    h.connect(true);
    h.advance(3_600_000);
    assert.deepEqual(h.link.take(), []);
  });
});

describe("MqttClient construction", () => {
  it("refuses options it could never connect with", () => {
    assert.throws(() => new MqttClient({ link: new LinkDouble(), clientId: "g", keepAliveSeconds: 70_000 }), (e) => isOptgateError(e, "E_MQTT_BAD_CONNECT"));
    assert.throws(() => new MqttClient({ link: new LinkDouble(), clientId: "\u0000" }), (e) => isOptgateError(e, "E_MQTT_BAD_UTF8"));
  });

  it("runs without any event handler set", () => {
    const link = new LinkDouble();
    const client = new MqttClient({ link, clientId: "g" });
    client.start();
    client.tick(0);
    client.linkUp();
    const send = (p: Packet) => client.bytesIn(encodePacket(p));
    send({ type: PacketType.CONNACK, sessionPresent: true, returnCode: "accepted" });
    const id = client.publish("t", bytes(1));
    send({ type: PacketType.PUBACK, packetId: id });
    send(incoming(3));
    send(incoming(4, "t", 0));
    client.linkDown();
    assert.deepEqual([client.state, client.outboundPending, client.inboundPending], ["down", 0, 1]);
  });

  it("ignores link events that do not fit its state", () => {
    const h = harness();
    h.client.linkUp();
    h.client.linkDown();
    h.client.bytesIn(bytes(0xd0, 0));
    assert.equal(h.client.state, "stopped");
    assert.deepEqual(h.link.take(), []);
  });
});
