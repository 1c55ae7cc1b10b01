// QoS 1 messages the broker sent this gate that are not yet PUBACKed. The
// PUBACK goes only after the application accepted the message, so a power cut
// before the change is applied leaves it unacknowledged and the broker sends
// it again. While an id is here a redelivery (DUP) is not handed to the
// application twice. Bounded: a full table refuses the message.
const DELIVERED = 0;
/** Accepted while the link was down: the PUBACK is owed on the broker's redelivery. */
const ACK_OWED = 1;

export type InboundVerdict = "new" | "duplicate" | "ack-now" | "full";

export class InboundTable {
  readonly capacity: number;
  #state = new Map<number, number>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number { return this.#state.size; }

  /** What to do with an arriving QoS 1 PUBLISH; records it as delivered when new. */
  arrive(packetId: number): InboundVerdict {
    const state = this.#state.get(packetId);
    if (state === DELIVERED) return "duplicate";
    if (state === ACK_OWED) { this.#state.delete(packetId); return "ack-now"; }
    if (this.#state.size >= this.capacity) return "full";
    this.#state.set(packetId, DELIVERED);
    return "new";
  }

  /** The application is done with it: true if the PUBACK may go now; otherwise it is owed. */
  accept(packetId: number, linkUp: boolean): boolean {
    if (this.#state.get(packetId) !== DELIVERED) return false;
    if (linkUp) this.#state.delete(packetId);
    else this.#state.set(packetId, ACK_OWED);
    return linkUp;
  }

  /** The broker lost the session: no id here means anything to it any more. */
  clear(): void {
    this.#state.clear();
  }
}
