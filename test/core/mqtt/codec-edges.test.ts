// The MQTT 3.1.1 codec at its limits (portable: Node and XS): the exact fault
// for a field cut short (never a later, vaguer one), the largest strings and
// binaries MQTT can carry and one byte more, and the values the encoder refuses.
import assert from "node:assert/strict";
import { isOptgateError } from "../../../src/core/errors";
import { decodeBody } from "../../../src/core/mqtt/decode";
import { encodeConnack, encodeConnect, encodePublish, encodeSuback, encodeSubscribe, encodeUnsubscribe } from "../../../src/core/mqtt/encode";
import { CONNACK_CODES, MAX_REMAINING_LENGTH, type Packet, PacketType, SUBACK_FAILURE } from "../../../src/core/mqtt/packets";
import { StreamDecoder } from "../../../src/core/mqtt/stream-decoder";
import { decodeUtf8, encodeUtf8, utf8Length } from "../../../src/core/mqtt/utf8";

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
/** decodeBody over `body` with first byte `first`. */
const decode = (first: number, ...body: (number | number[])[]): Packet | string => {
  const bytes = Uint8Array.from(body.flat());
  return decodeBody(first, bytes, 0, bytes.length);
};
const CONNECT = PacketType.CONNECT << 4;
const mqttName = [0, 4, ...ascii("MQTT")];

function refuses(run: () => unknown, code: string, message?: string): void {
  assert.throws(run, (e) => isOptgateError(e, code) && (message === undefined || (e as Error).message.includes(message)), code);
}

describe("MQTT codec at its limits", () => {
  it("a CONNECT cut inside any field is E_MQTT_TRUNCATED, not a bad CONNECT", () => {
    assert.equal(decode(CONNECT, 0, 4, ascii("MQ")), "E_MQTT_TRUNCATED");
    assert.equal(decode(CONNECT, mqttName, 4, 0x02, 0), "E_MQTT_TRUNCATED");
    // Password flag (with user name): the password's length says more than is left.
    assert.equal(decode(CONNECT, mqttName, 4, 0xc2, 0, 60, 0, 1, ascii("c"), 0, 1, ascii("u"), 0, 9, 1, 2), "E_MQTT_TRUNCATED");
    const whole = decode(CONNECT, mqttName, 4, 0xc2, 0, 60, 0, 1, ascii("c"), 0, 1, ascii("u"), 0, 2, 1, 2);
    assert.deepEqual(whole, { type: PacketType.CONNECT, clientId: "c", cleanSession: true, keepAlive: 60, username: "u", password: Uint8Array.of(1, 2) });
  });

  it("a CONNECT with another protocol name or level, or the reserved flag, is E_MQTT_BAD_CONNECT", () => {
    const tail = [0, 60, 0, 1, ...ascii("c")];
    assert.equal(decode(CONNECT, 0, 4, ascii("MQTX"), 4, 0x02, tail), "E_MQTT_BAD_CONNECT");
    assert.equal(decode(CONNECT, mqttName, 3, 0x02, tail), "E_MQTT_BAD_CONNECT");
    assert.equal(decode(CONNECT, mqttName, 5, 0x02, tail), "E_MQTT_BAD_CONNECT");
    assert.equal(decode(CONNECT, mqttName, 4, 0x03, tail), "E_MQTT_BAD_CONNECT");
    assert.equal((decode(CONNECT, mqttName, 4, 0x02, tail) as { clientId: string }).clientId, "c");
  });

  it("a SUBSCRIBE or UNSUBSCRIBE cut inside a filter is E_MQTT_TRUNCATED; a bad filter is E_MQTT_BAD_TOPIC", () => {
    assert.equal(decode((PacketType.SUBSCRIBE << 4) | 2, 0, 1, 0, 5, ascii("a/")), "E_MQTT_TRUNCATED");
    assert.equal(decode((PacketType.UNSUBSCRIBE << 4) | 2, 0, 1, 0, 5, ascii("a/")), "E_MQTT_TRUNCATED");
    assert.equal(decode((PacketType.UNSUBSCRIBE << 4) | 2, 0, 1, 0, 5, ascii("a/#/b")), "E_MQTT_BAD_TOPIC");
    assert.deepEqual(decode((PacketType.UNSUBSCRIBE << 4) | 2, 0, 1, 0, 3, ascii("a/#")), { type: PacketType.UNSUBSCRIBE, packetId: 1, filters: ["a/#"] });
  });

  it("decodeBody refuses the reserved types 0 and 15 itself", () => {
    assert.equal(decode(0x00), "E_MQTT_UNKNOWN_TYPE");
    assert.equal(decode(0xf0), "E_MQTT_UNKNOWN_TYPE");
  });

  it("strings and binaries of 65,535 bytes are carried; one byte more is E_MQTT_TOO_LARGE", () => {
    const longest = "a".repeat(0xffff);
    const connect = encodeConnect({ type: PacketType.CONNECT, clientId: longest, cleanSession: true, keepAlive: 0xffff, will: { topic: "t", payload: new Uint8Array(0xffff).fill(7), qos: 1, retain: false } });
    assert.deepEqual([connect[1] & 0x80, connect[2] & 0x80, connect[3] & 0x80], [0x80, 0x80, 0], "three length bytes");
    const back = decodeBody(connect[0], connect, 4, connect.length) as { clientId: string; keepAlive: number; will: { payload: Uint8Array } };
    assert.deepEqual([back.clientId.length, back.keepAlive, back.will.payload.length, back.will.payload[0xfffe]], [0xffff, 0xffff, 0xffff, 7]);
    refuses(() => encodeConnect({ type: PacketType.CONNECT, clientId: `${longest}a`, cleanSession: true, keepAlive: 0 }), "E_MQTT_TOO_LARGE", "MQTT: a string is longer than 65535 bytes.");
    refuses(() => encodeConnect({ type: PacketType.CONNECT, clientId: "c", cleanSession: true, keepAlive: 0, username: "u", password: new Uint8Array(0x10000) }), "E_MQTT_TOO_LARGE", "MQTT: a binary field is longer than 65535 bytes.");
  });

  it("the encoder refuses a keep-alive outside 0..65535, a password without a user name, a bad will topic", () => {
    for (const keepAlive of [-1, 1.5, 0x10000]) refuses(() => encodeConnect({ type: PacketType.CONNECT, clientId: "c", cleanSession: true, keepAlive }), "E_MQTT_BAD_CONNECT", "MQTT: keep-alive must be 0-65535 seconds.");
    refuses(() => encodeConnect({ type: PacketType.CONNECT, clientId: "c", cleanSession: true, keepAlive: 0, password: Uint8Array.of(1) }), "E_MQTT_BAD_CONNECT", "MQTT: a password needs a user name in MQTT 3.1.1.");
    refuses(() => encodeConnect({ type: PacketType.CONNECT, clientId: "c", cleanSession: true, keepAlive: 0, will: { topic: "a/+", payload: new Uint8Array(0), qos: 0, retain: false } }), "E_MQTT_BAD_TOPIC");
  });

  it("the encoder refuses a packet id that is not a whole number in 1..65535", () => {
    for (const packetId of [0, 1.5, 0x10000, undefined]) {
      refuses(() => encodeSubscribe({ type: PacketType.SUBSCRIBE, packetId: packetId as number, subscriptions: [{ filter: "a", qos: 1 }] }), "E_MQTT_BAD_PACKET_ID");
      refuses(() => encodePublish({ type: PacketType.PUBLISH, topic: "a", payload: new Uint8Array(0), qos: 1, retain: false, dup: false, packetId }), "E_MQTT_BAD_PACKET_ID");
    }
    refuses(() => encodeUnsubscribe({ type: PacketType.UNSUBSCRIBE, packetId: 1, filters: ["a", "b/#/c"] }), "E_MQTT_BAD_TOPIC");
  });

  it("the encoder refuses an unknown CONNACK code, a session on a refusal, QoS 0 with DUP or an id, empty lists and bad SUBACK codes", () => {
    refuses(() => encodeConnack({ type: PacketType.CONNACK, sessionPresent: false, returnCode: "maybe" as "accepted" }), "E_MQTT_BAD_CONNACK");
    refuses(() => encodeConnack({ type: PacketType.CONNACK, sessionPresent: true, returnCode: CONNACK_CODES[5] }), "E_MQTT_BAD_CONNACK");
    assert.deepEqual(Array.from(encodeConnack({ type: PacketType.CONNACK, sessionPresent: true, returnCode: CONNACK_CODES[0] })), [0x20, 2, 1, 0]);
    const qos0 = { type: PacketType.PUBLISH, topic: "a", payload: new Uint8Array(0), qos: 0, retain: false } as const;
    refuses(() => encodePublish({ ...qos0, dup: true }), "E_MQTT_BAD_FLAGS", "MQTT: a QoS 0 PUBLISH has no packet id and no DUP flag.");
    refuses(() => encodePublish({ ...qos0, dup: false, packetId: 1 }), "E_MQTT_BAD_FLAGS");
    refuses(() => encodeSuback({ type: PacketType.SUBACK, packetId: 1, returnCodes: [] }), "E_MQTT_EMPTY_LIST");
    refuses(() => encodeSuback({ type: PacketType.SUBACK, packetId: 1, returnCodes: [0, 3] }), "E_MQTT_BAD_QOS");
    assert.deepEqual(Array.from(encodeSuback({ type: PacketType.SUBACK, packetId: 1, returnCodes: [2, SUBACK_FAILURE] })), [0x90, 4, 0, 1, 2, 0x80]);
    refuses(() => encodeUnsubscribe({ type: PacketType.UNSUBSCRIBE, packetId: 1, filters: [] }), "E_MQTT_EMPTY_LIST");
  });

  it("a stream decoder holds at least a 2-byte packet", () => {
    for (const size of [1, 2.5, Number.NaN]) assert.throws(() => new StreamDecoder(size), { name: "RangeError", message: "maxPacket must be an integer >= 2" });
    const d = new StreamDecoder(2);
    const got: Packet[] = [];
    d.onPacket = (p) => got.push(p);
    assert.equal(d.push(Uint8Array.of(0xc0, 0, 0xd0, 0)), undefined);
    assert.deepEqual(got, [{ type: PacketType.PINGREQ }, { type: PacketType.PINGRESP }]);
  });

  it("a reset from inside onPacket ends the push it happened in: the rest of that chunk is not read", () => {
    const d = new StreamDecoder(16);
    const got: Packet[] = [];
    d.onPacket = (p) => { got.push(p); d.reset(); };
    assert.equal(d.push(Uint8Array.of(0xc0, 0, 0xd0, 0, 0xff)), undefined, "not even the bad byte after it");
    assert.deepEqual(got, [{ type: PacketType.PINGREQ }]);
  });

  it("UTF-8 lengths and bytes at every boundary of the encoding, and text MQTT cannot carry", () => {
    const cases: [string, number[]][] = [
      ["\u007f", [0x7f]], ["\u0080", [0xc2, 0x80]], ["\u07ff", [0xdf, 0xbf]], ["\u0800", [0xe0, 0xa0, 0x80]], ["\ud7ff", [0xed, 0x9f, 0xbf]],
      ["\ud800\udc00", [0xf0, 0x90, 0x80, 0x80]], ["\udbff\udfff", [0xf4, 0x8f, 0xbf, 0xbf]], ["\ue000", [0xee, 0x80, 0x80]], ["\uffff", [0xef, 0xbf, 0xbf]],
    ];
    for (const [text, bytes] of cases) {
      assert.equal(utf8Length(text), bytes.length, JSON.stringify(text));
      assert.deepEqual(Array.from(encodeUtf8(text)), bytes, JSON.stringify(text));
      assert.equal(decodeUtf8(Uint8Array.from(bytes), 0, bytes.length), text);
    }
    for (const text of ["\u0000", "a\ud800", "\ud800a", "\udbff", "\udc00", "\udfff", "\ud800\ud800", "\ud800\ue000"]) {
      assert.equal(utf8Length(text), -1, JSON.stringify(text));
      refuses(() => encodeUtf8(text), "E_MQTT_BAD_UTF8", "MQTT: a string holds U+0000 or a lone surrogate.");
    }
    assert.equal(decodeUtf8(Uint8Array.of(0x61, 0), 0, 2), undefined);
    assert.deepEqual(encodeUtf8(""), new Uint8Array(0), "the empty string is an MQTT string");
  });

  it("a PUBLISH past MQTT's 256 MB limit is refused before anything is allocated", () => {
    const huge = { length: MAX_REMAINING_LENGTH } as Uint8Array;
    refuses(() => encodePublish({ type: PacketType.PUBLISH, topic: "a", payload: huge, qos: 0, retain: false, dup: false }), "E_MQTT_TOO_LARGE");
  });
});
