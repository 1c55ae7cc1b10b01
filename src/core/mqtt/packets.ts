// MQTT 3.1.1 control packets as plain objects: what the encoder takes and the
// decoder returns. Payloads are bytes; strings are the decoded UTF-8 text.

export const PacketType = {
  CONNECT: 1, CONNACK: 2, PUBLISH: 3, PUBACK: 4, PUBREC: 5, PUBREL: 6, PUBCOMP: 7,
  SUBSCRIBE: 8, SUBACK: 9, UNSUBSCRIBE: 10, UNSUBACK: 11, PINGREQ: 12, PINGRESP: 13, DISCONNECT: 14,
} as const;

export type QoS = 0 | 1 | 2;

/** CONNACK return codes (§3.2.2.3); the index is the byte. */
export const CONNACK_CODES = [
  "accepted", "bad-protocol-version", "identifier-rejected", "server-unavailable", "bad-username-or-password", "not-authorized",
] as const;
export type ConnackCode = (typeof CONNACK_CODES)[number];

/** SUBACK return code for a refused filter. */
export const SUBACK_FAILURE = 0x80;

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export interface ConnectPacket {
  type: typeof PacketType.CONNECT;
  clientId: string;
  /** false asks the broker to keep the session (subscriptions, queued QoS 1) across connections. */
  cleanSession: boolean;
  /** Seconds; 0 turns keep-alive off. */
  keepAlive: number;
  username?: string;
  password?: Uint8Array;
  will?: Will;
}

export interface ConnackPacket {
  type: typeof PacketType.CONNACK;
  sessionPresent: boolean;
  returnCode: ConnackCode;
}

export interface PublishPacket {
  type: typeof PacketType.PUBLISH;
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present (1-65535) exactly when qos > 0. */
  packetId?: number;
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: a type and a packet id. */
export interface AckPacket {
  type: typeof PacketType.PUBACK | typeof PacketType.PUBREC | typeof PacketType.PUBREL | typeof PacketType.PUBCOMP | typeof PacketType.UNSUBACK;
  packetId: number;
}

export interface SubscribePacket {
  type: typeof PacketType.SUBSCRIBE;
  packetId: number;
  subscriptions: { filter: string; qos: QoS }[];
}

export interface SubackPacket {
  type: typeof PacketType.SUBACK;
  packetId: number;
  /** Granted QoS per filter, or SUBACK_FAILURE. */
  returnCodes: number[];
}

export interface UnsubscribePacket {
  type: typeof PacketType.UNSUBSCRIBE;
  packetId: number;
  filters: string[];
}

export interface EmptyPacket {
  type: typeof PacketType.PINGREQ | typeof PacketType.PINGRESP | typeof PacketType.DISCONNECT;
}

export type Packet =
  | ConnectPacket | ConnackPacket | PublishPacket | AckPacket | SubscribePacket | SubackPacket | UnsubscribePacket | EmptyPacket;

/** Largest remaining length a 4-byte varint carries (§2.2.3). */
export const MAX_REMAINING_LENGTH = 268_435_455;
