// The gate's MQTT 3.1.1 session, as a state machine with no IO and no timers:
// the adapter feeds it link events and received bytes, a tick feeds it time,
// and it writes bytes through the MqttLink port. Persistent session (clean
// session 0), QoS 1 both ways, PUBACK only after the application accepted the
// message, keep-alive pings, dead-link detection, reconnection with backoff.
// docs/mqtt-client.md says why.
import { OptgateError } from "../errors";
import type { Random } from "../ports";
import { encodeConnect, encodeEmpty, encodePublish, encodeSubscribe } from "./encode";
import { mqttFault } from "./faults";
import { InboundTable } from "./inbound";
import { OutboundWindow, type Fits } from "./outbound";
import { type Packet, PacketType, type PublishPacket, type QoS, type Will } from "./packets";
import { StreamDecoder } from "./stream-decoder";
import { isTopicFilter } from "./topic";

/** Room kept free in a bounded link for the packets written without asking (PUBACK, PINGREQ, SUBSCRIBE). */
export const CONTROL_RESERVE = 256;

/**
 * The byte link to the broker (an ECMA-419 TCP socket on the board). The
 * adapter answers open() later with linkUp() or linkDown(), never from inside
 * a call the client made; after close() it reports nothing more about that
 * connection.
 */
export interface MqttLink {
  open(): void;
  /** Must copy or send the bytes before returning: the client reuses its buffers. */
  write(bytes: Uint8Array): void;
  close(): void;
}

export interface InboundMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  /** The broker says it may have sent this before. */
  dup: boolean;
  packetId: number;
  /** Which broker session it came in; accept() of a message from a lost session does nothing. */
  session: number;
}

export type MqttState = "stopped" | "down" | "opening" | "handshake" | "up";

export interface MqttClientOptions {
  link: MqttLink;
  clientId: string;
  username?: string;
  password?: Uint8Array;
  will?: Will;
  /** Seconds between packets before a PINGREQ; 0 turns keep-alive off. Default 30. */
  keepAliveSeconds?: number;
  /** Largest packet either way, fixed header included. Default 16 KiB. */
  maxPacket?: number;
  /** QoS 1 messages sent and not yet acknowledged. Default 16. */
  maxOutbound?: number;
  /** QoS 1 messages received and not yet accepted by the application. Default 16. */
  maxInbound?: number;
  maxSubscriptions?: number;
  /** Unacknowledged QoS 1 PUBLISH resent with DUP after this long. Default 20 s. */
  retryMs?: number;
  /**
   * Bytes the link can take now (its buffer's free room), where a write past
   * it closes the link: messages of the window are then written only as the
   * room allows, with CONTROL_RESERVE kept for acks and pings.
   */
  room?: () => number;
  /** Opening plus CONNACK, and PINGRESP, must come within this. Default 10 s. */
  responseTimeoutMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /**
   * Spreads reconnections over the upper half of the backoff, so a fleet of
   * gates does not return to a restarted broker in one burst. Without it the
   * delay is exactly the backoff.
   */
  random?: Random;
}

export interface MqttEvents {
  onMessage?(message: InboundMessage): void;
  /** A message larger than maxPacket was dropped unread (and acknowledged). */
  onOversized?(topic: string): void;
  /** The broker acknowledged a QoS 1 publish. */
  onPublished?(packetId: number): void;
  /** Up (sessionPresent tells whether the broker still had the session) or down (code says why). */
  onUp?(sessionPresent: boolean): void;
  onDown?(code: string): void;
  /** A filter's SUBACK: granted QoS or SUBACK_FAILURE. */
  onSubscribed?(filter: string, returnCode: number): void;
}

interface Subscription {
  filter: string;
  /** 0: to send, >0: the SUBSCRIBE packet id awaiting its SUBACK, -1: answered. */
  pending: number;
}

const PINGREQ = encodeEmpty(PacketType.PINGREQ);
const DISCONNECT = encodeEmpty(PacketType.DISCONNECT);

export class MqttClient {
  readonly events: MqttEvents = {};
  #o: Required<Omit<MqttClientOptions, "username" | "password" | "will" | "random" | "room">> & MqttClientOptions;
  #state: MqttState = "stopped";
  #now = 0;
  #decoder: StreamDecoder;
  #outbound: OutboundWindow;
  #inbound: InboundTable;
  #subscriptions: Subscription[] = [];
  #session = 0;
  #since = 0;
  #lastSent = 0;
  #lastHeard = 0;
  #pingSentAt = -1;
  #reconnectAt = 0;
  #backoff: number;
  #ack = new Uint8Array([PacketType.PUBACK << 4, 2, 0, 0]);
  #jitter = new Uint8Array(1);

  constructor(options: MqttClientOptions) {
    this.#o = {
      keepAliveSeconds: 30, maxPacket: 16 * 1024, maxOutbound: 16, maxInbound: 16, maxSubscriptions: 8,
      retryMs: 20_000, responseTimeoutMs: 10_000, reconnectMinMs: 1_000, reconnectMaxMs: 60_000, ...options,
    };
    this.#decoder = new StreamDecoder(this.#o.maxPacket);
    this.#decoder.onPacket = (p) => this.#receive(p);
    this.#decoder.onOversized = (p) => this.#oversized(p);
    this.#outbound = new OutboundWindow(this.#o.maxOutbound);
    const room = this.#o.room;
    if (room) this.#fits = (bytes) => room() >= bytes + CONTROL_RESERVE;
    this.#inbound = new InboundTable(this.#o.maxInbound);
    this.#backoff = this.#o.reconnectMinMs;
    // Fails here, on the caller's mistake, rather than at every connection.
    encodeConnect(this.#connectPacket());
  }

  get state(): MqttState { return this.#state; }
  /** QoS 1 messages awaiting the broker's PUBACK (sent or waiting for a link). */
  get outboundPending(): number { return this.#outbound.size; }
  get outboundFree(): number { return this.#outbound.capacity - this.#outbound.size; }
  /** QoS 1 messages handed to the application and not yet PUBACKed. */
  get inboundPending(): number { return this.#inbound.size; }

  /** Starts connecting at the next tick. */
  start(): void {
    if (this.#state === "stopped") { this.#state = "down"; this.#reconnectAt = this.#now; }
  }

  /** Sends DISCONNECT if up, closes, and stays down. The broker keeps the session. */
  stop(): void {
    if (this.#state === "up") this.#write(DISCONNECT);
    if (this.#state !== "stopped" && this.#state !== "down") this.#o.link.close();
    this.#decoder.reset();
    this.#state = "stopped";
  }

  /** Adds a QoS 1 subscription, kept across reconnections; sent now if up. */
  subscribe(filter: string): void {
    if (!isTopicFilter(filter)) throw mqttFault("E_MQTT_BAD_TOPIC");
    if (this.#subscriptions.some((s) => s.filter === filter)) return;
    if (this.#subscriptions.length >= this.#o.maxSubscriptions) {
      throw new OptgateError("E_MQTT_TOO_MANY_SUBSCRIPTIONS", `MQTT: at most ${this.#o.maxSubscriptions} subscriptions.`);
    }
    this.#subscriptions.push({ filter, pending: 0 });
    if (this.#state === "up") this.#sendSubscriptions();
  }

  /**
   * Publishes. QoS 1: kept until the broker acknowledges it (across
   * reconnections), returns its packet id; refused when the window is full.
   * QoS 0: only while up, returns 0.
   */
  publish(topic: string, payload: Uint8Array, options: { qos?: 0 | 1; retain?: boolean } = {}): number {
    const qos = options.qos ?? 1;
    if (qos === 0 && this.#state !== "up") throw new OptgateError("E_MQTT_NOT_CONNECTED", "MQTT: a QoS 0 message needs a live connection.");
    if (qos === 1 && this.#outbound.full) {
      throw new OptgateError("E_MQTT_QUEUE_FULL", `MQTT: ${this.#outbound.capacity} messages already await the broker's acknowledgement.`);
    }
    const packet: PublishPacket = { type: PacketType.PUBLISH, topic, payload, qos, retain: options.retain === true, dup: false };
    if (qos === 1) packet.packetId = this.#outbound.allocateId(this.#subscribing);
    const bytes = encodePublish(packet);
    if (bytes.length > this.#o.maxPacket) throw mqttFault("E_MQTT_TOO_LARGE");
    if (qos === 0) { this.#write(bytes); return 0; }
    this.#outbound.add(packet.packetId!, bytes);
    if (this.#state === "up") this.#outbound.writeDue(this.#now, this.#writer, this.#fits);
    return packet.packetId!;
  }

  /**
   * The application is done with a message (applied, or refused for good):
   * only now is the PUBACK sent, so the broker redelivers anything the gate
   * lost before this point.
   */
  accept(message: InboundMessage): void {
    // A message from a lost session: its id may now name another message.
    if (message.session !== this.#session) return;
    if (this.#inbound.accept(message.packetId, this.#state === "up")) this.#sendAck(message.packetId);
  }

  /** The adapter's link is open: send CONNECT. */
  linkUp(): void {
    if (this.#state !== "opening") return;
    this.#state = "handshake";
    this.#since = this.#now;
    this.#write(encodeConnect(this.#connectPacket()));
  }

  /** The link closed or failed to open; `code` says why when the link knows (default E_MQTT_LINK_DOWN). */
  linkDown(code = "E_MQTT_LINK_DOWN"): void {
    if (this.#state === "stopped" || this.#state === "down") return;
    this.#down(code, false);
  }

  bytesIn(chunk: Uint8Array): void {
    if (this.#state !== "handshake" && this.#state !== "up") return;
    this.#lastHeard = this.#now;
    const fault = this.#decoder.push(chunk);
    if (fault) this.#down(fault, true);
  }

  /** Advances time (monotonic ms): connects, pings, resends, detects a dead link. */
  tick(now: number): void {
    this.#now = now;
    const o = this.#o;
    switch (this.#state) {
      case "down":
        if (now >= this.#reconnectAt) {
          this.#state = "opening";
          this.#since = now;
          o.link.open();
        }
        return;
      case "opening": case "handshake":
        if (now - this.#since >= o.responseTimeoutMs) this.#down("E_MQTT_CONNECT_TIMEOUT", true);
        return;
      case "up": {
        if (this.#pingSentAt >= 0 && now - this.#pingSentAt >= o.responseTimeoutMs) {
          this.#down("E_MQTT_DEAD_LINK", true);
          return;
        }
        const keepAlive = o.keepAliveSeconds * 1000;
        if (keepAlive > 0 && this.#pingSentAt < 0 && (now - this.#lastSent >= keepAlive || now - this.#lastHeard >= keepAlive)) {
          this.#pingSentAt = now;
          this.#write(PINGREQ);
        }
        this.#outbound.resendOlderThan(now, o.retryMs, this.#writer, this.#fits);
        return;
      }
      default:
        return;
    }
  }

  /** Packet ids of SUBSCRIBEs awaiting their SUBACK: no PUBLISH may take one (§2.3.1). */
  #subscribing = (id: number): boolean => this.#subscriptions.some((s) => s.pending === id);
  #writer = (bytes: Uint8Array): void => this.#write(bytes);
  #fits: Fits | undefined;

  #write(bytes: Uint8Array): void {
    this.#lastSent = this.#now;
    this.#o.link.write(bytes);
  }

  #connectPacket() {
    const o = this.#o;
    return {
      type: PacketType.CONNECT, clientId: o.clientId, cleanSession: false, keepAlive: o.keepAliveSeconds,
      username: o.username, password: o.password, will: o.will,
    } as const;
  }

  /**
   * A PUBLISH larger than maxPacket: dropped unread, and acknowledged (QoS 1),
   * so the broker does not redeliver it at every connection and wedge the session.
   */
  #oversized(p: PublishPacket): void {
    if (p.qos === 2) { this.#down("E_MQTT_PROTOCOL", true); return; }
    if (p.qos === 1) this.#sendAck(p.packetId ?? 0);
    this.events.onOversized?.(p.topic);
  }

  #sendAck(packetId: number): void {
    this.#ack[2] = packetId >> 8;
    this.#ack[3] = packetId & 0xff;
    this.#write(this.#ack);
  }

  #sendSubscriptions(): void {
    const todo = this.#subscriptions.filter((s) => s.pending === 0);
    if (todo.length === 0) return;
    const packetId = this.#outbound.allocateId(this.#subscribing);
    for (const s of todo) s.pending = packetId;
    this.#write(encodeSubscribe({ type: PacketType.SUBSCRIBE, packetId, subscriptions: todo.map((s) => ({ filter: s.filter, qos: 1 })) }));
  }

  #down(code: string, close: boolean): void {
    if (close) this.#o.link.close();
    this.#decoder.reset();
    this.#state = "down";
    this.#pingSentAt = -1;
    for (const s of this.#subscriptions) if (s.pending > 0) s.pending = 0;
    this.#reconnectAt = this.#now + this.#delay();
    this.#backoff = Math.min(this.#backoff * 2, this.#o.reconnectMaxMs);
    this.events.onDown?.(code);
  }

  #delay(): number {
    if (!this.#o.random) return this.#backoff;
    this.#o.random.fill(this.#jitter);
    return this.#backoff - Math.floor((this.#backoff * this.#jitter[0]) / 512);
  }

  #receive(p: Packet): void {
    if (this.#state === "handshake") {
      if (p.type !== PacketType.CONNACK) { this.#down("E_MQTT_PROTOCOL", true); return; }
      if (p.returnCode !== "accepted") { this.#down(`E_MQTT_REFUSED_${p.returnCode.toUpperCase().replace(/-/g, "_")}`, true); return; }
      this.#connected(p.sessionPresent);
      return;
    }
    switch (p.type) {
      case PacketType.PUBLISH: this.#publishIn(p); return;
      case PacketType.PUBACK:
        if (this.#outbound.acknowledge(p.packetId)) this.events.onPublished?.(p.packetId);
        return;
      case PacketType.SUBACK: this.#suback(p.packetId, p.returnCodes); return;
      case PacketType.PINGRESP: this.#pingSentAt = -1; return;
      default: this.#down("E_MQTT_PROTOCOL", true);
    }
  }

  #connected(sessionPresent: boolean): void {
    this.#state = "up";
    this.#backoff = this.#o.reconnectMinMs;
    this.#lastHeard = this.#now;
    if (!sessionPresent) {
      // The broker forgot us: subscriptions must be made again, and ids of
      // messages the application still holds mean nothing to it now.
      this.#session++;
      this.#inbound.clear();
      for (const s of this.#subscriptions) s.pending = 0;
    } else this.#inbound.resumed();
    this.#sendSubscriptions();
    this.#outbound.sendAll(this.#now, this.#writer, this.#fits);
    this.events.onUp?.(sessionPresent);
  }

  #publishIn(p: PublishPacket): void {
    if (p.qos === 2) { this.#down("E_MQTT_PROTOCOL", true); return; }
    const message: InboundMessage = {
      topic: p.topic, payload: p.payload, qos: p.qos, retain: p.retain, dup: p.dup, packetId: p.packetId ?? 0, session: this.#session,
    };
    if (p.qos === 0) { this.events.onMessage?.(message); return; }
    const verdict = this.#inbound.arrive(message.packetId);
    // A "duplicate" is dropped: the application already holds that message.
    if (verdict === "new") this.events.onMessage?.(message);
    else if (verdict === "ack-now") this.#sendAck(message.packetId);
    else if (verdict === "full") this.#down("E_MQTT_INBOUND_FULL", true);
  }

  #suback(packetId: number, codes: number[]): void {
    const answered = this.#subscriptions.filter((s) => s.pending === packetId);
    if (answered.length !== codes.length) { this.#down("E_MQTT_PROTOCOL", true); return; }
    answered.forEach((s, i) => {
      s.pending = -1;
      this.events.onSubscribed?.(s.filter, codes[i]);
    });
  }
}
