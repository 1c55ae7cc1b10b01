// QoS 1 messages this gate has sent and the broker has not yet PUBACKed. A
// fixed number of slots: when they are all taken, publish is refused, never
// queued without bound. Each slot keeps the encoded PUBLISH so a resend only
// sets the DUP bit in place.
const DUP = 0x08;

interface Slot {
  packetId: number;
  bytes: Uint8Array;
  /** When it was last written; -1 if it has never gone out. */
  sentAt: number;
}

export class OutboundWindow {
  readonly capacity: number;
  #slots: Slot[] = [];
  #nextId = 1;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number { return this.#slots.length; }
  get full(): boolean { return this.#slots.length >= this.capacity; }

  /** A packet id (1-65535) no slot holds and `taken` does not claim. */
  allocateId(taken: (id: number) => boolean): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id === 0xffff ? 1 : id + 1;
      if (!this.#slots.some((s) => s.packetId === id) && !taken(id)) return id;
    }
  }

  add(packetId: number, bytes: Uint8Array): void {
    this.#slots.push({ packetId, bytes, sentAt: -1 });
  }

  /** Drops the slot the broker acknowledged; false if no slot had that id (a late duplicate PUBACK). */
  acknowledge(packetId: number): boolean {
    const i = this.#slots.findIndex((s) => s.packetId === packetId);
    if (i < 0) return false;
    this.#slots.splice(i, 1);
    return true;
  }

  /** Writes every slot, oldest first (after a CONNACK); ones sent before go with DUP (§4.4). */
  sendAll(now: number, write: (bytes: Uint8Array) => void): void {
    for (const s of this.#slots) this.#send(s, now, write);
  }

  /** Writes the slots that have never gone out (published while the link was up). */
  sendUnsent(now: number, write: (bytes: Uint8Array) => void): void {
    for (const s of this.#slots) if (s.sentAt < 0) this.#send(s, now, write);
  }

  /** Writes again, with DUP, each slot unacknowledged for `retryMs`. */
  resendOlderThan(now: number, retryMs: number, write: (bytes: Uint8Array) => void): void {
    // Indexed, not for-of: this runs on every tick and must not allocate an iterator.
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s.sentAt >= 0 && now - s.sentAt >= retryMs) this.#send(s, now, write);
    }
  }

  #send(s: Slot, now: number, write: (bytes: Uint8Array) => void): void {
    if (s.sentAt >= 0) s.bytes[0] |= DUP;
    s.sentAt = now;
    write(s.bytes);
  }
}
