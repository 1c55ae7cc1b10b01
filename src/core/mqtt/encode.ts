// Packet → bytes. Each packet is sized first and written into one exact
// Uint8Array. A packet the caller cannot legally send (wildcard topic, id 0,
// string MQTT cannot carry) throws an OptgateError with the decoder's code:
// it is a bug in the caller, not something to put on the wire.
import { OptgateError } from "../errors";
import { mqttFault } from "./faults";
import {
  type AckPacket, type ConnectPacket, type ConnackPacket, CONNACK_CODES, MAX_REMAINING_LENGTH, type Packet, PacketType,
  type PublishPacket, type SubackPacket, type SubscribePacket, type UnsubscribePacket, SUBACK_FAILURE,
} from "./packets";
import { isTopicFilter, isTopicName } from "./topic";
import { utf8Length, writeUtf8 } from "./utf8";

/** Bytes the remaining-length varint of `n` takes (1-4). */
export function varintLength(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4;
}

/** Writes the remaining-length varint (§2.2.3) at `at`; returns the offset after it. */
export function writeVarint(n: number, out: Uint8Array, at: number): number {
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    out[at++] = digit;
  } while (n > 0);
  return at;
}

/** Length of a UTF-8 string field with its 2-byte prefix; throws if MQTT cannot carry it. */
function stringField(text: string): number {
  const n = utf8Length(text);
  if (n < 0) throw mqttFault("E_MQTT_BAD_UTF8");
  if (n > 0xffff) throw new OptgateError("E_MQTT_TOO_LARGE", "MQTT: a string is longer than 65535 bytes.");
  return 2 + n;
}

function binaryField(bytes: Uint8Array): number {
  if (bytes.length > 0xffff) throw new OptgateError("E_MQTT_TOO_LARGE", "MQTT: a binary field is longer than 65535 bytes.");
  return 2 + bytes.length;
}

function checkId(id: number | undefined): number {
  if (id === undefined || !Number.isInteger(id) || id < 1 || id > 0xffff) throw mqttFault("E_MQTT_BAD_PACKET_ID");
  return id;
}

function checkQos(qos: number): number {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw mqttFault("E_MQTT_BAD_QOS");
  return qos;
}

/** Sequential writer over one exactly-sized packet. */
class Out {
  readonly bytes: Uint8Array;
  at: number;

  constructor(first: number, remaining: number) {
    if (remaining > MAX_REMAINING_LENGTH) throw mqttFault("E_MQTT_TOO_LARGE");
    this.bytes = new Uint8Array(1 + varintLength(remaining) + remaining);
    this.bytes[0] = first;
    this.at = writeVarint(remaining, this.bytes, 1);
  }

  u8(n: number): this { this.bytes[this.at++] = n; return this; }
  u16(n: number): this { this.bytes[this.at++] = n >> 8; this.bytes[this.at++] = n & 0xff; return this; }
  string(text: string): this {
    const end = writeUtf8(text, this.bytes, this.at + 2);
    this.u16(end - this.at - 2);
    this.at = end;
    return this;
  }
  binary(data: Uint8Array): this { this.u16(data.length); this.bytes.set(data, this.at); this.at += data.length; return this; }
  raw(data: Uint8Array): this { this.bytes.set(data, this.at); this.at += data.length; return this; }
}

export function encodeConnect(p: ConnectPacket): Uint8Array {
  if (!Number.isInteger(p.keepAlive) || p.keepAlive < 0 || p.keepAlive > 0xffff) {
    throw new OptgateError("E_MQTT_BAD_CONNECT", "MQTT: keep-alive must be 0-65535 seconds.");
  }
  // §3.1.2-22: a password needs a user name in 3.1.1.
  if (p.password !== undefined && p.username === undefined) {
    throw new OptgateError("E_MQTT_BAD_CONNECT", "MQTT: a password needs a user name in MQTT 3.1.1.");
  }
  let remaining = 10 + stringField(p.clientId);
  let flags = p.cleanSession ? 0x02 : 0;
  if (p.will) {
    if (!isTopicName(p.will.topic)) throw mqttFault("E_MQTT_BAD_TOPIC");
    remaining += stringField(p.will.topic) + binaryField(p.will.payload);
    flags |= 0x04 | (checkQos(p.will.qos) << 3) | (p.will.retain ? 0x20 : 0);
  }
  if (p.username !== undefined) { remaining += stringField(p.username); flags |= 0x80; }
  if (p.password !== undefined) { remaining += binaryField(p.password); flags |= 0x40; }
  const out = new Out(PacketType.CONNECT << 4, remaining).string("MQTT").u8(4).u8(flags).u16(p.keepAlive).string(p.clientId);
  if (p.will) out.string(p.will.topic).binary(p.will.payload);
  if (p.username !== undefined) out.string(p.username);
  if (p.password !== undefined) out.binary(p.password);
  return out.bytes;
}

export function encodeConnack(p: ConnackPacket): Uint8Array {
  const code = CONNACK_CODES.indexOf(p.returnCode);
  if (code < 0 || (code !== 0 && p.sessionPresent)) throw mqttFault("E_MQTT_BAD_CONNACK");
  return new Out(PacketType.CONNACK << 4, 2).u8(p.sessionPresent ? 1 : 0).u8(code).bytes;
}

export function encodePublish(p: PublishPacket): Uint8Array {
  if (!isTopicName(p.topic)) throw mqttFault("E_MQTT_BAD_TOPIC");
  const qos = checkQos(p.qos);
  if (qos === 0 && (p.dup || p.packetId !== undefined)) {
    throw new OptgateError("E_MQTT_BAD_FLAGS", "MQTT: a QoS 0 PUBLISH has no packet id and no DUP flag.");
  }
  const remaining = stringField(p.topic) + (qos > 0 ? 2 : 0) + p.payload.length;
  const first = (PacketType.PUBLISH << 4) | (p.dup ? 0x08 : 0) | (qos << 1) | (p.retain ? 1 : 0);
  const out = new Out(first, remaining).string(p.topic);
  if (qos > 0) out.u16(checkId(p.packetId));
  return out.raw(p.payload).bytes;
}

export function encodeAck(p: AckPacket): Uint8Array {
  // PUBREL alone carries flags 0010 (§3.6.1).
  const flags = p.type === PacketType.PUBREL ? 0x02 : 0;
  return new Out((p.type << 4) | flags, 2).u16(checkId(p.packetId)).bytes;
}

export function encodeSubscribe(p: SubscribePacket): Uint8Array {
  if (p.subscriptions.length === 0) throw mqttFault("E_MQTT_EMPTY_LIST");
  let remaining = 2;
  for (const s of p.subscriptions) {
    if (!isTopicFilter(s.filter)) throw mqttFault("E_MQTT_BAD_TOPIC");
    checkQos(s.qos);
    remaining += stringField(s.filter) + 1;
  }
  const out = new Out((PacketType.SUBSCRIBE << 4) | 0x02, remaining).u16(checkId(p.packetId));
  for (const s of p.subscriptions) out.string(s.filter).u8(s.qos);
  return out.bytes;
}

export function encodeSuback(p: SubackPacket): Uint8Array {
  if (p.returnCodes.length === 0) throw mqttFault("E_MQTT_EMPTY_LIST");
  const out = new Out(PacketType.SUBACK << 4, 2 + p.returnCodes.length).u16(checkId(p.packetId));
  for (const code of p.returnCodes) {
    if (code !== SUBACK_FAILURE) checkQos(code);
    out.u8(code);
  }
  return out.bytes;
}

export function encodeUnsubscribe(p: UnsubscribePacket): Uint8Array {
  if (p.filters.length === 0) throw mqttFault("E_MQTT_EMPTY_LIST");
  let remaining = 2;
  for (const f of p.filters) {
    if (!isTopicFilter(f)) throw mqttFault("E_MQTT_BAD_TOPIC");
    remaining += stringField(f);
  }
  const out = new Out((PacketType.UNSUBSCRIBE << 4) | 0x02, remaining).u16(checkId(p.packetId));
  for (const f of p.filters) out.string(f);
  return out.bytes;
}

/** PINGREQ, PINGRESP and DISCONNECT are two constant bytes. */
export function encodeEmpty(type: typeof PacketType.PINGREQ | typeof PacketType.PINGRESP | typeof PacketType.DISCONNECT): Uint8Array {
  return Uint8Array.of(type << 4, 0);
}

export function encodePacket(p: Packet): Uint8Array {
  switch (p.type) {
    case PacketType.CONNECT: return encodeConnect(p);
    case PacketType.CONNACK: return encodeConnack(p);
    case PacketType.PUBLISH: return encodePublish(p);
    case PacketType.SUBSCRIBE: return encodeSubscribe(p);
    case PacketType.SUBACK: return encodeSuback(p);
    case PacketType.UNSUBSCRIBE: return encodeUnsubscribe(p);
    case PacketType.PINGREQ: case PacketType.PINGRESP: case PacketType.DISCONNECT: return encodeEmpty(p.type);
    default: return encodeAck(p);
  }
}
