// A small MQTT 3.1.1 broker model for one gate's persistent session: QoS 1
// with a bounded in-flight window, messages queued while the gate is away,
// unacknowledged ones resent with DUP on reconnection (§4.4). It speaks
// bytes through the real codec; its answers wait in `toClient` until the
// test delivers them (in chunks of its choosing), as TCP would.
import { encodePacket } from "../../../src/core/mqtt/encode";
import { type Packet, PacketType, type PublishPacket } from "../../../src/core/mqtt/packets";
import { StreamDecoder } from "../../../src/core/mqtt/stream-decoder";

interface Session {
  filters: Set<string>;
  queue: { topic: string; payload: Uint8Array }[];
  inflight: Map<number, PublishPacket>;
  nextId: number;
}

export class BrokerModel {
  readonly sessions = new Map<string, Session>();
  /** PUBLISHes the gate sent, in arrival order (duplicates included). */
  readonly received: PublishPacket[] = [];
  toClient: number[] = [];
  connected: string | undefined;
  #decoder = new StreamDecoder(1 << 16);

  constructor(readonly maxInflight = 5) {
    this.#decoder.onPacket = (p) => this.#handle(p);
  }

  /** A new TCP connection: forget the old one's partial bytes and answers in flight. */
  accept(): void {
    this.#decoder.reset();
    this.toClient = [];
    this.connected = undefined;
  }

  dropped(): void {
    this.connected = undefined;
    this.toClient = [];
  }

  fromClient(bytes: Uint8Array): void {
    const fault = this.#decoder.push(bytes);
    if (fault) throw new Error(`broker model: the client sent a malformed packet (${fault})`);
  }

  /** The hub publishes: queued for every session subscribed to the exact topic. */
  publish(topic: string, payload: Uint8Array): void {
    for (const [id, s] of this.sessions) {
      if (!s.filters.has(topic)) continue;
      s.queue.push({ topic, payload });
      if (this.connected === id) this.#pump(s);
    }
  }

  #send(p: Packet): void {
    // A loop, not push(...bytes): a large packet as spread arguments overflows XS's stack.
    for (const byte of encodePacket(p)) this.toClient.push(byte);
  }

  #handle(p: Packet): void {
    const s = this.connected ? this.sessions.get(this.connected)! : undefined;
    switch (p.type) {
      case PacketType.CONNECT: {
        const present = this.sessions.has(p.clientId) && !p.cleanSession;
        if (!present) this.sessions.set(p.clientId, { filters: new Set(), queue: [], inflight: new Map(), nextId: 1 });
        this.connected = p.clientId;
        this.#send({ type: PacketType.CONNACK, sessionPresent: present, returnCode: "accepted" });
        const session = this.sessions.get(p.clientId)!;
        for (const m of session.inflight.values()) this.#send({ ...m, dup: true });
        this.#pump(session);
        return;
      }
      case PacketType.SUBSCRIBE:
        for (const sub of p.subscriptions) s!.filters.add(sub.filter);
        this.#send({ type: PacketType.SUBACK, packetId: p.packetId, returnCodes: p.subscriptions.map(() => 1) });
        return;
      case PacketType.PUBLISH:
        this.received.push(p);
        if (p.qos === 1) this.#send({ type: PacketType.PUBACK, packetId: p.packetId! });
        return;
      case PacketType.PUBACK:
        s!.inflight.delete(p.packetId);
        this.#pump(s!);
        return;
      case PacketType.PINGREQ:
        this.#send({ type: PacketType.PINGRESP });
        return;
      case PacketType.DISCONNECT:
        this.connected = undefined;
        return;
      default:
        throw new Error(`broker model: unexpected packet type ${p.type}`);
    }
  }

  #pump(s: Session): void {
    while (s.inflight.size < this.maxInflight && s.queue.length > 0) {
      const m = s.queue.shift()!;
      let id = s.nextId;
      while (s.inflight.has(id)) id = id === 0xffff ? 1 : id + 1;
      s.nextId = id === 0xffff ? 1 : id + 1;
      const p: PublishPacket = { type: PacketType.PUBLISH, topic: m.topic, payload: m.payload, qos: 1, retain: false, dup: false, packetId: id };
      s.inflight.set(id, p);
      this.#send(p);
    }
  }
}
