// What the gate's fleet link has to send, waiting for room in the MQTT
// client's QoS 1 window and in the link's buffer (fleet-link.ts). Bounded:
// status-like messages (acks, inventories, heads, time requests) are made
// afresh at the next connection, so past OUTBOX_LIMIT the oldest of them goes;
// what cannot be made again is never dropped here.
import { isOptgateError } from "../core/errors";
import type { MqttClient } from "../core/mqtt/client";
import type { FROM_GATE } from "../core/sync/topics";

export type OutLeaf = (typeof FROM_GATE)[number];

/**
 * Never dropped, and kept across reconnections: notices and receipts (few: one per withdrawal or
 * order), audit batches (one per chain, made only when the outbox is empty), shares and PIN
 * reports; and anything kept until the hub answers it (a head: one per chain, a newer one replacing it).
 */
const KEPT: readonly OutLeaf[] = ["withdrawn", "erased", "audit", "share", "installed", "pin"];

/** What goes ahead of everything else waiting: a withdrawal's erasure must not wait behind an inventory's parts. */
const URGENT: readonly OutLeaf[] = ["withdrawn", "erased"];

/** Messages waiting for room in the client's QoS 1 window; past this, the oldest status-like ones go. */
export const OUTBOX_LIMIT = 32;

export interface Outgoing {
  leaf: OutLeaf;
  payload: Uint8Array;
  retain: boolean;
  /** Called when the broker acknowledged it (and, for one kept until answered, when the client refused it). */
  done?: () => void;
  /** Kept until the hub answers (awaiting-answer.ts), under this key. */
  awaiting?: string;
}

export interface FleetOutboxOptions {
  client: MqttClient;
  topic: (leaf: OutLeaf) => string;
  /** Bytes the link can take now (its buffer's free room). */
  room?: () => number;
  /** A message dropped (the bound, or the client refusing it: `why`). */
  dropped: (why?: string) => void;
}

export class FleetOutbox {
  readonly #o: FleetOutboxOptions;
  readonly #list: Outgoing[] = [];
  /** PUBACK callbacks by packet id. */
  readonly #inFlight = new Map<number, () => void>();

  constructor(o: FleetOutboxOptions) { this.#o = o; }

  get length(): number { return this.#list.length; }

  holds(payload: Uint8Array): boolean { return this.#list.some((m) => m.payload === payload); }

  send(m: Outgoing): void {
    if (!kept(m) && this.#list.length >= OUTBOX_LIMIT) {
      const i = this.#list.findIndex((x) => !kept(x));
      if (i < 0) return;
      this.#list.splice(i, 1);
      this.#o.dropped();
    }
    if (!URGENT.includes(m.leaf)) { this.#list.push(m); return; }
    // Behind the urgent ones already waiting (in order), ahead of the rest.
    const at = this.#list.findIndex((x) => !URGENT.includes(x.leaf));
    this.#list.splice(at < 0 ? this.#list.length : at, 0, m);
  }

  /** At the back, whatever its leaf (at a connection, behind the status messages). */
  sendLast(m: Outgoing): void { this.#list.push(m); }

  /**
   * A new connection: status-like messages go (made afresh by `status`, which sends them first);
   * the kept ones follow them. What was in flight the client resends itself (its window outlives
   * the connection).
   */
  reconnected(status: () => void): void {
    const keep = this.#list.filter(kept);
    this.#list.length = 0;
    status();
    this.#list.push(...keep);
  }

  /** Copies waiting under `awaiting` are not sent (the hub answered). */
  withdraw(awaiting: string): void {
    for (let i = this.#list.length - 1; i >= 0; i--) if (this.#list[i].awaiting === awaiting) this.#list.splice(i, 1);
  }

  published(packetId: number): void {
    const done = this.#inFlight.get(packetId);
    this.#inFlight.delete(packetId);
    done?.();
  }

  drain(): void {
    const c = this.#o.client;
    while (this.#list.length && c.state === "up" && c.outboundFree > 0) {
      // An inventory is parts of up to 32 KB: published back to back they overran the link's
      // buffer, which dropped the link, and every reconnection tried again. The rest waits a tick.
      const first = this.#list[0];
      if (this.#o.room && this.#o.room() < publishBytes(this.#o.topic(first.leaf), first.payload)) return;
      const m = this.#list.shift()!;
      let id: number;
      try {
        id = c.publish(this.#o.topic(m.leaf), m.payload, { qos: 1, retain: m.retain });
      } catch (error) {
        if (!isOptgateError(error)) throw error;
        this.#o.dropped(error.message);
        // One kept until answered is tried again after its wait.
        if (m.awaiting) m.done?.();
        continue;
      }
      if (m.done) this.#inFlight.set(id, m.done);
    }
  }
}

/** An answer awaited is the AwaitingAnswer's to resend: dropped here, it would never go again. */
const kept = (m: Outgoing): boolean => KEPT.includes(m.leaf) || m.awaiting !== undefined;

/**
 * The most a QoS 1 PUBLISH of `payload` on `topicName` (ASCII) takes on the wire: fixed header,
 * remaining length (counted at its 4-byte most), topic, packet id. An upper bound, never short.
 * For a fleet message (at most MAX_MESSAGE_BYTES, on a topic of at most MAX_TOPIC_BYTES) it is at
 * most 32,841 bytes, under MAX_PACKET_BYTES (33,792): the one constant that is both the link's
 * buffer (fleet.ts bufferBytes), so a publish waiting here for room fits once the buffer drains,
 * and the broker's max_packet_size (tools/hub/mosquitto.ts), which closes the connection on a
 * bigger packet. test/app/fleet-link.test.ts holds the three to this.
 */
export function publishBytes(topicName: string, payload: Uint8Array): number {
  return 1 + 4 + 2 + topicName.length + 2 + payload.length;
}
