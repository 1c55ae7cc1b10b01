// Framing over a TCP byte stream: chunks of any size in, whole packets out.
// The body buffer is allocated once at the size limit, so a hostile length
// costs nothing: it is refused as soon as its varint says it is too large,
// before a byte of the body is stored. The first fault stops the decoder
// until reset() (the connection must be closed anyway, §4.8). With
// onOversized set, a PUBLISH too large is not a fault: its bytes go by unstored
// and its header is reported, so the client can acknowledge it; a broker
// would otherwise redeliver it at every reconnection and no other message
// would ever get through.
import { headerFault, decodeBody } from "./decode";
import { type MqttFaultCode } from "./faults";
import { PacketType, type Packet, type PublishPacket } from "./packets";

// Where the next byte goes.
const FIRST = 0, LENGTH = 1, BODY = 2, FAILED = 3, SKIP = 4;

export class StreamDecoder {
  /** Largest whole packet accepted (fixed header included). */
  readonly maxPacket: number;
  /** Called once per packet, in order. Payloads are copies: they stay valid. */
  onPacket: (packet: Packet) => void = () => {};
  /** When set, a PUBLISH larger than maxPacket is skipped and reported here (topic, QoS, packet id; empty payload). */
  onOversized: ((publish: PublishPacket) => void) | undefined;
  #body: Uint8Array;
  #stage = FIRST;
  #first = 0;
  #remaining = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #filled = 0;
  #fault: MqttFaultCode | undefined;
  /** Bumped by reset(), so a reset from inside onPacket ends the push it happened in. */
  #generation = 0;

  constructor(maxPacket: number) {
    if (!Number.isInteger(maxPacket) || maxPacket < 2) throw new RangeError("maxPacket must be an integer >= 2");
    this.maxPacket = maxPacket;
    this.#body = new Uint8Array(maxPacket);
  }

  get fault(): MqttFaultCode | undefined { return this.#fault; }

  /** Forgets any partial packet and a past fault: for a new connection. */
  reset(): void {
    this.#stage = FIRST;
    this.#fault = undefined;
    this.#generation++;
  }

  /** Feeds bytes; returns the fault that stopped decoding, if any (also kept in `fault`). */
  push(chunk: Uint8Array): MqttFaultCode | undefined {
    const generation = this.#generation;
    let i = 0;
    while (i < chunk.length && this.#stage !== FAILED && generation === this.#generation) {
      const b = chunk[i];
      if (this.#stage === FIRST) {
        const fault = headerFault(b);
        if (fault) return this.#fail(fault);
        this.#first = b;
        this.#remaining = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
        this.#stage = LENGTH;
        i++;
      } else if (this.#stage === LENGTH) {
        this.#remaining += (b & 0x7f) * this.#multiplier;
        this.#multiplier *= 128;
        this.#lengthBytes++;
        i++;
        const tooLarge = 1 + this.#lengthBytes + this.#remaining > this.maxPacket;
        if (tooLarge && !(this.onOversized && this.#first >> 4 === PacketType.PUBLISH)) return this.#fail("E_MQTT_TOO_LARGE");
        if (b & 0x80) {
          if (this.#lengthBytes === 4) return this.#fail("E_MQTT_BAD_VARINT");
          continue;
        }
        this.#filled = 0;
        this.#stage = tooLarge ? SKIP : BODY;
        if (this.#remaining === 0) this.#emit();
      } else {
        const take = Math.min(chunk.length - i, this.#remaining - this.#filled);
        // Skipping, only the start (topic and packet id) is kept.
        const keep = Math.max(0, Math.min(take, this.#body.length - this.#filled));
        // A view per copy costs more than a few bytes copied by hand (TCP often delivers dribbles).
        if (keep < 16) {
          for (let k = 0; k < keep; k++) this.#body[this.#filled + k] = chunk[i + k];
        } else this.#body.set(chunk.subarray(i, i + keep), this.#filled);
        this.#filled += take;
        i += take;
        if (this.#filled === this.#remaining) {
          if (this.#stage === SKIP) this.#skipped();
          else this.#emit();
        }
      }
      if (this.#fault) return this.#fault;
    }
    return this.#fault;
  }

  #emit(): void {
    const packet = decodeBody(this.#first, this.#body, 0, this.#remaining);
    if (typeof packet === "string") { this.#fail(packet); return; }
    this.#stage = FIRST;
    this.onPacket(packet);
  }

  /** An oversized PUBLISH has gone by: its header from the kept start, its payload left out. */
  #skipped(): void {
    const head = decodeBody(this.#first, this.#body, 0, Math.min(this.#remaining, this.#body.length));
    if (typeof head === "string") { this.#fail(head); return; }
    this.#stage = FIRST;
    this.onOversized?.({ ...(head as PublishPacket), payload: new Uint8Array(0) });
  }

  #fail(code: MqttFaultCode): MqttFaultCode {
    this.#stage = FAILED;
    this.#fault = code;
    return code;
  }
}
