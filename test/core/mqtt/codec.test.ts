// The MQTT 3.1.1 codec at its edges: spec byte layouts, every packet type
// round-tripped whole, byte by byte and many to a chunk, and every malformed
// input refused with its code. Portable (runs in XS too).
import assert from "node:assert/strict";
import { isOptgateError } from "../../../src/core/errors";
import { decodeBody } from "../../../src/core/mqtt/decode";
import {
  encodeConnect, encodePacket, encodePublish, encodeSubscribe, varintLength, writeVarint,
} from "../../../src/core/mqtt/encode";
import { MQTT_FAULTS, type MqttFaultCode } from "../../../src/core/mqtt/faults";
import { type Packet, PacketType } from "../../../src/core/mqtt/packets";
import { StreamDecoder } from "../../../src/core/mqtt/stream-decoder";
import { isTopicFilter, isTopicName } from "../../../src/core/mqtt/topic";
import { decodeUtf8, encodeUtf8 } from "../../../src/core/mqtt/utf8";
import { seededRandom } from "../../models/rng";

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const bytes = (...parts: (number | number[])[]) => Uint8Array.from(parts.flat());

/** Every packet a decoder emits for `chunks`, and its fault. */
function decodeAll(chunks: Uint8Array[], maxPacket = 4096): { packets: Packet[]; fault?: MqttFaultCode } {
  const d = new StreamDecoder(maxPacket);
  const packets: Packet[] = [];
  d.onPacket = (p) => packets.push(p);
  for (const chunk of chunks) {
    const fault = d.push(chunk);
    if (fault) return { packets, fault };
  }
  return { packets };
}

const oneByOne = (b: Uint8Array) => Array.from(b, (x) => Uint8Array.of(x));

export const SAMPLES: Packet[] = [
  { type: PacketType.CONNECT, clientId: "gate-1", cleanSession: false, keepAlive: 30 },
  { type: PacketType.CONNECT, clientId: "", cleanSession: true, keepAlive: 0 },
  {
    type: PacketType.CONNECT, clientId: "gate-ü", cleanSession: false, keepAlive: 65535, username: "gate", password: Uint8Array.of(0, 1, 255),
    will: { topic: "gates/1/status", payload: new Uint8Array(ascii("offline")), qos: 1, retain: true },
  },
  { type: PacketType.CONNACK, sessionPresent: true, returnCode: "accepted" },
  { type: PacketType.CONNACK, sessionPresent: false, returnCode: "not-authorized" },
  { type: PacketType.PUBLISH, topic: "a/b", payload: new Uint8Array(0), qos: 0, retain: false, dup: false },
  { type: PacketType.PUBLISH, topic: "gates/7/sync", payload: Uint8Array.from({ length: 300 }, (_, i) => i & 255), qos: 1, retain: true, dup: true, packetId: 65535 },
  { type: PacketType.PUBLISH, topic: "中文/𝄞", payload: Uint8Array.of(1), qos: 2, retain: false, dup: false, packetId: 1 },
  { type: PacketType.PUBACK, packetId: 1 },
  { type: PacketType.PUBREC, packetId: 2 },
  { type: PacketType.PUBREL, packetId: 3 },
  { type: PacketType.PUBCOMP, packetId: 4 },
  { type: PacketType.SUBSCRIBE, packetId: 10, subscriptions: [{ filter: "gates/1/#", qos: 1 }, { filter: "+/time", qos: 0 }, { filter: "#", qos: 2 }] },
  { type: PacketType.SUBACK, packetId: 10, returnCodes: [1, 0x80, 2, 0] },
  { type: PacketType.UNSUBSCRIBE, packetId: 11, filters: ["gates/1/#", "a"] },
  { type: PacketType.UNSUBACK, packetId: 11 },
  { type: PacketType.PINGREQ },
  { type: PacketType.PINGRESP },
  { type: PacketType.DISCONNECT },
];

describe("MQTT remaining length", () => {
  it("encodes the §2.2.3 boundaries in 1 to 4 bytes", () => {
    const cases: [number, number[]][] = [
      [0, [0x00]], [127, [0x7f]], [128, [0x80, 0x01]], [16_383, [0xff, 0x7f]], [16_384, [0x80, 0x80, 0x01]],
      [2_097_151, [0xff, 0xff, 0x7f]], [2_097_152, [0x80, 0x80, 0x80, 0x01]], [268_435_455, [0xff, 0xff, 0xff, 0x7f]],
    ];
    for (const [n, expected] of cases) {
      const out = new Uint8Array(4);
      assert.equal(writeVarint(n, out, 0), expected.length, `length of ${n}`);
      assert.equal(varintLength(n), expected.length);
      assert.deepEqual(Array.from(out.subarray(0, expected.length)), expected, `bytes of ${n}`);
    }
  });

  it("decodes 1-, 2- and 3-byte lengths in real packets, split anywhere", () => {
    for (const size of [0, 120, 121, 122, 16_377, 16_378, 16_379, 20_000]) {
      const p: Packet = { type: PacketType.PUBLISH, topic: "t", payload: new Uint8Array(size).fill(7), qos: 0, retain: false, dup: false };
      const wire = encodePublish(p);
      assert.equal(wire.length, 1 + varintLength(3 + size) + 3 + size);
      assert.deepEqual(decodeAll([wire], 1 << 16).packets, [p]);
      assert.deepEqual(decodeAll([wire.subarray(0, 2), wire.subarray(2, 3), wire.subarray(3)], 1 << 16).packets, [p]);
    }
  });

  it("refuses a fifth length byte, and a length over the limit as soon as it is known", () => {
    assert.equal(decodeAll([bytes(0x30, 0x80, 0x80, 0x80, 0x80, 0x00)]).fault, "E_MQTT_BAD_VARINT");
    // 0x30 0xff 0xff 0xff 0x7f claims 256 MiB: refused at the second length byte, nothing buffered.
    const d = new StreamDecoder(1024);
    assert.equal(d.push(bytes(0x30)), undefined);
    assert.equal(d.push(bytes(0xff)), undefined);
    assert.equal(d.push(bytes(0xff)), "E_MQTT_TOO_LARGE");
    assert.equal(d.fault, "E_MQTT_TOO_LARGE");
    // The limit counts the whole packet: 1 + 1 + 2 = 4 fits in 4, 5 does not.
    const ack = encodePacket({ type: PacketType.PUBACK, packetId: 9 });
    assert.equal(decodeAll([ack], 4).packets.length, 1);
    assert.equal(decodeAll([ack], 3).fault, "E_MQTT_TOO_LARGE");
  });

  it("with onOversized set, skips a PUBLISH too large without storing it, reports its header and goes on with the next packet", () => {
    const big = encodePacket({ type: PacketType.PUBLISH, topic: "optgate/1/2/sync", payload: new Uint8Array(5000).fill(0x41), qos: 1, retain: false, dup: true, packetId: 77 });
    const ack = encodePacket({ type: PacketType.PUBACK, packetId: 9 });
    const stream = new Uint8Array(big.length + ack.length);
    stream.set(big);
    stream.set(ack, big.length);
    const d = new StreamDecoder(64);
    const skipped: { topic: string; packetId?: number; qos: number; payload: number }[] = [];
    const packets: Packet[] = [];
    d.onOversized = (p) => skipped.push({ topic: p.topic, packetId: p.packetId, qos: p.qos, payload: p.payload.length });
    d.onPacket = (p) => packets.push(p);
    for (let at = 0; at < stream.length; at += 7) assert.equal(d.push(stream.subarray(at, at + 7)), undefined);
    assert.deepEqual(skipped, [{ topic: "optgate/1/2/sync", packetId: 77, qos: 1, payload: 0 }]);
    assert.deepEqual(packets, [{ type: PacketType.PUBACK, packetId: 9 }]);
    // Other packet types past the limit are still a fault.
    assert.equal(d.push(Uint8Array.of(0x90, 0xff, 0x7f)), "E_MQTT_TOO_LARGE");
  });
});

describe("MQTT encoding", () => {
  it("lays CONNECT out as §3.1 says: persistent session, keep-alive, client id, will, user name, password", () => {
    assert.deepEqual(Array.from(encodeConnect({ type: PacketType.CONNECT, clientId: "gate-1", cleanSession: false, keepAlive: 30 })), [
      0x10, 18, 0, 4, ...ascii("MQTT"), 4, 0x00, 0, 30, 0, 6, ...ascii("gate-1"),
    ]);
    const full = encodeConnect({
      type: PacketType.CONNECT, clientId: "g", cleanSession: true, keepAlive: 0x1234, username: "u", password: Uint8Array.of(0xaa),
      will: { topic: "t", payload: Uint8Array.of(0x78), qos: 1, retain: true },
    });
    assert.deepEqual(Array.from(full), [
      0x10, 25, 0, 4, ...ascii("MQTT"), 4, 0x80 | 0x40 | 0x20 | 0x08 | 0x04 | 0x02, 0x12, 0x34, 0, 1, 0x67,
      0, 1, 0x74, 0, 1, 0x78, 0, 1, 0x75, 0, 1, 0xaa,
    ]);
  });

  it("lays PUBLISH, SUBSCRIBE and the small packets out as the spec's figures", () => {
    assert.deepEqual(Array.from(encodePublish({ type: PacketType.PUBLISH, topic: "a/b", payload: Uint8Array.of(9), qos: 1, retain: true, dup: true, packetId: 0x0102 })),
      [0x3b, 8, 0, 3, ...ascii("a/b"), 1, 2, 9]);
    assert.deepEqual(Array.from(encodeSubscribe({ type: PacketType.SUBSCRIBE, packetId: 5, subscriptions: [{ filter: "a/#", qos: 1 }] })),
      [0x82, 8, 0, 5, 0, 3, ...ascii("a/#"), 1]);
    assert.deepEqual(Array.from(encodePacket({ type: PacketType.PUBACK, packetId: 0x0a0b })), [0x40, 2, 0x0a, 0x0b]);
    assert.deepEqual(Array.from(encodePacket({ type: PacketType.PUBREL, packetId: 1 })), [0x62, 2, 0, 1]);
    assert.deepEqual(Array.from(encodePacket({ type: PacketType.CONNACK, sessionPresent: true, returnCode: "accepted" })), [0x20, 2, 1, 0]);
    assert.deepEqual(Array.from(encodePacket({ type: PacketType.PINGREQ })), [0xc0, 0]);
    assert.deepEqual(Array.from(encodePacket({ type: PacketType.PINGRESP })), [0xd0, 0]);
    assert.deepEqual(Array.from(encodePacket({ type: PacketType.DISCONNECT })), [0xe0, 0]);
  });

  it("refuses to encode what may not go on the wire, with the decoder's codes", () => {
    const pub = { type: PacketType.PUBLISH, payload: new Uint8Array(0), retain: false, dup: false } as const;
    const refuses = (code: string, f: () => unknown) => assert.throws(f, (e) => isOptgateError(e, code), code);
    refuses("E_MQTT_BAD_TOPIC", () => encodePublish({ ...pub, topic: "a/+", qos: 0 }));
    refuses("E_MQTT_BAD_TOPIC", () => encodePublish({ ...pub, topic: "#", qos: 0 }));
    refuses("E_MQTT_BAD_TOPIC", () => encodePublish({ ...pub, topic: "", qos: 0 }));
    refuses("E_MQTT_BAD_UTF8", () => encodePublish({ ...pub, topic: "a\u0000", qos: 0 }));
    refuses("E_MQTT_BAD_UTF8", () => encodePublish({ ...pub, topic: "\ud800", qos: 0 }));
    refuses("E_MQTT_BAD_PACKET_ID", () => encodePublish({ ...pub, topic: "a", qos: 1, packetId: 0 }));
    refuses("E_MQTT_BAD_PACKET_ID", () => encodePublish({ ...pub, topic: "a", qos: 1 }));
    refuses("E_MQTT_BAD_PACKET_ID", () => encodePublish({ ...pub, topic: "a", qos: 1, packetId: 65536 }));
    refuses("E_MQTT_BAD_FLAGS", () => encodePublish({ ...pub, topic: "a", qos: 0, dup: true }));
    refuses("E_MQTT_BAD_QOS", () => encodePublish({ ...pub, topic: "a", qos: 3 as 0 }));
    refuses("E_MQTT_TOO_LARGE", () => encodePublish({ ...pub, topic: "a".repeat(65536), qos: 0 }));
    refuses("E_MQTT_BAD_TOPIC", () => encodeSubscribe({ type: PacketType.SUBSCRIBE, packetId: 1, subscriptions: [{ filter: "a/#/b", qos: 1 }] }));
    refuses("E_MQTT_EMPTY_LIST", () => encodeSubscribe({ type: PacketType.SUBSCRIBE, packetId: 1, subscriptions: [] }));
    refuses("E_MQTT_BAD_CONNECT", () => encodeConnect({ type: PacketType.CONNECT, clientId: "g", cleanSession: false, keepAlive: 0, password: Uint8Array.of(1) }));
    refuses("E_MQTT_BAD_CONNECT", () => encodeConnect({ type: PacketType.CONNECT, clientId: "g", cleanSession: false, keepAlive: 65536 }));
    refuses("E_MQTT_BAD_CONNACK", () => encodePacket({ type: PacketType.CONNACK, sessionPresent: true, returnCode: "not-authorized" }));
  });
});

describe("MQTT streaming decoder", () => {
  it("round-trips every packet type whole, byte by byte, and all in one chunk", () => {
    const wires = SAMPLES.map(encodePacket);
    SAMPLES.forEach((p, i) => {
      assert.deepEqual(decodeAll([wires[i]]), { packets: [p] }, `whole ${i}`);
      assert.deepEqual(decodeAll(oneByOne(wires[i])), { packets: [p] }, `byte by byte ${i}`);
    });
    const all = new Uint8Array(wires.reduce((n, w) => n + w.length, 0));
    wires.reduce((at, w) => (all.set(w, at), at + w.length), 0);
    assert.deepEqual(decodeAll([all]).packets, SAMPLES);
    assert.deepEqual(decodeAll(oneByOne(all)).packets, SAMPLES);
    // Split at every position into two chunks.
    for (let cut = 0; cut <= all.length; cut += 7) {
      assert.deepEqual(decodeAll([all.subarray(0, cut), all.subarray(cut)]).packets, SAMPLES, `cut at ${cut}`);
    }
  });

  it("hands out payloads that stay valid after the next packet arrives", () => {
    const a = encodePublish({ type: PacketType.PUBLISH, topic: "t", payload: Uint8Array.of(1, 2, 3), qos: 0, retain: false, dup: false });
    const b = encodePublish({ type: PacketType.PUBLISH, topic: "t", payload: Uint8Array.of(4, 5, 6), qos: 0, retain: false, dup: false });
    const { packets } = decodeAll([a, b]);
    assert.deepEqual(packets.map((p) => Array.from((p as { payload: Uint8Array }).payload)), [[1, 2, 3], [4, 5, 6]]);
  });

  it("waits, without a fault, on a packet cut short; a reset forgets it", () => {
    const wire = encodePacket(SAMPLES[6]);
    const d = new StreamDecoder(4096);
    let n = 0;
    d.onPacket = () => n++;
    for (let cut = 0; cut < wire.length; cut++) {
      d.reset();
      assert.equal(d.push(wire.subarray(0, cut)), undefined);
      assert.equal(n, 0);
    }
    d.reset();
    assert.equal(d.push(wire), undefined);
    assert.equal(n, 1);
  });

  it("stops the chunk it is in when onPacket resets it (the link went down meanwhile)", () => {
    const ping = encodePacket({ type: PacketType.PINGRESP });
    const d = new StreamDecoder(64);
    let n = 0;
    d.onPacket = () => { n++; d.reset(); };
    assert.equal(d.push(bytes(Array.from(ping), Array.from(ping), [0xf0])), undefined);
    assert.equal(n, 1);
  });

  it("stays stopped after a fault until reset", () => {
    const d = new StreamDecoder(64);
    let n = 0;
    d.onPacket = () => n++;
    assert.equal(d.push(bytes(0x00)), "E_MQTT_UNKNOWN_TYPE");
    assert.equal(d.push(bytes(0xd0, 0)), "E_MQTT_UNKNOWN_TYPE");
    assert.equal(n, 0);
    d.reset();
    assert.equal(d.push(bytes(0xd0, 0)), undefined);
    assert.equal(n, 1);
  });

  const str = (s: string) => [0, s.length, ...ascii(s)];
  const malformed: [string, Uint8Array, MqttFaultCode][] = [
    ["reserved type 0", bytes(0x00, 0), "E_MQTT_UNKNOWN_TYPE"],
    ["reserved type 15", bytes(0xf0, 0), "E_MQTT_UNKNOWN_TYPE"],
    ["PUBACK with flags", bytes(0x41, 2, 0, 1), "E_MQTT_BAD_FLAGS"],
    ["PUBREL without its 0010", bytes(0x60, 2, 0, 1), "E_MQTT_BAD_FLAGS"],
    ["SUBSCRIBE without its 0010", bytes(0x80, 6, 0, 1, ...str("a"), 1), "E_MQTT_BAD_FLAGS"],
    ["PINGRESP with flags", bytes(0xd8, 0), "E_MQTT_BAD_FLAGS"],
    ["PUBLISH QoS 3", bytes(0x36, 3, ...str("a")), "E_MQTT_BAD_QOS"],
    ["PUBLISH QoS 0 with DUP", bytes(0x38, 3, ...str("a")), "E_MQTT_BAD_FLAGS"],
    ["PUBLISH topic length past the end", bytes(0x30, 3, 0, 5, 0x61), "E_MQTT_TRUNCATED"],
    ["PUBLISH QoS 1 without its packet id", bytes(0x32, 3, ...str("a")), "E_MQTT_TRUNCATED"],
    ["PUBLISH with packet id 0", bytes(0x32, 5, ...str("a"), 0, 0), "E_MQTT_BAD_PACKET_ID"],
    ["PUBLISH topic with '+'", bytes(0x30, 5, ...str("a/+")), "E_MQTT_BAD_TOPIC"],
    ["PUBLISH topic with '#'", bytes(0x30, 3, ...str("#")), "E_MQTT_BAD_TOPIC"],
    ["PUBLISH empty topic", bytes(0x30, 2, 0, 0), "E_MQTT_BAD_TOPIC"],
    ["PUBLISH topic with a lone continuation byte", bytes(0x30, 3, 0, 1, 0x80), "E_MQTT_BAD_UTF8"],
    ["PUBLISH topic with an overlong '/'", bytes(0x30, 4, 0, 2, 0xc0, 0xaf), "E_MQTT_BAD_UTF8"],
    ["PUBLISH topic with a surrogate", bytes(0x30, 5, 0, 3, 0xed, 0xa0, 0x80), "E_MQTT_BAD_UTF8"],
    ["PUBLISH topic with U+0000", bytes(0x30, 3, 0, 1, 0x00), "E_MQTT_BAD_UTF8"],
    ["PUBLISH topic cut inside a code point", bytes(0x30, 4, 0, 2, 0xe4, 0xb8), "E_MQTT_BAD_UTF8"],
    ["PUBLISH topic above U+10FFFF", bytes(0x30, 6, 0, 4, 0xf4, 0x90, 0x80, 0x80), "E_MQTT_BAD_UTF8"],
    ["PUBACK too short", bytes(0x40, 1, 0), "E_MQTT_TRUNCATED"],
    ["PUBACK too long", bytes(0x40, 3, 0, 1, 0), "E_MQTT_TRAILING_BYTES"],
    ["PUBACK id 0", bytes(0x40, 2, 0, 0), "E_MQTT_BAD_PACKET_ID"],
    ["PINGRESP with a body", bytes(0xd0, 1, 0), "E_MQTT_TRAILING_BYTES"],
    ["CONNACK reserved bits", bytes(0x20, 2, 2, 0), "E_MQTT_BAD_CONNACK"],
    ["CONNACK return code 6", bytes(0x20, 2, 0, 6), "E_MQTT_BAD_CONNACK"],
    ["CONNACK session on refusal", bytes(0x20, 2, 1, 5), "E_MQTT_BAD_CONNACK"],
    ["CONNACK short", bytes(0x20, 1, 0), "E_MQTT_TRUNCATED"],
    ["SUBACK without codes", bytes(0x90, 2, 0, 1), "E_MQTT_EMPTY_LIST"],
    ["SUBACK code 3", bytes(0x90, 3, 0, 1, 3), "E_MQTT_BAD_QOS"],
    ["SUBACK code 0x81", bytes(0x90, 3, 0, 1, 0x81), "E_MQTT_BAD_QOS"],
    ["SUBSCRIBE without filters", bytes(0x82, 2, 0, 1), "E_MQTT_EMPTY_LIST"],
    ["SUBSCRIBE filter without its QoS", bytes(0x82, 5, 0, 1, ...str("a")), "E_MQTT_TRUNCATED"],
    ["SUBSCRIBE QoS with reserved bits", bytes(0x82, 6, 0, 1, ...str("a"), 0x41), "E_MQTT_BAD_QOS"],
    ["SUBSCRIBE bad filter", bytes(0x82, 8, 0, 1, ...str("a#/"), 1), "E_MQTT_BAD_TOPIC"],
    ["UNSUBSCRIBE without filters", bytes(0xa2, 2, 0, 1), "E_MQTT_EMPTY_LIST"],
    ["CONNECT protocol MQIsdp", bytes(0x10, 14, ...str("MQIsdp"), 3, 0, 0, 0, 0, 0), "E_MQTT_BAD_CONNECT"],
    ["CONNECT level 5", bytes(0x10, 12, ...str("MQTT"), 5, 0, 0, 0, 0, 0), "E_MQTT_BAD_CONNECT"],
    ["CONNECT reserved flag", bytes(0x10, 12, ...str("MQTT"), 4, 1, 0, 0, 0, 0), "E_MQTT_BAD_CONNECT"],
    ["CONNECT will QoS without will", bytes(0x10, 12, ...str("MQTT"), 4, 0x08, 0, 0, 0, 0), "E_MQTT_BAD_CONNECT"],
    ["CONNECT will QoS 3", bytes(0x10, 12, ...str("MQTT"), 4, 0x1c, 0, 0, 0, 0), "E_MQTT_BAD_CONNECT"],
    ["CONNECT password without user name", bytes(0x10, 12, ...str("MQTT"), 4, 0x40, 0, 0, 0, 0), "E_MQTT_BAD_CONNECT"],
    ["CONNECT user name flag without the field", bytes(0x10, 12, ...str("MQTT"), 4, 0x80, 0, 0, 0, 0), "E_MQTT_TRUNCATED"],
    ["CONNECT with bytes after the last field", bytes(0x10, 13, ...str("MQTT"), 4, 0, 0, 0, 0, 0, 9), "E_MQTT_TRAILING_BYTES"],
    ["CONNECT will topic with a wildcard", bytes(0x10, 17, ...str("MQTT"), 4, 0x04, 0, 0, 0, 0, ...str("+"), 0, 0), "E_MQTT_BAD_TOPIC"],
  ];
  for (const [what, wire, code] of malformed) {
    it(`refuses ${what}: ${code}, whole and byte by byte`, () => {
      assert.equal(decodeAll([wire]).fault, code);
      assert.equal(decodeAll(oneByOne(wire)).fault, code);
      // The same packet after a good one: the good one still comes out first.
      const ping = encodePacket({ type: PacketType.PINGRESP });
      assert.deepEqual(decodeAll([bytes(Array.from(ping), Array.from(wire))]), { packets: [{ type: PacketType.PINGRESP }], fault: code });
    });
  }

  it("has a sentence for every fault code", () => {
    for (const [, , code] of malformed) assert.ok(MQTT_FAULTS[code].length > 10);
  });
});

describe("MQTT topics and UTF-8", () => {
  it("tells topic names from filters as §4.7 does", () => {
    for (const t of ["a", "a/b", "/", "a//b", "sport/tennis/player1", "中文"]) assert.ok(isTopicName(t), t);
    for (const t of ["", "+", "#", "a/+", "a/#", "a+b"]) assert.ok(!isTopicName(t), t);
    for (const f of ["#", "+", "a/#", "+/+", "/+", "a/+/b", "+/tennis/#", "/", "a//b"]) assert.ok(isTopicFilter(f), f);
    for (const f of ["", "a#", "a/#/b", "#/", "a+", "+a", "a/b+", "##"]) assert.ok(!isTopicFilter(f), f);
  });

  it("encodes and decodes UTF-8 of every width the same way", () => {
    for (const s of ["a", "é", "€", "𝄞", "a/é/€/𝄞", "\u07ff\u0800\uffff"]) {
      const b = encodeUtf8(s);
      assert.equal(decodeUtf8(b, 0, b.length), s);
    }
    assert.deepEqual(Array.from(encodeUtf8("𝄞")), [0xf0, 0x9d, 0x84, 0x9e]);
  });
});

// Fuzz with fixed seeds, so a failure replays.
const FAULT_CODES = Object.keys(MQTT_FAULTS);

/** Where the body starts: after the first byte and the remaining-length varint. */
function bodyStart(wire: Uint8Array): number {
  let i = 1;
  while (wire[i] & 0x80) i++;
  return i + 1;
}

/** Feeds `wire` in random chunks: never throws, faults only with known codes, and every packet re-encodes to one that decodes equal. */
function checkSurvives(wire: Uint8Array, random: () => number): number {
  const d = new StreamDecoder(512);
  const packets: Packet[] = [];
  d.onPacket = (p) => packets.push(p);
  let at = 0;
  let fault: MqttFaultCode | undefined;
  while (at < wire.length && !fault) {
    const n = 1 + Math.floor(random() * 9);
    fault = d.push(wire.subarray(at, at + n));
    at += n;
  }
  if (fault) assert.ok(FAULT_CODES.includes(fault), fault);
  for (const p of packets) {
    const again = decodeAll([encodePacket(p)], 1 << 17);
    assert.deepEqual(again, { packets: [p] });
  }
  return packets.length;
}

describe("MQTT decoder under fuzz", () => {
  const wires = SAMPLES.map(encodePacket);

  it("survives 2,000 random byte strings", () => {
    const random = seededRandom(20);
    for (let i = 0; i < 2000; i++) {
      const wire = Uint8Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256));
      checkSurvives(wire, random);
    }
  });

  it("survives 3,000 mutated valid packets (flipped, inserted, deleted bytes)", () => {
    const random = seededRandom(1883);
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      const base = Array.from(wires[i % wires.length]);
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const at = Math.floor(random() * base.length);
        const what = random();
        if (what < 0.6) base[at] ^= 1 << Math.floor(random() * 8);
        else if (what < 0.8) base.splice(at, 0, Math.floor(random() * 256));
        else base.splice(at, 1);
      }
      decoded += checkSurvives(Uint8Array.from(base), random);
    }
    // Many mutations still form valid packets (payload bytes): the check above ran on them.
    assert.ok(decoded > 300, `only ${decoded} mutated packets decoded`);
  });

  it("survives every truncation and every remaining length of every sample", () => {
    const random = seededRandom(3);
    for (const wire of wires) {
      for (let cut = 0; cut < wire.length; cut++) assert.equal(checkSurvives(wire.subarray(0, cut), random), 0);
      const body = wire.subarray(bodyStart(wire));
      for (let len = 0; len < 200; len++) {
        const header = new Uint8Array(5);
        const end = writeVarint(len, header, 1);
        header[0] = wire[0];
        checkSurvives(bytes(Array.from(header.subarray(0, end)), Array.from(body), Array.from(body)), random);
      }
    }
  });

  it("decodes a body straight from decodeBody with the same answers as the stream", () => {
    for (const wire of wires) {
      const p = decodeBody(wire[0], wire, bodyStart(wire), wire.length);
      assert.deepEqual(p, decodeAll([wire]).packets[0]);
    }
  });
});
