// A test double for the MqttLink port: records open/close, decodes every byte
// the client writes back into packets, and lets a test play the broker.
import { type InboundMessage, MqttClient, type MqttClientOptions, type MqttLink } from "../../../src/core/mqtt/client";
import { encodePacket } from "../../../src/core/mqtt/encode";
import { type Packet, PacketType } from "../../../src/core/mqtt/packets";
import { StreamDecoder } from "../../../src/core/mqtt/stream-decoder";

export class LinkDouble implements MqttLink {
  opens = 0;
  closes = 0;
  /** Packets the client wrote since the last take(). */
  sent: Packet[] = [];
  /** Raw writes, to check the client copes with an adapter that keeps no buffer. */
  writes: Uint8Array[] = [];
  #decoder = new StreamDecoder(1 << 16);

  constructor() {
    this.#decoder.onPacket = (p) => this.sent.push(p);
  }

  open(): void { this.opens++; this.#decoder.reset(); }
  close(): void { this.closes++; }
  write(bytes: Uint8Array): void {
    this.writes.push(bytes.slice());
    const fault = this.#decoder.push(bytes);
    if (fault) throw new Error(`client wrote a malformed packet: ${fault}`);
  }

  take(): Packet[] {
    const out = this.sent;
    this.sent = [];
    return out;
  }
}

export interface Harness {
  client: MqttClient;
  link: LinkDouble;
  messages: InboundMessage[];
  published: number[];
  ups: boolean[];
  downs: string[];
  subscribed: [string, number][];
  now: number;
  /** Advances time by `ms` in one tick. */
  advance(ms: number): void;
  /** The broker sends these packets. */
  deliver(...packets: Packet[]): void;
  /** start(), open, CONNECT, CONNACK: returns the CONNECT and what followed it. */
  connect(sessionPresent?: boolean): Packet[];
}

export function harness(options: Partial<MqttClientOptions> = {}): Harness {
  const link = new LinkDouble();
  const client = new MqttClient({ link, clientId: "gate-7", keepAliveSeconds: 30, ...options });
  const h: Harness = {
    // Time starts at 0, as the board's monotonic clock does: the edges at 0 are tested too.
    client, link, messages: [], published: [], ups: [], downs: [], subscribed: [], now: 0,
    advance(ms) { h.now += ms; client.tick(h.now); },
    deliver(...packets) {
      for (const p of packets) client.bytesIn(encodePacket(p));
    },
    connect(sessionPresent = false) {
      if (client.state === "stopped") client.start();
      client.tick(h.now);
      client.linkUp();
      h.deliver({ type: PacketType.CONNACK, sessionPresent, returnCode: "accepted" });
      return link.take();
    },
  };
  client.events.onMessage = (m) => h.messages.push(m);
  client.events.onPublished = (id) => h.published.push(id);
  client.events.onUp = (s) => h.ups.push(s);
  client.events.onDown = (c) => h.downs.push(c);
  client.events.onSubscribed = (f, c) => h.subscribed.push([f, c]);
  client.tick(h.now);
  return h;
}
