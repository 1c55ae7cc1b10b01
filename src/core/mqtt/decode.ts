// Bytes of one packet body → packet, or the fault code that says what is wrong.
// Never throws on input: every read is bounds-checked against the body, the
// first fault sticks and the packet is refused.
import type { MqttFaultCode } from "./faults";
import {
  CONNACK_CODES, type Packet, PacketType, type QoS, SUBACK_FAILURE, type Will,
} from "./packets";
import { isTopicFilter, isTopicName } from "./topic";
import { decodeUtf8 } from "./utf8";

/** Flags each type must carry (§2.2.2); PUBLISH (-1) checks its own. */
const REQUIRED_FLAGS = [-2, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, -2];

/** The fault in a first byte (type and flags), before any of the body has arrived. */
export function headerFault(first: number): MqttFaultCode | undefined {
  const type = first >> 4;
  const flags = first & 0x0f;
  const required = REQUIRED_FLAGS[type];
  if (required === -2) return "E_MQTT_UNKNOWN_TYPE";
  if (required === -1) {
    const qos = (flags >> 1) & 3;
    if (qos === 3) return "E_MQTT_BAD_QOS";
    if (qos === 0 && flags & 0x08) return "E_MQTT_BAD_FLAGS";
    return undefined;
  }
  return flags === required ? undefined : "E_MQTT_BAD_FLAGS";
}

class Reader {
  fault: MqttFaultCode | undefined;

  constructor(private readonly bytes: Uint8Array, public at: number, readonly end: number) {}

  fail(code: MqttFaultCode): void { this.fault ??= code; }
  get left(): number { return this.end - this.at; }

  u8(): number {
    if (this.at >= this.end) { this.fail("E_MQTT_TRUNCATED"); return 0; }
    return this.bytes[this.at++];
  }

  u16(): number {
    if (this.end - this.at < 2) { this.fail("E_MQTT_TRUNCATED"); this.at = this.end; return 0; }
    const n = (this.bytes[this.at] << 8) | this.bytes[this.at + 1];
    this.at += 2;
    return n;
  }

  id(): number {
    const n = this.u16();
    if (n === 0) this.fail("E_MQTT_BAD_PACKET_ID");
    return n;
  }

  binary(): Uint8Array {
    const n = this.u16();
    if (n > this.left) { this.fail("E_MQTT_TRUNCATED"); this.at = this.end; return new Uint8Array(0); }
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  string(): string {
    const n = this.u16();
    if (n > this.left) { this.fail("E_MQTT_TRUNCATED"); this.at = this.end; return ""; }
    const text = decodeUtf8(this.bytes, this.at, this.at + n);
    this.at += n;
    if (text === undefined) { this.fail("E_MQTT_BAD_UTF8"); return ""; }
    return text;
  }

  rest(): Uint8Array {
    const out = this.bytes.slice(this.at, this.end);
    this.at = this.end;
    return out;
  }

  /** The fault, or trailing bytes if the packet has ended early by its own fields. */
  done(): MqttFaultCode | undefined {
    return this.fault ?? (this.at !== this.end ? "E_MQTT_TRAILING_BYTES" : undefined);
  }
}

function decodeConnect(r: Reader): Packet | MqttFaultCode {
  const name = r.string();
  const level = r.u8();
  const flags = r.u8();
  const keepAlive = r.u16();
  if (r.fault) return r.fault;
  if (name !== "MQTT" || level !== 4 || flags & 0x01) return "E_MQTT_BAD_CONNECT";
  const hasWill = (flags & 0x04) !== 0;
  const willQos = (flags >> 3) & 3;
  const willRetain = (flags & 0x20) !== 0;
  if (willQos === 3 || (!hasWill && (willQos !== 0 || willRetain))) return "E_MQTT_BAD_CONNECT";
  if (flags & 0x40 && !(flags & 0x80)) return "E_MQTT_BAD_CONNECT";
  const clientId = r.string();
  let will: Will | undefined;
  if (hasWill) {
    const topic = r.string();
    const payload = r.binary();
    if (!r.fault && !isTopicName(topic)) return "E_MQTT_BAD_TOPIC";
    will = { topic, payload, qos: willQos as QoS, retain: willRetain };
  }
  const username = flags & 0x80 ? r.string() : undefined;
  const password = flags & 0x40 ? r.binary() : undefined;
  const fault = r.done();
  if (fault) return fault;
  const packet: Packet = { type: PacketType.CONNECT, clientId, cleanSession: (flags & 0x02) !== 0, keepAlive };
  if (username !== undefined) packet.username = username;
  if (password !== undefined) packet.password = password;
  if (will) packet.will = will;
  return packet;
}

function decodeConnack(r: Reader): Packet | MqttFaultCode {
  const ack = r.u8();
  const code = r.u8();
  const fault = r.done();
  if (fault) return fault;
  if (ack & 0xfe || code >= CONNACK_CODES.length || (code !== 0 && ack)) return "E_MQTT_BAD_CONNACK";
  return { type: PacketType.CONNACK, sessionPresent: ack === 1, returnCode: CONNACK_CODES[code] };
}

function decodePublish(r: Reader, flags: number): Packet | MqttFaultCode {
  const qos = ((flags >> 1) & 3) as QoS;
  const topic = r.string();
  const packetId = qos > 0 ? r.id() : undefined;
  if (r.fault) return r.fault;
  if (!isTopicName(topic)) return "E_MQTT_BAD_TOPIC";
  const packet: Packet = { type: PacketType.PUBLISH, topic, payload: r.rest(), qos, retain: (flags & 1) !== 0, dup: (flags & 8) !== 0 };
  if (packetId !== undefined) packet.packetId = packetId;
  return packet;
}

function decodeSubscribe(r: Reader): Packet | MqttFaultCode {
  const packetId = r.id();
  const subscriptions: { filter: string; qos: QoS }[] = [];
  if (!r.fault && r.left === 0) return "E_MQTT_EMPTY_LIST";
  while (!r.fault && r.left > 0) {
    const filter = r.string();
    const qos = r.u8();
    if (r.fault) break;
    if (!isTopicFilter(filter)) return "E_MQTT_BAD_TOPIC";
    if (qos > 2) return "E_MQTT_BAD_QOS";
    subscriptions.push({ filter, qos: qos as QoS });
  }
  return r.fault ?? { type: PacketType.SUBSCRIBE, packetId, subscriptions };
}

function decodeSuback(r: Reader): Packet | MqttFaultCode {
  const packetId = r.id();
  if (!r.fault && r.left === 0) return "E_MQTT_EMPTY_LIST";
  const returnCodes: number[] = [];
  while (!r.fault && r.left > 0) {
    const code = r.u8();
    if (code > 2 && code !== SUBACK_FAILURE) return "E_MQTT_BAD_QOS";
    returnCodes.push(code);
  }
  return r.fault ?? { type: PacketType.SUBACK, packetId, returnCodes };
}

function decodeUnsubscribe(r: Reader): Packet | MqttFaultCode {
  const packetId = r.id();
  if (!r.fault && r.left === 0) return "E_MQTT_EMPTY_LIST";
  const filters: string[] = [];
  while (!r.fault && r.left > 0) {
    const filter = r.string();
    if (r.fault) break;
    if (!isTopicFilter(filter)) return "E_MQTT_BAD_TOPIC";
    filters.push(filter);
  }
  return r.fault ?? { type: PacketType.UNSUBSCRIBE, packetId, filters };
}

/** Decodes a body bytes[start, end) whose first byte was `first` (already passed headerFault). */
export function decodeBody(first: number, bytes: Uint8Array, start: number, end: number): Packet | MqttFaultCode {
  const type = first >> 4;
  const r = new Reader(bytes, start, end);
  switch (type) {
    case PacketType.CONNECT: return decodeConnect(r);
    case PacketType.CONNACK: return decodeConnack(r);
    case PacketType.PUBLISH: return decodePublish(r, first & 0x0f);
    case PacketType.SUBSCRIBE: return decodeSubscribe(r);
    case PacketType.SUBACK: return decodeSuback(r);
    case PacketType.UNSUBSCRIBE: return decodeUnsubscribe(r);
    case PacketType.PINGREQ: case PacketType.PINGRESP: case PacketType.DISCONNECT:
      return r.done() ?? { type } as Packet;
    case PacketType.PUBACK: case PacketType.PUBREC: case PacketType.PUBREL: case PacketType.PUBCOMP: case PacketType.UNSUBACK: {
      const packetId = r.id();
      return r.done() ?? { type, packetId } as Packet;
    }
    default: return "E_MQTT_UNKNOWN_TYPE";
  }
}
