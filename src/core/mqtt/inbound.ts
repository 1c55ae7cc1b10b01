// QoS 1 messages the broker sent this gate that are not yet PUBACKed. The
// PUBACK goes only after the application accepted the message, so a power cut
// before the change is applied leaves it unacknowledged and the broker sends
// it again. While an id is here a redelivery (DUP) is not handed to the
// application twice. Bounded: a full table refuses the message.
//
// After a reconnection the broker resends every message it holds unacked
// (§4.4), and those copies may already be on the wire when the application
// accepts. A PUBACK sent then would cross them, and the stale copy would look
// like a new message; so the PUBACK of such a message waits for its copy.
const DELIVERED = 0;
/** Delivered on an earlier connection of the session: the broker's copy is on its way. */
const RESEND_EXPECTED = 1;
/** Accepted before the broker's copy came back: the PUBACK answers that copy. */
const ACK_OWED = 2;

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
    if (state === RESEND_EXPECTED) { this.#state.set(packetId, DELIVERED); return "duplicate"; }
    if (state === ACK_OWED) { this.#state.delete(packetId); return "ack-now"; }
    if (this.#state.size >= this.capacity) return "full";
    this.#state.set(packetId, DELIVERED);
    return "new";
  }

  /** The application is done with it: true if the PUBACK may go now; otherwise it is owed. */
  accept(packetId: number, linkUp: boolean): boolean {
    const state = this.#state.get(packetId);
    if (state === DELIVERED && linkUp) {
      this.#state.delete(packetId);
      return true;
    }
    if (state === DELIVERED || state === RESEND_EXPECTED) this.#state.set(packetId, ACK_OWED);
    return false;
  }

  /** The broker resumed the session: it will resend what it delivered before and we did not acknowledge. */
  resumed(): void {
    for (const [id, state] of this.#state) if (state === DELIVERED) this.#state.set(id, RESEND_EXPECTED);
  }

  /** The broker lost the session: no id here means anything to it any more. */
  clear(): void {
    this.#state.clear();
  }
}
